namespace Aiops.Rca.Eval.Tests;

public sealed class GeneratorTests
{
    private static readonly Topology Shop = Topology.OnlineBoutique();

    private static CaseData Make(FaultKind fault, string? target, int seed = 7) => MetricGenerator.Generate(new RcaCase(Shop, fault, target, seed));

    private static double Median(double[] values, int from, int to)
    {
        var slice = values[from..to];
        Array.Sort(slice);
        return slice[slice.Length / 2];
    }

    private static (double Before, double After) Around(CaseData data, string service, string metric)
    {
        var values = data.Of(service, metric).Values;
        return (Median(values, data.Onset - 300, data.Onset), Median(values, data.Onset + 60, data.Length));
    }

    [Fact]
    public void Topologies_Shapes_AsSpecified()
    {
        var tt = Topology.TrainTicket();
        Assert.Equal(11, Shop.Services.Count);
        Assert.Equal("frontend", Shop.Entry);
        Assert.Contains(Shop.Edges, e => e is { Caller: "cart", Callee: "redis" });
        Assert.True(tt.Services.Count >= 30);

        // Callers come before their callees, so rates can be computed in one pass.
        foreach (var topology in new[] { Shop, tt })
        {
            var position = topology.CallersFirst.Select((s, i) => (s, i)).ToDictionary(p => p.s, p => p.i);
            Assert.All(topology.Edges, e => Assert.True(position[e.Caller] < position[e.Callee], $"{e.Caller} → {e.Callee}"));
        }
    }

    [Fact]
    public void Generate_SameSeed_SameData()
    {
        var a = Make(FaultKind.Latency, "payment");
        var b = Make(FaultKind.Latency, "payment");
        Assert.Equal(a.Onset, b.Onset);
        Assert.Equal(55, a.Series.Count);
        for (var i = 0; i < a.Series.Count; i++)
        {
            Assert.Equal(a.Series[i].Values, b.Series[i].Values);
        }

        Assert.NotEqual(a.Series[0].Values, Make(FaultKind.Latency, "payment", seed: 8).Series[0].Values);
    }

    [Fact]
    public void Generate_Timing_TenMinutesNormalThenFiveOfFault()
    {
        var data = Make(FaultKind.CpuHog, "cart");
        Assert.InRange(data.Onset, MetricGenerator.NormalSeconds, MetricGenerator.NormalSeconds + 60);
        Assert.Equal(data.Onset + MetricGenerator.FaultSeconds, data.Length);
        Assert.All(data.Series, s => Assert.Equal(data.Length, s.Values.Length));
    }

    [Fact]
    public void Generate_CpuHog_TargetCpuAndLatencyRise()
    {
        var data = Make(FaultKind.CpuHog, "productcatalog");
        var names = Shop.Names;
        var (cpuBefore, cpuAfter) = Around(data, "productcatalog", names.Cpu);
        Assert.True(cpuAfter - cpuBefore > 20, $"cpu {cpuBefore:0.0} → {cpuAfter:0.0}");
        var (latencyBefore, latencyAfter) = Around(data, "productcatalog", names.Latency);
        Assert.True(latencyAfter > 1.3 * latencyBefore, $"latency {latencyBefore:0.000} → {latencyAfter:0.000}");

        // A service that neither calls nor is called by the target keeps its CPU.
        var (otherBefore, otherAfter) = Around(data, "email", names.Cpu);
        Assert.InRange(otherAfter - otherBefore, -5, 5);
    }

    [Fact]
    public void Generate_Latency_CalleeDelayShowsInItsCallers()
    {
        var data = Make(FaultKind.Latency, "redis");
        var (redisBefore, redisAfter) = Around(data, "redis", Shop.Names.Latency);
        var (cartBefore, cartAfter) = Around(data, "cart", Shop.Names.Latency);
        Assert.True(redisAfter - redisBefore > 0.04, $"redis {redisBefore:0.000} → {redisAfter:0.000}");
        Assert.True(cartAfter - cartBefore > 0.04, $"cart {cartBefore:0.000} → {cartAfter:0.000}");
    }

    [Fact]
    public void Generate_PacketLoss_TargetAndCallersSeeErrors()
    {
        var data = Make(FaultKind.PacketLoss, "payment", seed: 3);
        var errors = data.Of("checkout", Shop.Names.Errors).Values;
        var before = errors[(data.Onset - 300)..data.Onset].Sum();
        var after = errors[data.Onset..].Sum();
        var (ownBefore, ownAfter) = Around(data, "payment", Shop.Names.Latency);
        Assert.True(after > 1.5 * before, $"checkout errors in 5 minutes {before} → {after}");
        Assert.True(ownAfter > 2 * ownBefore, $"payment latency {ownBefore:0.000} → {ownAfter:0.000}");
    }

    [Fact]
    public void Generate_TrafficSurge_EntryAndCalleesCarryMoreLoad()
    {
        var data = Make(FaultKind.TrafficSurge, "frontend");
        var (entryBefore, entryAfter) = Around(data, "frontend", Shop.Names.Requests);
        var (calleeBefore, calleeAfter) = Around(data, "currency", Shop.Names.Requests);
        var (redisBefore, redisAfter) = Around(data, "redis", Shop.Names.Requests);
        Assert.True(entryAfter > 1.8 * entryBefore);
        Assert.True(calleeAfter > 1.8 * calleeBefore);
        Assert.True(redisAfter > 1.8 * redisBefore, "two hops down still sees the surge");
    }

    [Fact]
    public void Generate_MemoryLeak_TargetMemoryGrows()
    {
        var data = Make(FaultKind.MemoryLeak, "cart");
        var memory = data.Of("cart", Shop.Names.Memory).Values;
        Assert.True(memory[^1] > 1.2 * Median(memory, 0, data.Onset));
    }

    [Fact]
    public void Generate_BadDeploy_ChangeEventOnTargetAtOnsetAndErrorsRise()
    {
        var data = Make(FaultKind.BadDeploy, "currency");
        Assert.Contains(data.Changes, c => c.At == data.Onset && c.Change.Label("service") == "currency");
        var (before, after) = Around(data, "currency", Shop.Names.Errors);
        Assert.True(after > before + 1, $"errors {before} → {after}");
    }

    [Fact]
    public void Generate_Control_EveryServiceKeepsItsLevel()
    {
        var data = Make(FaultKind.None, null);
        Assert.DoesNotContain(data.Changes, c => c.At == data.Onset);
        foreach (var series in data.Series.Where(s => s.Metric != Shop.Names.Errors))
        {
            var (before, after) = Around(data, series.Service, series.Metric);
            Assert.InRange(after / before, 0.75, 1.33);
        }
    }

    [Fact]
    public void Cases_EachFaultOnTargetsOfTheTopology_SurgeAtEntry()
    {
        var cases = Benchmark.Cases(Shop, perFault: 4, controls: 2, seed: 1);
        Assert.Equal((6 * 4) + 2, cases.Count);
        Assert.All(cases.Where(c => c.Fault == FaultKind.TrafficSurge), c => Assert.Equal("frontend", c.Target));
        Assert.All(cases.Where(c => !c.IsControl), c => Assert.Contains(c.Target!, Shop.Services));
        Assert.Equal(2, cases.Count(c => c.IsControl && c.Target is null));
        Assert.Equal(cases.Select(c => c.Seed), Benchmark.Cases(Shop, 4, 2, 1).Select(c => c.Seed));
    }
}
