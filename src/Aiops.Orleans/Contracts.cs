using Aiops.Gates;
using Orleans.Concurrency;

namespace Aiops.Orleans;

/// <summary>
/// One grain per idempotency key: it makes exactly one decision for its key (per retention) and admits at most one
/// execution, cluster-wide. Payloads are the JSON of <see cref="Aiops.Gates.Serialization.GatesJson"/>, so the grain contract needs no serializers of
/// the Aiops types.
/// </summary>
internal interface IDecisionGrain : IGrainWithStringKey
{
    /// <summary>Returns the key's decision (JSON of <see cref="Decision"/>), deciding it first when the key has none.</summary>
    Task<string> DecideAsync(string proposalJson);

    /// <summary>
    /// Claims the key's one execution for a decision (JSON of <see cref="Decision"/>), re-checking the gates on the cluster's
    /// history. Refused unless the decision equals, in every field, the one the grain recorded (an altered decision never
    /// runs). <paramref name="claimToken"/> names the caller's execution attempt: asked again with the same token while the
    /// claim it made holds and no outcome is recorded (its reply was lost), the grain admits again, without a second start;
    /// any other caller gets <see cref="ExecutionStatus.Duplicate"/>.
    /// </summary>
    Task<Admission> AdmitAsync(string decisionJson, string claimToken);

    /// <summary>Records how the admitted execution ended (JSON of an <see cref="ExecutionEntry"/>).</summary>
    Task RecordOutcomeAsync(string executionJson);

    /// <summary>Gets what the grain holds, for the audit API and tests.</summary>
    Task<DecisionSummary> GetSummaryAsync();

    /// <summary>Answers the key's require-approval decision (first answer wins); durable before it returns.</summary>
    Task<ApprovalOutcome> AnswerAsync(string decisionId, bool approve, string by, string why);

    /// <summary>Gets where the approval of a decision stands (an <see cref="ApprovalState"/>, as a number).</summary>
    Task<int> GetApprovalStateAsync(string decisionId);

    /// <summary>
    /// Gets whether the key still needs a remediation stage: it has no decision within the retention, or its decision may
    /// still run (allowed and not yet claimed, or waiting for approval, or approved and not yet claimed). Interleaved: it
    /// answers while a decision of the key is being made (a slow gate holds the grain up to its timeout), reading it as
    /// needed.
    /// </summary>
    [AlwaysInterleave]
    Task<bool> NeedsRemediationAsync();
}

/// <summary>The cluster's list of decisions that require approval: which key each belongs to, and which wait for an answer.</summary>
internal interface IApprovalIndexGrain : IGrainWithStringKey
{
    /// <summary>Lists a decision that waits for approval until <paramref name="expiresAt"/>.</summary>
    Task AddAsync(string decisionId, string idempotencyKey, string decisionJson, DateTimeOffset expiresAt);

    /// <summary>Gets the idempotency key of a listed decision, or <see langword="null"/>.</summary>
    Task<string?> KeyOfAsync(string decisionId);

    /// <summary>Marks a decision answered: it is no longer listed as pending (its key stays known until pruned).</summary>
    Task AnsweredAsync(string decisionId);

    /// <summary>Gets the decisions waiting for an answer now, oldest first.</summary>
    Task<IReadOnlyList<PendingRecord>> ListPendingAsync();
}

/// <summary>How an answer to a decision's approval went.</summary>
/// <param name="Status">The <see cref="ApprovalResultStatus"/>, as a number.</param>
/// <param name="RecordJson">The recorded answer (JSON of an <see cref="ApprovalRecord"/>), or <see langword="null"/>.</param>
/// <param name="Message">Why.</param>
[GenerateSerializer]
[Immutable]
internal sealed record ApprovalOutcome([property: Id(0)] int Status, [property: Id(1)] string? RecordJson, [property: Id(2)] string Message);

/// <summary>A decision waiting for approval, as the index lists it.</summary>
/// <param name="DecisionJson">The decision (JSON of <see cref="Decision"/>).</param>
/// <param name="ExpiresAt">When an unanswered approval becomes a deny.</param>
[GenerateSerializer]
[Immutable]
internal sealed record PendingRecord([property: Id(0)] string DecisionJson, [property: Id(1)] DateTimeOffset ExpiresAt);

/// <summary>One decision of the approval index.</summary>
[GenerateSerializer]
internal sealed class ApprovalIndexEntry
{
    [Id(0)] public string DecisionId { get; set; } = string.Empty;

    [Id(1)] public string IdempotencyKey { get; set; } = string.Empty;

    [Id(2)] public string DecisionJson { get; set; } = string.Empty;

    [Id(3)] public DateTimeOffset ExpiresAt { get; set; }

    [Id(4)] public bool Answered { get; set; }
}

/// <summary>The persisted state of the <see cref="IApprovalIndexGrain"/>, oldest first.</summary>
[GenerateSerializer]
internal sealed class ApprovalIndexState
{
    [Id(0)] public List<ApprovalIndexEntry> Entries { get; set; } = [];
}

/// <summary>The cluster's execution history in one grain: gates re-checked and starts recorded as one step, cluster-wide.</summary>
internal interface IRemediationHistoryGrain : IGrainWithStringKey
{
    /// <summary>Gets every start within the history's retention.</summary>
    Task<IReadOnlyList<StartRecord>> GetStartsAsync();

    /// <summary>Re-checks the gates on the cluster's history and, unless they are now stricter, records the start.</summary>
    Task<Admission> AdmitAsync(string decisionJson);

    /// <summary>Marks a started execution as finished (no longer running).</summary>
    Task FinishAsync(string decisionId);
}

/// <summary>One grain per correlation scope: it owns the scope's correlator.</summary>
internal interface ICorrelationScopeGrain : IGrainWithStringKey
{
    /// <summary>Correlates one signal (JSON of a <see cref="Aiops.Correlation.Signal"/>).</summary>
    Task AddAsync(string signalJson);

    /// <summary>Gets the scope's open episodes (JSON list of <see cref="Aiops.Correlation.Episode"/>).</summary>
    Task<string> GetEpisodesAsync();

    /// <summary>
    /// Activates the scope if it is not (on a survivor, when its silo died) and offers this silo's remediation stage every
    /// open episode whose proposals still need one (a key without a decision, or whose decision may still run).
    /// </summary>
    /// <returns>How many episodes were offered.</returns>
    Task<int> ResumeAsync();
}

/// <summary>
/// The cluster's list of correlation scopes that hold open episodes. Its timer resumes each of them every
/// <see cref="AiopsOrleansOptions.ResumeInterval"/>, so a scope whose silo died comes back on a survivor and offers its
/// undecided episodes again, without waiting for its next signal; every replica wakes the index at that interval, so
/// the index itself comes back the same way.
/// </summary>
internal interface IScopeIndexGrain : IGrainWithStringKey
{
    /// <summary>Records whether a scope holds open episodes (listed) or not (dropped).</summary>
    Task SetAsync(string scope, bool open);

    /// <summary>Activates the index if it is not; its activation resumes every listed scope at once.</summary>
    Task WakeAsync();

    /// <summary>Gets the listed scopes (tests).</summary>
    Task<IReadOnlyList<string>> ListAsync();
}

/// <summary>One hour of the cluster's audit log: the decision, approval and execution records of every silo.</summary>
internal interface IClusterAuditGrain : IGrainWithStringKey
{
    /// <summary>Appends one record (JSON of an <see cref="AuditEntry"/>); durable before the task completes.</summary>
    Task AppendAsync(string entryJson);

    /// <summary>Gets the hour's records, oldest first.</summary>
    Task<IReadOnlyList<string>> ReadAsync();
}

/// <summary>The persisted state of an <see cref="IClusterAuditGrain"/>.</summary>
[GenerateSerializer]
internal sealed class ClusterAuditState
{
    [Id(0)] public List<string> Entries { get; set; } = [];
}

/// <summary>The persisted state of the <see cref="IScopeIndexGrain"/>.</summary>
[GenerateSerializer]
internal sealed class ScopeIndexState
{
    [Id(0)] public List<string> Scopes { get; set; } = [];
}

/// <summary>Whether an execution may start.</summary>
/// <param name="Admitted">Whether it may start (the key is now claimed and the start recorded).</param>
/// <param name="Status">When refused: the <see cref="ExecutionStatus"/> to record, as a number.</param>
/// <param name="Detail">Why.</param>
/// <param name="At">When it was decided.</param>
[GenerateSerializer]
[Immutable]
internal sealed record Admission([property: Id(0)] bool Admitted, [property: Id(1)] int Status, [property: Id(2)] string Detail, [property: Id(3)] DateTimeOffset At)
{
    public static Admission Refuse(ExecutionStatus status, string detail, DateTimeOffset at) => new(false, (int)status, detail, at);
}

/// <summary>What a decision grain holds.</summary>
/// <param name="DecisionJson">The decision, or <see langword="null"/>.</param>
/// <param name="Decisions">How many decisions the key has had (more than one only after the retention).</param>
/// <param name="Executions">How many executions it admitted.</param>
/// <param name="OutcomeJson">The last execution's outcome, or <see langword="null"/>.</param>
[GenerateSerializer]
[Immutable]
internal sealed record DecisionSummary([property: Id(0)] string? DecisionJson, [property: Id(1)] int Decisions, [property: Id(2)] int Executions, [property: Id(3)] string? OutcomeJson);

/// <summary>One execution start in the cluster's history.</summary>
[GenerateSerializer]
[Immutable]
internal sealed record StartRecord(
    [property: Id(0)] string DecisionId,
    [property: Id(1)] string ActionId,
    [property: Id(2)] string[] Targets,
    [property: Id(3)] DateTimeOffset At,
    [property: Id(4)] bool Running);

/// <summary>The persisted state of a <see cref="IDecisionGrain"/>.</summary>
[GenerateSerializer]
internal sealed class DecisionState
{
    [Id(0)] public string? DecisionJson { get; set; }

    [Id(1)] public DateTimeOffset DecidedAt { get; set; }

    [Id(2)] public int Decisions { get; set; }

    [Id(3)] public string? ClaimedBy { get; set; }

    [Id(4)] public int Executions { get; set; }

    [Id(5)] public string? OutcomeJson { get; set; }

    [Id(6)] public DateTimeOffset ApprovalExpiresAt { get; set; }

    [Id(7)] public string? ApprovalJson { get; set; }

    /// <summary>Whether the decision is in the cluster's audit log (<see cref="IClusterAuditGrain"/>).</summary>
    [Id(8)] public bool Audited { get; set; }

    /// <summary>
    /// The execution attempt that claimed the key (<see cref="IDecisionGrain.AdmitAsync"/>), or <see langword="null"/>
    /// (not claimed, or claimed by a version that did not record it: then every retry is a duplicate).
    /// </summary>
    [Id(9)] public string? ClaimToken { get; set; }

    /// <summary>When the key was claimed (the start recorded in the cluster's history); <see langword="null"/> when not known.</summary>
    [Id(10)] public DateTimeOffset? ClaimedAt { get; set; }

    /// <summary>
    /// Whether the decision, one that requires approval, is listed in the <see cref="IApprovalIndexGrain"/>; <see langword="false"/>
    /// in state written before it was recorded (the next decide of the key lists it again, which the index ignores when known).
    /// </summary>
    [Id(11)] public bool Indexed { get; set; }

    /// <summary>A shallow copy (every member is a value or an immutable string): the state to restore when a write fails.</summary>
    internal DecisionState Copy() => (DecisionState)MemberwiseClone();
}

/// <summary>The persisted state of the <see cref="IRemediationHistoryGrain"/>.</summary>
[GenerateSerializer]
internal sealed class HistoryState
{
    [Id(0)] public List<StartRecord> Starts { get; set; } = [];
}

/// <summary>The persisted state of a <see cref="ICorrelationScopeGrain"/>: its open episodes.</summary>
[GenerateSerializer]
internal sealed class ScopeState
{
    [Id(0)] public string? EpisodesJson { get; set; }
}
