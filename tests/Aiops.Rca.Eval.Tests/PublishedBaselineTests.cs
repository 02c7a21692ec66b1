using Aiops.Correlation;

namespace Aiops.Rca.Eval.Tests;

/// <summary>
/// BARO and N-Sigma as published (BARO's <c>robust_scorer</c> / <c>nsigma</c>, RCAEval's <c>baro</c>): each column is scaled
/// by its pre-onset statistics and scores <c>max(zscores)</c> over the post-onset points, the largest signed scaled value,
/// not the largest absolute one. A series that only falls after the onset scores low.
/// </summary>
public sealed class PublishedBaselineTests
{
    [Fact]
    public void Baro_SeriesThatOnlyDropsAfterOnset_RanksBelowASeriesThatRises()
    {
        // a: level 10 ± 2 (IQR 2), falls by 30 after the onset → signed max z ≈ +1, |z| max ≈ 16.
        // b: level 50 ± 2 (IQR 2), rises by 6 after the onset → signed max z ≈ +4.
        // Published BARO: max(zscores) → b (≈ 4) above a (≈ 1).
        var data = Synthetic(
            ("a", i => Wiggle(i, 10) - (i >= 100 ? 30 : 0)),
            ("b", i => Wiggle(i + 3, 50) + (i >= 100 ? 6 : 0)));

        Assert.Equal("b", Baselines.Baro(data, 100)[0]);
    }

    [Fact]
    public void NSigma_SeriesThatOnlyDropsAfterOnset_RanksBelowASeriesThatRises()
    {
        var data = Synthetic(
            ("a", i => Wiggle(i, 10) - (i >= 100 ? 30 : 0)),
            ("b", i => Wiggle(i + 3, 50) + (i >= 100 ? 6 : 0)));

        Assert.Equal("b", Baselines.NSigma(data, 100)[0]);
    }

    private static double Wiggle(int i, double level) => level + ((i * 7) % 5) - 2;

    private static CaseData Synthetic(params (string Service, Func<int, double> Value)[] series)
    {
        var topology = Topology.OnlineBoutique();
        var data = series.Select(s => new SeriesData(s.Service, "m", [.. Enumerable.Range(0, 150).Select(s.Value)])).ToList();
        return new CaseData(new RcaCase(topology, FaultKind.Latency, "b", 1), DateTimeOffset.UnixEpoch, 150, 100, data, Array.Empty<(int, ChangeSignal)>());
    }
}
