using System.Globalization;
using Aiops.Detection;

namespace Aiops.LoadTest;

/// <summary>
/// Realistic synthetic metrics: five kinds of metric across services and instances, each a level with a periodic pattern
/// and Gaussian noise, and a few injected spikes. Values are a pure function of (series, point), so runs are repeatable.
/// </summary>
internal sealed class SyntheticSeries
{
    private static readonly string[] Metrics = ["http_requests_per_second", "http_request_duration_ms", "cpu_utilisation", "queue_depth", "errors_per_second"];
    private readonly Shape[] _shapes;

    public SyntheticSeries(int series, int anomalousSeries, int spikeAt)
    {
        var random = new Random(42);
        Keys = new SeriesKey[series];
        _shapes = new Shape[series];
        var every = anomalousSeries > 0 ? Math.Max(1, series / anomalousSeries) : int.MaxValue;
        for (var s = 0; s < series; s++)
        {
            var instance = s / Metrics.Length;
            Keys[s] = new SeriesKey(Metrics[s % Metrics.Length], [
                new("service", string.Create(CultureInfo.InvariantCulture, $"svc-{instance % 100:D3}")),
                new("instance", string.Create(CultureInfo.InvariantCulture, $"10.0.{instance / 250}.{instance % 250}:8080")),
            ]);
            var level = 10 + (random.NextDouble() * 990);
            _shapes[s] = new Shape(
                level,
                level * (0.05 + (random.NextDouble() * 0.2)),
                level * (0.01 + (random.NextDouble() * 0.03)),
                30 + random.Next(60),
                random.Next(1000),
                s % every == every / 2 && s / every < anomalousSeries ? spikeAt : -1);
        }
    }

    public SeriesKey[] Keys { get; }

    public int Anomalous => _shapes.Count(static s => s.SpikeAt >= 0);

    public double Value(int series, int point)
    {
        var shape = _shapes[series];
        var value = shape.Level + (shape.Amplitude * Math.Sin(2 * Math.PI * (point + shape.Phase) / shape.Period)) + (shape.Noise * Gaussian(series, point));
        if (shape.SpikeAt >= 0 && point >= shape.SpikeAt && point < shape.SpikeAt + 3)
        {
            value += shape.Amplitude + (20 * shape.Noise);
        }

        return value;
    }

    /// <summary>A standard normal deviate from a hash of (series, point): Box–Muller over two 32-bit uniforms.</summary>
    private static double Gaussian(int series, int point)
    {
        var x = ((ulong)(uint)series << 32) | (uint)point;
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdUL;
        x ^= x >> 33;
        x *= 0xc4ceb9fe1a85ec53UL;
        x ^= x >> 33;
        var u1 = ((x >> 32) + 1.0) / 4294967297.0;
        var u2 = (x & 0xffffffffUL) / 4294967296.0;
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private readonly record struct Shape(double Level, double Amplitude, double Noise, int Period, int Phase, int SpikeAt);
}
