namespace Aiops.Gates.Actions;

/// <summary>
/// The default action: it records what it would have done and changes nothing, so the whole loop (gates, approvals,
/// idempotency, audit) can run in production before any real action is trusted. Its outcome is always a success whose
/// detail reads <c>simulated: would restart on targets api-7f9c (decision dec-000001, episode ep-1); nothing was changed</c>.
/// </summary>
/// <remarks>Thread-safe: runs are recorded under one lock; the last <see cref="MaxRecorded"/> are kept.</remarks>
public sealed class SimulatedAction : IRemediationAction
{
    private readonly Lock _gate = new();
    private readonly Queue<SimulatedRun> _runs = new();
    private int _runCount;

    /// <summary>Initializes a new instance of the <see cref="SimulatedAction"/> class.</summary>
    /// <param name="id">The id proposals refer to.</param>
    /// <param name="risk">The declared risk (a proposal's risk is raised to it). Default: <see cref="RiskClass.Low"/>.</param>
    /// <param name="verb">What the real action would do, in words (<c>restart</c>, <c>scale out</c>); <see langword="null"/> uses <c>run '<paramref name="id"/>'</c>.</param>
    /// <param name="maxRecorded">How many runs <see cref="Runs"/> keeps (the oldest are dropped). Default: 1,000; at least 1.</param>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty or <paramref name="risk"/> is undefined.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxRecorded"/> is less than 1.</exception>
    public SimulatedAction(string id, RiskClass risk = RiskClass.Low, string? verb = null, int maxRecorded = 1_000)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        if (!Enum.IsDefined(risk))
        {
            throw new ArgumentException($"Undefined risk class {(int)risk}.", nameof(risk));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecorded, 1);
        Id = id;
        Risk = risk;
        Verb = string.IsNullOrWhiteSpace(verb) ? $"run '{id}'" : verb;
        MaxRecorded = maxRecorded;
    }

    /// <inheritdoc/>
    public string Id { get; }

    /// <inheritdoc/>
    public RiskClass Risk { get; }

    /// <summary>Gets what the real action would do, in words.</summary>
    public string Verb { get; }

    /// <summary>Gets how many runs <see cref="Runs"/> keeps.</summary>
    public int MaxRecorded { get; }

    /// <summary>Gets how many times the action has run (every run, not only the recorded ones).</summary>
    public int RunCount => Volatile.Read(ref _runCount);

    /// <summary>Gets the most recent runs, oldest first (a snapshot).</summary>
    public IReadOnlyList<SimulatedRun> Runs
    {
        get
        {
            lock (_gate)
            {
                return [.. _runs];
            }
        }
    }

    /// <inheritdoc/>
    /// <returns>A success describing what would have been done.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="decision"/> is <see langword="null"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was already cancelled.</exception>
    public ValueTask<ActionOutcome> ExecuteAsync(Decision decision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decision);
        cancellationToken.ThrowIfCancellationRequested();
        var proposal = decision.Proposal;
        var detail = $"simulated: would {Verb} on targets {string.Join(", ", proposal.Targets)} (decision {decision.DecisionId}, episode {proposal.EpisodeId}); nothing was changed";
        lock (_gate)
        {
            _runCount++;
            _runs.Enqueue(new SimulatedRun(decision.DecisionId, proposal.IdempotencyKey, [.. proposal.Targets], detail));
            while (_runs.Count > MaxRecorded)
            {
                _runs.Dequeue();
            }
        }

        return ValueTask.FromResult(ActionOutcome.Success(detail));
    }
}

/// <summary>One run of a <see cref="SimulatedAction"/>: what it would have done.</summary>
/// <param name="DecisionId">The decision it ran for.</param>
/// <param name="IdempotencyKey">The proposal's idempotency key.</param>
/// <param name="Targets">The targets it would have acted on.</param>
/// <param name="Detail">What it would have done, in words.</param>
public sealed record SimulatedRun(string DecisionId, string IdempotencyKey, IReadOnlyList<string> Targets, string Detail);
