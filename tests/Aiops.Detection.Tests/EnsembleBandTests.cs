namespace Aiops.Detection.Tests;

/// <summary>The ensemble's expected value and band: a member's, never the zeros of a default score.</summary>
public sealed class EnsembleBandTests
{
    [Fact]
    public void Ensemble_BeforeSeasonalIsTrained_ReportsRobustZScoreBand()
    {
        var values = TestSeries.Noise(300, sigma: 1);
        var ensemble = new EnsembleDetector();
        var robust = new RobustZScoreDetector(new RobustZScoreOptions { WindowSize = 32, ScaleMemory = 1000 });

        var scores = TestSeries.Run(ensemble, values);
        var robustScores = TestSeries.Run(robust, values);

        var scored = Enumerable.Range(0, values.Length).Where(i => scores[i].Status == PointStatus.Scored).ToList();
        Assert.NotEmpty(scored);
        foreach (var i in scored)
        {
            Assert.True(scores[i].HasBand);
            Assert.Equal(robustScores[i].Expected, scores[i].Expected);
            Assert.Equal(robustScores[i].Lower, scores[i].Lower);
            Assert.Equal(robustScores[i].Upper, scores[i].Upper);
            Assert.InRange(scores[i].Expected, 95, 105); // around the level of 100, not 0
            Assert.True(scores[i].Lower < scores[i].Expected && scores[i].Expected < scores[i].Upper);
        }
    }

    [Fact]
    public void Ensemble_SeasonalTrained_ReportsSeasonalForecastBand()
    {
        var values = TestSeries.Sine(2_000, period: 48, amplitude: 20, noise: 0.5);
        var ensemble = new EnsembleDetector();
        var seasonal = new SeasonalDetector();

        var scores = TestSeries.Run(ensemble, values);
        var seasonalScores = TestSeries.Run(seasonal, values);

        for (var i = 700; i < values.Length; i++)
        {
            Assert.Equal(PointStatus.Scored, seasonalScores[i].Status);
            Assert.Equal(seasonalScores[i].Expected, scores[i].Expected);
            Assert.Equal(seasonalScores[i].Lower, scores[i].Lower);
            Assert.Equal(seasonalScores[i].Upper, scores[i].Upper);
            Assert.InRange(scores[i].Expected, 75, 125);
        }
    }

    [Fact]
    public void Ensemble_Spike_NeverReportsTheZeroBandOfADefaultScore()
    {
        var values = TestSeries.Noise(1_000, sigma: 1);
        values[800] = 1_000;

        var scores = TestSeries.Run(new EnsembleDetector(), values);

        Assert.All(scores.Where(s => s.Status == PointStatus.Scored), s =>
        {
            Assert.True(s.HasBand);
            Assert.False(s.Lower == 0 && s.Upper == 0 && s.Expected == 0, "the zero band of a default score was reported");
        });
        Assert.True(scores[800].IsAnomaly);
        Assert.True(scores[800].Value > scores[800].Upper);
    }
}
