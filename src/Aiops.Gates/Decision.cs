using System.Text.Json.Serialization;

namespace Aiops.Gates;

/// <summary>
/// The pipeline's decision on one proposal: every gate's verdict and the final one. Immutable; this is what the audit log
/// records before the decision is reported as made.
/// </summary>
/// <param name="DecisionId">A unique id (deterministic for the same proposals and clock: <c>dec-</c> + a sequence).</param>
/// <param name="Proposal">The proposal.</param>
/// <param name="Evaluations">Every gate's verdict, in pipeline order.</param>
/// <param name="Verdict">The final verdict: deny wins over require-approval, which wins over allow.</param>
/// <param name="DecidedAt">When the decision was made.</param>
/// <param name="DryRun">Whether the global dry-run switch was on: the decision is recorded but never executed.</param>
public sealed record Decision(
    string DecisionId,
    RemediationProposal Proposal,
    IReadOnlyList<GateEvaluation> Evaluations,
    GateVerdict Verdict,
    DateTimeOffset DecidedAt,
    bool DryRun)
{
    /// <summary>Gets the gates whose verdict made the final one (the denying gates, or those requiring approval).</summary>
    [JsonIgnore]
    public IEnumerable<GateEvaluation> DecisiveGates => Evaluations.Where(e => e.Verdict == Verdict && Verdict != GateVerdict.Allow);
}

/// <summary>One gate's verdict within a decision.</summary>
/// <param name="Gate">The gate's name.</param>
/// <param name="Verdict">Its verdict (deny when it threw or timed out).</param>
/// <param name="Reason">Its reason, or what went wrong.</param>
/// <param name="Data">Its figures, or <see langword="null"/>.</param>
/// <param name="Elapsed">How long it took.</param>
/// <param name="Failure">The exception type and message when the gate threw or timed out; <see langword="null"/> otherwise.</param>
public sealed record GateEvaluation(string Gate, GateVerdict Verdict, string Reason, IReadOnlyDictionary<string, string>? Data, TimeSpan Elapsed, string? Failure = null);

/// <summary>An approval or rejection of a decision that required one.</summary>
/// <param name="DecisionId">The decision.</param>
/// <param name="Approved">Whether it was approved.</param>
/// <param name="By">Who decided.</param>
/// <param name="Why">Why.</param>
/// <param name="At">When.</param>
public sealed record ApprovalRecord(string DecisionId, bool Approved, string By, string Why, DateTimeOffset At);

/// <summary>What happened when a decision reached the executor.</summary>
/// <param name="DecisionId">The decision.</param>
/// <param name="ActionId">The action.</param>
/// <param name="IdempotencyKey">The proposal's idempotency key.</param>
/// <param name="Status">The outcome.</param>
/// <param name="StartedAt">When the executor took it up.</param>
/// <param name="FinishedAt">When it finished.</param>
/// <param name="Detail">What the action reported, or why it did not run.</param>
public sealed record ExecutionRecord(string DecisionId, string ActionId, string IdempotencyKey, ExecutionStatus Status, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, string Detail);

/// <summary>Outcomes of an execution attempt.</summary>
public enum ExecutionStatus
{
    /// <summary>The action ran and reported success.</summary>
    Succeeded = 0,

    /// <summary>The action ran and reported failure, or threw.</summary>
    Failed = 1,

    /// <summary>The action exceeded its timeout and was cancelled.</summary>
    TimedOut = 2,

    /// <summary>Not run: the decision was denied.</summary>
    Denied = 3,

    /// <summary>Not run: it required approval and none was given (yet).</summary>
    AwaitingApproval = 4,

    /// <summary>Not run: a person rejected it.</summary>
    Rejected = 5,

    /// <summary>Not run: the approval came after it expired, or never came.</summary>
    ApprovalExpired = 6,

    /// <summary>Not run: the idempotency key already ran within its retention.</summary>
    Duplicate = 7,

    /// <summary>Not run: the global dry-run switch was on.</summary>
    DryRun = 8,

    /// <summary>Not run: no action is registered under the id.</summary>
    UnknownAction = 9,
}

/// <summary>One line of the audit log: a decision, an approval, or an execution outcome.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(DecisionEntry), "decision")]
[JsonDerivedType(typeof(ApprovalEntry), "approval")]
[JsonDerivedType(typeof(ExecutionEntry), "execution")]
public abstract record AuditEntry;

/// <summary>A decision was made.</summary>
/// <param name="Decision">The decision.</param>
public sealed record DecisionEntry(Decision Decision) : AuditEntry;

/// <summary>A person approved or rejected a decision.</summary>
/// <param name="Approval">The approval.</param>
public sealed record ApprovalEntry(ApprovalRecord Approval) : AuditEntry;

/// <summary>The executor handled a decision.</summary>
/// <param name="Execution">The outcome.</param>
public sealed record ExecutionEntry(ExecutionRecord Execution) : AuditEntry;

/// <summary>
/// The append-only record of every decision, approval and execution. <see cref="AppendAsync"/> completes only once the entry
/// is durable, so a decision is never reported before it is recorded. Implementations are thread-safe.
/// </summary>
public interface IAuditLog
{
    /// <summary>Appends an entry and makes it durable.</summary>
    /// <param name="entry">The entry.</param>
    /// <param name="cancellationToken">Cancels before the write starts; a write in progress completes.</param>
    /// <returns>A task that completes when the entry is durable.</returns>
    ValueTask AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Reads every entry, oldest first (for replay after a restart and for the audit API).</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The entries.</returns>
    IAsyncEnumerable<AuditEntry> ReadAllAsync(CancellationToken cancellationToken = default);
}
