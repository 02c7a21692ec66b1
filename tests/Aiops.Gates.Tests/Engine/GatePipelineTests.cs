using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using static Aiops.Gates.Tests.Engine.Fakes;

namespace Aiops.Gates.Tests.Engine;

public sealed class GatePipelineTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(T0);
    private readonly TestMeterFactory _meters = new();
    private readonly ExecutionHistory _history;

    public GatePipelineTests() => _history = new ExecutionHistory(timeProvider: _time);

    public void Dispose() => _meters.Dispose();

    [Theory]
    [InlineData(GateVerdict.Allow, GateVerdict.Allow, GateVerdict.Allow)]
    [InlineData(GateVerdict.Allow, GateVerdict.RequireApproval, GateVerdict.RequireApproval)]
    [InlineData(GateVerdict.RequireApproval, GateVerdict.Allow, GateVerdict.RequireApproval)]
    [InlineData(GateVerdict.RequireApproval, GateVerdict.Deny, GateVerdict.Deny)]
    [InlineData(GateVerdict.Deny, GateVerdict.RequireApproval, GateVerdict.Deny)]
    [InlineData(GateVerdict.Deny, GateVerdict.Allow, GateVerdict.Deny)]
    public async Task EvaluateAsync_TwoGates_StrictestWins(GateVerdict first, GateVerdict second, GateVerdict expected)
    {
        var pipeline = new GatePipeline([new FakeGate("a", first), new FakeGate("b", second)], timeProvider: _time);

        var result = await pipeline.EvaluateAsync(Proposal(), _history, T0);

        Assert.Equal(expected, result.Verdict);
        Assert.Equal(["a", "b"], result.Evaluations.Select(e => e.Gate));
        Assert.Equal([first, second], result.Evaluations.Select(e => e.Verdict));
    }

    [Fact]
    public async Task EvaluateAsync_DenyFirst_EveryLaterGateStillEvaluated()
    {
        var later = new FakeGate("later", GateVerdict.Allow);
        var last = new FakeGate("last", GateVerdict.RequireApproval);
        var pipeline = new GatePipeline([new FakeGate("deny", GateVerdict.Deny), later, last], timeProvider: _time);

        var result = await pipeline.EvaluateAsync(Proposal(), _history, T0);

        Assert.Equal(GateVerdict.Deny, result.Verdict);
        Assert.Equal(3, result.Evaluations.Count);
        Assert.Equal(1, later.Calls);
        Assert.Equal(1, last.Calls);
    }

    [Fact]
    public async Task EvaluateAsync_GateSeesProposalClockAndHistory()
    {
        GateContext? seen = null;
        var pipeline = new GatePipeline([new FakeGate("spy", c => { seen = c; return GateDecision.Allow("ok", new Dictionary<string, string> { ["limit"] = "3" }); })], timeProvider: _time);
        var proposal = Proposal();

        var result = await pipeline.EvaluateAsync(proposal, _history, T0.AddMinutes(5));

        Assert.NotNull(seen);
        Assert.Same(proposal, seen.Proposal);
        Assert.Same(_history, seen.History);
        Assert.Equal(T0.AddMinutes(5), seen.Now);
        Assert.Equal("3", result.Evaluations[0].Data!["limit"]);
        Assert.Null(result.Evaluations[0].Failure);
    }

    [Fact]
    public async Task EvaluateAsync_ThrowingGate_DeniesWithFailure_OthersEvaluated_LoggedAndCounted()
    {
        var logger = new FakeLogger<GatePipeline>();
        using var failures = new MetricCollector<long>(_meters, GatesTelemetry.MeterName, "aiops.gates.failures");
        var after = new FakeGate("after", GateVerdict.Allow);
        var pipeline = new GatePipeline(
            [new FakeGate("before", GateVerdict.Allow), new ThrowingGate("thrower"), after],
            new GatePipelineOptions { Telemetry = new GatesTelemetry(_meters) },
            _time,
            logger);

        var result = await pipeline.EvaluateAsync(Proposal(), _history, T0);

        Assert.Equal(GateVerdict.Deny, result.Verdict);
        var failed = result.Evaluations[1];
        Assert.Equal("thrower", failed.Gate);
        Assert.Equal(GateVerdict.Deny, failed.Verdict);
        Assert.Equal("System.InvalidOperationException: boom", failed.Failure);
        Assert.Equal(1, after.Calls);
        Assert.Equal(GateVerdict.Allow, result.Evaluations[2].Verdict);
        var measurement = Assert.Single(failures.GetMeasurementSnapshot());
        Assert.Equal("thrower", measurement.Tags["gate"]);
        Assert.Equal("exception", measurement.Tags["kind"]);
        var log = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Contains("thrower", log.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidOperationException>(log.Exception);
    }

    [Fact]
    public async Task EvaluateAsync_HangingGate_TimesOutAsDenyWithFailure_OthersEvaluated()
    {
        using var failures = new MetricCollector<long>(_meters, GatesTelemetry.MeterName, "aiops.gates.failures");
        var after = new FakeGate("after", GateVerdict.Allow);
        var pipeline = new GatePipeline(
            [new FakeGate("before", GateVerdict.Allow), new HangingGate("hanger"), after],
            new GatePipelineOptions { GateTimeout = TimeSpan.FromSeconds(2), Telemetry = new GatesTelemetry(_meters) },
            _time);

        var pending = pipeline.EvaluateAsync(Proposal(), _history, T0).AsTask();
        Assert.False(pending.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(pending.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1));
        var result = await pending;

        Assert.Equal(GateVerdict.Deny, result.Verdict);
        var hung = result.Evaluations[1];
        Assert.Equal(GateVerdict.Deny, hung.Verdict);
        Assert.StartsWith("System.TimeoutException", hung.Failure, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(2), hung.Elapsed);
        Assert.Equal(1, after.Calls);
        Assert.Equal("timeout", Assert.Single(failures.GetMeasurementSnapshot()).Tags["kind"]);
    }

    [Fact]
    public async Task EvaluateAsync_GateIgnoringItsToken_AbandonedAtTimeoutAsDeny()
    {
        var pipeline = new GatePipeline([new DeafGate("deaf"), new FakeGate("after", GateVerdict.Allow)], timeProvider: _time);

        var pending = pipeline.EvaluateAsync(Proposal(), _history, T0).AsTask();
        _time.Advance(TimeSpan.FromSeconds(1));
        var result = await pending;

        Assert.Equal(GateVerdict.Deny, result.Verdict);
        Assert.NotNull(result.Evaluations[0].Failure);
        Assert.Equal(GateVerdict.Allow, result.Evaluations[1].Verdict);
    }

    [Fact]
    public async Task EvaluateAsync_GateReturnsDefaultDecision_FailsClosed()
    {
        using var failures = new MetricCollector<long>(_meters, GatesTelemetry.MeterName, "aiops.gates.failures");
        var pipeline = new GatePipeline([new FakeGate("lazy", _ => default)], new GatePipelineOptions { Telemetry = new GatesTelemetry(_meters) }, _time);

        var result = await pipeline.EvaluateAsync(Proposal(), _history, T0);

        Assert.Equal(GateVerdict.Deny, result.Verdict);
        Assert.NotNull(result.Evaluations[0].Failure);
        Assert.Equal("invalid_result", Assert.Single(failures.GetMeasurementSnapshot()).Tags["kind"]);
    }

    [Fact]
    public async Task EvaluateAsync_NoGates_RequiresApproval()
    {
        var pipeline = new GatePipeline([], timeProvider: _time);

        var result = await pipeline.EvaluateAsync(Proposal(), _history, T0);

        Assert.Equal(GateVerdict.RequireApproval, result.Verdict);
        var evaluation = Assert.Single(result.Evaluations);
        Assert.Equal(GatePipeline.EmptyPipelineGateName, evaluation.Gate);
        Assert.Contains("no gates configured", evaluation.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EvaluateAsync_CountsEveryEvaluationByGateAndVerdict()
    {
        using var evaluations = new MetricCollector<long>(_meters, GatesTelemetry.MeterName, "aiops.gates.evaluations");
        var pipeline = new GatePipeline(
            [new FakeGate("a", GateVerdict.Allow), new FakeGate("b", GateVerdict.Deny)],
            new GatePipelineOptions { Telemetry = new GatesTelemetry(_meters) },
            _time);

        await pipeline.EvaluateAsync(Proposal(), _history, T0);

        var tags = evaluations.GetMeasurementSnapshot().Select(m => ((string)m.Tags["gate"]!, (string)m.Tags["verdict"]!)).ToList();
        Assert.Equal([("a", "allow"), ("b", "deny")], tags);
    }

    [Fact]
    public async Task EvaluateAsync_CallerCancels_Throws()
    {
        var pipeline = new GatePipeline([new HangingGate("hanger")], timeProvider: _time);
        using var cts = new CancellationTokenSource();

        var pending = pipeline.EvaluateAsync(Proposal(), _history, T0, cts.Token).AsTask();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
    }

    [Fact]
    public void Constructor_TimeoutOutOfRange_ValidationNamesTheProperty()
    {
        var ex = Assert.Throws<ValidationException>(() => new GatePipeline([], new GatePipelineOptions { GateTimeout = TimeSpan.Zero }));

        Assert.Contains("GatePipelineOptions.GateTimeout", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NullGate_Throws() =>
        Assert.Throws<ArgumentException>(() => new GatePipeline([new FakeGate("a", GateVerdict.Allow), null!]));
}
