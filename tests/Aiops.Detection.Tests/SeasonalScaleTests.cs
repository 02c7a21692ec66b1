using Aiops.Detection.Internal;

namespace Aiops.Detection.Tests;

public class SeasonalScaleTests
{
    // The mean of |N(0, 1)|: a ratio of 1 on average when the error scale is the mean absolute error.
    private static readonly double MeanAbsoluteGaussian = Math.Sqrt(2 / Math.PI);

    [Fact]
    public void Factor_NotStarted_One()
    {
        var scale = new SeasonalScale();

        scale.Learn(3, 288, 50, 0.02);

        Assert.Equal(1, scale.Factor(3, 288));
    }

    [Fact]
    public void Factor_PeriodOfOnePhase_One()
    {
        var scale = SeasonalScale.Start(1);

        scale.Learn(0, 1, 50, 0.02);

        Assert.Equal(1, scale.Factor(0, 1));
    }

    [Fact]
    public void Factor_ErrorsEvenAlongThePeriod_ReadsOneEverywhere()
    {
        // A day at 5-minute steps whose errors have one scale: a segment's factor, learned from its 9 points a day, is off by
        // about a tenth by chance alone, and read in full that noise made every reading of the series heavier-tailed.
        var scale = SeasonalScale.Start(288);
        var random = new Random(3);
        for (var i = 0; i < 288 * 30; i++)
        {
            scale.Learn(i % 288, 288, Math.Abs(TestSeries.Gaussian(random)) / MeanAbsoluteGaussian, 0.02);
        }

        for (var phase = 0; phase < 288; phase++)
        {
            Assert.InRange(scale.Factor(phase, 288), 0.97, 1.03);
        }
    }

    [Fact]
    public void Factor_ErrorsLargeAtOnePhase_FollowedThereAndQuietElsewhere()
    {
        // A heap collected every 24 points: the collection's error is twenty times the rest's.
        var scale = SeasonalScale.Start(24);
        var random = new Random(4);
        for (var i = 0; i < 24 * 60; i++)
        {
            var phase = i % 24;
            var ratio = (phase == 0 ? 10 : 0.5) * Math.Abs(TestSeries.Gaussian(random)) / MeanAbsoluteGaussian;
            scale.Learn(phase, 24, ratio, 0.02);
        }

        Assert.InRange(scale.Factor(0, 24), 5, 15);
        for (var phase = 1; phase < 24; phase++)
        {
            Assert.InRange(scale.Factor(phase, 24), 0.3, 0.7);
        }
    }

    [Theory]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NaN)]
    [InlineData(1e308)]
    public void Learn_RatioBeyondAnyDouble_Ignored(double ratio)
    {
        // An error over a scale decayed to almost nothing: learned, it made the moments infinite, then NaN, and every later
        // factor NaN.
        var scale = SeasonalScale.Start(24);
        for (var i = 0; i < 24 * 20; i++)
        {
            scale.Learn(i % 24, 24, i % 24 == 0 ? 5 : 0.8, 0.02);
        }

        var before = scale.Factor(0, 24);

        scale.Learn(0, 24, ratio, 0.02);
        scale.Learn(1, 24, 0.8, 0.02);

        Assert.Equal(before, scale.Factor(0, 24));
        Assert.True(double.IsFinite(scale.Factor(1, 24)));
    }

    [Fact]
    public void Learn_TwoHugeFiniteRatiosOfOppositeExcess_FactorsStayNumbers()
    {
        // Each ratio is finite, but their cross products have opposite signs near the largest double: the cross moment
        // overflowed to infinity, then Inf − Inf made it NaN, and every factor read NaN for good.
        var scale = SeasonalScale.Start(2);
        scale.Learn(0, 2, 0.01, 0.02);
        scale.Learn(1, 2, 100, 0.02);

        scale.Learn(0, 2, 1e308, 0.02);
        scale.Learn(1, 2, 4.3e306, 0.02);
        scale.Learn(0, 2, 1, 0.02);

        Assert.True(double.IsFinite(scale.Factor(0, 2)));
        Assert.True(double.IsFinite(scale.Factor(1, 2)));
    }

    [Fact]
    public void Factor_LongPeriod_SegmentsShareTheirPhases()
    {
        // 288 phases in 32 segments of 9: the phases of one segment read one factor.
        var scale = SeasonalScale.Start(288);
        for (var i = 0; i < 288 * 40; i++)
        {
            var phase = i % 288;
            scale.Learn(phase, 288, phase < 9 ? 5 : 0.9, 0.02);
        }

        Assert.Equal(scale.Factor(0, 288), scale.Factor(8, 288));
        Assert.True(scale.Factor(8, 288) > 3 * scale.Factor(9, 288));
        Assert.Equal(32 * sizeof(float) + 24, scale.StateSizeBytes);
    }
}
