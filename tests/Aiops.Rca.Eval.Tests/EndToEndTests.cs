namespace Aiops.Rca.Eval.Tests;

public sealed class EndToEndTests
{
    [Fact]
    public void Run_SmallSeededShop_EveryFaultDetectedQuicklyAndDeterministic()
    {
        var report = Benchmark.Run(Topology.OnlineBoutique(), perFault: 1, controls: 1, seed: 5, new RunSettings());
        Assert.Equal(6, report.Faults.Count);
        Assert.Single(report.Controls);
        Assert.All(report.Faults, r =>
        {
            Assert.NotNull(r.Aiops.TimeToDetect);
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
    public void Run_ControlsWithBenignBursts_EpisodesThatOpenOnABurstStayPendingAndPageNothing()
    {
        // Benign entry bursts (2–10 s) open episodes that are back in their band within seconds: pending, never fired.
        var report = Benchmark.Run(Topology.OnlineBoutique(), perFault: 1, controls: 4, seed: 1, new RunSettings());
        Assert.All(report.Controls, c => Assert.InRange(c.Paged, 0, c.Episodes));
        Assert.Contains(report.Controls, c => c.Episodes > 0 && c.Paged == 0);
        Assert.True(report.UnpagedControls >= report.QuietControls);
    }
}
