namespace Aiops.Correlation;

/// <summary>The root-cause analysis of an episode: a category, an explanation and ranked hypotheses.</summary>
/// <param name="Category">The kind of incident, at a glance.</param>
/// <param name="Explanation">One paragraph, built from the evidence, that says what most likely happened.</param>
/// <param name="Hypotheses">Candidate causes, most likely first.</param>
public sealed record RootCauseAnalysis(IncidentCategory Category, string Explanation, IReadOnlyList<RootCauseHypothesis> Hypotheses);

/// <summary>One candidate cause with the evidence for it.</summary>
/// <param name="Entity">The service (entity) suspected.</param>
/// <param name="Score">The ranking score in [0, 1]; higher is more likely.</param>
/// <param name="Evidence">The observations behind the score.</param>
public sealed record RootCauseHypothesis(string Entity, double Score, IReadOnlyList<Evidence> Evidence);

/// <summary>An observation that supports (positive weight) or weakens (negative weight) a hypothesis.</summary>
/// <param name="Kind">What kind of observation.</param>
/// <param name="Description">The observation in words.</param>
/// <param name="Weight">Its contribution to the hypothesis' score.</param>
public sealed record Evidence(EvidenceKind Kind, string Description, double Weight);

/// <summary>The kinds of evidence the ranker uses.</summary>
public enum EvidenceKind
{
    /// <summary>The entity's signals started before the others' (lead/lag of onsets).</summary>
    Lead = 0,

    /// <summary>The entity's signals were the strongest.</summary>
    Magnitude = 1,

    /// <summary>The entity is a dependency of other affected entities (direction along the dependency graph).</summary>
    Dependency = 2,

    /// <summary>A change event on the entity shortly before the onset.</summary>
    Change = 3,

    /// <summary>The kind of signals the entity shows (traffic, errors, latency, saturation).</summary>
    SignalClass = 4,
}

/// <summary>The categories a person on call recognises at a glance.</summary>
public enum IncidentCategory
{
    /// <summary>The evidence fits no category.</summary>
    Unknown = 0,

    /// <summary>Traffic rose first and the other symptoms followed.</summary>
    TrafficDriven = 1,

    /// <summary>Errors grew out of proportion to the load.</summary>
    ErrorAmplification = 2,

    /// <summary>Latency degraded without a traffic or change trigger.</summary>
    LatencyImpact = 3,

    /// <summary>A deploy or configuration change shortly before the onset is the likely trigger.</summary>
    ChangeInduced = 4,

    /// <summary>A resource (CPU, memory, disk, connections, queue) ran out first.</summary>
    ResourceSaturation = 5,
}

/// <summary>Ranks the likely causes of an episode. Implementations must be deterministic and thread-safe.</summary>
public interface IRootCauseRanker
{
    /// <summary>Analyses an episode.</summary>
    /// <param name="episode">The episode (its <see cref="Episode.RootCause"/> is ignored).</param>
    /// <param name="graph">The dependency graph; empty when the user supplied none.</param>
    /// <returns>The analysis.</returns>
    RootCauseAnalysis Analyze(Episode episode, DependencyGraph graph);
}
