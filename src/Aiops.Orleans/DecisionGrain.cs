using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Aiops.Gates;
using Aiops.Gates.Serialization;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace Aiops.Orleans;

/// <summary>
/// The decision of one idempotency key, cluster-wide. Orleans keeps one activation per key and runs its calls one at a time,
/// so concurrent proposals of the key from any silo get the one decision, and only the first admission of it starts.
/// The gates are this silo's (<see cref="DecisionEngine.Pipeline"/>, the same configuration on every silo), evaluated on the
/// cluster's execution history; the decision is written to grain storage before it is returned. A decision that requires
/// approval is listed in the <see cref="IApprovalIndexGrain"/> (again by the key's next decide when that failed); its first
/// answer, from any silo, is recorded here, and only an approved one is admitted. State changes count only once stored:
/// a write that fails puts the state back, so nothing is admitted on what the store does not hold.
/// </summary>
internal sealed class DecisionGrain(
    [PersistentState("decision", AiopsGrains.StorageName)] IPersistentState<DecisionState> state,
    DecisionEngine engine,
    IAuditLog auditLog,
    GatesTelemetry telemetry,
    IOptions<AiopsOrleansOptions> options,
    TimeProvider time) : Grain, IDecisionGrain
{
    public async Task<string> DecideAsync(string proposalJson)
    {
        var now = time.GetUtcNow();
        if (state.State.DecisionJson is { } known && now - state.State.DecidedAt < engine.Retention)
        {
            if (!state.State.Audited)
            {
                // Its silo died between recording the decision and auditing it: the cluster's audit gets it now.
                await AuditDecisionAsync(known, now).ConfigureAwait(true);
            }

            // The index could not be told (its silo unreachable), or its silo died first: it is told now.
            await IndexAsync(JsonSerializer.Deserialize(known, GatesJson.Decision)!).ConfigureAwait(true);
            return known;
        }

        var proposal = JsonSerializer.Deserialize(proposalJson, GatesJson.RemediationProposal);
        var starts = await GrainFactory.GetGrain<IRemediationHistoryGrain>(AiopsGrains.HistoryKey).GetStartsAsync().ConfigureAwait(true);

        // A throwaway engine reuses validation, risk raising and the registry check; its decision is renamed into the
        // cluster's id space (the engine's own ids are per process).
        var local = new DecisionEngine(
            engine.Pipeline,
            new InMemoryAuditLog(),
            engine.Actions,
            RemediationHistoryGrain.ToHistory(starts, time, options.Value.RunningBound),
            new ApprovalQueue(new InMemoryAuditLog(), new ApprovalQueueOptions { ApprovalTimeout = engine.Approvals.ApprovalTimeout, Telemetry = telemetry }, time),
            new DecisionEngineOptions { Retention = engine.Retention, DryRun = engine.DryRun, Telemetry = telemetry },
            time);
        var decided = await local.DecideAsync(proposal).ConfigureAwait(true);
        var decision = decided with { DecisionId = DecisionId(this.GetPrimaryKeyString(), state.State.Decisions + 1) };
        var json = JsonSerializer.Serialize(decision, GatesJson.Decision);

        await WriteAsync(s =>
        {
            s.DecisionJson = json;
            s.DecidedAt = decision.DecidedAt;
            s.Decisions++;
            s.ClaimedBy = null;
            s.ClaimToken = null;
            s.ClaimedAt = null;
            s.OutcomeJson = null;
            s.ApprovalJson = null;
            s.ApprovalExpiresAt = decision.DecidedAt + engine.Approvals.ApprovalTimeout;
            s.Audited = false;
            s.Indexed = false;
        }).ConfigureAwait(true);
        await AuditDecisionAsync(json, now).ConfigureAwait(true);

        // The grain's storage is the cluster's record; this silo's audit log shows it too.
        await auditLog.AppendAsync(new DecisionEntry(decision)).ConfigureAwait(true);
        await IndexAsync(decision).ConfigureAwait(true);
        return json;
    }

    public async Task<Admission> AdmitAsync(string decisionJson, string claimToken)
    {
        var now = time.GetUtcNow();
        var offered = Read(decisionJson);
        if (state.State.DecisionJson is not { } json || Current(now) is not { } decision || offered is null || !SameDecision(decision, offered))
        {
            return Admission.Refuse(ExecutionStatus.Denied, $"decision '{offered?.DecisionId}' is not the one the cluster recorded for its key (unknown, altered, replaced, or older than the retention): only recorded decisions run", now);
        }

        if (state.State.ClaimedBy is { } claimed)
        {
            // The same attempt asking again (its first reply was lost, the claim is its own and nothing ran to an end yet) is
            // admitted again; its start is already in the history. Any other attempt is a duplicate.
            return claimed == decision.DecisionId && !string.IsNullOrEmpty(claimToken) && claimToken == state.State.ClaimToken
                && state.State.OutcomeJson is null && state.State.ClaimedAt is { } claimedAt
                ? new Admission(true, 0, "admitted (asked again by the attempt that claimed the key)", claimedAt)
                : Admission.Refuse(ExecutionStatus.Duplicate, $"the idempotency key was already taken by decision {claimed}: it runs at most once in the cluster", now);
        }

        if (AwaitsApproval(decision))
        {
            var approval = ApprovalStateOf(now);
            if (approval != ApprovalState.Approved)
            {
                return approval switch
                {
                    ApprovalState.Rejected => Admission.Refuse(ExecutionStatus.Rejected, $"the approval was rejected: {Answer()?.By}: {Answer()?.Why}", now),
                    ApprovalState.Expired => Admission.Refuse(ExecutionStatus.ApprovalExpired, $"no answer before {state.State.ApprovalExpiresAt:O}; an expired approval is a deny", now),
                    _ => Admission.Refuse(ExecutionStatus.AwaitingApproval, "the decision still waits for a person's approval", now),
                };
            }
        }
        else if (decision.Verdict != GateVerdict.Allow || decision.DryRun)
        {
            return Admission.Refuse(
                decision.DryRun ? ExecutionStatus.DryRun : decision.Verdict == GateVerdict.Deny ? ExecutionStatus.Denied : ExecutionStatus.AwaitingApproval,
                decision.DryRun ? "dry run: nothing was changed" : $"the decision's verdict is {decision.Verdict}: only allowed decisions run in a cluster",
                now);
        }

        var admission = await GrainFactory.GetGrain<IRemediationHistoryGrain>(AiopsGrains.HistoryKey).AdmitAsync(json).ConfigureAwait(true);
        if (admission.Admitted)
        {
            state.State.ClaimedBy = decision.DecisionId;
            state.State.Executions++;
            state.State.ClaimToken = claimToken;
            state.State.ClaimedAt = admission.At;
            try
            {
                await state.WriteStateAsync().ConfigureAwait(true);
            }
            catch
            {
                // The claim stays in memory (at most once); without its token, a retry of this attempt is a duplicate too,
                // so nothing runs on a claim the store may not hold.
                state.State.ClaimToken = null;
                throw;
            }
        }

        return admission;
    }

    public async Task RecordOutcomeAsync(string executionJson)
    {
        await WriteAsync(s => s.OutcomeJson = executionJson).ConfigureAwait(true);
        await ClusterAudit.AppendAsync(GrainFactory, time.GetUtcNow(), executionJson).ConfigureAwait(true);
        if (state.State.ClaimedBy is { } claimed)
        {
            await GrainFactory.GetGrain<IRemediationHistoryGrain>(AiopsGrains.HistoryKey).FinishAsync(claimed).ConfigureAwait(true);
        }
    }

    public async Task<ApprovalOutcome> AnswerAsync(string decisionId, bool approve, string by, string why)
    {
        var now = time.GetUtcNow();
        if (string.IsNullOrWhiteSpace(decisionId) || string.IsNullOrWhiteSpace(by) || string.IsNullOrWhiteSpace(why))
        {
            return new((int)ApprovalResultStatus.Invalid, null, "a decision id, who answers and why are required");
        }

        if (Current(now) is not { } decision || decision.DecisionId != decisionId || !AwaitsApproval(decision))
        {
            return new((int)ApprovalResultStatus.NotPending, null, $"no decision awaits approval under '{decisionId}'");
        }

        if (state.State.ApprovalJson is { } answered)
        {
            return new((int)ApprovalResultStatus.AlreadyAnswered, answered, "the decision was already answered");
        }

        if (now >= state.State.ApprovalExpiresAt)
        {
            return new((int)ApprovalResultStatus.Expired, null, $"the approval expired at {state.State.ApprovalExpiresAt:O}; an expired approval is a deny");
        }

        // Calls to one grain run one at a time: the first answer is recorded, every later one finds it above. It counts only
        // once stored: a write that fails leaves the decision unanswered (no admission on an answer the store does not hold).
        var record = new ApprovalRecord(decisionId, approve, by, why, now);
        var json = JsonSerializer.Serialize(record, ApprovalRecordInfo);
        await WriteAsync(s => s.ApprovalJson = json).ConfigureAwait(true);
        await auditLog.AppendAsync(new ApprovalEntry(record)).ConfigureAwait(true);
        await ClusterAudit.AppendAsync(GrainFactory, now, JsonSerializer.Serialize<AuditEntry>(new ApprovalEntry(record), GatesJson.AuditEntry)).ConfigureAwait(true);
        await GrainFactory.GetGrain<IApprovalIndexGrain>(AiopsGrains.ApprovalIndexKey).AnsweredAsync(decisionId).ConfigureAwait(true);
        var outcome = approve ? "approved" : "rejected";
        return new((int)(approve ? ApprovalResultStatus.Approved : ApprovalResultStatus.Rejected), json, $"decision {decisionId} {outcome} by {by}");
    }

    public Task<int> GetApprovalStateAsync(string decisionId)
    {
        var now = time.GetUtcNow();
        var known = Current(now) is { } decision && decision.DecisionId == decisionId && AwaitsApproval(decision);
        return Task.FromResult((int)(known ? ApprovalStateOf(now) : ApprovalState.None));
    }

    public Task<bool> NeedsRemediationAsync()
    {
        var now = time.GetUtcNow();
        if (Current(now) is not { } decision)
        {
            return Task.FromResult(true);
        }

        if (state.State.ClaimedBy is not null || decision.DryRun)
        {
            return Task.FromResult(false);
        }

        return Task.FromResult(decision.Verdict == GateVerdict.Allow
            || (AwaitsApproval(decision) && ApprovalStateOf(now) is ApprovalState.Pending or ApprovalState.Approved));
    }

    public Task<DecisionSummary> GetSummaryAsync() =>
        Task.FromResult(new DecisionSummary(state.State.DecisionJson, state.State.Decisions, state.State.Executions, state.State.OutcomeJson));

    /// <summary>Appends the key's decision to the cluster's audit log, then marks it audited.</summary>
    private async Task AuditDecisionAsync(string decisionJson, DateTimeOffset now)
    {
        var decision = JsonSerializer.Deserialize(decisionJson, GatesJson.Decision)!;
        await ClusterAudit.AppendAsync(GrainFactory, now, JsonSerializer.Serialize<AuditEntry>(new DecisionEntry(decision), GatesJson.AuditEntry)).ConfigureAwait(true);
        await WriteAsync(static s => s.Audited = true).ConfigureAwait(true);
    }

    /// <summary>
    /// Lists a decision that waits for an answer in the approval index (for every replica; an answer posted to any of them
    /// comes back here by the key), then marks it listed. Adding is idempotent, so a listing that failed, or whose mark
    /// did not get stored, is simply done again by the key's next decide.
    /// </summary>
    private async Task IndexAsync(Decision decision)
    {
        if (state.State.Indexed || !AwaitsApproval(decision) || state.State.ApprovalJson is not null)
        {
            return;
        }

        await GrainFactory.GetGrain<IApprovalIndexGrain>(AiopsGrains.ApprovalIndexKey)
            .AddAsync(decision.DecisionId, this.GetPrimaryKeyString(), state.State.DecisionJson!, state.State.ApprovalExpiresAt).ConfigureAwait(true);
        await WriteAsync(static s => s.Indexed = true).ConfigureAwait(true);
    }

    /// <summary>
    /// Changes the state and writes it; when the write fails the state is put back as it was, so the grain never acts on
    /// what the store does not hold (the caller gets the failure and may ask again).
    /// </summary>
    private async Task WriteAsync(Action<DecisionState> change)
    {
        var previous = state.State.Copy();
        change(state.State);
        try
        {
            await state.WriteStateAsync().ConfigureAwait(true);
        }
        catch
        {
            state.State = previous;
            throw;
        }
    }

    private static readonly System.Text.Json.Serialization.Metadata.JsonTypeInfo<ApprovalRecord> ApprovalRecordInfo =
        (System.Text.Json.Serialization.Metadata.JsonTypeInfo<ApprovalRecord>)GatesJson.Options.GetTypeInfo(typeof(ApprovalRecord));

    /// <summary>Whether a decision waits for a person before it may run (dry-run decisions never run).</summary>
    private static bool AwaitsApproval(Decision decision) => decision.Verdict == GateVerdict.RequireApproval && !decision.DryRun;

    /// <summary>
    /// Whether two decisions are the same in every field: compared as their JSON (the records' own equality compares their
    /// lists by reference, and a decision that crossed the wire is always another instance).
    /// </summary>
    private static bool SameDecision(Decision recorded, Decision offered) =>
        string.Equals(JsonSerializer.Serialize(recorded, GatesJson.Decision), JsonSerializer.Serialize(offered, GatesJson.Decision), StringComparison.Ordinal);

    /// <summary>Reads a caller's decision, or <see langword="null"/> when it is not one.</summary>
    private static Decision? Read(string? json)
    {
        try
        {
            return json is null ? null : JsonSerializer.Deserialize(json, GatesJson.Decision);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The key's decision within the retention, or <see langword="null"/>.</summary>
    private Decision? Current(DateTimeOffset now) =>
        state.State.DecisionJson is { } json && now - state.State.DecidedAt < engine.Retention ? JsonSerializer.Deserialize(json, GatesJson.Decision) : null;

    private ApprovalRecord? Answer() => state.State.ApprovalJson is { } json ? JsonSerializer.Deserialize(json, ApprovalRecordInfo) : null;

    private ApprovalState ApprovalStateOf(DateTimeOffset now) => Answer() switch
    {
        { Approved: true } => ApprovalState.Approved,
        { Approved: false } => ApprovalState.Rejected,
        null when now < state.State.ApprovalExpiresAt => ApprovalState.Pending,
        _ => ApprovalState.Expired,
    };

    /// <summary>A cluster-wide decision id: <c>dec-</c>, 16 hex digits of the key's SHA-256, and the key's decision count.</summary>
    internal static string DecisionId(string key, int generation)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        return string.Create(CultureInfo.InvariantCulture, $"dec-{Convert.ToHexStringLower(hash[..8])}-{generation}");
    }
}
