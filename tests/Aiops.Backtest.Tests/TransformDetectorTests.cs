using Aiops.Detection;

namespace Aiops.Backtest.Tests;

public sealed class TransformDetectorTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Create_LogPrefixOfKnownName_KnownAndNamed()
    {
        var name = TransformDetector.Prefix + DetectorNames.Ensemble;

        Assert.True(BacktestDetectors.IsKnown(name));
        Assert.Equal(name, BacktestDetectors.Create(name).Name);
        Assert.True(BacktestDetectors.IsKnown(TransformDetector.Prefix + DetectorNames.Contextual));
        Assert.False(BacktestDetectors.IsKnown(TransformDetector.Prefix + name));
        Assert.False(BacktestDetectors.IsKnown(TransformDetector.Prefix + "no-such-detector"));
    }

    [Fact]
    public void Forward_ZeroToHugeValues_IncreaseStrictlyAndStayFinite()
    {
        double[] values = [0, 1e-300, 0.1, 1, 10, 1e3, 1e12, 1e300, double.MaxValue];

        var mapped = values.Select(v => TransformDetector.Forward(v, 5)).ToArray();

        Assert.Equal(0, mapped[0]);
        Assert.All(mapped, y => Assert.True(double.IsFinite(y)));
        for (var i = 1; i < mapped.Length; i++)
        {
            Assert.True(mapped[i] > mapped[i - 1], $"{values[i]} maps to {mapped[i]}, not above {mapped[i - 1]}");
        }
    }

    [Theory]
    [InlineData(1e-300)]
    [InlineData(1)]
    [InlineData(1e300)]
    public void Forward_NegativeAndHugeValues_SymmetricFiniteAndInvertible(double scale)
    {
        double[] values = [double.MaxValue, 1e308, 123.5, 1e-3];

        foreach (var v in values)
        {
            var y = TransformDetector.Forward(v, scale);
            Assert.True(double.IsFinite(y));
            Assert.Equal(-y, TransformDetector.Forward(-v, scale));
            if (v < 1e300)
            {
                Assert.Equal(v, TransformDetector.Inverse(y, scale), v * 1e-9);
            }
        }
    }

    [Fact]
    public void LearnScale_FirstPoints_MedianThenMeanThenOneAndNegativeIsIdentity()
    {
        Assert.Equal(3, TransformDetector.LearnScale([1, 3, 100]));
        Assert.Equal(2, TransformDetector.LearnScale([0, 0, 6]));
        Assert.Equal(1, TransformDetector.LearnScale([0, 0, 0]));
        Assert.Equal(0, TransformDetector.LearnScale([5, -0.1, 7]));
    }

    [Fact]
    public void Update_NegativeAmongFirstPoints_ScoresAsTheInnerDetectorAlone()
    {
        var transformed = BacktestDetectors.Create(TransformDetector.Prefix + DetectorNames.Ensemble);
        var plain = BacktestDetectors.Create(DetectorNames.Ensemble);
        var random = new Random(7);

        for (var i = 0; i < 400; i++)
        {
            var value = (i == 50 ? -1 : 10) + random.NextDouble() + (i == 300 ? 20 : 0);
            var time = Start.AddMinutes(i);
            var a = transformed.Update(time, value);
            var b = plain.Update(time, value);
            if (i >= TransformDetector.LearningPoints - 1)
            {
                Assert.Equal(b, a);
            }
            else
            {
                Assert.Equal(PointStatus.WarmingUp, a.Status);
                Assert.False(b.IsAnomaly);
            }
        }

        Assert.Equal(0, ((TransformDetector)transformed).Scale);
    }

    [Fact]
    public void Update_NonNegativeFirstPoints_HoldsBackThenFeedsTheLogOfEachValue()
    {
        var inner = new Recording();
        var detector = new TransformDetector("log:recording", inner);
        var values = Enumerable.Range(0, 150).Select(i => (double)(i % 7)).ToArray();

        var scores = values.Select((v, i) => detector.Update(Start.AddSeconds(i), v)).ToArray();

        Assert.Equal(3, detector.Scale); // the median of 0..6 repeated
        Assert.All(scores.Take(TransformDetector.LearningPoints - 1), s => Assert.Equal(PointStatus.WarmingUp, s.Status));
        Assert.All(scores.Skip(TransformDetector.LearningPoints - 1), s => Assert.Equal(PointStatus.Scored, s.Status));
        Assert.Equal(values.Length, inner.Seen.Count);
        for (var i = 0; i < values.Length; i++)
        {
            Assert.Equal(Start.AddSeconds(i), inner.Seen[i].Time);
            Assert.Equal(Math.Log(1 + (values[i] / 3)), inner.Seen[i].Value, 12);
            Assert.Equal(values[i], scores[i].Value);
        }

        Assert.Equal(values[^1], scores[^1].Expected, 9); // the inner's expected value (its input) mapped back
    }

    [Fact]
    public void Update_NonFiniteOrRepeatedTimestampWhileLearning_SkippedAndNotHeld()
    {
        var inner = new Recording();
        var detector = new TransformDetector("log:recording", inner);

        Assert.Equal(PointStatus.WarmingUp, detector.Update(Start, 1).Status);
        Assert.Equal(PointStatus.SkippedNonFinite, detector.Update(Start.AddSeconds(1), double.NaN).Status);
        Assert.Equal(PointStatus.SkippedDuplicate, detector.Update(Start, 2).Status);
        Assert.Equal(PointStatus.SkippedOutOfOrder, detector.Update(Start.AddSeconds(-1), 2).Status);
        for (var i = 1; i < TransformDetector.LearningPoints; i++)
        {
            detector.Update(Start.AddSeconds(i), 1);
        }

        Assert.Equal(TransformDetector.LearningPoints, inner.Seen.Count);
        Assert.Equal(1, detector.Scale);
        detector.Reset();
        Assert.True(double.IsNaN(detector.Scale));
        Assert.Empty(inner.Seen);
    }

    /// <summary>An inner detector that records what it is given and expects its input back.</summary>
    private sealed class Recording : IAnomalyDetector
    {
        public List<(DateTimeOffset Time, double Value)> Seen { get; } = [];

        public string Name => "recording";

        public int StateSizeBytes => 0;

        public AnomalyScore Update(DateTimeOffset timestamp, double value)
        {
            Seen.Add((timestamp, value));
            return AnomalyScore.Scored(timestamp, value, 0.1, 0, 0.5, value, value, value);
        }

        public void Reset() => Seen.Clear();
    }
}
