using Aiops.Correlation;
using Aiops.Gates;
using Aiops.Hosting;
using Aiops.Lab.Shared;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Aiops.Lab;

/// <summary>
/// The embedded lab: the app's behaviour (<see cref="EmbeddedApp"/>) and the whole Aiops loop in this process — an
/// in-process meter source instead of Prometheus and the exporter, anomalies instead of alerts, and the receiver's own
/// configuration (correlation timing, rules, gates) and actions.
/// </summary>
internal sealed class EmbeddedBackend : ILabBackend
{
    private readonly IHost _host;
    private readonly EmbeddedApp _app;
    private readonly ScoreBoard _scores;
    private readonly IEpisodeStore _episodes;
    private readonly DecisionEngine _engine;
    private readonly AiopsPipelineWriter _writer;

    private EmbeddedBackend(IHost host, EmbeddedApp app)
    {
        _host = host;
        _app = app;
        _scores = host.Services.GetRequiredService<ScoreBoard>();
        _episodes = host.Services.GetRequiredService<IEpisodeStore>();
        _engine = host.Services.GetRequiredService<DecisionEngine>();
        _writer = host.Services.GetRequiredService<AiopsPipelineWriter>();
    }

    public ILoad Load => _app;

    public LabUrls? Urls => null;

    public IReadOnlyList<AlertTransition> AlertTransitions => [];

    public IReadOnlyCollection<string> ActiveAlerts => [];

    /// <summary>Starts the host and the app at <paramref name="rate"/> requests per second.</summary>
    public static async Task<EmbeddedBackend> StartAsync(double rate, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = LabPaths.RepositoryRoot });
        builder.Configuration.AddJsonFile(Path.Combine(LabPaths.RepositoryRoot, "samples", "Aiops.Lab.Receiver", "appsettings.json"), optional: false);
        builder.Services.AddSingleton(LabAutomation.Dependencies());
        builder.AddAiops(aiops =>
        {
            aiops.AddMeterSource(o =>
            {
                o.Meters.Add(EmbeddedApp.MeterName);
                o.CollectInterval = TimeSpan.FromSeconds(1);
                o.HistogramQuantile = 0.95;
            });
            foreach (var action in LabAutomation.Actions())
            {
                aiops.AddAction(action);
            }
        });
        builder.Services.Configure<DetectionStageOptions>(o =>
        {
            o.DetectorFactory = LabAutomation.Detector;
            o.TrackingFactory = LabAutomation.Tracking;
            o.RepeatInterval = TimeSpan.FromSeconds(5);
            o.SendSignals = true; // the receiver's settings turn them off (its anomalies arrive as alerts); here nothing else sends them
        });
        var host = builder.Build();
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        return new EmbeddedBackend(host, new EmbeddedApp(rate));
    }

    public Task<bool> RateIsScoredAsync(CancellationToken cancellationToken) =>
        Task.FromResult(_scores.Snapshot().Any(s => s.Series.Metric == LabAutomation.RequestRate && s.Score.Status == Aiops.Detection.PointStatus.Scored));

    public Task StartBadDeployAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        // What a deploy pipeline tells an in-process host: the change, then its effect.
        var labels = new Dictionary<string, string> { ["service"] = "checkout", ["version"] = "1.4.3-bad" };
        _writer.TryWriteSignal(new ChangeSignal("deploy/checkout/1.4.3-bad", "checkout 1.4.3-bad deployed", DateTimeOffset.UtcNow, labels, ChangeKind.Deploy));
        _app.BadDeploy = true;
        return Task.CompletedTask;
    }

    public Task StartPaymentLatencyAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        _app.SlowPayment = true;
        return Task.CompletedTask;
    }

    public Task ResetAsync(CancellationToken cancellationToken)
    {
        _app.BadDeploy = false;
        _app.SlowPayment = false;
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<Episode>> EpisodesAsync(CancellationToken cancellationToken) =>
        await _episodes.ListAsync(new EpisodeQuery(Limit: 100), cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<AuditEntry>> AuditAsync(CancellationToken cancellationToken)
    {
        var entries = new List<AuditEntry>();
        await foreach (var entry in _engine.AuditLog.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            entries.Add(entry);
        }

        return entries;
    }

    public Task<IReadOnlyList<Notification>> NotificationsAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<Notification>>([]);

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync().ConfigureAwait(false);
        await _host.StopAsync().ConfigureAwait(false);
        _host.Dispose();
    }
}
