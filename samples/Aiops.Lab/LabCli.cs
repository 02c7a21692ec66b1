using System.CommandLine;

namespace Aiops.Lab;

/// <summary>
/// The lab's command line: <c>[--scenario NAME|all] [--embedded] [--keep] [--no-install]</c>.
/// Exit codes: 0 every scenario reached its goal, 1 a scenario missed one, 2 usage error, 3 the lab could not start.
/// </summary>
internal static class LabCli
{
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var scenario = new Option<string>("--scenario")
        {
            Description = $"The scenario to drive: {string.Join(", ", ScenarioNames.All)} or all.",
            DefaultValueFactory = _ => "all",
        };
        scenario.AcceptOnlyFromAmong([.. ScenarioNames.All, "all"]);
        var embedded = new Option<bool>("--embedded") { Description = "Run the same story in one process without Prometheus or Alertmanager (in-process metrics)." };
        var keep = new Option<bool>("--keep") { Description = "Keep the lab running after the scenarios, until Ctrl-C, to look around." };
        var noInstall = new Option<bool>("--no-install") { Description = "Never install Prometheus and Alertmanager with apt-get; fail if they are missing." };
        var root = new RootCommand("Runs the Aiops lab end to end on 127.0.0.1 and reports what happened.") { scenario, embedded, keep, noInstall };
        root.SetAction(async (parse, cancellationToken) =>
        {
            var names = parse.GetValue(scenario) is "all" or null ? ScenarioNames.All : [parse.GetValue(scenario)!];
            var options = new LabRunOptions(names, parse.GetValue(keep), !parse.GetValue(noInstall));
            return parse.GetValue(embedded)
                ? await LabRun.RunEmbeddedAsync(options, stdout, cancellationToken).ConfigureAwait(false)
                : await LabRun.RunAsync(options, stdout, stderr, cancellationToken).ConfigureAwait(false);
        });
        return await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr }).ConfigureAwait(false);
    }
}

/// <summary>What to run.</summary>
/// <param name="Scenarios">The scenarios, in order.</param>
/// <param name="Keep">Whether to keep running until Ctrl-C afterwards.</param>
/// <param name="Install">Whether missing Prometheus and Alertmanager may be installed with apt-get.</param>
internal sealed record LabRunOptions(IReadOnlyList<string> Scenarios, bool Keep, bool Install);

/// <summary>Runs the lab with the real Prometheus and Alertmanager, or embedded in this process.</summary>
internal static class LabRun
{
    public static async Task<int> RunAsync(LabRunOptions options, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        LabStack stack;
        try
        {
            var tools = await Toolchain.EnsureAsync(options.Install, output, cancellationToken).ConfigureAwait(false);
            stack = await LabStack.StartAsync(tools, output, TimeSpan.FromSeconds(90), cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            error.WriteLine("The lab could not start: " + ex.Message);
            return 3;
        }

        await using (stack.ConfigureAwait(false))
        {
            LabReport.PrintUrls(output, stack.Urls, stack.RunFolder);
            await using var backend = new PrometheusBackend(stack, new ScenarioTiming().BaselineRate);
            var calls = await backend.CallGraphAsync(cancellationToken).ConfigureAwait(false);
            output.WriteLine("Call graph in Prometheus (lab_client_requests_total{service, peer}): " + string.Join(", ", calls.Select(c => $"{c.Service} → {c.Peer}")));
            var code = await RunScenariosAsync(backend, options, output, cancellationToken).ConfigureAwait(false);
            LabReport.PrintUrls(output, stack.Urls, stack.RunFolder);
            if (options.Keep)
            {
                output.WriteLine("The lab keeps running; Ctrl-C stops every process.");
                await Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }

            return code;
        }
    }

    public static async Task<int> RunEmbeddedAsync(LabRunOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        output.WriteLine("Embedded lab: the app, detection, correlation, gates and actions in this process; no Prometheus, no Alertmanager.");
        await using var backend = await EmbeddedBackend.StartAsync(new ScenarioTiming().BaselineRate, cancellationToken).ConfigureAwait(false);
        return await RunScenariosAsync(backend, options, output, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> RunScenariosAsync(ILabBackend backend, LabRunOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var scenarios = new LabScenarios(backend, output);
        var results = new List<ScenarioResult>();
        foreach (var name in options.Scenarios)
        {
            results.Add(await scenarios.RunAsync(name, cancellationToken).ConfigureAwait(false));
        }

        var failures = results.SelectMany(LabGoals.Check).ToList();
        output.WriteLine();
        output.WriteLine(failures.Count == 0 ? "Every scenario reached its goal." : "Missed: " + string.Join("; ", failures));
        return failures.Count == 0 ? 0 : 1;
    }
}
