namespace Aiops.Gates;

/// <summary>
/// A proposed remediation: what to run, on what, how risky it is, why, and the key that makes it run at most once.
/// Immutable and thread-safe.
/// </summary>
/// <param name="ActionId">The registered action to run (see <see cref="IRemediationAction.Id"/>).</param>
/// <param name="Targets">What the action acts on (instances, deployments, feature flags); at least one.</param>
/// <param name="Risk">How much harm the action can do if it is wrong.</param>
/// <param name="EpisodeId">The episode (incident) the proposal comes from.</param>
/// <param name="Confidence">How sure the proposer is that the action fits the episode, in [0, 1].</param>
/// <param name="IdempotencyKey">Identifies the proposal across retries and replays (for example the Alertmanager group key plus the action); a key runs at most once.</param>
/// <param name="ProposedAt">When the proposal was made.</param>
public sealed record RemediationProposal(
    string ActionId,
    IReadOnlyList<string> Targets,
    RiskClass Risk,
    string EpisodeId,
    double Confidence,
    string IdempotencyKey,
    DateTimeOffset ProposedAt)
{
    /// <summary>Gets the evidence the proposal is based on (episode summary, root-cause lines), for the audit log. Default: empty.</summary>
    public IReadOnlyList<string> Evidence { get; init; } = [];

    /// <summary>Gets the labels of the episode's alerts, for silence and scope matching. Default: empty.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets the size of the fleet the targets belong to, for blast-radius shares; <see langword="null"/> when unknown. Default: <see langword="null"/>.</summary>
    public int? FleetSize { get; init; }
}

/// <summary>How much harm an action can do if it is wrong.</summary>
public enum RiskClass
{
    /// <summary>Harmless and reversible (a cache flush, a feature-flag toggle).</summary>
    Low = 0,

    /// <summary>Reversible with some impact (a restart of one instance, a scale-out).</summary>
    Medium = 1,

    /// <summary>Hard to reverse or wide impact (a rollback, a failover); needs a person by default.</summary>
    High = 2,

    /// <summary>Loses data or capacity (deleting, scaling to zero); never automatic.</summary>
    Destructive = 3,
}
