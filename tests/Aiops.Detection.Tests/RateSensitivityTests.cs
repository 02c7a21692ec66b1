namespace Aiops.Detection.Tests;

public sealed class RateSensitivityTests
{
    [Fact]
    public void Update_SameValuesSixtyTimesFaster_SeverityLowerByLog10Sixty()
    {
        // The same values are as rare per point at either step, but per week sixty times more points pass at 1 s. (Without the
        // refractory period, which follows the flags, and those differ with the step.) The ensemble is not step-free in this
        // sense: its warm-up and its range are measured in time as well (see the tests below).
        var values = TestSeries.Noise(1500, 5, seed: 4);
        values[1400] += 30;
        IAnomalyDetector Create() => new CalibratedDetector(new RobustZScoreDetector(), new CalibratedOptions { RefractoryPoints = 0 });
        var slow = Create();
        var fast = Create();
        var start = TestSeries.Start;
        for (var i = 0; i < values.Length; i++)
        {
            var minute = slow.Update(start.AddMinutes(i), values[i]);
            var second = fast.Update(start.AddSeconds(i), values[i]);
            if (i >= 200 && minute.Status == PointStatus.Scored)
            {
                Assert.Equal(Math.Log10(60), minute.RawScore - second.RawScore, 6);
            }
        }
    }

    [Fact]
    public void Threshold_TimeCalibratedDetector_IsTheProbabilityAtTheConfiguredRate()
    {
        Assert.Equal(0.2, new EnsembleDetector(new EnsembleOptions { FalseAlarmsPerWeek = 4 }).Threshold, 12);
        Assert.Equal(0.5, new CalibratedDetector(new SeasonalDetector()).Threshold, 12);
        Assert.Equal(0.99, new SeasonalDetector().Threshold, 12);
    }

    [Fact]
    public void Update_SpikesBeyondTheCap_ProbabilityTiesButSeverityOrdersThem()
    {
        var scores = new[] { 6.0, 7.5 }.Select(sigmas =>
        {
            var detector = DetectorCatalog.Create(DetectorNames.Ensemble);
            var values = TestSeries.Noise(2000, 1, seed: 3);
            TestSeries.Run(detector, values);
            return detector.Update(TestSeries.At(2000), 100 + sigmas);
        }).ToArray();

        Assert.All(scores, s => Assert.True(s.IsAnomaly));
        Assert.Equal(scores[0].Probability, scores[1].Probability);
        Assert.True(scores[1].RawScore > scores[0].RawScore, $"severities {scores[0].RawScore} and {scores[1].RawScore}");
    }

    [Fact]
    public void Update_SpikeWithinTheWarmUp_NotFlagged()
    {
        // One point a minute: the warm-up is the first 300 points (a day, at most 300 points), in which the calibrations learn.
        var values = TestSeries.Noise(300, 1, seed: 5);
        values[250] += 12;
        var detector = new EnsembleDetector();
        var start = TestSeries.Start;

        var scores = values.Select((v, i) => detector.Update(start.AddMinutes(i), v)).ToArray();

        Assert.Equal(PointStatus.Scored, scores[250].Status);
        Assert.False(scores[250].IsAnomaly);
    }

    [Fact]
    public void Update_SpikesAfterTheWarmUp_FlaggedAndSeverityOrdersThem()
    {
        var scores = new[] { 6.0, 12.0 }.Select(sigmas =>
        {
            var detector = new EnsembleDetector();
            var values = TestSeries.Noise(3000, 1, seed: 6);
            TestSeries.Run(detector, values);
            return detector.Update(TestSeries.At(3000), 100 + sigmas);
        }).ToArray();

        Assert.All(scores, s => Assert.True(s.IsAnomaly));
        Assert.True(scores[1].RawScore > scores[0].RawScore, $"severities {scores[0].RawScore} and {scores[1].RawScore}");
    }
}
