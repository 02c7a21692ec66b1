using Aiops.Detection;

namespace Aiops.Backtest.Tests;

public sealed class ComboDetectorTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Create_ComboOfTwoKnownNames_KnownAndNamed()
    {
        var name = ComboDetector.Prefix + DetectorNames.Ensemble + "+" + BacktestDetectors.BlockPrefix + DetectorNames.Art;

        Assert.True(BacktestDetectors.IsKnown(name));
        Assert.Equal(name, BacktestDetectors.Create(name).Name);
        Assert.False(BacktestDetectors.IsKnown(ComboDetector.Prefix + DetectorNames.Ensemble + "+" + DetectorNames.RobustZScore));
        Assert.False(BacktestDetectors.IsKnown(ComboDetector.Prefix + DetectorNames.Ensemble));
        Assert.False(BacktestDetectors.IsKnown(ComboDetector.Prefix + DetectorNames.Ensemble + "+" + name));
    }

    [Fact]
    public void Update_BothScored_RarerRateDoubled()
    {
        // First member: rate 9 per week (p = 0.1); second: rate 0.25 (p = 0.8). Combined: 2 · 0.25 = 0.5, p = 1 / 1.5.
        var combo = new ComboDetector("combo:test", new Fixed(0.1, 1), new Fixed(0.8, 2));

        var score = combo.Update(Start, 1);

        Assert.Equal(1 / 1.5, score.Probability, 12);
        Assert.Equal(2 - Math.Log10(2), score.RawScore, 12);
        Assert.True(score.IsAnomaly);
    }

    [Fact]
    public void Update_BothAtTheThresholdAlone_NotFlaggedTogether()
    {
        // Each member alone sits exactly at 1 false onset per week (p = 0.5, flagged); looking twice doubles the rate.
        var combo = new ComboDetector("combo:test", new Fixed(0.5, 0), new Fixed(0.5, 0));

        var score = combo.Update(Start, 1);

        Assert.Equal(1 / 3.0, score.Probability, 12);
        Assert.False(score.IsAnomaly);
    }

    [Fact]
    public void Update_OneMemberWarmingUp_OtherStandsAlone()
    {
        var combo = new ComboDetector("combo:test", new Fixed(double.NaN, 0), new Fixed(0.9, 3));

        var score = combo.Update(Start, 1);

        Assert.Equal(PointStatus.Scored, score.Status);
        Assert.Equal(0.9, score.Probability, 12);
    }

    /// <summary>A member with a fixed probability (NaN: warming up) and threshold 0.5 (1 false onset per week).</summary>
    private sealed class Fixed(double probability, double raw) : IAnomalyDetector
    {
        public string Name => "fixed";

        public int StateSizeBytes => 0;

        public AnomalyScore Update(DateTimeOffset timestamp, double value) => double.IsNaN(probability)
            ? AnomalyScore.WarmingUp(timestamp, value)
            : AnomalyScore.Scored(timestamp, value, probability, raw, 0.5);

        public void Reset()
        {
        }
    }
}
