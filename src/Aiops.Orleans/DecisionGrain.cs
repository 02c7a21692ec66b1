using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Aiops.Gates;
using Aiops.Gates.Serialization;
using Orleans.Runtime;

namespace Aiops.Orleans;

/// <summary>
/// The decision of one idempotency key, cluster-wide. Orleans keeps one activation per key and runs its calls one at a time,
/// so concurrent proposals of the key from any silo get the one decision, and only the first admission of it starts.
/// The gates are this silo's (<see cref="DecisionEngine.Pipeline"/>, the same configuration on every silo), evaluated on the
/// cluster's execution history; the decision is written to grain storage before it is returned.
/// </summary>
internal sealed class DecisionGrain(
    [PersistentState("decision", AiopsGrains.StorageName)] IPersistentState<DecisionState> state,
    DecisionEngine engine,
    IAuditLog auditLog,
    GatesTelemetry telemetry,
    TimeProvider time) : Grain, IDecisionGrain
{
    public async Task<string> DecideAsync(string proposalJson)
    {
        var now = time.GetUtcNow();
        if (state.State.DecisionJson is { } known && now - state.State.DecidedAt < engine.Retention)
        {
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
            RemediationHistoryGrain.ToHistory(starts, time),
            new ApprovalQueue(new InMemoryAuditLog(), new ApprovalQueueOptions { ApprovalTimeout = engine.Approvals.ApprovalTimeout, Telemetry = telemetry }, time),
            new DecisionEngineOptions { Retention = engine.Retention, DryRun = engine.DryRun, Telemetry = telemetry },
            time);
        var decided = await local.DecideAsync(proposal).ConfigureAwait(true);
        var decision = decided with { DecisionId = DecisionId(this.GetPrimaryKeyString(), state.State.Decisions + 1) };
        var json = JsonSerializer.Serialize(decision, GatesJson.Decision);

        state.State.DecisionJson = json;
        state.State.DecidedAt = decision.DecidedAt;
        state.State.Decisions++;
        state.State.ClaimedBy = null;
        state.State.OutcomeJson = null;
        await state.WriteStateAsync().ConfigureAwait(true);

        // The grain's storage is the cluster's record; this silo's audit log shows it too.
        await auditLog.AppendAsync(new DecisionEntry(decision)).ConfigureAwait(true);
        return json;
    }

    public async Task<Admission> AdmitAsync(string decisionId)
    {
        var now = time.GetUtcNow();
        if (state.State.DecisionJson is not { } json || now - state.State.DecidedAt >= engine.Retention
            || JsonSerializer.Deserialize(json, GatesJson.Decision) is not { } decision || decision.DecisionId != decisionId)
        {
            return Admission.Refuse(ExecutionStatus.Denied, $"decision '{decisionId}' is not the one the cluster recorded for its key (unknown, replaced, or older than the retention): only recorded decisions run", now);
        }

        if (state.State.ClaimedBy is { } claimed)
        {
            return Admission.Refuse(ExecutionStatus.Duplicate, $"the idempotency key was already taken by decision {claimed}: it runs at most once in the cluster", now);
        }

        if (decision.Verdict != GateVerdict.Allow || decision.DryRun)
        {
            return Admission.Refuse(
                decision.DryRun ? ExecutionStatus.DryRun : decision.Verdict == GateVerdict.Deny ? ExecutionStatus.Denied : ExecutionStatus.AwaitingApproval,
                decision.DryRun ? "dry run: nothing was changed" : $"the decision's verdict is {decision.Verdict}: only allowed decisions run in a cluster",
                now);
        }

        var admission = await GrainFactory.GetGrain<IRemediationHistoryGrain>(AiopsGrains.HistoryKey).AdmitAsync(json).ConfigureAwait(true);
        if (admission.Admitted)
        {
            state.State.ClaimedBy = decisionId;
            state.State.Executions++;
            await state.WriteStateAsync().ConfigureAwait(true);
        }

        return admission;
    }

    public async Task RecordOutcomeAsync(string executionJson)
    {
        state.State.OutcomeJson = executionJson;
        await state.WriteStateAsync().ConfigureAwait(true);
        if (state.State.ClaimedBy is { } claimed)
        {
            await GrainFactory.GetGrain<IRemediationHistoryGrain>(AiopsGrains.HistoryKey).FinishAsync(claimed).ConfigureAwait(true);
        }
    }

    public Task<DecisionSummary> GetSummaryAsync() =>
        Task.FromResult(new DecisionSummary(state.State.DecisionJson, state.State.Decisions, state.State.Executions, state.State.OutcomeJson));

    /// <summary>A cluster-wide decision id: <c>dec-</c>, 16 hex digits of the key's SHA-256, and the key's decision count.</summary>
    internal static string DecisionId(string key, int generation)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        return string.Create(CultureInfo.InvariantCulture, $"dec-{Convert.ToHexStringLower(hash[..8])}-{generation}");
    }
}
