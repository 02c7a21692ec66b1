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
            Assert.InRange(r.Aiops.TimeToDetect!.Value, TimeSpan.Zero, TimeSpan.FromMinutes(2));
            Assert.NotEmpty(r.Aiops.Ranking);
            Assert.Equal(11, r.Baro.Count);
        });

        var again = Benchmark.Run(Topology.OnlineBoutique(), perFault: 1, controls: 1, seed: 5, new RunSettings());
        Assert.Equal(report.Faults.Select(r => string.Join(",", r.Aiops.Ranking)), again.Faults.Select(r => string.Join(",", r.Aiops.Ranking)));
    }
}
