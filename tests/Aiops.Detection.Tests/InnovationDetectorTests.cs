using Aiops.Detection.Internal;

namespace Aiops.Detection.Tests;

public class InnovationDetectorTests
{
    [Theory]
    [InlineData(0.0)] // white noise: the member reads the level
    [InlineData(0.8)] // a CPU-like wander
    [InlineData(1.0)] // a random walk: the first difference
    public void Phi_AutoregressiveSeries_LearnsItsAutocorrelation(double phi)
    {
        var detector = Create();
        var random = new Random(3);
        var x = 0.0;
        for (var i = 0; i < 5_000; i++)
        {
            x = (phi * x) + TestSeries.Gaussian(random);
            detector.Update(TestSeries.At(i), 100 + x);
        }

        Assert.InRange(detector.Phi, Math.Max(phi - 0.1, 0), Math.Min(phi + 0.1, 1));
    }

    [Fact]
    public void Update_PointAfterAGap_NotScoredThenScoredAgain()
    {
        var detector = Create();
        var random = new Random(5);
        var i = 0;
        for (; i < 200; i++)
        {
            detector.Update(TestSeries.At(i), 100 + TestSeries.Gaussian(random));
        }

        // Ten steps missing: the change since the last point is ten steps' worth, not one innovation.
        var afterGap = detector.Update(TestSeries.At(i + 10), 100 + TestSeries.Gaussian(random));
        var next = detector.Update(TestSeries.At(i + 11), 100 + TestSeries.Gaussian(random));

        Assert.Equal(PointStatus.WarmingUp, afterGap.Status);
        Assert.Equal(PointStatus.Scored, next.Status);
    }

    [Fact]
    public void Update_WholeNumbersMostlyTied_ScaleAtLeastHalfTheResolution()
    {
        // A gauge of whole numbers with σ 0.3 sits at its median nine points in ten: the innovations x − φ·x' nearly tie and
        // their MAD is near 0. With the resolution known, the scale is at least half a step: one step away reads as 2σ, not as
        // a value infinitely far.
        var detector = Create();
        detector.Resolution = 1;
        var random = new Random(9);
        AnomalyScore score = default;
        for (var i = 0; i < 2_000; i++)
        {
            var value = i == 1_999 ? 61 : Math.Round(60 + (0.3 * TestSeries.Gaussian(random)));
            score = detector.Update(TestSeries.At(i), value);
        }

        Assert.Equal(PointStatus.Scored, score.Status);
        Assert.InRange(score.RawScore, 0.5, 2.5);
    }

    private static InnovationDetector Create() => new(new RobustZScoreOptions { WindowSize = 32, ScaleMemory = 1000 });
}
