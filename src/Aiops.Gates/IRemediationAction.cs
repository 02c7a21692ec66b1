namespace Aiops.Gates;

/// <summary>
/// Something the executor can run. Register implementations in the action registry; the executor runs one only for an
/// allowed (or approved) decision, at most once per idempotency key. Implementations must be thread-safe and honour the
/// cancellation token (it fires at the action's timeout).
/// </summary>
public interface IRemediationAction
{
    /// <summary>Gets the id proposals refer to.</summary>
    string Id { get; }

    /// <summary>Gets the declared risk of the action; a proposal's risk is never taken lower than this.</summary>
    RiskClass Risk { get; }

    /// <summary>Runs the action.</summary>
    /// <param name="decision">The allowed or approved decision.</param>
    /// <param name="cancellationToken">Fires at the action's timeout or at shutdown.</param>
    /// <returns>What happened.</returns>
    ValueTask<ActionOutcome> ExecuteAsync(Decision decision, CancellationToken cancellationToken);
}

/// <summary>What an action reports. Create it with the static factories.</summary>
public readonly record struct ActionOutcome
{
    private ActionOutcome(bool succeeded, string detail)
    {
        Succeeded = succeeded;
        Detail = detail;
    }

    /// <summary>Gets a value indicating whether the action did what it was asked.</summary>
    public bool Succeeded { get; }

    /// <summary>Gets what the action did or why it failed, for the audit log.</summary>
    public string Detail { get; }

    /// <summary>The action succeeded.</summary>
    /// <param name="detail">What it did.</param>
    /// <returns>The outcome.</returns>
    public static ActionOutcome Success(string detail) => new(true, detail);

    /// <summary>The action failed.</summary>
    /// <param name="detail">Why.</param>
    /// <returns>The outcome.</returns>
    public static ActionOutcome Failure(string detail) => new(false, detail);
}
