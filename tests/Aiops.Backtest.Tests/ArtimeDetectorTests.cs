using Aiops.Detection;

namespace Aiops.Backtest.Tests;

public sealed class ArtimeDetectorTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Update_Causal_WarmsUpForOneTrendWindowOfBlocks()
    {
        var scores = Run(new ArtimeDetector(), Daily(2000));

        var warmUp = ArtimeDetector.CausalStep * ArtimeDetector.CausalTrendWindow;
        Assert.All(scores[..(warmUp - 1)], s => Assert.Equal(PointStatus.WarmingUp, s.Status));
        Assert.All(scores[(warmUp - 1)..], s => Assert.Equal(PointStatus.Scored, s.Status));
    }

    [Fact]
    public void Update_SpikeAfterWarmUp_ReportedWithinItsBlock()
    {
        var values = Daily(3000);
        values[2000] += 400;

        var scores = Run(new ArtimeDetector(), values);

        Assert.Contains(scores[2000..2007], s => s.Probability > 0);
    }

    [Fact]
    public void Update_LevelLeavesTheRangeForGood_LearnsANewRangeAndQuietensAgain()
    {
        var values = Daily(6000);
        for (var i = 2000; i < values.Length; i++)
        {
            values[i] += 1000;
        }

        var scores = Run(new ArtimeDetector(), values);

        Assert.Contains(scores[2000..2100], s => s.Probability > 0);
        Assert.True(scores[4500..].Count(s => s.Probability > 0) <= 3);
    }

    [Fact]
    public void Update_OracleUnprimed_Throws()
    {
        var detector = BacktestDetectors.Create("artime-oracle");

        Assert.Throws<InvalidOperationException>(() => detector.Update(Start, 1));
    }

    [Fact]
    public void Prime_Oracle_UsesNabsProbationForTheWarmUp()
    {
        // 1,600 rows: probation 240, blocks of 240 / 104 = 2 points, trend window 120 blocks: scored from point 240.
        var values = Daily(1600);
        var detector = BacktestDetectors.Create("artime-oracle");
        ((IPrimedDetector)detector).Prime(values.Min(), values.Max(), values.Length);

        var scores = Run(detector, values);

        Assert.Equal(PointStatus.WarmingUp, scores[238].Status);
        Assert.Equal(PointStatus.Scored, scores[239].Status);
    }

    [Fact]
    public void Prime_ContextualOracle_ScoresFromTheFirstPoint()
    {
        var values = Daily(300);
        var detector = BacktestDetectors.Create("contextual-oracle");
        ((IPrimedDetector)detector).Prime(values.Min(), values.Max(), values.Length);

        var scores = Run(detector, values);

        Assert.Equal(PointStatus.Scored, scores[0].Status);
    }

    // A daily cycle of 288 points (5-minute steps) with a little deterministic noise.
    private static double[] Daily(int length)
    {
        var random = new Random(7);
        return [.. Enumerable.Range(0, length).Select(i => 100 + (20 * Math.Sin(2 * Math.PI * i / 288)) + random.NextDouble())];
    }

    private static AnomalyScore[] Run(IAnomalyDetector detector, double[] values) =>
        [.. values.Select((v, i) => detector.Update(Start.AddMinutes(5 * i), v))];
}
