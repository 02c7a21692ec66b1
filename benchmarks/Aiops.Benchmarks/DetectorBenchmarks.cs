using Aiops.Detection;
using BenchmarkDotNet.Attributes;

namespace Aiops.Benchmarks;

/// <summary>
/// Per-point cost of each detector in steady state over 1,000,000 points (a seasonal series with noise and rare spikes), after
/// 8,000,000 points of aging.
/// Every figure is per point (OperationsPerInvoke). <see cref="SumBaseline"/> only reads the same points: the ratio of a
/// detector to it is its cost over the memory-bound limit.
/// Run: <c>dotnet run -c Release --project benchmarks/Aiops.Benchmarks -- --filter '*DetectorBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
public class DetectorBenchmarks
{
    private const int Points = 1_000_000;
    private const int AgingPasses = 8;
    private static readonly long Step = TimeSpan.FromMinutes(1).Ticks;
    private readonly double[] _values = new double[Points];
    private IAnomalyDetector _detector = null!;
    private long _ticks = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;

    /// <summary>Gets or sets the detector under test.</summary>
    [Params(DetectorNames.Ensemble, DetectorNames.Contextual, DetectorNames.Art, DetectorNames.RobustZScore, DetectorNames.Seasonal, DetectorNames.SpectralResidual)]
    public string Detector { get; set; } = DetectorNames.Ensemble;

    /// <summary>
    /// Builds the series and runs the detector over it <see cref="AgingPasses"/> times before anything is measured, so the
    /// figures are those of a series that has run for long: 8 million points is past where a decayed count that is no longer
    /// fed (memory 10,000 points) used to settle among the subnormal doubles and slow every update (about 7 million points).
    /// </summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        for (var i = 0; i < Points; i++)
        {
            _values[i] = 100 + (10 * Math.Sin(2 * Math.PI * i / 288)) + random.NextDouble() + (i % 9973 == 0 ? 30 : 0);
        }

        _detector = BenchmarkDetectors.Create(Detector);
        for (var pass = 0; pass < AgingPasses; pass++)
        {
            Run();
        }
    }

    /// <summary>Reads and sums the points: the floor every detector is compared with.</summary>
    /// <returns>The sum, so the loop is not elided.</returns>
    [Benchmark(Baseline = true, OperationsPerInvoke = Points)]
    public double SumBaseline()
    {
        double sum = 0;
        foreach (var v in _values)
        {
            sum += v;
        }

        return sum;
    }

    /// <summary>Scores every point with the detector.</summary>
    /// <returns>The sum of probabilities, so the loop is not elided.</returns>
    [Benchmark(OperationsPerInvoke = Points)]
    public double Update() => Run();

    private double Run()
    {
        double sum = 0;
        var detector = _detector;
        foreach (var v in _values)
        {
            _ticks += Step;
            sum += detector.Update(new DateTimeOffset(_ticks, TimeSpan.Zero), v).Probability;
        }

        return sum;
    }
}
