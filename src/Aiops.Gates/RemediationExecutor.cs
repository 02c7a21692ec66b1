using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Aiops.Gates.Internal;
using Microsoft.Extensions.Logging;

namespace Aiops.Gates;

/// <summary>
/// Runs decisions made by a <see cref="DecisionEngine"/>, and only those that may run: an <see cref="GateVerdict.Allow"/>
/// decision that is not a dry run, or a <see cref="GateVerdict.RequireApproval"/> one that a person approved before it
/// expired. Every attempt — run or not — is appended to the audit log as an <see cref="ExecutionEntry"/> and returned as an
/// <see cref="ExecutionRecord"/>; nothing throws for a refused or failing action.
/// </summary>
/// <remarks>
/// <para>
/// At most once: an idempotency key is claimed (under a lock) before its action starts, so of any number of concurrent or
/// repeated calls one runs and the others end as <see cref="ExecutionStatus.Duplicate"/>, for
/// <see cref="DecisionEngine.Retention"/> after the claim. A claim is never released, not even when the action fails.
/// </para>
/// <para>
/// Only decisions the engine recorded run: a <see cref="Decision"/> that is not the engine's (hand-made, altered, or older
/// than the retention), or whose action is now registered with a higher declared risk than the gates judged, is refused as
/// <see cref="ExecutionStatus.Denied"/>, so no caller can skip the gates. Admission is
/// serialised per engine: the key check, a re-check of the gates at execution time (<see cref="RemediationExecutorOptions.RecheckGates"/>:
/// two decisions allowed on the same history must not both start past a rate limit, nor an approval run into a freeze) and
/// the start recorded in <see cref="DecisionEngine.History"/> happen as one step, before the action runs; the action runs
/// under <see cref="RemediationExecutorOptions.ActionTimeout"/>: past it the action's token fires and the attempt ends as
/// <see cref="ExecutionStatus.TimedOut"/> even if the action ignores its token (it then counts as running until it returns).
/// An action that throws ends as <see cref="ExecutionStatus.Failed"/>.
/// </para>
/// <para>Thread-safe. Exceptions of the audit log propagate (after the key was claimed, it stays claimed).</para>
/// </remarks>
public sealed class RemediationExecutor
{
    private readonly DecisionEngine _engine;
    private readonly RemediationExecutorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly GatesTelemetry _telemetry;

    /// <summary>Initializes a new instance of the <see cref="RemediationExecutor"/> class.</summary>
    /// <param name="engine">The engine whose decisions run (its actions, history, approvals and audit log are used).</param>
    /// <param name="options">The options; <see langword="null"/> uses the defaults.</param>
    /// <param name="timeProvider">The clock for timeouts and records; <see langword="null"/> uses <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Where executions are logged; <see langword="null"/> logs nothing.</param>
    /// <exception cref="ArgumentNullException"><paramref name="engine"/> is <see langword="null"/>.</exception>
    /// <exception cref="ValidationException">An option is out of range.</exception>
    public RemediationExecutor(DecisionEngine engine, RemediationExecutorOptions? options = null, TimeProvider? timeProvider = null, ILogger<RemediationExecutor>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        _engine = engine;
        _options = options ?? new RemediationExecutorOptions();
        Aiops.Detection.Internal.OptionsValidator.ThrowIfInvalid(_options);
        _time = timeProvider ?? TimeProvider.System;
        _logger = NonThrowingLogger.Wrap(logger);
        _telemetry = _options.Telemetry ?? GatesTelemetry.Shared;
    }

    /// <summary>Executes a decision by id, if it may run.</summary>
    /// <param name="decisionId">The decision id.</param>
    /// <param name="cancellationToken">Cancels a refusal's write, or the running action (recorded as failed).</param>
    /// <returns>What happened; an unknown id is refused as <see cref="ExecutionStatus.Denied"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="decisionId"/> is <see langword="null"/>.</exception>
    public ValueTask<ExecutionRecord> ExecuteByIdAsync(string decisionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(decisionId);
        return _engine.TryGetDecision(decisionId, out var decision)
            ? ExecuteCoreAsync(decision, cancellationToken)
            : RefuseAsync(decisionId, string.Empty, string.Empty, ExecutionStatus.Denied, $"no decision '{decisionId}' was made by this engine within its retention: only recorded decisions run", cancellationToken);
    }

    /// <summary>Executes a decision, if it may run and is the one the engine recorded.</summary>
    /// <param name="decision">The decision, as <see cref="DecisionEngine.DecideAsync"/> returned it.</param>
    /// <param name="cancellationToken">Cancels a refusal's write, or the running action (recorded as failed).</param>
    /// <returns>What happened.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="decision"/> is <see langword="null"/>.</exception>
    public ValueTask<ExecutionRecord> ExecuteAsync(Decision decision, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(decision);
        if (!_engine.TryGetDecision(decision.DecisionId, out var recorded) || !(ReferenceEquals(recorded, decision) || recorded.Equals(decision)))
        {
            return RefuseAsync(
                decision.DecisionId ?? string.Empty,
                decision.Proposal?.ActionId ?? string.Empty,
                decision.Proposal?.IdempotencyKey ?? string.Empty,
                ExecutionStatus.Denied,
                $"decision '{decision.DecisionId}' is not the one this engine recorded (unknown, altered, or older than the retention): only recorded decisions run",
                cancellationToken);
        }

        return ExecuteCoreAsync(recorded, cancellationToken);
    }

    private static string Describe(Decision decision) =>
        $"action '{decision.Proposal.ActionId}' on {string.Join(", ", decision.Proposal.Targets)}";

    private async ValueTask<ExecutionRecord> ExecuteCoreAsync(Decision decision, CancellationToken cancellationToken)
    {
        var proposal = decision.Proposal;
        var refusal = Screen(decision);
        if (refusal is { } r)
        {
            return await RefuseAsync(decision.DecisionId, proposal.ActionId, proposal.IdempotencyKey, r.Status, r.Detail, cancellationToken).ConfigureAwait(false);
        }

        if (!_engine.Actions.TryGet(proposal.ActionId, out var action))
        {
            return await RefuseAsync(decision.DecisionId, proposal.ActionId, proposal.IdempotencyKey, ExecutionStatus.UnknownAction, $"no action is registered under '{proposal.ActionId}'", cancellationToken).ConfigureAwait(false);
        }

        if (action.Risk > proposal.Risk)
        {
            // The gates judged the action registered then; the one registered now declares more risk.
            return await RefuseAsync(decision.DecisionId, proposal.ActionId, proposal.IdempotencyKey, ExecutionStatus.Denied, $"the action registered under '{proposal.ActionId}' now declares risk {action.Risk}, above the {proposal.Risk} the gates judged: propose it again", cancellationToken).ConfigureAwait(false);
        }

        // Admission is serialised per engine: the key check, the gates' re-check and the recorded start happen as one step,
        // so two decisions allowed on the same history cannot both start past a limit.
        await _engine.Admission.WaitAsync(cancellationToken).ConfigureAwait(false);
        DateTimeOffset startedAt;
        ExecutionLedger.Claim? claim;
        (ExecutionStatus Status, string Detail)? refused = null;
        try
        {
            startedAt = _time.GetUtcNow();
            if (_engine.Ledger.IsClaimed(proposal.IdempotencyKey, startedAt, _engine.Retention, out claim))
            {
                refused = (ExecutionStatus.Duplicate, DescribeClaim(claim));
            }
            else if (_options.RecheckGates)
            {
                var recheck = await _engine.Pipeline.EvaluateAsync(proposal, _engine.History, startedAt, cancellationToken).ConfigureAwait(false);
                if (recheck.Verdict > decision.Verdict)
                {
                    var stopping = recheck.Evaluations.Where(e => e.Verdict == recheck.Verdict).Select(e => $"{e.Gate} ({e.Reason})");
                    var what = recheck.Verdict == GateVerdict.Deny ? "denied" : "now requires approval";
                    refused = (ExecutionStatus.Denied, $"re-checked at execution: {what} by {string.Join("; ", stopping)}");
                }
            }

            if (refused is null)
            {
                claim = _engine.Ledger.Take(proposal.IdempotencyKey, decision.DecisionId, startedAt);

                // Counted before it runs, so gates evaluated meanwhile see it (rate limits, cooldowns, concurrency).
                _engine.History.RecordStart(action.Id, proposal.Targets, startedAt);
            }
        }
        finally
        {
            _engine.Admission.Release();
        }

        if (refused is { } no)
        {
            return await RefuseAsync(decision.DecisionId, proposal.ActionId, proposal.IdempotencyKey, no.Status, no.Detail, cancellationToken).ConfigureAwait(false);
        }

        _telemetry.Running(1);
        Log.ExecutionStarted(_logger, decision.DecisionId, action.Id, proposal.Targets.Count, proposal.IdempotencyKey);
        var (status, detail) = await RunAsync(action, decision, cancellationToken).ConfigureAwait(false);
        var finishedAt = _time.GetUtcNow();
        _engine.Ledger.Complete(claim!, status);

        var record = new ExecutionRecord(decision.DecisionId, action.Id, proposal.IdempotencyKey, status, startedAt, finishedAt, detail);

        // It happened: record it even when the caller is shutting down.
        await _engine.AuditLog.AppendAsync(new ExecutionEntry(record), CancellationToken.None).ConfigureAwait(false);
        _telemetry.Execution(action.Id, status);
        _telemetry.ExecutionDuration(action.Id, status, finishedAt - startedAt);
        Log.ExecutionFinished(_logger, decision.DecisionId, action.Id, status, (finishedAt - startedAt).TotalMilliseconds, detail);
        return record;
    }

    private (ExecutionStatus Status, string Detail)? Screen(Decision decision)
    {
        switch (decision.Verdict)
        {
            case GateVerdict.Allow when !decision.DryRun:
                return null;
            case GateVerdict.Allow or GateVerdict.RequireApproval when decision.DryRun:
                return (ExecutionStatus.DryRun, $"dry run: would run {Describe(decision)}; nothing was changed");
            case GateVerdict.RequireApproval:
                var state = _engine.Approvals.GetState(decision.DecisionId, out var answer);
                return state switch
                {
                    ApprovalState.Approved => null,
                    ApprovalState.Pending => (ExecutionStatus.AwaitingApproval, $"awaiting approval (required by {Gates(decision)})"),
                    ApprovalState.Rejected => (ExecutionStatus.Rejected, $"rejected by {answer?.By}: {answer?.Why}"),
                    _ => (ExecutionStatus.ApprovalExpired, "no approval came before the expiry: an expired approval is a deny"),
                };
            default:
                return (ExecutionStatus.Denied, $"denied by {Gates(decision)}");
        }
    }

    private static string Gates(Decision decision)
    {
        var decisive = decision.DecisiveGates.Select(g => $"{g.Gate} ({g.Reason})").ToList();
        return decisive.Count == 0 ? "the pipeline" : string.Join("; ", decisive);
    }

    private static string DescribeClaim(ExecutionLedger.Claim? claim) => claim switch
    {
        null => "the idempotency key already ran",
        { Running: true } => $"the idempotency key is running under decision {claim.DecisionId} since {claim.At:O}",
        { Status: null } => $"the idempotency key was taken by decision {claim.DecisionId} at {claim.At:O} and may have started before a restart; it is not run again (at most once)",
        _ => $"the idempotency key already ran at {claim.At:O} under decision {claim.DecisionId} ({claim.Status})",
    };

    private async ValueTask<(ExecutionStatus Status, string Detail)> RunAsync(IRemediationAction action, Decision decision, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.ActionTimeout, _time);
        using var linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token) : null;
        var token = linked?.Token ?? timeout.Token;
        Task<ActionOutcome>? running = null;
        try
        {
            var pending = action.ExecuteAsync(decision, token);
            ActionOutcome outcome;
            if (pending.IsCompletedSuccessfully)
            {
                outcome = pending.Result;
            }
            else
            {
                running = pending.AsTask();
                outcome = await running.WaitAsync(token).ConfigureAwait(false);
            }

            return (outcome.Succeeded ? ExecutionStatus.Succeeded : ExecutionStatus.Failed, outcome.Detail ?? string.Empty);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Log.ActionTimedOut(_logger, decision.DecisionId, action.Id, _options.ActionTimeout);
            return (ExecutionStatus.TimedOut, string.Create(CultureInfo.InvariantCulture, $"the action did not finish within {_options.ActionTimeout}"));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return (ExecutionStatus.Failed, "cancelled before it finished (shutdown)");
        }
        catch (Exception ex)
        {
            Log.ActionThrew(_logger, decision.DecisionId, action.Id, ex);
            return (ExecutionStatus.Failed, $"{ex.GetType().FullName}: {ex.Message}");
        }
        finally
        {
            if (running is null || running.IsCompleted)
            {
                Finished();
            }
            else
            {
                // Abandoned at its timeout but still running: it counts as running until it really returns.
                _ = running.ContinueWith(static (_, state) => ((RemediationExecutor)state!).Finished(), this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }

    private void Finished()
    {
        _engine.History.RecordFinish();
        _telemetry.Running(-1);
    }

    private async ValueTask<ExecutionRecord> RefuseAsync(string decisionId, string actionId, string idempotencyKey, ExecutionStatus status, string detail, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var record = new ExecutionRecord(decisionId, actionId, idempotencyKey, status, now, now, detail);
        await _engine.AuditLog.AppendAsync(new ExecutionEntry(record), cancellationToken).ConfigureAwait(false);
        _telemetry.Execution(_engine.Actions.TryGet(actionId, out _) ? actionId : GatesTelemetry.UnregisteredAction, status);
        Log.ExecutionRefused(_logger, decisionId, actionId, status, detail);
        return record;
    }
}

/// <summary>Options of <see cref="RemediationExecutor"/>. Read once when the executor is created.</summary>
public sealed class RemediationExecutorOptions
{
    /// <summary>
    /// Gets or sets how long an action may run before its token fires and the attempt ends as
    /// <see cref="ExecutionStatus.TimedOut"/>. Default: 30 seconds. Range: [1 ms, 1 hour].
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan ActionTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets a value indicating whether the gates are evaluated again when a decision is executed, under the engine's
    /// admission lock: a decision allowed earlier does not run when the gates would now stop it (another execution used up
    /// the rate limit, a freeze began, a cooldown started), and it ends as <see cref="ExecutionStatus.Denied"/> naming the
    /// gate. An approved decision runs unless the re-check denies. Default: <see langword="true"/>.
    /// </summary>
    public bool RecheckGates { get; set; } = true;

    /// <summary>Gets or sets where the executor counts attempts. Default: <see langword="null"/> (<see cref="GatesTelemetry.Shared"/>).</summary>
    public GatesTelemetry? Telemetry { get; set; }
}

/// <summary>
/// The idempotency keys that have been claimed for execution, shared by the engine (which restores it) and the executors
/// (which claim). A claim lives for the retention after it was taken; a running claim never expires. Thread-safe (one lock).
/// </summary>
internal sealed class ExecutionLedger
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Claim> _claims = new(StringComparer.Ordinal);
    private readonly Queue<Claim> _order = new();

    /// <summary>Gets the number of claims held (for tests of the memory bound).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _claims.Count;
            }
        }
    }

    /// <summary>Whether a key was claimed within the retention or is running (then <paramref name="claim"/> is that claim).</summary>
    public bool IsClaimed(string key, DateTimeOffset now, TimeSpan retention, out Claim? claim)
    {
        lock (_gate)
        {
            if (_claims.TryGetValue(key, out var existing) && (existing.Running || now - existing.At < retention))
            {
                claim = existing;
                return true;
            }

            claim = null;
            return false;
        }
    }

    /// <summary>Claims a key for a run (the caller checked <see cref="IsClaimed"/> under the engine's admission lock).</summary>
    public Claim Take(string key, string decisionId, DateTimeOffset now)
    {
        lock (_gate)
        {
            var claim = new Claim(key, decisionId, now) { Running = true };
            _claims[key] = claim;
            _order.Enqueue(claim);
            return claim;
        }
    }

    /// <summary>Marks a running claim finished.</summary>
    public void Complete(Claim claim, ExecutionStatus status)
    {
        lock (_gate)
        {
            claim.Status = status;
            claim.Running = false;
        }
    }

    /// <summary>Replays a claim; <paramref name="status"/> <see langword="null"/> marks a run whose outcome is unknown.</summary>
    /// <returns><see langword="true"/> when the key had no claim yet (a later run of the key replaces an earlier one).</returns>
    public bool Restore(string key, string decisionId, DateTimeOffset at, ExecutionStatus? status)
    {
        lock (_gate)
        {
            var added = !_claims.TryGetValue(key, out var existing);
            if (added || existing!.At <= at)
            {
                var claim = new Claim(key, decisionId, at) { Status = status };
                _claims[key] = claim;
                _order.Enqueue(claim);
            }

            return added;
        }
    }

    /// <summary>Forgets finished claims older than the retention.</summary>
    public void Prune(DateTimeOffset now, TimeSpan retention)
    {
        lock (_gate)
        {
            for (var budget = _order.Count; budget > 0 && _order.TryPeek(out var oldest) && now - oldest.At >= retention; budget--)
            {
                _order.Dequeue();
                if (oldest.Running)
                {
                    _order.Enqueue(oldest); // still running: look again later
                }
                else if (_claims.TryGetValue(oldest.Key, out var current) && ReferenceEquals(current, oldest))
                {
                    _claims.Remove(oldest.Key);
                }
            }
        }
    }

    /// <summary>One claimed key. Mutable state is guarded by the ledger's lock.</summary>
    public sealed class Claim(string key, string decisionId, DateTimeOffset at)
    {
        public string Key { get; } = key;

        public string DecisionId { get; } = decisionId;

        public DateTimeOffset At { get; } = at;

        public bool Running { get; set; }

        public ExecutionStatus? Status { get; set; }
    }
}
