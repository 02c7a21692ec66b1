using Orleans.Runtime;

namespace Aiops.Orleans;

/// <summary>
/// The cluster's decisions that require approval, in the order they were made: every replica lists the pending ones from
/// here, and an answer posted to any replica finds here the decision grain (the key) that records it. Persisted at every
/// change; an entry is dropped a day after its expiry (the approval queue's retention).
/// </summary>
internal sealed class ApprovalIndexGrain(
    [PersistentState("approvals", AiopsGrains.StorageName)] IPersistentState<ApprovalIndexState> state,
    TimeProvider time) : Grain, IApprovalIndexGrain
{
    private static readonly TimeSpan Retention = new Aiops.Gates.ApprovalQueueOptions().Retention;

    public async Task AddAsync(string decisionId, string idempotencyKey, string decisionJson, DateTimeOffset expiresAt)
    {
        Prune(time.GetUtcNow());
        if (state.State.Entries.Exists(e => e.DecisionId == decisionId))
        {
            return;
        }

        state.State.Entries.Add(new ApprovalIndexEntry { DecisionId = decisionId, IdempotencyKey = idempotencyKey, DecisionJson = decisionJson, ExpiresAt = expiresAt });
        await state.WriteStateAsync().ConfigureAwait(true);
    }

    public Task<string?> KeyOfAsync(string decisionId) =>
        Task.FromResult(state.State.Entries.Find(e => e.DecisionId == decisionId)?.IdempotencyKey);

    public async Task AnsweredAsync(string decisionId)
    {
        if (state.State.Entries.Find(e => e.DecisionId == decisionId) is { Answered: false } entry)
        {
            entry.Answered = true;
            await state.WriteStateAsync().ConfigureAwait(true);
        }
    }

    public Task<IReadOnlyList<PendingRecord>> ListPendingAsync()
    {
        var now = time.GetUtcNow();
        Prune(now);
        return Task.FromResult<IReadOnlyList<PendingRecord>>([.. state.State.Entries.Where(e => !e.Answered && now < e.ExpiresAt).Select(e => new PendingRecord(e.DecisionJson, e.ExpiresAt))]);
    }

    // In memory only: the next write persists it, and a pruned entry that comes back on a restart is pruned again.
    private void Prune(DateTimeOffset now) => state.State.Entries.RemoveAll(e => now - e.ExpiresAt >= Retention);
}
