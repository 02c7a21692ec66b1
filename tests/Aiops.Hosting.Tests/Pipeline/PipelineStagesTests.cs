using System.Diagnostics.Metrics;
using Aiops.Correlation;
using Aiops.Detection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Aiops.Hosting.Tests.Pipeline;

public sealed class PipelineStagesTests
{
    [Fact]
    public async Task MeterCounter_SteadyThenBurst_ScoreBoardShowsSeriesAndEpisodeOpens()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var meter = new Meter("test.pipeline." + Guid.NewGuid().ToString("N"));
        var counter = meter.CreateCounter<long>("http.requests");
        using var host = PipelineTestHost.Build(
            time,
            b => b.AddMeterSource(o =>
            {
                o.Meters.Add(meter.Name);
                o.CollectInterval = TimeSpan.FromHours(1); // driven by hand below
            }),
            services: PipelineTestHost.UseRobustZScore);
        await host.StartAsync();
        var source = host.Services.GetServices<IHostedService>().OfType<MeterListenerSource>().Single();
        var board = host.Services.GetRequiredService<ScoreBoard>();
        var correlator = host.Services.GetRequiredService<Correlator>();
        var key = new SeriesKey("http.requests", [new KeyValuePair<string, string>("route", "/api")]);

        for (var i = 0; i < 40; i++)
        {
            counter.Add(100 + (i % 3), new KeyValuePair<string, object?>("route", "/api"));
            time.Advance(TimeSpan.FromSeconds(1));
            source.Collect();
        }

        Assert.True(await PipelineTestHost.WaitUntilAsync(() => board.TryGet(key, out var s) && s.Score.Timestamp == time.GetUtcNow()));
        Assert.Equal(0, correlator.OpenCount);

        for (var i = 0; i < 16; i++)
        {
            // Sixteen points of burst: the anomaly state needs the departure to hold AnomalyTrackerOptions.HoldPoints (16) to start.
            counter.Add(5_000, new KeyValuePair<string, object?>("route", "/api"));
            time.Advance(TimeSpan.FromSeconds(1));
            source.Collect();
        }

        Assert.True(await PipelineTestHost.WaitUntilAsync(() => correlator.OpenCount == 1));
        Assert.True(board.TryGet(key, out var score));
        Assert.True(score.InAnomaly);
        Assert.Equal(5_000, score.Score.Value, 6);

        await host.StopAsync();
        var episodes = await host.Services.GetRequiredService<IEpisodeStore>().ListAsync();
        var episode = Assert.Single(episodes);
        Assert.Equal(key.ToString(), Assert.Single(episode.Members).Signal.Fingerprint);
    }

    [Fact]
    public async Task DetectionStage_ThrowingDetectorAndBadSamples_KeepsRunning()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var host = PipelineTestHost.Build(
            time,
            services: s => s.Configure<DetectionStageOptions>(o => o.DetectorFactory = k =>
                k.Metric == "bad" ? throw new InvalidOperationException("boom") : PipelineTestHost.RobustZScore(k)));
        await host.StartAsync();
        var writer = host.Services.GetRequiredService<AiopsPipelineWriter>();
        var board = host.Services.GetRequiredService<ScoreBoard>();
        var telemetry = host.Services.GetRequiredService<PipelineTelemetry>();
        var good = new SeriesKey("good");

        Assert.True(writer.TryWriteSample(new MetricSample(new SeriesKey("bad"), time.GetUtcNow(), 1)));
        Assert.True(writer.TryWriteSample(default)); // no series
        Assert.True(writer.TryWriteSample(new MetricSample(good, time.GetUtcNow(), double.NaN)));
        Assert.True(writer.TryWriteSample(new MetricSample(good, time.GetUtcNow().AddSeconds(1), 2)));

        Assert.True(await PipelineTestHost.WaitUntilAsync(() => board.TryGet(good, out var s) && s.Score.Value == 2));
        Assert.Equal(1, telemetry.DetectionErrors);
        Assert.False(board.TryGet(new SeriesKey("bad"), out _));
        await host.StopAsync();
    }

    [Fact]
    public async Task CorrelationStage_BadSignal_KeepsRunningAndPersistsOnStop()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var host = PipelineTestHost.Build(time);
        await host.StartAsync();
        var writer = host.Services.GetRequiredService<AiopsPipelineWriter>();
        var correlator = host.Services.GetRequiredService<Correlator>();
        var labels = new Dictionary<string, string> { ["service"] = "api" };

        Assert.True(writer.TryWriteSignal(null!));
        Assert.True(writer.TryWriteSignal(new AnomalySignal("", "x", time.GetUtcNow(), labels, 0.99, Direction.Up)));
        Assert.True(writer.TryWriteSignal(new AnomalySignal("latency{service=\"api\"}", "latency", time.GetUtcNow(), labels, 0.99, Direction.Up, 5)));

        Assert.True(await PipelineTestHost.WaitUntilAsync(() => correlator.OpenCount == 1));
        time.Advance(TimeSpan.FromSeconds(1)); // one tick
        await host.StopAsync();

        var store = host.Services.GetRequiredService<IEpisodeStore>();
        Assert.Single(await store.ListAsync());
    }

    [Fact]
    public async Task StopAsync_QueuedSamples_AreDrainedBeforeExit()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var host = PipelineTestHost.Build(time, services: PipelineTestHost.UseRobustZScore);
        var writer = host.Services.GetRequiredService<AiopsPipelineWriter>();
        var board = host.Services.GetRequiredService<ScoreBoard>();
        for (var point = 0; point < 5; point++)
        {
            for (var series = 0; series < 200; series++)
            {
                Assert.True(writer.TryWriteSample(new MetricSample(new SeriesKey("s" + series), PipelineTestHost.Start.AddSeconds(point), point)));
            }
        }

        await host.StartAsync();
        await host.StopAsync();

        Assert.Equal(200, board.Count);
        Assert.All(board.Snapshot(), s => Assert.Equal(4, s.Score.Value));
        Assert.False(writer.TryWriteSample(new MetricSample(new SeriesKey("late"), PipelineTestHost.Start, 1)));
    }

    [Fact]
    public async Task DetectionStage_StillAnomalous_ResendsAtMostEveryRepeatInterval()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var host = PipelineTestHost.Build(
            time,
            config: new Dictionary<string, string?>
            {
                ["Aiops:Detection:AnomalyThreshold"] = "0", // every judged point is anomalous
                ["Aiops:Detection:RepeatInterval"] = "00:01:00",
            },
            services: PipelineTestHost.UseRobustZScore);
        await host.StartAsync();
        var writer = host.Services.GetRequiredService<AiopsPipelineWriter>();
        var board = host.Services.GetRequiredService<ScoreBoard>();
        var correlator = host.Services.GetRequiredService<Correlator>();
        var key = new SeriesKey("cpu");

        // 0 and 1 while the detector warms up (16 points), then a level shift to 100 that lasts.
        async Task WriteAsync(int i)
        {
            var at = time.GetUtcNow();
            Assert.True(writer.TryWriteSample(new MetricSample(key, at, (i < 16 ? 0 : 100) + (i % 2))));
            Assert.True(await PipelineTestHost.WaitUntilAsync(() => board.TryGet(key, out var s) && s.Score.Timestamp == at));
        }

        // The shift starts an anomaly once it has held AnomalyTrackerOptions.HoldPoints (16) points.
        for (var i = 0; i < 32; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await WriteAsync(i);
        }

        Assert.Equal(1, correlator.OpenCount);
        time.Advance(TimeSpan.FromSeconds(30));
        await WriteAsync(32);
        Assert.Equal(0, Assert.Single(Assert.Single(correlator.Snapshot()).Members).Repeats);

        time.Advance(TimeSpan.FromSeconds(31));
        await WriteAsync(33);
        Assert.True(await PipelineTestHost.WaitUntilAsync(() => Assert.Single(Assert.Single(correlator.Snapshot()).Members).Repeats == 1));
        await host.StopAsync();
    }

    [Fact]
    public async Task DetectionStage_AnomalyOnSeriesWithNullLabelValue_CountedAndKeepsRunning()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var host = PipelineTestHost.Build(
            time,
            config: new Dictionary<string, string?>
            {
                ["Aiops:Detection:AnomalyThreshold"] = "0", // every judged point is anomalous
                ["Aiops:Detection:Workers"] = "1", // one loop, so the outcome does not depend on which shard the series hashes to
            },
            services: s =>
            {
                PipelineTestHost.UseRobustZScore(s);

                // A per-sample failure once the series is judged: the tracking options of this one series cannot be built.
                s.Configure<DetectionStageOptions>(o => o.TrackingFactory = k => k.Metric == "cpu"
                    ? throw new InvalidOperationException("no tracking options for cpu")
                    : new Aiops.Detection.Tracking.AnomalyTrackerOptions());

                // And the log of that failure throws too (a broken logger provider): the failure must still only be counted.
                s.AddLogging(b => b.AddProvider(new ThrowingLoggerProvider(5100)));
            });
        await host.StartAsync();
        var writer = host.Services.GetRequiredService<AiopsPipelineWriter>();
        var board = host.Services.GetRequiredService<ScoreBoard>();
        var telemetry = host.Services.GetRequiredService<PipelineTelemetry>();

        // SeriesKey now refuses a null label value (a Prometheus answer {"metric":{"job":null}}), so the failure is injected.
        Assert.Throws<ArgumentException>(() => new SeriesKey("cpu", [new KeyValuePair<string, string>("job", null!)]));
        var odd = new SeriesKey("cpu", [new KeyValuePair<string, string>("job", "api")]);
        for (var i = 0; i < 40; i++)
        {
            Assert.True(writer.TryWriteSample(new MetricSample(odd, PipelineTestHost.Start.AddSeconds(i), (i < 16 ? 0 : 100) + (i % 2))));
        }

        var good = new SeriesKey("good");
        Assert.True(writer.TryWriteSample(new MetricSample(good, PipelineTestHost.Start, 1)));

        Assert.True(await PipelineTestHost.WaitUntilAsync(() => board.TryGet(good, out _)), "the detection stage stopped scoring");
        Assert.True(telemetry.DetectionErrors > 0);
        await host.StopAsync();
    }

    [Fact]
    public void AddPipelineServices_CalledTwiceWithAddAiopsTwice_RegistersStagesOnce()
    {
        var builder = Host.CreateApplicationBuilder();
        var services = builder.Services;
        PipelineServiceCollectionExtensions.AddPipelineServices(services);
        services.AddAiops();
        PipelineServiceCollectionExtensions.AddPipelineServices(services);
        services.AddAiops();

        using var host = builder.Build();
        var hosted = host.Services.GetServices<IHostedService>().ToList();
        Assert.Single(hosted.OfType<DetectionStage>());
        Assert.Single(hosted.OfType<CorrelationStage>());
        Assert.Single(services, d => d.ServiceType == typeof(DetectionStage));
        Assert.Single(services, d => d.ServiceType == typeof(CorrelationStage));
        Assert.Single(services, d => d.ServiceType == typeof(Correlator));
        Assert.Single(services, d => d.ServiceType == typeof(ScoreBoard));
    }

    [Fact]
    public async Task StartAsync_InvalidDetectionOptions_FailsWithConfigurationPath()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var host = PipelineTestHost.Build(time, config: new Dictionary<string, string?> { ["Aiops:Detection:MaxSeries"] = "0" });
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());
        Assert.Contains("Aiops:Detection:MaxSeries", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void CorrelatorOptions_LabelListsInConfiguration_ReplaceTheDefaults()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var host = PipelineTestHost.Build(time, config: new Dictionary<string, string?>
        {
            ["Aiops:Correlation:EntityLabels:0"] = "app_name",
            ["Aiops:Correlation:ScopeLabels:0"] = "region",
            ["Aiops:Correlation:ScopeLabels:1"] = "cluster",
        });

        var options = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<CorrelatorOptions>>().Value;

        Assert.Equal(["app_name"], options.EntityLabels);
        Assert.Equal(["region", "cluster"], options.ScopeLabels);
    }

    [Fact]
    public async Task DetectionStage_SendSignalsOff_ScoresButOpensNoEpisode()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var host = PipelineTestHost.Build(time, config: new Dictionary<string, string?> { ["Aiops:Detection:SendSignals"] = "false" }, services: PipelineTestHost.UseRobustZScore);
        await host.StartAsync();
        var writer = host.Services.GetRequiredService<AiopsPipelineWriter>();
        var board = host.Services.GetRequiredService<ScoreBoard>();
        var series = new SeriesKey("rps");

        for (var i = 0; i < 40; i++)
        {
            Assert.True(writer.TryWriteSample(new MetricSample(series, PipelineTestHost.Start.AddSeconds(i), 100 + (i % 3))));
        }

        Assert.True(writer.TryWriteSample(new MetricSample(series, PipelineTestHost.Start.AddSeconds(40), 5_000)));
        Assert.True(await PipelineTestHost.WaitUntilAsync(() => board.TryGet(series, out var s) && s.IsAnomalous));
        time.Advance(TimeSpan.FromSeconds(2));
        await host.StopAsync();

        Assert.Equal(0, host.Services.GetRequiredService<Correlator>().OpenCount);
        Assert.Empty(await host.Services.GetRequiredService<IEpisodeStore>().ListAsync());
    }
}
