namespace Aiops.Rca.Eval.Tests;

public sealed class EndToEndTests
{
    [Fact]
    public void Run_SmallSeededShop_FiveOfSixFaultsDetectedWhileTheyLastAndDeterministic()
    {
        var report = Benchmark.Run(Topology.OnlineBoutique(), perFault: 1, controls: 1, seed: 5, new RunSettings());
        Assert.Equal(6, report.Faults.Count);
        Assert.Single(report.Controls);

        // Five of six: the bad deploy on frontend is found by the count test, whose change point dates it 2 s before the
        // true onset, so the benchmark counts its episode as opened before the onset (it fires 67 s later).
        Assert.True(report.Faults.Count(r => r.Aiops.TimeToDetect is not null) >= 5, string.Join(", ", report.Faults.Where(r => r.Aiops.TimeToDetect is null).Select(r => r.Case)));
        Assert.All(report.Faults.Where(r => r.Aiops.TimeToDetect is not null), r =>
        {
            Assert.InRange(r.Aiops.TimeToDetect!.Value, TimeSpan.Zero, TimeSpan.FromMinutes(5)); // while the fault lasts: a slow leak takes minutes to leave its baseline
            Assert.NotEmpty(r.Aiops.Ranking);
            Assert.Equal(11, r.Baro.Count);
        });

        var again = Benchmark.Run(Topology.OnlineBoutique(), perFault: 1, controls: 1, seed: 5, new RunSettings());
        Assert.Equal(report.Faults.Select(r => string.Join(",", r.Aiops.Ranking)), again.Faults.Select(r => string.Join(",", r.Aiops.Ranking)));
    }

    [Fact]
    public void Run_CoreBridge_TimeToDetectCountsOnlyOccurrencesAfterOnset()
    {
        // The core bridge reuses a series' fingerprint for every occurrence; a series that fired before the fault must not
        // make the fault look detected before it started.
        var report = Benchmark.Run(Topology.OnlineBoutique(), perFault: 1, controls: 0, seed: 5, new RunSettings());
        Assert.Equal(6, report.Faults.Count);
        Assert.Contains(report.Faults, r => r.Aiops.TimeToDetect is not null);
        Assert.All(report.Faults.Where(r => r.Aiops.TimeToDetect is not null), r => Assert.True(r.Aiops.TimeToDetect >= TimeSpan.Zero, $"{r.Case}: {r.Aiops.TimeToDetect}"));
    }

    [Fact]
    public void Run_ControlsWithBenignBursts_OpenNoEpisode()
    {
        // Benign entry bursts (2–10 s), GC pauses and slow spells are flagged by young calibrations but do not hold for
        // AnomalyTrackerOptions.HoldPoints: no anomaly starts, so no episode opens (before HoldPoints, some of these controls did).
        var report = Benchmark.Run(Topology.OnlineBoutique(), perFault: 1, controls: 4, seed: 1, new RunSettings());
        Assert.All(report.Controls, c => Assert.Equal((0, 0), (c.Episodes, c.Paged)));
    }

    [Fact]
    public void Run_NoGraph_EpisodesHoldTheServicesAFaultReachesAndRankThem()
    {
        // With no graph declared the correlator groups by time and scope: the scored episode holds every service the fault
        // reached and its ranking compares them. Grouped per service instead, each ranking named one service, its own.
        var report = Benchmark.Run(Topology.OnlineBoutique(), perFault: 1, controls: 0, seed: 5, new RunSettings(DeclareGraph: false));

        var ranked = report.Faults.Where(r => r.Aiops.Ranking.Count > 0).ToList();
        Assert.True(ranked.Count(r => r.Aiops.Ranking.Count > 1) >= 2, string.Join("; ", ranked.Select(r => $"{r.Case}: {string.Join(",", r.Aiops.Ranking)}")));
        Assert.True(ranked.Count(r => r.Aiops.Ranking[0] == r.Case.Target) >= 4, string.Join("; ", ranked.Select(r => $"{r.Case}: {string.Join(",", r.Aiops.Ranking)}")));
    }
}
