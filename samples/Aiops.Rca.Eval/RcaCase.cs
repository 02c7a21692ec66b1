using Aiops.Correlation;

namespace Aiops.Rca.Eval;

/// <summary>The injected faults (RCAEval's fault types, plus a traffic surge and a bad deploy).</summary>
internal enum FaultKind
{
    /// <summary>No fault: a control run.</summary>
    None = 0,

    /// <summary>A process burns CPU on the target (stress-ng); its own work queues behind it.</summary>
    CpuHog = 1,

    /// <summary>The target's memory grows steadily; past half its headroom, garbage collection slows it.</summary>
    MemoryLeak = 2,

    /// <summary>A fixed delay is added to the target's responses (tc netem delay).</summary>
    Latency = 3,

    /// <summary>Packets to and from the target are dropped: retransmissions slow it, some calls fail, callers retry.</summary>
    PacketLoss = 4,

    /// <summary>External traffic at the entry point multiplies; the root cause is the entry point.</summary>
    TrafficSurge = 5,

    /// <summary>A new version of the target, announced by a deploy change event at the onset, fails some requests and is slower.</summary>
    BadDeploy = 6,

    /// <summary>A recorded incident (<see cref="RecordedCases"/>) whose kind is not known.</summary>
    Recorded = 7,
}

/// <summary>One benchmark case: a topology, a fault (or none) on a target, and the seed of everything random.</summary>
/// <param name="Topology">The system.</param>
/// <param name="Fault">The fault; <see cref="FaultKind.None"/> for a control.</param>
/// <param name="Target">The faulty service (the root cause); <see langword="null"/> for a control.</param>
/// <param name="Seed">The seed of the case's randomness.</param>
internal sealed record RcaCase(Topology Topology, FaultKind Fault, string? Target, int Seed)
{
    /// <summary>Gets whether the case is a fault-free control.</summary>
    public bool IsControl => Fault == FaultKind.None;

    /// <summary>A short identifier for tables and traces.</summary>
    public override string ToString() => $"{Topology.Name}/{Fault}/{Target ?? "-"}/{Seed}";
}

/// <summary>One generated series: a metric of a service, one value per second.</summary>
/// <param name="Service">The service.</param>
/// <param name="Metric">The metric name.</param>
/// <param name="Values">One value per second from the case's start.</param>
internal sealed record SeriesData(string Service, string Metric, double[] Values);

/// <summary>The raw data of a case: every series, the change events, and the true onset.</summary>
/// <param name="Case">The case.</param>
/// <param name="Start">The timestamp of index 0.</param>
/// <param name="Length">The number of seconds.</param>
/// <param name="Onset">The index of the fault's onset; for a control, where it would have been.</param>
/// <param name="Series">The series, five per service in the order of <see cref="MetricNames.All"/>.</param>
/// <param name="Changes">The change events (a bad deploy's, and benign deploys), with the index at which each happened.</param>
internal sealed record CaseData(RcaCase Case, DateTimeOffset Start, int Length, int Onset, IReadOnlyList<SeriesData> Series, IReadOnlyList<(int At, ChangeSignal Change)> Changes)
{
    /// <summary>Gets the benign events of the run (kind, service, first index, seconds), for diagnostics.</summary>
    public IReadOnlyList<(string Kind, string Service, int At, int Duration)> Events { get; init; } = [];

    /// <summary>Gets the timestamp of each index when the data has its own (a recorded case); <see langword="null"/>: one second apart from <see cref="Start"/>.</summary>
    public IReadOnlyList<DateTimeOffset>? Times { get; init; }

    /// <summary>The timestamp of index <paramref name="i"/>.</summary>
    public DateTimeOffset At(int i) => Times is { } times ? times[i] : Start.AddSeconds(i);

    /// <summary>The series of a service's metric.</summary>
    public SeriesData Of(string service, string metric) => Series.First(s => s.Service == service && s.Metric == metric);
}
