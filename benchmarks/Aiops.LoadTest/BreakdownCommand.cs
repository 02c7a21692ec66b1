using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Threading.Channels;
using Aiops.Detection;
using Aiops.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Aiops.LoadTest;

/// <summary>
/// Where a sample's time goes in the detection stage, step by step on one thread, with the public pieces the stage is made
/// of: each row adds one step of <c>DetectionStage.Process</c> (or the channel) to the previous row and prints ns and
/// bytes allocated per sample (best of three runs, each on fresh detectors over the same series and points).
/// </summary>
internal static class BreakdownCommand
{
    public static Task<int> RunAsync(CommandLine options)
    {
        var seriesCount = options.Int("series", 10_000, min: 1);
        var points = options.Int("points", 200, min: 2);
        var detector = options.String("detector", "ensemble");
        var series = new SyntheticSeries(seriesCount, anomalousSeries: 20, spikeAt: points * 3 / 4);
        var start = DateTimeOffset.UtcNow - TimeSpan.FromSeconds(10 * points);
        Console.WriteLine($"breakdown: {seriesCount:N0} series x {points:N0} points, detector {detector}, one thread; each row adds a step to the row above");
        Console.WriteLine();
        Console.WriteLine("  step                                                       ns/sample   bytes/sample   samples/s");

        Row("generate the sample (baseline)", series, points, start, () => (key, t, v) => GC.KeepAlive(key));

        Row("+ detector.Update (one detector per series, array index)", series, points, start, () =>
        {
            var detectors = new Dictionary<SeriesKey, IAnomalyDetector>();
            foreach (var key in series.Keys)
            {
                detectors[key] = DetectorCatalog.Create(detector);
            }

            var byIndex = series.Keys.Select(k => detectors[k]).ToArray();
            var i = 0;
            return (key, t, v) =>
            {
                byIndex[i].Update(t, v);
                i = i + 1 == byIndex.Length ? 0 : i + 1;
            };
        });

        Row("DetectorSet.TryUpdate instead (lookup, clock, lock)", series, points, start, () =>
        {
            var set = new DetectorSet(new DetectorSetOptions { Detector = detector, MaxSeries = seriesCount });
            return (key, t, v) => set.TryUpdate(key, t, v, out _);
        });

        Row("+ clock, board, state as at 3dbb9c3 (3 lookups, 64 B ring)", series, points, start, () =>
        {
            var set = new DetectorSet(new DetectorSetOptions { Detector = detector, MaxSeries = seriesCount });
            var board = new ConcurrentDictionary<SeriesKey, BoardEntry>();
            var states = new Dictionary<SeriesKey, object>();
            return (key, t, v) =>
            {
                set.TryUpdate(key, t, v, out var score);
                var now = TimeProvider.System.GetUtcNow();
                board.GetOrAdd(key, static _ => new BoardEntry()).Add(new SeriesScore(key, score, score.IsAnomaly, now));
                states.TryGetValue(key, out _);
            };
        });

        Row("+ bounded channel write and read (3dbb9c3, same thread)", series, points, start, () =>
        {
            var set = new DetectorSet(new DetectorSetOptions { Detector = detector, MaxSeries = seriesCount });
            var board = new ConcurrentDictionary<SeriesKey, BoardEntry>();
            var states = new Dictionary<SeriesKey, object>();
            var channel = Channel.CreateBounded<MetricSample>(new BoundedChannelOptions(100_000) { SingleReader = true });
            return (key, t, v) =>
            {
                channel.Writer.TryWrite(new MetricSample(key, t, v));
                channel.Reader.TryRead(out var sample);
                set.TryUpdate(sample.Series, sample.Timestamp, sample.Value, out var score);
                var now = TimeProvider.System.GetUtcNow();
                board.GetOrAdd(key, static _ => new BoardEntry()).Add(new SeriesScore(key, score, score.IsAnomaly, now));
                states.TryGetValue(key, out _);
            };
        });

        Row("DetectionStage.Process now (1 lookup, clock per batch)", series, points, start, () =>
        {
            var stage = Stage(detector, seriesCount, out var host);
            GC.KeepAlive(host);
            var now = DateTimeOffset.UtcNow;
            return (key, t, v) => stage(new MetricSample(key, t, v), now);
        });

        Row("+ bounded channel write and read (same thread)", series, points, start, () =>
        {
            var stage = Stage(detector, seriesCount, out var host);
            GC.KeepAlive(host);
            var now = DateTimeOffset.UtcNow;
            var channel = Channel.CreateBounded<MetricSample>(new BoundedChannelOptions(100_000) { SingleReader = true });
            return (key, t, v) =>
            {
                channel.Writer.TryWrite(new MetricSample(key, t, v));
                channel.Reader.TryRead(out var sample);
                stage(sample, now);
            };
        });

        return Task.FromResult(0);
    }

    /// <summary>The per-sample method of the hosted detection stage of a host built as the pipeline command builds it (not started).</summary>
    private static ProcessAt Stage(string detector, int seriesCount, out Microsoft.Extensions.Hosting.IHost host)
    {
        host = PipelineHost.Create("Wait", 100_000, seriesCount, detector);
        var stage = host.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().Single(s => s.GetType().Name == "DetectionStage");
        var method = stage.GetType().GetMethod("Process", BindingFlags.NonPublic | BindingFlags.Instance, [typeof(MetricSample).MakeByRefType(), typeof(DateTimeOffset)])
            ?? throw new InvalidOperationException("DetectionStage.Process(in MetricSample, DateTimeOffset) was not found.");
        return method.CreateDelegate<ProcessAt>(stage);
    }

    private static void Row(string name, SyntheticSeries series, int points, DateTimeOffset start, Func<Action<SeriesKey, DateTimeOffset, double>> create)
    {
        // Best of three runs, each on fresh state; the first point of every series (creating its detector) is not timed.
        var keys = series.Keys;
        var total = (long)keys.Length * (points - 1);
        var best = double.MaxValue;
        long bytes = 0;
        for (var run = 0; run < 3; run++)
        {
            var step = create();
            for (var s = 0; s < keys.Length; s++)
            {
                step(keys[s], start, series.Value(s, 0));
            }

            GC.Collect();
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            for (var p = 1; p < points; p++)
            {
                var timestamp = start + TimeSpan.FromSeconds(10 * p);
                for (var s = 0; s < keys.Length; s++)
                {
                    step(keys[s], timestamp, series.Value(s, p));
                }
            }

            best = Math.Min(best, clock.Elapsed.TotalSeconds);
            bytes = GC.GetAllocatedBytesForCurrentThread() - allocated;
        }

        Console.WriteLine($"  {name,-58} {best * 1e9 / total,9:F0} {(double)bytes / total,14:F1} {total / best,11:N0}");
    }

    private delegate void ProcessAt(in MetricSample sample, DateTimeOffset now);

    /// <summary>What the score board keeps per series (as of 3dbb9c3): the latest score and a ring of recent points, under a lock.</summary>
    private sealed class BoardEntry
    {
        private const int HistoryLength = 360;
        private readonly Lock _lock = new();
        private readonly (DateTimeOffset Timestamp, double Value, double Probability, double Expected, double Lower, double Upper, PointStatus Status, bool IsAnomalous)[] _ring = new (DateTimeOffset, double, double, double, double, double, PointStatus, bool)[HistoryLength];
        private SeriesScore _latest;
        private int _next;

        public void Add(in SeriesScore score)
        {
            lock (_lock)
            {
                _latest = score;
                var s = score.Score;
                _ring[_next] = (s.Timestamp, s.Value, s.Probability, s.Expected, s.Lower, s.Upper, s.Status, score.IsAnomalous);
                _next = _next + 1 == HistoryLength ? 0 : _next + 1;
            }
        }
    }
}
