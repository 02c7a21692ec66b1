using Aiops.Gates;

namespace Aiops.Hosting;

/// <summary>
/// Where the hosted remediation stage has proposals decided and decisions executed. The default runs both in this process
/// (the <see cref="DecisionEngine"/> and the <see cref="RemediationExecutor"/>); a cluster (Aiops.Orleans) replaces it so
/// that an idempotency key gets one decision and at most one execution across every replica.
/// </summary>
/// <remarks>Implementations are thread-safe and never throw for a refused proposal or action: they return the outcome.</remarks>
public interface IRemediationCoordinator
{
    /// <summary>Decides on a proposal and records the decision durably before returning it; a known key returns its earlier decision.</summary>
    /// <param name="proposal">The proposal.</param>
    /// <param name="cancellationToken">Cancels the decision (nothing is recorded when it fires before the record).</param>
    /// <returns>The decision.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask<Decision> DecideAsync(RemediationProposal proposal, CancellationToken cancellationToken);

    /// <summary>Executes a decision if it may run (allowed, or approved), at most once per idempotency key, and records the outcome.</summary>
    /// <param name="decision">The decision, as <see cref="DecideAsync"/> returned it.</param>
    /// <param name="cancellationToken">Cancels a refusal's write, or the running action.</param>
    /// <returns>What happened.</returns>
    ValueTask<ExecutionRecord> ExecuteAsync(Decision decision, CancellationToken cancellationToken);
}

/// <summary>The single-process coordinator: this process's <see cref="DecisionEngine"/> and <see cref="RemediationExecutor"/>.</summary>
internal sealed class LocalRemediationCoordinator(DecisionEngine engine, RemediationExecutor executor) : IRemediationCoordinator
{
    public ValueTask<Decision> DecideAsync(RemediationProposal proposal, CancellationToken cancellationToken) => engine.DecideAsync(proposal, cancellationToken);

    public ValueTask<ExecutionRecord> ExecuteAsync(Decision decision, CancellationToken cancellationToken) => executor.ExecuteAsync(decision, cancellationToken);
}
