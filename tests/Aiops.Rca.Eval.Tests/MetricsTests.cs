using Aiops.Correlation;

namespace Aiops.Rca.Eval.Tests;

public sealed class MetricsTests
{
    private static readonly IReadOnlyList<(IReadOnlyList<string> Ranking, string Truth)> Hand =
    [
        (["a", "b", "c"], "a"),           // rank 1
        (["b", "a", "c"], "a"),           // rank 2
        (["b", "c", "d", "e", "a"], "a"), // rank 5
        ([], "a"),                        // nothing detected
    ];

    [Fact]
    public void AccuracyAt_HandCases_ShareOfTruthsInTopK()
    {
        Assert.Equal(0.25, RcaMetrics.AccuracyAt(Hand, 1));
        Assert.Equal(0.50, RcaMetrics.AccuracyAt(Hand, 3));
        Assert.Equal(0.75, RcaMetrics.AccuracyAt(Hand, 5));
    }

    [Fact]
    public void AverageAt_HandCases_MeanOfAc1ToAc5()
    {
        // AC@1..5 = 0.25, 0.5, 0.5, 0.5, 0.75.
        Assert.Equal(2.5 / 5, RcaMetrics.AverageAt(Hand, 5), 12);
    }

    [Fact]
    public void RandomAverageAt_ElevenServices_FifteenOverFiftyFive()
    {
        Assert.Equal(15.0 / 55, RcaMetrics.RandomAverageAt(11, 5), 12);
        Assert.Equal(1.0, RcaMetrics.RandomAverageAt(1, 5), 12);
    }

    [Fact]
    public void Robust_KnownValues_MedianAndInterquartileRange()
    {
        var baseline = Baseline.Robust([5, 1, 4, 2, 3]);
        Assert.Equal(3, baseline.Center);
        Assert.Equal(2, baseline.Scale); // 4 − 2, quantiles interpolated as numpy's default
        Assert.Equal(1.5, baseline.Deviation(6));
        Assert.Equal(1, Baseline.Robust([2, 2, 2, 2]).Scale); // no spread: scale 1, as scikit-learn's RobustScaler
    }

    [Fact]
    public void Baro_ObviousSingleSeriesFault_RankedFirst()
    {
        var data = Synthetic(("a", i => Wiggle(i, 10)), ("b", i => Wiggle(i + 3, 50) + (i >= 100 ? 12 : 0)), ("c", i => Wiggle(i + 5, 20)));
        Assert.Equal("b", Baselines.Baro(data, 100)[0]);
        Assert.Equal("b", Baselines.NSigma(data, 100)[0]);
    }

    [Fact]
    public void NSigma_OutlierInBaseline_InflatedStdMissesWhatBaroFinds()
    {
        // One huge outlier before the onset inflates b's standard deviation but not its interquartile range.
        var data = Synthetic(
            ("a", i => Wiggle(i, 10) + (i >= 100 ? 3 : 0)),
            ("b", i => Wiggle(i + 3, 10) + (i == 50 ? 1000 : 0) + (i >= 100 ? 6 : 0)));
        Assert.Equal("b", Baselines.Baro(data, 100)[0]);
        Assert.Equal("a", Baselines.NSigma(data, 100)[0]);
    }

    private static double Wiggle(int i, double level) => level + ((i * 7) % 5) - 2; // values level−2 … level+2

    private static CaseData Synthetic(params (string Service, Func<int, double> Value)[] series)
    {
        var topology = Topology.OnlineBoutique();
        var data = series.Select(s => new SeriesData(s.Service, "m", [.. Enumerable.Range(0, 150).Select(s.Value)])).ToList();
        return new CaseData(new RcaCase(topology, FaultKind.Latency, "b", 1), DateTimeOffset.UnixEpoch, 150, 100, data, Array.Empty<(int, ChangeSignal)>());
    }
}
