using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Aiops.Detection;
using Aiops.Detection.Tracking;
using Aiops.Hosting.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Aiops.Hosting.Tests.Pipeline;

/// <summary>The detection stage's batching, workers, telemetry under load and score history.</summary>
public sealed class DetectionStageThroughputTests
{
    [Fact]
    public async Task DetectionStage_SustainedBacklog_ReportsProcessedBeforeChannelEmpties()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var gate = new GateDetector.Gate();
        using var host = PipelineTestHost.Build(time, services: s => s.Configure<DetectionStageOptions>(o =>
        {
            o.Workers = 1;
            o.DetectorFactory = k => k.Metric == "gate" ? new GateDetector(gate) : PipelineTestHost.RobustZScore(k);
        }));
        using var processed = Processed(host);
        var writer = host.Services.GetRequiredService<AiopsPipelineWriter>();
        var activity = host.Services.GetRequiredService<PipelineActivity>();
        _ = host.Services.GetRequiredService<AiopsMetricsRegistry>(); // its listener feeds the activity tracker

        // 3,000 samples, then one that blocks the stage, then more: the channel is never empty while the stage is blocked.
        for (var i = 0; i < 3_000; i++)
        {
            Assert.True(writer.TryWriteSample(new MetricSample(new SeriesKey("s" + (i % 100)), PipelineTestHost.Start.AddSeconds(i / 100), i)));
        }

        Assert.True(writer.TryWriteSample(new MetricSample(new SeriesKey("gate"), PipelineTestHost.Start, 0)));
        Assert.True(writer.TryWriteSample(new MetricSample(new SeriesKey("after"), PipelineTestHost.Start, 0)));
        await host.StartAsync();

        Assert.True(gate.Entered.Wait(TimeSpan.FromSeconds(10)));
        Assert.True(await PipelineTestHost.WaitUntilAsync(() => Sum(processed) >= 2 * DetectionStage.ReportEvery));
        Assert.True(Sum(processed) <= 3_000);
        Assert.Equal(PipelineTestHost.Start, activity.LastSampleAt); // the freshness check and lag gauge move under load

        gate.Release();
        Assert.True(await PipelineTestHost.WaitUntilAsync(() => Sum(processed) == 3_002));
        await host.StopAsync();
    }

    [Fact]
    public async Task DetectionStage_SlowScoring_ReportsProcessedAtLeastEveryInterval()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var gate = new GateDetector.Gate();
        using var host = PipelineTestHost.Build(time, services: s => s.Configure<DetectionStageOptions>(o =>
        {
            o.Workers = 1;
            // Every point takes 1 ms of the (fake) clock: the 100 ms interval elapses long before 1,024 samples.
            o.DetectorFactory = k => k.Metric == "gate" ? new GateDetector(gate) : new GateDetector(null, () => time.Advance(TimeSpan.FromMilliseconds(1)));
        }));
        using var processed = Processed(host);
        var writer = host.Services.GetRequiredService<AiopsPipelineWriter>();
        for (var i = 0; i < 600; i++)
        {
            Assert.True(writer.TryWriteSample(new MetricSample(new SeriesKey("slow"), PipelineTestHost.Start.AddSeconds(i), i)));
        }

        Assert.True(writer.TryWriteSample(new MetricSample(new SeriesKey("gate"), PipelineTestHost.Start, 0)));
        Assert.True(writer.TryWriteSample(new MetricSample(new SeriesKey("after"), PipelineTestHost.Start, 0)));
        await host.StartAsync();

        Assert.True(gate.Entered.Wait(TimeSpan.FromSeconds(10)));
        Assert.True(await PipelineTestHost.WaitUntilAsync(() => Sum(processed) >= 2 * DetectionStage.ClockEvery));
        Assert.True(Sum(processed) < DetectionStage.ReportEvery);

        gate.Release();
        Assert.True(await PipelineTestHost.WaitUntilAsync(() => Sum(processed) == 602));
        await host.StopAsync();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task DetectionStage_Workers_PreservePerSeriesOrderAndScoreEverySample(int workers)
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        var seen = new ConcurrentDictionary<SeriesKey, List<double>>();
        using var host = PipelineTestHost.Build(time, services: s => s.Configure<DetectionStageOptions>(o =>
        {
            o.Workers = workers;
            o.DetectorFactory = k =>
            {
                var values = seen.GetOrAdd(k, _ => []);
                return new GateDetector(null, null, (_, v) => values.Add(v)); // one worker per series: no lock needed
            };
        }));
        var writer = host.Services.GetRequiredService<AiopsPipelineWriter>();
        var board = host.Services.GetRequiredService<ScoreBoard>();
        var stage = host.Services.GetRequiredService<DetectionStage>();
        Assert.Equal(workers, stage.Workers);
        await host.StartAsync();

        const int Series = 97, Points = 200;
        for (var p = 0; p < Points; p++)
        {
            for (var s = 0; s < Series; s++)
            {
                while (!writer.TryWriteSample(new MetricSample(new SeriesKey("m", [new("i", s.ToString(System.Globalization.CultureInfo.InvariantCulture))]), PipelineTestHost.Start.AddSeconds(p), p)))
                {
                    await Task.Yield(); // the channel is full (Wait mode refuses): let the stage catch up
                }
            }
        }

        await host.StopAsync();

        Assert.Equal(Series, seen.Count);
        Assert.All(seen.Values, values => Assert.Equal(Enumerable.Range(0, Points).Select(i => (double)i), values));
        Assert.Equal(Series, board.Count);
        Assert.All(board.Snapshot(), s => Assert.Equal(Points - 1, s.Score.Value));
    }

    [Fact]
    public void Options_WorkersDefault_IsProcessorCountAtMostFour()
    {
        Assert.Equal(Math.Min(Environment.ProcessorCount, 4), new DetectionStageOptions().Workers);
    }

    [Fact]
    public async Task StartAsync_WorkersOutOfRange_FailsWithConfigurationPath()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var host = PipelineTestHost.Build(time, config: new Dictionary<string, string?> { ["Aiops:Detection:Workers"] = "0" });

        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());

        Assert.Contains("Aiops:Detection:Workers", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Process_SteadyState_AllocatesNothing()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var host = PipelineTestHost.Build(time, config: new Dictionary<string, string?>
        {
            ["Aiops:Detection:ScoreHistoryLength"] = "64",
            ["Aiops:Detection:AnomalyThreshold"] = "1", // never anomalous: sending a signal allocates, by design
        });
        var stage = host.Services.GetRequiredService<DetectionStage>();
        var keys = Enumerable.Range(0, 16).Select(i => new SeriesKey("cpu", [new("i", "x" + i)])).ToArray();
        var random = new Random(7);
        var samples = new MetricSample[4_000 * keys.Length];
        for (var p = 0; p < 4_000; p++)
        {
            for (var s = 0; s < keys.Length; s++)
            {
                samples[(p * keys.Length) + s] = new MetricSample(keys[s], PipelineTestHost.Start.AddSeconds(p), 100 + (10 * Math.Sin(p / 10.0)) + random.NextDouble());
            }
        }

        // The ensemble (default) is warm and every history ring full after the first 1,000 points of each series.
        var warm = 1_000 * keys.Length;
        for (var i = 0; i < warm; i++)
        {
            stage.Process(samples[i]);
        }

        Action<int> step = i => stage.Process(samples[i]);

        Assert.Equal(0, Allocations.During(warm, samples.Length, step));
    }

    [Fact]
    public void ScoreBoard_History_BoundedGrowsLazilyAndRoundTrips()
    {
        var board = new ScoreBoard();
        var key = new SeriesKey("latency");
        var at = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.FromHours(2));
        board.Set(new SeriesScore(key, AnomalyScore.Scored(at, 250.125, 0.987654321, 5, 0.9, 120.5, 80.25, double.PositiveInfinity), true, at), 5);
        var entry = board.Attach(key, null);
        Assert.Equal(5, entry.HistoryCapacity); // never more than the history length

        var point = Assert.Single(board.History(key));
        Assert.Equal(at, point.Timestamp);
        Assert.Equal(at.Offset, point.Timestamp.Offset);
        Assert.Equal(250.125, point.Value);
        Assert.Equal(0.987654321, point.Probability);
        Assert.Equal(120.5, point.Expected);
        Assert.Equal(80.25, point.Lower);
        Assert.Equal(double.PositiveInfinity, point.Upper);
        Assert.True(point.IsAnomalous);
        Assert.Equal(PointStatus.Scored, point.Status);

        for (var i = 1; i < 20; i++)
        {
            board.Set(new SeriesScore(key, AnomalyScore.WarmingUp(at.AddSeconds(i), i), false, at.AddSeconds(i)), 5);
        }

        Assert.Equal(5, entry.HistoryCapacity);
        Assert.Equal(5, entry.HistoryCount);
        var history = board.History(key);
        Assert.Equal([15d, 16, 17, 18, 19], history.Select(p => p.Value));
        Assert.All(history, p => Assert.True(double.IsNaN(p.Expected) && double.IsNaN(p.Lower) && double.IsNaN(p.Upper)));

        var longer = new SeriesKey("longer");
        board.Set(new SeriesScore(longer, AnomalyScore.WarmingUp(at, -1), false, at), ScoreBoard.DefaultHistoryLength);
        Assert.Equal(ScoreBoard.Entry.FirstRingLength, board.Attach(longer, null).HistoryCapacity); // not 360 at once
        for (var i = 0; i < 100; i++)
        {
            board.Set(new SeriesScore(longer, AnomalyScore.WarmingUp(at.AddSeconds(i), i), false, at), ScoreBoard.DefaultHistoryLength);
        }

        Assert.Equal(ScoreBoard.DefaultHistoryLength, board.Attach(longer, null).HistoryCapacity); // 8, 64, then the length
        Assert.Equal(101, board.History(longer).Count);

        board.Set(new SeriesScore(longer, AnomalyScore.WarmingUp(at.AddSeconds(100), 100), false, at), 0);
        Assert.Empty(board.History(longer));
        Assert.Equal(0, board.Attach(longer, null).HistoryCapacity);
    }

    [Fact]
    public async Task DetectionStage_BoardDropsIdleSeries_SeriesReturnsToBoardOnNextPoint()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var host = PipelineTestHost.Build(time, services: PipelineTestHost.UseRobustZScore);
        var writer = host.Services.GetRequiredService<AiopsPipelineWriter>();
        var board = host.Services.GetRequiredService<ScoreBoard>();
        await host.StartAsync();
        var key = new SeriesKey("cpu");

        Assert.True(writer.TryWriteSample(new MetricSample(key, time.GetUtcNow(), 1)));
        Assert.True(await PipelineTestHost.WaitUntilAsync(() => board.TryGet(key, out _)));
        Assert.Equal(1, board.RemoveOlderThan(time.GetUtcNow().AddSeconds(1)));
        Assert.False(board.TryGet(key, out _));

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(writer.TryWriteSample(new MetricSample(key, time.GetUtcNow(), 2)));

        Assert.True(await PipelineTestHost.WaitUntilAsync(() => board.TryGet(key, out var s) && s.Score.Value == 2));
        Assert.Equal([1d, 2], board.History(key).Select(p => p.Value));
        await host.StopAsync();
    }

    [Fact]
    public async Task DetectionStage_AnomalousSeriesBackAfterIdleEviction_SendsNewOnset()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var host = PipelineTestHost.Build(time, services: s => s.Configure<DetectionStageOptions>(o =>
        {
            o.IdleTimeout = TimeSpan.FromSeconds(10);
            o.DetectorFactory = _ => new GateDetector(null, anomalous: true);
            o.Tracking = new AnomalyTrackerOptions { ConfirmPoints = 1, HoldPoints = 1 }; // one flagged point is an onset here
        }));
        using var signals = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), HostingTelemetry.MeterName, "aiops.hosting.detection.signals");
        var writer = host.Services.GetRequiredService<AiopsPipelineWriter>();
        var stage = host.Services.GetRequiredService<DetectionStage>();
        await host.StartAsync();
        var key = new SeriesKey("cpu");

        Assert.True(writer.TryWriteSample(new MetricSample(key, time.GetUtcNow(), 1)));
        Assert.True(await PipelineTestHost.WaitUntilAsync(() => Onsets(signals) == 1));

        time.Advance(TimeSpan.FromMinutes(1)); // idle for longer than the timeout: the next point evicts the series
        Assert.True(writer.TryWriteSample(new MetricSample(new SeriesKey("other"), time.GetUtcNow(), 1)));
        Assert.True(await PipelineTestHost.WaitUntilAsync(() => Onsets(signals) == 2 && stage.SeriesCount == 1));
        Assert.True(writer.TryWriteSample(new MetricSample(key, time.GetUtcNow(), 2)));

        Assert.True(await PipelineTestHost.WaitUntilAsync(() => Onsets(signals) == 3));
        await host.StopAsync();
        Assert.DoesNotContain(signals.GetMeasurementSnapshot(), m => Equals(m.Tags["kind"], "repeat"));
    }

    private static long Onsets(MetricCollector<long> collector) =>
        collector.GetMeasurementSnapshot().Where(m => Equals(m.Tags["kind"], "onset")).Sum(m => m.Value);

    private static MetricCollector<long> Processed(Microsoft.Extensions.Hosting.IHost host) =>
        new(host.Services.GetRequiredService<IMeterFactory>(), HostingTelemetry.MeterName, "aiops.hosting.stage.processed");

    private static long Sum(MetricCollector<long> collector) =>
        collector.GetMeasurementSnapshot().Where(m => Equals(m.Tags["stage"], "detection")).Sum(m => m.Value);

    /// <summary>A detector that can block (on a gate), run an action per point, record its points, or flag every point.</summary>
    private sealed class GateDetector(GateDetector.Gate? gate, Action? onUpdate = null, Action<DateTimeOffset, double>? record = null, bool anomalous = false) : IAnomalyDetector
    {
        public string Name => "gate";

        public int StateSizeBytes => 0;

        public AnomalyScore Update(DateTimeOffset timestamp, double value)
        {
            if (gate is not null)
            {
                gate.Entered.Set();
                gate.Released.Wait(TimeSpan.FromSeconds(30));
            }

            onUpdate?.Invoke();
            record?.Invoke(timestamp, value);
            return anomalous ? AnomalyScore.Scored(timestamp, value, 1, 10, 0.5, value - 1, value - 2, value) : AnomalyScore.WarmingUp(timestamp, value);
        }

        public void Reset()
        {
        }

        public sealed class Gate : IDisposable
        {
            public ManualResetEventSlim Entered { get; } = new();

            public ManualResetEventSlim Released { get; } = new();

            public void Release() => Released.Set();

            public void Dispose()
            {
                Released.Set();
                Entered.Dispose();
                Released.Dispose();
            }
        }
    }
}
