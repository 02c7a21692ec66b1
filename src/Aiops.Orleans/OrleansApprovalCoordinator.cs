using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Aiops.Gates;
using Aiops.Gates.Serialization;
using Aiops.Hosting;

namespace Aiops.Orleans;

/// <summary>
/// The clustered <see cref="IApprovalCoordinator"/>: every replica lists the cluster's pending approvals (the
/// <see cref="IApprovalIndexGrain"/>), and an answer posted to any replica is recorded by the decision's
/// <see cref="IDecisionGrain"/>, first answer wins. The approved decision then runs through that grain's one admission,
/// so it runs at most once whichever replica polls it. Thread-safe.
/// </summary>
internal sealed class OrleansApprovalCoordinator(IGrainFactory grains) : IApprovalCoordinator
{
    private static readonly JsonTypeInfo<ApprovalRecord> ApprovalRecordInfo = (JsonTypeInfo<ApprovalRecord>)GatesJson.Options.GetTypeInfo(typeof(ApprovalRecord));

    private IApprovalIndexGrain Index => grains.GetGrain<IApprovalIndexGrain>(AiopsGrains.ApprovalIndexKey);

    public async ValueTask<IReadOnlyList<PendingApproval>> ListPendingAsync(CancellationToken cancellationToken)
    {
        var pending = await Index.ListPendingAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        return [.. pending.Select(static p => new PendingApproval(JsonSerializer.Deserialize(p.DecisionJson, GatesJson.Decision)!, p.ExpiresAt))];
    }

    public async ValueTask<ApprovalState> GetStateAsync(string decisionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decisionId);
        var key = await Index.KeyOfAsync(decisionId).WaitAsync(cancellationToken).ConfigureAwait(false);
        return key is null
            ? ApprovalState.None
            : (ApprovalState)await grains.GetGrain<IDecisionGrain>(key).GetApprovalStateAsync(decisionId).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<ApprovalResult> AnswerAsync(string decisionId, bool approve, string by, string why, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(decisionId) || string.IsNullOrWhiteSpace(by) || string.IsNullOrWhiteSpace(why))
        {
            return new ApprovalResult(ApprovalResultStatus.Invalid, null, "a decision id, who answers and why are required");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var key = await Index.KeyOfAsync(decisionId).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (key is null)
        {
            return new ApprovalResult(ApprovalResultStatus.NotPending, null, $"no decision awaits approval under '{decisionId}'");
        }

        // Not cancelled once sent: the grain's answer is durable or not at all, and the caller learns which.
        var outcome = await grains.GetGrain<IDecisionGrain>(key).AnswerAsync(decisionId, approve, by, why).ConfigureAwait(false);
        var record = outcome.RecordJson is { } json ? JsonSerializer.Deserialize(json, ApprovalRecordInfo) : null;
        return new ApprovalResult((ApprovalResultStatus)outcome.Status, record, outcome.Message);
    }
}
