using Aiops.Gates;

namespace Aiops.Hosting;

/// <summary>
/// Where the decisions that require a person wait, are listed and are answered: the approval endpoints and the remediation
/// stage go through it. The default is this process's <see cref="ApprovalQueue"/> (<see cref="DecisionEngine.Approvals"/>);
/// a cluster (Aiops.Orleans) replaces it so that a decision made on one replica is listed by every replica and an answer
/// posted to any replica counts, once.
/// </summary>
/// <remarks>Implementations are thread-safe and return a refusal (not an exception) for an answer that does not count.</remarks>
public interface IApprovalCoordinator
{
    /// <summary>Lists the decisions waiting for an answer now (not answered, not expired), oldest first.</summary>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The pending approvals.</returns>
    ValueTask<IReadOnlyList<PendingApproval>> ListPendingAsync(CancellationToken cancellationToken);

    /// <summary>Gets where a decision's approval stands now.</summary>
    /// <param name="decisionId">The decision.</param>
    /// <param name="cancellationToken">Cancels the look-up.</param>
    /// <returns>Its state; <see cref="ApprovalState.None"/> when no decision awaits approval under the id.</returns>
    ValueTask<ApprovalState> GetStateAsync(string decisionId, CancellationToken cancellationToken);

    /// <summary>Approves or rejects a pending decision; the answer is durable before this returns, and the first answer wins.</summary>
    /// <param name="decisionId">The decision.</param>
    /// <param name="approve"><see langword="true"/> to approve, <see langword="false"/> to reject.</param>
    /// <param name="by">Who answers (required).</param>
    /// <param name="why">Why (required).</param>
    /// <param name="cancellationToken">Cancels before the write starts.</param>
    /// <returns>The result: approved or rejected, or why the answer was refused (expired, already answered, unknown, invalid).</returns>
    ValueTask<ApprovalResult> AnswerAsync(string decisionId, bool approve, string by, string why, CancellationToken cancellationToken);
}

/// <summary>The single-process approvals: this process's <see cref="ApprovalQueue"/>.</summary>
internal sealed class LocalApprovalCoordinator(DecisionEngine engine) : IApprovalCoordinator
{
    public ValueTask<IReadOnlyList<PendingApproval>> ListPendingAsync(CancellationToken cancellationToken) => ValueTask.FromResult(engine.Approvals.ListPending());

    public ValueTask<ApprovalState> GetStateAsync(string decisionId, CancellationToken cancellationToken) => ValueTask.FromResult(engine.Approvals.GetState(decisionId));

    public ValueTask<ApprovalResult> AnswerAsync(string decisionId, bool approve, string by, string why, CancellationToken cancellationToken) => approve
        ? engine.Approvals.ApproveAsync(decisionId, by, why, cancellationToken)
        : engine.Approvals.RejectAsync(decisionId, by, why, cancellationToken);
}
