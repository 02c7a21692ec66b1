using Aiops.Correlation;
using Aiops.Gates;

namespace Aiops.Hosting;

/// <summary>
/// Turns an episode into remediation proposals for the gates. The remediation stage calls it for every changed episode in
/// a remediation state (<see cref="RemediationOptions.States"/>); the same episode is offered again at each change, so a
/// planner must return the same <see cref="RemediationProposal.IdempotencyKey"/> for the same remediation of the same
/// episode — the stage skips keys already decided, and the executor runs a key at most once.
/// </summary>
/// <remarks>
/// Implementations are called from one stage loop at a time but must be thread-safe if shared. A planner that throws is
/// logged and counted, and the episode gets no proposal (nothing runs).
/// </remarks>
public interface IRemediationPlanner
{
    /// <summary>Proposes remediations for an episode.</summary>
    /// <param name="episode">The episode (a snapshot).</param>
    /// <param name="now">The stage's current time, for <see cref="RemediationProposal.ProposedAt"/>.</param>
    /// <param name="cancellationToken">Signalled when the host stops.</param>
    /// <returns>The proposals; empty when nothing should be done.</returns>
    ValueTask<IReadOnlyList<RemediationProposal>> PlanAsync(Episode episode, DateTimeOffset now, CancellationToken cancellationToken);
}
