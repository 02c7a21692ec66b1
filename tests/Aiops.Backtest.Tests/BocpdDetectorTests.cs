using Aiops.Detection;

namespace Aiops.Backtest.Tests;

public sealed class BocpdDetectorTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Update_LevelShiftOfThreeSigma_RecentChangeUntilTheNewRunIsOld()
    {
        var probabilities = Run(seed: 3, shiftAt: 500, shift: 3);

        Assert.All(probabilities[503..509], p => Assert.True(p > 0.95, $"{p} after the shift"));
        Assert.All(probabilities[(500 + BocpdDetector.RecentRuns + 5)..], p => Assert.True(p < 0.5, $"{p} once the new run is old"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Update_StationaryNoise_NoRecentChange(int seed)
    {
        // The prior of a new run has the scale of the noise (learned from the first differences): were it narrower, plain
        // noise would read as new segments every few points. A chance run of high or low values still reads as a change now and
        // then (up to 0.86 in these seeds), which the calibration of block:bocpd learns.
        var scored = Run(seed, shiftAt: int.MaxValue, shift: 0).Where(p => !double.IsNaN(p)).Order().ToArray();

        Assert.True(scored[scored.Length / 2] < 0.05, $"median {scored[scored.Length / 2]}");
        Assert.True(scored[scored.Length * 99 / 100] < 0.25, $"99th percentile {scored[scored.Length * 99 / 100]}");
    }

    [Fact]
    public void Create_BlockName_CalibratedBocpd()
    {
        var detector = BacktestDetectors.Create(BacktestDetectors.BlockPrefix + "bocpd");

        Assert.IsType<CalibratedDetector>(detector);
        Assert.Equal("bocpd", detector.Name);
    }

    // The probability of a recent change at each of 600 points of unit Gaussian noise around 100 (NaN while warming up).
    private static double[] Run(int seed, int shiftAt, double shift)
    {
        var detector = new BocpdDetector();
        var random = new Random(seed);
        var probabilities = new double[600];
        for (var i = 0; i < probabilities.Length; i++)
        {
            var noise = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            var score = detector.Update(Start.AddMinutes(5 * i), 100 + noise + (i >= shiftAt ? shift : 0));
            probabilities[i] = score.Status == PointStatus.Scored ? score.Probability : double.NaN;
        }

        return probabilities;
    }
}
