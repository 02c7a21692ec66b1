namespace Aiops.Rca.Eval;

/// <summary>The result of one fault case under the three methods.</summary>
/// <param name="Case">The case.</param>
/// <param name="Aiops">What the Aiops path made of it.</param>
/// <param name="Baro">BARO's ranking (given the true onset).</param>
/// <param name="NSigma">NSigma's ranking (given the true onset).</param>
internal sealed record CaseResult(RcaCase Case, AiopsOutcome Aiops, IReadOnlyList<string> Baro, IReadOnlyList<string> NSigma);

/// <summary>Accuracy of one method over a set of cases.</summary>
/// <param name="Ac1">AC@1.</param>
/// <param name="Ac3">AC@3.</param>
/// <param name="Avg5">Avg@5.</param>
internal readonly record struct Accuracy(double Ac1, double Ac3, double Avg5)
{
    /// <summary>Scores rankings against their truths.</summary>
    public static Accuracy Of(IReadOnlyList<(IReadOnlyList<string> Ranking, string Truth)> cases) =>
        new(RcaMetrics.AccuracyAt(cases, 1), RcaMetrics.AccuracyAt(cases, 3), RcaMetrics.AverageAt(cases, 5));
}

/// <summary>The summary of a topology's run.</summary>
/// <param name="Topology">The topology.</param>
/// <param name="Faults">The fault cases' results.</param>
/// <param name="Controls">The control runs' outcomes.</param>
/// <param name="Hours">The hours of data (all runs) the false-incident rate counts over before each onset.</param>
internal sealed record TopologyReport(Topology Topology, IReadOnlyList<CaseResult> Faults, IReadOnlyList<AiopsOutcome> Controls, double Hours)
{
    /// <summary>The accuracy of a method on the fault cases selected.</summary>
    public Accuracy Score(Func<CaseResult, IReadOnlyList<string>> method, FaultKind? fault = null) =>
        Accuracy.Of([.. Faults.Where(r => fault is null || r.Case.Fault == fault).Select(r => (method(r), r.Case.Target!))]);

    /// <summary>The share of controls that opened no episode.</summary>
    public double QuietControls => Controls.Count == 0 ? 1 : Controls.Count(c => c.Episodes == 0) / (double)Controls.Count;

    /// <summary>The share of controls that paged nothing: no episode fired, none pending at the end with an anomaly not ended (see <see cref="AiopsOutcome.Paged"/>).</summary>
    public double UnpagedControls => Controls.Count == 0 ? 1 : Controls.Count(c => c.Paged == 0) / (double)Controls.Count;

    /// <summary>False pages per hour of fault-free data: episodes that fired before the onset (in controls: or are still pending at the end).</summary>
    public double FalsePagesPerHour =>
        Hours <= 0 ? 0 : (Controls.Sum(c => c.PagedBeforeOnset) + Faults.Sum(f => f.Aiops.PagedBeforeOnset)) / Hours;

    /// <summary>Episodes opened per hour of fault-free data: whole control runs plus every fault run before its onset.</summary>
    public double FalseIncidentsPerHour =>
        Hours <= 0 ? 0 : (Controls.Sum(c => c.Episodes) + Faults.Sum(f => f.Aiops.EpisodesBeforeOnset)) / Hours;
}

/// <summary>Builds the cases of a topology and runs them.</summary>
internal static class Benchmark
{
    /// <summary>The fault types, in table order.</summary>
    public static IReadOnlyList<FaultKind> FaultKinds { get; } =
        [FaultKind.CpuHog, FaultKind.MemoryLeak, FaultKind.Latency, FaultKind.PacketLoss, FaultKind.TrafficSurge, FaultKind.BadDeploy];

    /// <summary>
    /// The cases: <paramref name="perFault"/> of each fault type on a target drawn at random (the entry point for a surge),
    /// then <paramref name="controls"/> fault-free runs. Deterministic for a seed.
    /// </summary>
    public static IReadOnlyList<RcaCase> Cases(Topology topology, int perFault, int controls, int seed)
    {
        ArgumentNullException.ThrowIfNull(topology);
        var rng = new Random(unchecked((seed * 7919) + topology.Services.Count)); // not HashCode.Combine: it is randomised per process
        var cases = new List<RcaCase>();
        foreach (var fault in FaultKinds)
        {
            for (var i = 0; i < perFault; i++)
            {
                var target = fault == FaultKind.TrafficSurge ? topology.Entry : topology.Services[rng.Next(topology.Services.Count)];
                cases.Add(new RcaCase(topology, fault, target, rng.Next()));
            }
        }

        for (var i = 0; i < controls; i++)
        {
            cases.Add(new RcaCase(topology, FaultKind.None, null, rng.Next()));
        }

        return cases;
    }

    /// <summary>Runs every case of a topology.</summary>
    public static TopologyReport Run(Topology topology, int perFault, int controls, int seed, RunSettings settings, Action<CaseResult, CaseData>? onCase = null)
    {
        var faults = new List<CaseResult>();
        var quiet = new List<AiopsOutcome>();
        var seconds = 0.0;
        foreach (var @case in Cases(topology, perFault, controls, seed))
        {
            var data = MetricGenerator.Generate(@case);
            var aiops = AiopsRunner.Run(data, settings);
            if (@case.IsControl)
            {
                quiet.Add(aiops);
                seconds += data.Length;
                continue;
            }

            seconds += data.Onset;
            var result = new CaseResult(@case, aiops, Baselines.Baro(data, data.Onset), Baselines.NSigma(data, data.Onset));
            faults.Add(result);
            onCase?.Invoke(result, data);
        }

        return new TopologyReport(topology, faults, quiet, seconds / 3600);
    }
}
