using System.Diagnostics.Metrics;
using Aiops.Correlation;
using Aiops.Detection;
using Aiops.Gates;
using Aiops.Hosting.Metrics;
using Aiops.Hosting.Tests.Pipeline;
using Microsoft.Extensions.Time.Testing;
using Prometheus;

namespace Aiops.Hosting.Tests.Metrics;

public sealed class MetricsEndpointTests
{
    private static readonly SeriesKey Cpu = new("cpu_seconds", [new("instance", "a:9100"), new("http.route", "/api"), new("metric", "x")]);
    private static readonly SeriesKey Latency = new("http.latency", [new("0zone", "eu")]);

    [Fact]
    public async Task GetMetrics_SamplesAndScores_ServesSeriesGaugesAndCounters()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        await using var host = await MetricsTestHost.StartAsync(time);
        var board = host.Get<ScoreBoard>();
        board.Set(new SeriesScore(Cpu, AnomalyScore.Scored(time.GetUtcNow(), 12, 0.97, 5, 0.9, 4, 2, 6), true, time.GetUtcNow()));
        board.Set(new SeriesScore(Latency, AnomalyScore.Scored(time.GetUtcNow(), 0.2, 0.1, 0.3, 0.9), false, time.GetUtcNow()));

        var writer = host.Get<AiopsPipelineWriter>();
        for (var i = 0; i < 5; i++)
        {
            Assert.True(writer.TryWriteSample(new MetricSample(new SeriesKey("fed"), time.GetUtcNow().AddSeconds(i), i)));
        }

        host.Get<HostingTelemetry>().Dropped("signals");

        ExpositionText? text = null;
        Assert.True(await PipelineTestHost.WaitUntilAsync(() =>
        {
            text = ScrapeAsync(host).GetAwaiter().GetResult();
            return text.Value("aiops_pipeline_processed_total", ("stage", "detection")) >= 5;
        }));

        Assert.Equal("gauge", text!.Types["aiops_anomaly_score"]);
        Assert.Equal("counter", text.Types["aiops_dropped_items_total"]);
        Assert.Equal(0.97, text.Value("aiops_anomaly_score", ("metric", "cpu_seconds"), ("instance", "a:9100"), ("http_route", "/api"), ("exported_metric", "x")));
        Assert.Equal(4, text.Value("aiops_anomaly_expected", ("metric", "cpu_seconds")));
        Assert.Equal(2, text.Value("aiops_anomaly_lower", ("metric", "cpu_seconds")));
        Assert.Equal(6, text.Value("aiops_anomaly_upper", ("metric", "cpu_seconds")));
        Assert.Equal(0.1, text.Value("aiops_anomaly_score", ("metric", "http.latency"), ("_0zone", "eu")));
        Assert.Null(text.Value("aiops_anomaly_lower", ("metric", "http.latency"))); // no band, not exported
        Assert.Equal(1, text.Value("aiops_dropped_items_total", ("channel", "signals")));
        Assert.Equal(0, text.Value("aiops_dropped_items_total", ("channel", "samples")));
        Assert.NotNull(text.Value("aiops_pipeline_lag_seconds"));
        Assert.All(text.Samples, s => Assert.StartsWith("aiops_", s.Name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetMetrics_GateAndExecutionCountersAndEpisodes_AreMirrored()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        await using var host = await MetricsTestHost.StartAsync(time);
        using var meter = host.Get<IMeterFactory>().Create(GatesTelemetry.MeterName);
        var evaluations = meter.CreateCounter<long>("aiops.gates.evaluations");
        var executions = meter.CreateCounter<long>("aiops.gates.executions");
        evaluations.Add(2, new("gate", "blast_radius"), new("verdict", "deny"));
        evaluations.Add(1, new("gate", "blast_radius"), new("verdict", "allow"));
        executions.Add(3, new("action", "restart"), new("status", "succeeded"));
        host.Get<Correlator>().Add(new AnomalySignal("fp-1", "cpu", time.GetUtcNow(), new Dictionary<string, string> { ["service"] = "api" }, 0.99, Direction.Up, 5));

        var text = await ScrapeAsync(host);

        Assert.Equal(2, text.Value("aiops_gate_decisions_total", ("gate", "blast_radius"), ("verdict", "deny")));
        Assert.Equal(1, text.Value("aiops_gate_decisions_total", ("gate", "blast_radius"), ("verdict", "allow")));
        Assert.Equal(3, text.Value("aiops_actions_executed_total", ("status", "succeeded")));
        Assert.Equal(1, text.Named("aiops_episodes").Sum(s => s.Value));
        Assert.Equal(4, text.Named("aiops_episodes").Count());
    }

    [Fact]
    public async Task GetMetrics_EpisodeInfo_StateAndRootCauseFollowTheEpisode()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        await using var host = await MetricsTestHost.StartAsync(time);
        var correlator = host.Get<Correlator>();
        correlator.Add(new AnomalySignal("fp-1", "http_requests_total", time.GetUtcNow(), new Dictionary<string, string> { ["service"] = "api" }, 0.99, Direction.Up, 5));

        var pending = Assert.Single((await ScrapeAsync(host)).Named("aiops_episode_info"));
        time.Advance(TimeSpan.FromSeconds(61));
        correlator.Tick();
        var firing = Assert.Single((await ScrapeAsync(host)).Named("aiops_episode_info"));

        Assert.Equal(("pending", "api", "api"), (pending.Labels["state"], pending.Labels["root_cause"], pending.Labels["entities"]));
        Assert.Equal("firing", firing.Labels["state"]);
        Assert.Equal(pending.Labels["episode"], firing.Labels["episode"]);
        Assert.False(string.IsNullOrEmpty(firing.Labels["category"]));
        Assert.InRange(firing.Value, 0.01, 1);
    }

    [Fact]
    public async Task GetMetrics_MoreEpisodesThanMax_ExportsFiringFirstAndCountsEachEpisodeLeftOutOnce()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        await using var host = await MetricsTestHost.StartAsync(time, new Dictionary<string, string?> { ["Aiops:Metrics:MaxEpisodes"] = "3" });
        var correlator = host.Get<Correlator>();
        correlator.Add(Alert("early", "billing", time.GetUtcNow()));
        time.Advance(TimeSpan.FromSeconds(61));
        correlator.Tick(); // billing fires
        for (var i = 0; i < 5; i++)
        {
            correlator.Add(Alert("later-" + i, "svc-" + i, time.GetUtcNow()));
        }

        var text = await ScrapeAsync(host);
        var again = await ScrapeAsync(host);
        for (var i = 5; i < 7; i++)
        {
            correlator.Add(Alert("later-" + i, "svc-" + i, time.GetUtcNow()));
        }

        var more = await ScrapeAsync(host);

        var exported = text.Named("aiops_episode_info").ToList();
        Assert.Equal(3, exported.Count);
        Assert.Contains(exported, e => e.Labels["entities"] == "billing" && e.Labels["state"] == "firing");
        Assert.Equal(3, text.Value("aiops_episode_info_omitted_total"));
        Assert.Equal(3, again.Value("aiops_episode_info_omitted_total")); // the same episodes left out again are not counted again
        Assert.Equal(5, more.Value("aiops_episode_info_omitted_total"));
        Assert.Equal(3, more.Named("aiops_episode_info").Count());
    }

    private static AlertSignal Alert(string fingerprint, string service, DateTimeOffset onset) =>
        new(fingerprint, "HighErrorRate", onset, new Dictionary<string, string> { ["alertname"] = "HighErrorRate", ["service"] = service }, AlertStatus.Firing, null, "warning", new Dictionary<string, string>());

    [Fact]
    public async Task GetMetrics_MoreSeriesThanMax_ExportsMostAnomalousAndDropsStale()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        await using var host = await MetricsTestHost.StartAsync(time, new Dictionary<string, string?> { ["Aiops:Metrics:MaxSeries"] = "1" });
        var board = host.Get<ScoreBoard>();
        var old = time.GetUtcNow();
        board.Set(new SeriesScore(Latency, AnomalyScore.Scored(old, 1, 0.2, 0, 0.9), false, old));
        board.Set(new SeriesScore(Cpu, AnomalyScore.Scored(old, 1, 0.8, 0, 0.9), false, old));

        var first = await ScrapeAsync(host);
        Assert.Equal(0.8, Assert.Single(first.Named("aiops_anomaly_score")).Value);

        time.Advance(TimeSpan.FromMinutes(1));
        board.Set(new SeriesScore(Latency, AnomalyScore.Scored(time.GetUtcNow(), 1, 0.3, 0, 0.9), false, time.GetUtcNow()));
        board.RemoveOlderThan(time.GetUtcNow());
        var second = await ScrapeAsync(host);

        var only = Assert.Single(second.Named("aiops_anomaly_score"));
        Assert.Equal("http.latency", only.Labels["metric"]);
        Assert.Equal(0.3, only.Value);
    }

    [Fact]
    public async Task DefaultRegistry_AfterAiopsScrape_HasNoAiopsMetrics()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        await using var host = await MetricsTestHost.StartAsync(time);
        host.Get<ScoreBoard>().Set(new SeriesScore(Cpu, AnomalyScore.Scored(time.GetUtcNow(), 1, 0.5, 0, 0.9), false, time.GetUtcNow()));
        host.Get<HostingTelemetry>().Dropped("samples");
        var text = await ScrapeAsync(host);
        Assert.NotEmpty(text.Named("aiops_anomaly_score"));

        Assert.NotSame(Prometheus.Metrics.DefaultRegistry, host.Get<AiopsMetricsRegistry>().Registry);
        using var stream = new MemoryStream();
        await Prometheus.Metrics.DefaultRegistry.CollectAndExportAsTextAsync(stream);
        var exported = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        Assert.DoesNotContain("aiops_anomaly", exported, StringComparison.Ordinal);
        Assert.DoesNotContain("aiops_dropped", exported, StringComparison.Ordinal);
        Assert.DoesNotContain("aiops_episodes", exported, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetMetrics_ContentType_IsPrometheusText()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        await using var host = await MetricsTestHost.StartAsync(time);
        using var response = await host.Client.GetAsync(new Uri("/metrics", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("version=0.0.4", response.Content.Headers.ContentType.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("instance", "instance")]
    [InlineData("http.route", "http_route")]
    [InlineData("0zone", "_0zone")]
    [InlineData("__name__", "label__name__")]
    [InlineData("", "label_")]
    [InlineData("ünï-code", "_n__code")]
    public void SanitizeLabelName_Input_IsValidPrometheusLabel(string input, string expected) =>
        Assert.Equal(expected, AiopsMetricsRegistry.SanitizeLabelName(input));

    private static async Task<ExpositionText> ScrapeAsync(MetricsTestHost host)
    {
        using var response = await host.Client.GetAsync(new Uri("/metrics", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return ExpositionText.Parse(await response.Content.ReadAsStringAsync());
    }
}
