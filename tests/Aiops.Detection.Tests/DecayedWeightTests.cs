using Aiops.Detection.Internal;

namespace Aiops.Detection.Tests;

public class DecayedWeightTests
{
    [Theory]
    [InlineData(100_000, 4.537723395901116E-05)] // 0.9999^100,000 ≈ e^-10 of one observation is a weight, not noise: kept
    [InlineData(8_000_000, 0.0)] // three months at one point a second: flushed
    public void Observe_ExceedanceCountNoLongerFed_DecaysThenReachesZeroNotSubnormal(int quietPoints, double expected)
    {
        // One exceedance, then values below the threshold. Times 0.9999 per point, the count once settled at 2.47e-320, a
        // subnormal double that the product rounds back to, and every update after that cost several times as much
        // (`DetectorBenchmarks`, aged 8 million points).
        var calibration = default(TailCalibration);
        calibration.Observe(TailPrior.Surprise.Threshold + 1, TailPrior.Surprise);
        for (var i = 0; i < quietPoints; i++)
        {
            calibration.Observe(0, TailPrior.Surprise);
        }

        Assert.Equal(expected, calibration.Exceedances, expected * 1e-6);
    }

    [Theory]
    [InlineData(1.0, 0.5, 0.5)]
    [InlineData(4e-100, 0.5, 2e-100)]
    [InlineData(1.5e-100, 0.5, 0.0)]
    [InlineData(0.0, 0.5, 0.0)]
    [InlineData(-4e-100, 0.5, -2e-100)]
    [InlineData(-1.5e-100, 0.5, 0.0)]
    public void Decay_Weight_ScaledOrFlushedOnceNegligible(double weight, double factor, double expected)
    {
        Assert.Equal(expected, Weights.Decay(weight, factor));
    }
}
