using System.Text;
using Aiops.Lab;

namespace Aiops.Lab.Tests;

/// <summary>
/// Starts the real lab once — Debian's Prometheus and Alertmanager, the app, the exporter and the receiver on 127.0.0.1 —
/// drives the three scenarios, and stops every process, within six minutes (a busy machine included); the tests assert on the results. The runner's
/// console output is kept in <see cref="Output"/> and in <c>artifacts/lab/e2e-output.txt</c>.
/// </summary>
public sealed class LabFixture : IAsyncLifetime
{
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(6);
    private readonly StringWriter _output = new(new StringBuilder());
    private Exception? _failure;

    internal IReadOnlyDictionary<string, ScenarioResult> Results { get; private set; } = new Dictionary<string, ScenarioResult>();

    internal IReadOnlyList<int> ProcessIds { get; private set; } = [];

    /// <summary>The (service, peer) pairs of the app's client-call series, as Prometheus returned them after the scenarios.</summary>
    internal IReadOnlyList<(string Service, string Peer)> CallGraph { get; private set; } = [];

    public string Output => _output.ToString();

    public async Task InitializeAsync()
    {
        using var budget = new CancellationTokenSource(Budget);
        var output = TextWriter.Synchronized(_output);
        try
        {
            var tools = await Toolchain.EnsureAsync(install: false, output, budget.Token);
            await using var stack = await LabStack.StartAsync(tools, output, TimeSpan.FromSeconds(60), budget.Token);
            ProcessIds = stack.ProcessIds;
            await using var backend = new PrometheusBackend(stack, new ScenarioTiming().BaselineRate);
            var scenarios = new LabScenarios(backend, output);
            var results = new Dictionary<string, ScenarioResult>(StringComparer.Ordinal);
            foreach (var name in ScenarioNames.All)
            {
                results[name] = await scenarios.RunAsync(name, budget.Token);
            }

            CallGraph = await backend.CallGraphAsync(budget.Token);
            Results = results;
        }
        catch (Exception ex)
        {
            // Reported by every test, with the runner's output, instead of an opaque fixture failure.
            _failure = ex;
        }
        finally
        {
            ChildProcess.KillAll();
            var artifact = Path.Combine(LabPaths.RepositoryRoot, "artifacts", "lab");
            Directory.CreateDirectory(artifact);
            await File.WriteAllTextAsync(Path.Combine(artifact, "e2e-output.txt"), Output);
        }
    }

    public Task DisposeAsync()
    {
        _output.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>The result of a scenario, or a failure that carries why the lab did not get there and what it printed.</summary>
    internal ScenarioResult Result(string scenario) =>
        _failure is null && Results.TryGetValue(scenario, out var result)
            ? result
            : throw new InvalidOperationException($"The lab failed before {scenario} finished: {_failure}{Environment.NewLine}{Output}", _failure);
}

[CollectionDefinition(nameof(LabCollection))]
public sealed class LabCollection : ICollectionFixture<LabFixture>;
