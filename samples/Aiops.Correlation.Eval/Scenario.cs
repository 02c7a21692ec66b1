namespace Aiops.Correlation.Eval;

/// <summary>How hard a generated scenario is.</summary>
public enum Difficulty
{
    /// <summary>Few services, little noise, one pair of concurrent incidents far apart.</summary>
    Easy = 0,

    /// <summary>More services and noise, two pairs of concurrent incidents, flapping alerts.</summary>
    Medium = 1,

    /// <summary>Many services, heavy noise, up to three concurrent incidents 3+ hops apart starting minutes apart, long storms, much flapping.</summary>
    Hard = 2,
}

/// <summary>The tier of a service in the generated three-tier graph.</summary>
internal enum Tier
{
    /// <summary>Entry points (web, gateways, BFFs); they call mid-tier services.</summary>
    Frontend = 0,

    /// <summary>Business services; they call data stores.</summary>
    Mid = 1,

    /// <summary>Databases, caches, queues; they call nothing.</summary>
    Store = 2,
}

/// <summary>A generated service.</summary>
/// <param name="Name">The <c>service</c> label.</param>
/// <param name="Tier">Its tier.</param>
/// <param name="StoreKind">For stores, the technology (postgres, redis, ...); empty otherwise.</param>
/// <param name="Instances">The pods' <c>instance</c> labels (ip:port).</param>
internal sealed record ServiceInfo(string Name, Tier Tier, string StoreKind, IReadOnlyList<string> Instances);

/// <summary>A signal of a scenario: what is sent, when it arrives, and the ground-truth group it belongs to.</summary>
/// <param name="Signal">The signal.</param>
/// <param name="Arrival">When it reaches the correlator (the fake clock is set to this before <c>Add</c>).</param>
/// <param name="Group">The ground-truth group: an incident id (<c>inc-NN</c>), a unique noise id (<c>noise-NNN</c>) or, for benign changes, <c>benign-N</c>.</param>
internal sealed record LabeledSignal(Signal Signal, DateTimeOffset Arrival, string Group)
{
    /// <summary>Gets the service the signal is about.</summary>
    public string Service => Signal.Label("service") ?? string.Empty;

    /// <summary>Gets a value indicating whether the signal is a change event (excluded from pairwise scoring).</summary>
    public bool IsChange => Signal is ChangeSignal;
}

/// <summary>The ground truth of one incident.</summary>
/// <param name="Id">The group id of its signals.</param>
/// <param name="Root">The root-cause service.</param>
/// <param name="Category">The incident's category.</param>
/// <param name="Onset">The onset of its first (root) symptom.</param>
/// <param name="End">When its symptoms stop.</param>
/// <param name="Services">The services with symptoms, root first.</param>
/// <param name="ConcurrencyGroup">Incidents with the same number were generated to overlap in time.</param>
internal sealed record IncidentTruth(string Id, string Root, IncidentCategory Category, DateTimeOffset Onset, DateTimeOffset End, IReadOnlyList<string> Services, int ConcurrencyGroup);

/// <summary>A generated scenario: the graph, the time-ordered signal stream and the ground truth.</summary>
/// <param name="Seed">The seed it was generated from.</param>
/// <param name="Difficulty">Its difficulty.</param>
/// <param name="Storm">Whether it is the storm variant (long, dense alert storms).</param>
/// <param name="Namespace">The <c>namespace</c> label of every signal.</param>
/// <param name="Start">The start of the scenario (the fake clock's start).</param>
/// <param name="End">The end of the scenario.</param>
/// <param name="Services">The services.</param>
/// <param name="Edges">The dependency edges (service → dependency).</param>
/// <param name="Incidents">The incidents.</param>
/// <param name="Signals">The signals, in arrival order.</param>
/// <param name="ConcurrencyFallbacks">How many incidents could not be placed concurrently (no far-enough root found) and got their own slot.</param>
internal sealed record Scenario(
    int Seed,
    Difficulty Difficulty,
    bool Storm,
    string Namespace,
    DateTimeOffset Start,
    DateTimeOffset End,
    IReadOnlyList<ServiceInfo> Services,
    IReadOnlyList<(string Service, string DependsOn)> Edges,
    IReadOnlyList<IncidentTruth> Incidents,
    IReadOnlyList<LabeledSignal> Signals,
    int ConcurrencyFallbacks)
{
    private DependencyGraph? _graph;

    /// <summary>Gets the dependency graph built from <see cref="Edges"/>.</summary>
    public DependencyGraph Graph => _graph ??= new DependencyGraph(Edges);

    /// <summary>Whether a group id names an incident.</summary>
    /// <param name="group">The group id.</param>
    /// <returns><see langword="true"/> for incident groups.</returns>
    public static bool IsIncident(string group) => group.StartsWith("inc-", StringComparison.Ordinal);
}
