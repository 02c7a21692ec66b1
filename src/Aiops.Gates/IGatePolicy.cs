namespace Aiops.Gates;

/// <summary>
/// One safety gate. Implement <see cref="EvaluateAsync"/> to return a verdict; return <see cref="GateDecision.Deny"/> rather
/// than throwing — a gate that throws or exceeds its timeout is treated as a deny anyway (fail closed), logged and counted.
/// Implementations must be thread-safe and must not block (no <c>.Result</c> or <c>.Wait()</c>).
/// </summary>
public interface IGatePolicy
{
    /// <summary>Gets the gate's name, as it appears in decisions and the audit log.</summary>
    string Name { get; }

    /// <summary>Judges a proposal.</summary>
    /// <param name="context">The proposal and what the gate may consult: the clock and the execution history.</param>
    /// <param name="cancellationToken">Signalled when the gate's time is up.</param>
    /// <returns>The verdict.</returns>
    ValueTask<GateDecision> EvaluateAsync(GateContext context, CancellationToken cancellationToken);
}

/// <summary>What a gate sees when it judges a proposal.</summary>
/// <param name="Proposal">The proposal.</param>
/// <param name="Now">The decision time (from the pipeline's <see cref="TimeProvider"/>).</param>
/// <param name="History">What has been executed and what is running, for rate limits, cooldowns and concurrency.</param>
public sealed record GateContext(RemediationProposal Proposal, DateTimeOffset Now, IExecutionHistory History);

/// <summary>What the executor has done, as gates need to know it. Implementations are thread-safe.</summary>
public interface IExecutionHistory
{
    /// <summary>Gets how many executions are running now.</summary>
    int Running { get; }

    /// <summary>Counts executions (started, whatever their outcome) of an action since a time, optionally on one target.</summary>
    /// <param name="actionId">The action.</param>
    /// <param name="since">The start of the window.</param>
    /// <param name="target">Only executions that touched this target; <see langword="null"/> for any.</param>
    /// <returns>The count.</returns>
    int CountSince(string actionId, DateTimeOffset since, string? target = null);

    /// <summary>When an action last started, optionally on one target.</summary>
    /// <param name="actionId">The action.</param>
    /// <param name="target">Only executions that touched this target; <see langword="null"/> for any.</param>
    /// <returns>The start time, or <see langword="null"/> when it never ran (within the history's retention).</returns>
    DateTimeOffset? LastStart(string actionId, string? target = null);
}
