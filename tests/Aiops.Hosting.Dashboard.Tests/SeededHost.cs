using System.Diagnostics.CodeAnalysis;
using System.Net.Http.Json;
using System.Text.Json;
using Aiops.Correlation;
using Aiops.Detection;
using Aiops.Gates;
using Aiops.Gates.Actions;
using Aiops.Hosting.Tests;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Aiops.Hosting.Dashboard.Tests;

/// <summary>
/// A real Kestrel host on 127.0.0.1 (ephemeral port) with <c>AddAiops()</c>, the running pipeline, <c>MapAiopsApi()</c> and
/// <c>MapAiopsDashboard()</c>, optionally seeded with real data: samples with a spike, alerts and a change forming one episode,
/// and a gates engine with an allowed (and executed) decision and one denied by the confidence gate.
/// </summary>
internal sealed class SeededHost : IAsyncDisposable
{
    public static readonly SeriesKey Latency = new("http_request_duration_seconds", [new("service", "api")]);

    public static readonly SeriesKey Connections = new("db_connections", [new("service", "db")]);

    private SeededHost(WebApplication app, Uri address)
    {
        App = app;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public string EpisodeId { get; private set; } = string.Empty;

    public Decision? Allowed { get; private set; }

    public Decision? Denied { get; private set; }

    /// <summary>Starts a host; with <paramref name="gates"/> a <see cref="DecisionEngine"/> of two named gates replaces the default one.</summary>
    [SuppressMessage("Reliability", "CA2000", Justification = "The host owns the application.")]
    public static async Task<SeededHost> StartAsync(bool gates = true, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
    {
        var config = new Dictionary<string, string?>
        {
            ["Aiops:Correlation:PendingFor"] = "00:00:01",
            ["Aiops:Detection:Tracking:ConfirmPoints"] = "1", // the seeded one-point spike is the latency anomaly the pages show
            ["Aiops:Detection:Tracking:HoldPoints"] = "1",
            ["Aiops:Api:ApprovalToken"] = "dashboard-test-token", // the API's approval endpoints must authenticate someone
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        var builder = Loopback.CreateBuilder(config);
        builder.Services.AddAiops();

        // A calibrated robust z-score judges a series after a few points; the ensemble (the only detector selectable by name)
        // flags nothing in a series' warm-up, and the seeded spike comes early.
        builder.Services.Configure<DetectionStageOptions>(o => o.DetectorFactory = static _ => new CalibratedDetector(new RobustZScoreDetector()));
        if (gates)
        {
            var engine = new DecisionEngine(
                new GatePipeline([new ConfidenceGate(), new RiskCeilingGate()]),
                new InMemoryAuditLog(),
                new ActionRegistry([new SimulatedAction("restart"), new SimulatedAction("scale")]));
            builder.Services.AddSingleton(engine);
        }

        configure?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapAiopsApi("/aiops/api");
        app.MapAiopsDashboard("/aiops", "/aiops/api");
        return new SeededHost(app, await Loopback.StartAsync(app));
    }

    /// <summary>Seeds scores, one episode (with a change, two alerts and an anomaly) and, with gates, two decisions.</summary>
    public async Task SeedAsync()
    {
        var writer = App.Services.GetRequiredService<AiopsPipelineWriter>();
        var now = DateTimeOffset.UtcNow;
        var api = new Dictionary<string, string> { ["service"] = "api" };

        // Signals arrive out of onset order: the timeline must sort them.
        Assert.True(writer.TryWriteSignal(new ChangeSignal("deploy-42", "deploy api v1.4.2", now.AddSeconds(-90), api, ChangeKind.Deploy)));
        Assert.True(writer.TryWriteSignal(new AlertSignal("fp-latency", "HighLatency", now.AddSeconds(-20), api, AlertStatus.Firing, null, "critical", new Dictionary<string, string>())));
        Assert.True(writer.TryWriteSignal(new AlertSignal("fp-budget", "ErrorBudgetBurn", now.AddSeconds(-45), api, AlertStatus.Firing, null, "warning", new Dictionary<string, string>())));
        // The budget alert has resolved since: its member shows when and why it ended.
        Assert.True(writer.TryWriteSignal(new AlertSignal("fp-budget", "ErrorBudgetBurn", now.AddSeconds(-45), api, AlertStatus.Resolved, now.AddSeconds(-5), "warning", new Dictionary<string, string>())));

        // Two minutes of steady points per series, then a spike on the latency series.
        for (var i = 0; i < 120; i++)
        {
            var at = now.AddSeconds(i - 120);
            Assert.True(writer.TryWriteSample(new MetricSample(Latency, at, 0.20 + (0.002 * (i % 3)))));
            Assert.True(writer.TryWriteSample(new MetricSample(Connections, at, 40 + (i % 3))));
        }

        Assert.True(writer.TryWriteSample(new MetricSample(Latency, now, 2.5)));
        Assert.True(writer.TryWriteSample(new MetricSample(Connections, now, 42)));

        var board = App.Services.GetRequiredService<ScoreBoard>();
        Assert.True(await WaitUntilAsync(() => Task.FromResult(board.TryGet(Latency, out var s) && s.Score.Timestamp == now && s.IsAnomalous)), "The spike was not scored as anomalous.");

        // The episode is saved by the correlation stage's tick; wait until it fires and has its three signals and a root cause.
        var store = App.Services.GetRequiredService<IEpisodeStore>();
        Episode? episode = null;
        Assert.True(
            await WaitUntilAsync(async () =>
            {
                episode = (await store.ListAsync()).FirstOrDefault(e => e.Entities.Contains("api"));
                return episode is { State: EpisodeState.Firing, RootCause: not null, Members.Count: >= 3 };
            }),
            "No firing episode with a root cause was stored.");
        EpisodeId = episode!.Id;

        if (App.Services.GetService<DecisionEngine>() is { } engine)
        {
            Allowed = await engine.DecideAsync(new RemediationProposal("restart", ["api-7f9c"], RiskClass.Low, EpisodeId, 0.92, "restart-api-1", DateTimeOffset.UtcNow));
            Assert.Equal(GateVerdict.Allow, Allowed.Verdict);
            var executed = await new RemediationExecutor(engine).ExecuteAsync(Allowed);
            Assert.Equal(ExecutionStatus.Succeeded, executed.Status);
            Denied = await engine.DecideAsync(new RemediationProposal("scale", ["api"], RiskClass.Low, EpisodeId, 0.35, "scale-api-1", DateTimeOffset.UtcNow));
            Assert.Equal(GateVerdict.Deny, Denied.Verdict);
        }
    }

    /// <summary>Removes the gates (engine, audit log, executor, remediation stage) that <c>AddAiops</c> registers: a host without automation.</summary>
    public static void WithoutGates(IServiceCollection services)
    {
        services.RemoveAll<DecisionEngine>();
        services.RemoveAll<IAuditLog>();
        services.RemoveAll<RemediationExecutor>();
        foreach (var stage in services.Where(d => d.ServiceType == typeof(IHostedService)
            && (d.ImplementationFactory?.Method.DeclaringType?.FullName ?? d.ImplementationType?.FullName ?? string.Empty).Contains("Remediation", StringComparison.Ordinal)).ToList())
        {
            services.Remove(stage);
        }
    }

    public async Task<JsonDocument> GetJsonAsync(string path)
    {
        using var response = await Client.GetAsync(new Uri(path, UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    public Task<T?> GetAsync<T>(string path) => Client.GetFromJsonAsync<T>(new Uri(path, UriKind.Relative));

    /// <summary>Polls a condition on the real clock for at most <paramref name="seconds"/>.</summary>
    public static async Task<bool> WaitUntilAsync(Func<Task<bool>> condition, double seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
