using Aiops.Detection.Tracking;

namespace Aiops.Detection.Tests;

/// <summary>
/// Finite values of any magnitude: a series scaled by a power of ten is the same series, so it is scored the same way, with
/// no NaN and no detector left blind for good. The scaled series (100 + a daily-ish sine of 10 + noise of σ 1, a 15σ spike at
/// point 2,500 and a level shift of 30 from point 2,700) is flagged at unit scale by every detector below (the first
/// <c>InlineData</c> of each theory is that control).
/// </summary>
public sealed class ExtremeValueTests
{
    private const int SpikeAt = 2_500;
    private const int ShiftAt = 2_700;

    [Theory]
    [InlineData(1.0)]
    [InlineData(1e306)] // values 0.9e308 to 1.4e308: the sum of the window's extremes overflows
    public void Contextual_SeriesNearMaxValue_LevelShiftFlagged(double scale)
    {
        var scores = TestSeries.Run(DetectorCatalog.Create(DetectorNames.Contextual), Scaled(scale));

        Assert.Contains(scores[ShiftAt..(ShiftAt + 20)], s => s.IsAnomaly);
    }

    [Theory]
    [InlineData(5.0)]
    [InlineData(1e308)] // 0.5 · (max + min) overflows: the range is infinitely wide and no finite value ever leaves it
    public void Contextual_ConstantAboveHalfMaxValueThenDrop_DepartureFlagged(double level)
    {
        var detector = DetectorCatalog.Create(DetectorNames.Contextual);
        TestSeries.Run(detector, [.. Enumerable.Repeat(level, 1000)]);

        var departure = Enumerable.Range(1000, 20).Max(i => detector.Update(TestSeries.At(i), level / 10).Probability);

        Assert.True(departure > 0.95, $"departure from a constant {level} scored {departure}");
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(1e306)] // the range's span (1.2 · range, floored at 1e-6 · 0.5 · (max + min)) overflows: NaN for good
    public void Art_SeriesNearMaxValue_ScoresStayNumbersAndSpikeFlagged(double scale)
    {
        var scores = TestSeries.Run(new ArtDetector(), Scaled(scale));

        Assert.DoesNotContain(scores, s => double.IsNaN(s.RawScore));
        Assert.True(scores[SpikeAt].IsAnomaly, $"spike scored {scores[SpikeAt]}");
    }

    [Fact]
    public void Art_ValuesNearMaxValueThenNoise_ScoresNumbersAgain()
    {
        // 100 points near double.MaxValue, then 3,000 points of ordinary noise: the range is set again from the noise, but the
        // boxes and the mean distance were mapped by span / span = ∞ / ∞ and stay NaN.
        var random = new Random(3);
        var values = new double[3_700];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = i is >= 600 and < 700 ? double.MaxValue * (1 - (1e-3 * random.NextDouble())) : 100 + TestSeries.Gaussian(random);
        }

        var scores = TestSeries.Run(new ArtDetector(), values);

        Assert.DoesNotContain(scores[^1000..], s => double.IsNaN(s.RawScore));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(1e306)] // the median of an even window, 0.5 · (a + b), overflows once both middle values pass MaxValue / 2
    public void RobustZScore_SeriesNearMaxValue_ScoresStayNumbersAndShiftFlagged(double scale)
    {
        var scores = TestSeries.Run(new RobustZScoreDetector(), Scaled(scale));

        Assert.DoesNotContain(scores, s => double.IsNaN(s.RawScore));
        Assert.Contains(scores[ShiftAt..(ShiftAt + 20)], s => s.IsAnomaly);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(1e40)] // the season is kept as float: a seasonal amplitude beyond 3.4e38 is ∞, and level, trend and σ NaN for good
    public void Seasonal_SeasonBeyondFloatRange_ScoresStayNumbersAndSpikeFlagged(double scale)
    {
        var scores = TestSeries.Run(new SeasonalDetector(), Scaled(scale));

        Assert.DoesNotContain(scores, s => double.IsNaN(s.RawScore));
        Assert.True(scores[SpikeAt].IsAnomaly, $"spike scored {scores[SpikeAt]}");
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(1e200)] // the frame's power overflows and the saliency is read as 0 for every point
    public void SpectralResidual_SeriesBeyond1e154_SpikeFlagged(double scale)
    {
        var scores = TestSeries.Run(new SpectralResidualDetector(), Scaled(scale));

        Assert.True(scores[SpikeAt].IsAnomaly, $"spike scored {scores[SpikeAt]}");
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(1e100)] // training throws, and every later point throws IndexOutOfRangeException
    public void SsaChangePoint_SeriesAt1e100_NeverThrows(double scale)
    {
        var detector = new SsaChangePointDetector();

        var error = Record.Exception(() => TestSeries.Run(detector, Scaled(scale)));

        Assert.Null(error);
    }

    [Theory]
    [InlineData(1e307)]
    [InlineData(1e308)] // the baseline's median, (a + b) / 2, overflows: a steady series starts an anomaly with NaN severity
    public void Tracker_SteadySeriesAboveHalfMaxValue_NoFalseOnsetAndDepartureRecovers(double level)
    {
        var tracker = new AnomalyTracker();
        var random = new Random(1);
        var transitions = new List<(int At, AnomalyTransition Transition)>();
        for (var i = 0; i < 420; i++)
        {
            var departing = i is >= 300 and < 320;
            var value = departing ? 0 : level * (1 + (1e-3 * (random.NextDouble() - 0.5)));
            var transition = tracker.Update(AnomalyScore.Scored(TestSeries.At(i), value, departing ? 1 : 0, departing ? 10 : 0, 0.5));
            Assert.False(double.IsNaN(tracker.Severity), $"severity NaN at point {i}");
            if (transition != AnomalyTransition.None)
            {
                transitions.Add((i, transition));
            }
        }

        Assert.Equal(AnomalyTransition.Started, Assert.Single(transitions, t => t.At < 300 || t.Transition == AnomalyTransition.Started).Transition);
        Assert.InRange(transitions[0].At, 300, 319);
        Assert.Equal(AnomalyEndReason.Recovered, tracker.EndReason);
    }

    private static double[] Scaled(double scale)
    {
        var values = TestSeries.Sine(3_000, 48, 10, 1);
        values[SpikeAt] += 15;
        for (var i = ShiftAt; i < values.Length; i++)
        {
            values[i] += 30;
        }

        return Array.ConvertAll(values, v => v * scale);
    }
}
