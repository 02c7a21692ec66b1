using Aiops.Lab.App;
using Aiops.Lab.Shared;
using Microsoft.Extensions.Time.Testing;

namespace Aiops.Lab.App.Tests;

/// <summary>frontend → checkout → store, payment: each service's own metrics and each call as its caller saw it.</summary>
public sealed class ServicesTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly LabMetrics _metrics = new();
    // Zero latencies and ample capacity: every delay is zero unless a test adds one, so no test waits on the fake clock by accident.
    private readonly LabOptions _options = new() { BaseLatencyMs = 0, FrontendLatencyMs = 0, StoreLatencyMs = 0, PaymentLatencyMs = 0, JitterFraction = 0, CapacityRps = 100_000, BurstSeconds = 1 };
    private readonly ScenarioState _scenarios;
    private readonly Frontend _frontend;

    public ServicesTests()
    {
        _scenarios = new ScenarioState(_options, _metrics, _time);
        _frontend = Chain(_options, new LabRandom(42));
    }

    private Frontend Chain(LabOptions options, LabRandom random)
    {
        var payment = new Payment(options, _scenarios, _metrics, random, _time);
        var store = new Store(options, _metrics, random, _time);
        var checkout = new Checkout(options, new CapacityModel(options.Capacity, _time), _scenarios, store, payment, _metrics, random, _time);
        return new Frontend(options, checkout, _metrics, random, _time);
    }

    private double Requests(string service, string code) => _metrics.Requests.WithLabels(service, LabMetrics.RouteOf(service), code).Value;

    private double Calls(string service, string peer, string outcome) => _metrics.ClientCalls.WithLabels(service, peer, outcome).Value;

    [Fact]
    public async Task HandleAsync_Normal_EveryServiceAnswers200AndEveryEdgeCountsOneCall()
    {
        var result = await _frontend.HandleAsync(CancellationToken.None);

        Assert.Equal(new CheckoutResult(200, 1), result);
        foreach (var service in LabTopology.Services)
        {
            Assert.Equal(1, Requests(service, "200"));
            Assert.Equal(0, _metrics.InFlight.WithLabels(service).Value);
        }

        foreach (var (service, peer) in LabTopology.Calls)
        {
            Assert.Equal(1, Calls(service, peer, LabMetrics.Ok));
        }
    }

    [Fact]
    public async Task HandleAsync_PaymentAlwaysFailing_CheckoutRetriesTwiceAndFrontendAnswers500()
    {
        _scenarios.Start(ScenarioNames.Errors, TimeSpan.FromMinutes(1), rate: 1);

        var result = await _frontend.HandleAsync(CancellationToken.None);

        Assert.Equal(new CheckoutResult(500, 3), result);
        Assert.Equal(3, Requests(LabTopology.Payment, "500"));
        Assert.Equal(3, Calls(LabTopology.Checkout, LabTopology.Payment, LabMetrics.Error));
        Assert.Equal(1, Requests(LabTopology.Checkout, "500"));
        Assert.Equal(1, Calls(LabTopology.Frontend, LabTopology.Checkout, LabMetrics.Error));
        Assert.Equal(1, Requests(LabTopology.Frontend, "500"));
        Assert.Equal(1, Requests(LabTopology.Store, "200"));
    }

    [Fact]
    public async Task HandleAsync_ErrorsScenarioDefaultRate_AmplifiesPaymentCallsAndErrors()
    {
        _scenarios.Start(ScenarioNames.Errors, TimeSpan.FromMinutes(1));

        for (var i = 0; i < 1000; i++)
        {
            await _frontend.HandleAsync(CancellationToken.None);
        }

        // 30 % failures with 2 retries: ~1.39 calls per request, ~30 % of calls fail, ~2.7 % of checkouts fail.
        var calls = Calls(LabTopology.Checkout, LabTopology.Payment, LabMetrics.Ok) + Calls(LabTopology.Checkout, LabTopology.Payment, LabMetrics.Error);
        Assert.InRange(calls / 1000, 1.3, 1.5);
        Assert.InRange(Requests(LabTopology.Payment, "500") / calls, 0.25, 0.35);
        Assert.InRange(Requests(LabTopology.Checkout, "500"), 5, 60);
        Assert.Equal(Requests(LabTopology.Checkout, "500"), Requests(LabTopology.Frontend, "500"));
        Assert.Equal(1000, Requests(LabTopology.Frontend, "200") + Requests(LabTopology.Frontend, "500"));
    }

    [Fact]
    public async Task HandleAsync_BadDeploy_CheckoutFailsAboutFortyPercentWithoutCallingItsPeers()
    {
        _scenarios.Start(ScenarioNames.BadDeploy, TimeSpan.FromMinutes(1));

        for (var i = 0; i < 1000; i++)
        {
            await _frontend.HandleAsync(CancellationToken.None);
        }

        Assert.InRange(Requests(LabTopology.Checkout, "500"), 340, 460);
        Assert.Equal(Requests(LabTopology.Checkout, "200"), Requests(LabTopology.Payment, "200"));
        Assert.Equal(Requests(LabTopology.Checkout, "200"), Requests(LabTopology.Store, "200"));
        Assert.Equal(0, Requests(LabTopology.Payment, "500"));
    }

    [Fact]
    public async Task HandleAsync_LatencyScenario_PaymentIsSlowAndItsCallersInheritTheDelay()
    {
        _scenarios.Start(ScenarioNames.Latency, TimeSpan.FromMinutes(1));

        var pending = _frontend.HandleAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMilliseconds(299));
        Assert.False(pending.IsCompleted);
        Assert.Equal(1, _metrics.InFlight.WithLabels(LabTopology.Payment).Value);
        Assert.Equal(1, _metrics.InFlight.WithLabels(LabTopology.Frontend).Value);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var result = await pending;

        Assert.Equal(200, result.StatusCode);
        Assert.Equal(0.3, _metrics.Duration.WithLabels(LabTopology.Payment, LabMetrics.RouteOf(LabTopology.Payment)).Sum, 6);
        Assert.Equal(0.3, _metrics.ClientDuration.WithLabels(LabTopology.Checkout, LabTopology.Payment).Sum, 6);
        Assert.Equal(0.3, _metrics.Duration.WithLabels(LabTopology.Checkout, LabMetrics.RouteOf(LabTopology.Checkout)).Sum, 6);
        Assert.Equal(0.3, _metrics.Duration.WithLabels(LabTopology.Frontend, LabMetrics.FrontendRoute).Sum, 6);
        Assert.Equal(0, _metrics.Duration.WithLabels(LabTopology.Store, LabMetrics.RouteOf(LabTopology.Store)).Sum, 6);
    }

    [Fact]
    public async Task HandleAsync_BacklogFull_CheckoutSheds503AndFrontendCountsTheCallsRejected()
    {
        var options = new LabOptions { BaseLatencyMs = 0, FrontendLatencyMs = 0, StoreLatencyMs = 0, PaymentLatencyMs = 0, CapacityRps = 10, BurstSeconds = 0, MaxBacklogSeconds = 1, ResumeBacklogSeconds = 0.5, MaxQueueDelaySeconds = 0 };
        var frontend = Chain(options, new LabRandom(1));

        var results = new List<CheckoutResult>();
        for (var i = 0; i < 15; i++)
        {
            results.Add(await frontend.HandleAsync(CancellationToken.None));
        }

        // Backlog 10 (1 s of capacity) is reached by the 10th request; the rest are shed.
        Assert.Equal(10, results.Count(r => r.StatusCode == 200));
        Assert.Equal(5, results.Count(r => r.StatusCode == 503 && r.Attempts == 0));
        Assert.Equal(5, Requests(LabTopology.Checkout, "503"));
        Assert.Equal(5, Requests(LabTopology.Frontend, "503"));
        Assert.Equal(5, Calls(LabTopology.Frontend, LabTopology.Checkout, LabMetrics.Rejected));
        Assert.Equal(0, Calls(LabTopology.Frontend, LabTopology.Checkout, LabMetrics.Error));
        Assert.Equal(10, Requests(LabTopology.Payment, "200"));
    }
}
