namespace Aiops.Detection.Tests;

public sealed class RateSensitivityTests
{
    public static TheoryData<string> Detectors => [DetectorNames.RobustZScore, DetectorNames.Ensemble];

    [Theory]
    [MemberData(nameof(Detectors))]
    public void Update_SameValuesSixtyTimesFaster_SeverityLowerByLog10Sixty(string name)
    {
        // The same values are as rare per point at either step, but per week sixty times more points pass at 1 s. (Without the
        // refractory period, which follows the flags, and those differ with the step.)
        var values = TestSeries.Noise(1500, 5, seed: 4);
        values[1400] += 30;
        IAnomalyDetector Create() => name == DetectorNames.Ensemble
            ? new EnsembleDetector(new EnsembleOptions { RefractoryPoints = 0 })
            : new CalibratedDetector(new RobustZScoreDetector(), new CalibratedOptions { RefractoryPoints = 0 });
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
}
