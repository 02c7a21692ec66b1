using System.Text;
using Aiops.Gates;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Configuration;

namespace Aiops.Benchmarks;

/// <summary>
/// Decisions through a ten-gate pipeline loaded from configuration (confidence, risk ceiling, blast radius, hourly and
/// daily rate limits, cooldown, concurrency, change freeze, recent change, silence), per decision:
/// <see cref="Pipeline"/> evaluates the gates only; <see cref="Decide"/> is the engine's whole decision, including the
/// idempotency check and the append to an in-memory audit log (the durable JSON Lines log adds an fsync per group commit,
/// measured separately in the audit log's tests). Every proposal has a new idempotency key.
/// Run: <c>dotnet run -c Release --project benchmarks/Aiops.Benchmarks -- --filter '*GateBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
public class GateBenchmarks
{
    private const int Decisions = 10_000;

    private const string Config = """
        { "Aiops": { "Gates": { "Policies": [
          "confidence", "riskCeiling", "blastRadius",
          { "Type": "rateLimit", "MaxExecutions": 1000000, "MaxExecutionsPerTarget": 1000000 },
          { "Type": "rateLimit", "Name": "dailyRateLimit", "Window": "1.00:00:00", "MaxExecutions": 1000000, "MaxExecutionsPerTarget": 1000000 },
          { "Type": "cooldown", "Cooldown": "00:00:01" },
          { "Type": "concurrency", "MaxConcurrent": 100 },
          { "Type": "changeFreeze", "Windows": [ { "Days": [ "Sunday" ], "Start": "00:00", "End": "01:00", "TimeZone": "Europe/Berlin" } ] },
          "recentChange", "silence" ] } } }
        """;

    private static readonly DateTimeOffset Start = new(2026, 3, 4, 12, 0, 0, TimeSpan.Zero);
    private readonly SettableClock _clock = new() { Now = Start };
    private RemediationProposal[] _proposals = [];
    private GatePipeline _pipeline = null!;
    private ExecutionHistory _history = null!;
    private DecisionEngine _engine = null!;
    private int _round;

    /// <summary>Loads the gates and builds the proposals.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(Config))).Build();
        var gates = GatesConfiguration.Load(configuration.GetSection("Aiops:Gates"), _clock);
        _pipeline = new GatePipeline(gates.Policies, timeProvider: _clock);
        _history = new ExecutionHistory(timeProvider: _clock);
        _proposals = [.. Enumerable.Range(0, Decisions).Select(i => new RemediationProposal(
            "restart-pod", [$"api-{i % 50}"], RiskClass.Low, $"ep-{i / 10:D6}", 0.9, $"k-{i}", Start)
        {
            Labels = new Dictionary<string, string> { ["alertname"] = "HighErrorRate", ["service"] = "api" },
            FleetSize = 50,
        })];
    }

    /// <summary>A fresh engine per iteration, so idempotency keys are new and the decision map starts empty.</summary>
    [IterationSetup(Target = nameof(Decide))]
    public void NewEngine()
    {
        _round++;
        _engine = new DecisionEngine(_pipeline, new InMemoryAuditLog(), new ActionRegistry([new Aiops.Gates.Actions.SimulatedAction("restart-pod")]), _history, timeProvider: _clock);
    }

    /// <summary>The ten gates' verdicts on one proposal.</summary>
    /// <returns>A checksum.</returns>
    [Benchmark(OperationsPerInvoke = Decisions)]
    public async Task<int> Pipeline()
    {
        var sum = 0;
        foreach (var proposal in _proposals)
        {
            sum += (int)(await _pipeline.EvaluateAsync(proposal, _history, Start)).Verdict;
        }

        return sum;
    }

    /// <summary>The engine's whole decision on one proposal.</summary>
    /// <returns>A checksum.</returns>
    [Benchmark(OperationsPerInvoke = Decisions)]
    public async Task<int> Decide()
    {
        var sum = _round;
        foreach (var proposal in _proposals)
        {
            sum += (int)(await _engine.DecideAsync(proposal)).Verdict;
        }

        return sum;
    }
}
