using Aiops.Lab.App;
using Microsoft.Extensions.Time.Testing;

namespace Aiops.Lab.App.Tests;

public sealed class CheckoutTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly LabMetrics _metrics = new();
    // Zero latencies and ample capacity: every delay is zero unless a test adds one, so no test waits on the fake clock by accident.
    private readonly LabOptions _options = new() { BaseLatencyMs = 0, PaymentsLatencyMs = 0, JitterFraction = 0, CapacityRps = 100_000, BurstSeconds = 1 };
    private readonly ScenarioState _scenarios;
    private readonly Checkout _checkout;

    public CheckoutTests()
    {
        _scenarios = new ScenarioState(_options, _metrics, _time);
        var random = new LabRandom(42);
        var payments = new Payments(_options, _scenarios, _metrics, random, _time);
        _checkout = new Checkout(_options, new CapacityModel(_options.Capacity, _time), _scenarios, payments, _metrics, random, _time);
    }

    private double Requests(string code) => _metrics.Requests.WithLabels(LabMetrics.Checkout, LabMetrics.CheckoutRoute, code).Value;

    private double Downstream(string outcome) => _metrics.Downstream.WithLabels(LabMetrics.Payments, outcome).Value;

    [Fact]
    public async Task HandleAsync_Normal_Returns200WithOnePaymentsCall()
    {
        var result = await _checkout.HandleAsync(CancellationToken.None);

        Assert.Equal(new CheckoutResult(200, 1), result);
        Assert.Equal(1, Requests("200"));
        Assert.Equal(1, Downstream("ok"));
        Assert.Equal(0, Downstream("error"));
        Assert.Equal(0, _metrics.InFlight.WithLabels(LabMetrics.Checkout).Value);
    }

    [Fact]
    public async Task HandleAsync_PaymentsAlwaysFailing_RetriesTwiceThenReturns500()
    {
        _scenarios.Start(ScenarioNames.Errors, TimeSpan.FromMinutes(1), rate: 1);

        var result = await _checkout.HandleAsync(CancellationToken.None);

        Assert.Equal(new CheckoutResult(500, 3), result);
        Assert.Equal(1, Requests("500"));
        Assert.Equal(3, Downstream("error"));
    }

    [Fact]
    public async Task HandleAsync_ErrorsScenarioDefaultRate_AmplifiesDownstreamCallsAndErrors()
    {
        _scenarios.Start(ScenarioNames.Errors, TimeSpan.FromMinutes(1));

        for (var i = 0; i < 1000; i++)
        {
            await _checkout.HandleAsync(CancellationToken.None);
        }

        // 30 % failures with 2 retries: ~1.39 calls per request, ~30 % of calls fail, ~2.7 % of checkouts fail.
        var calls = Downstream("ok") + Downstream("error");
        Assert.InRange(calls / 1000, 1.3, 1.5);
        Assert.InRange(Downstream("error") / calls, 0.25, 0.35);
        Assert.InRange(Requests("500"), 5, 60);
        Assert.Equal(1000, Requests("200") + Requests("500"));
    }

    [Fact]
    public async Task HandleAsync_BadDeploy_FailsAboutFortyPercentWithoutCallingPayments()
    {
        _scenarios.Start(ScenarioNames.BadDeploy, TimeSpan.FromMinutes(1));

        for (var i = 0; i < 1000; i++)
        {
            await _checkout.HandleAsync(CancellationToken.None);
        }

        Assert.InRange(Requests("500"), 340, 460);
        Assert.Equal(Requests("200"), Downstream("ok"));
        Assert.Equal(0, Downstream("error"));
    }

    [Fact]
    public async Task HandleAsync_LatencyScenario_AddsPaymentsDelayOnTheTimeProvider()
    {
        _scenarios.Start(ScenarioNames.Latency, TimeSpan.FromMinutes(1));

        var pending = _checkout.HandleAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMilliseconds(299));
        Assert.False(pending.IsCompleted);
        Assert.Equal(1, _metrics.InFlight.WithLabels(LabMetrics.Checkout).Value);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var result = await pending;

        Assert.Equal(200, result.StatusCode);
        Assert.Equal(0.3, _metrics.DownstreamDuration.WithLabels(LabMetrics.Payments).Sum, 6);
        Assert.Equal(0.3, _metrics.Duration.WithLabels(LabMetrics.Checkout, LabMetrics.CheckoutRoute).Sum, 6);
    }

    [Fact]
    public async Task HandleAsync_BacklogFull_Sheds503WithoutCallingPayments()
    {
        var options = new LabOptions { BaseLatencyMs = 0, PaymentsLatencyMs = 0, CapacityRps = 10, BurstSeconds = 0, MaxBacklogSeconds = 1, ResumeBacklogSeconds = 0.5, MaxQueueDelaySeconds = 0 };
        var random = new LabRandom(1);
        var payments = new Payments(options, _scenarios, _metrics, random, _time);
        var checkout = new Checkout(options, new CapacityModel(options.Capacity, _time), _scenarios, payments, _metrics, random, _time);

        var results = new List<CheckoutResult>();
        for (var i = 0; i < 15; i++)
        {
            results.Add(await checkout.HandleAsync(CancellationToken.None));
        }

        // Backlog 10 (1 s of capacity) is reached by the 10th request; the rest are shed.
        Assert.Equal(10, results.Count(r => r.StatusCode == 200));
        Assert.Equal(5, results.Count(r => r.StatusCode == 503 && r.Attempts == 0));
        Assert.Equal(5, Requests("503"));
        Assert.Equal(10, Downstream("ok"));
    }
}
