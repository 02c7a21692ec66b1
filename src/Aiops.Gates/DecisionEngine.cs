using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Aiops.Gates.Internal;
using Microsoft.Extensions.Logging;

namespace Aiops.Gates;

/// <summary>
/// Turns proposals into decisions: validates the proposal, raises its risk to the registered action's declared risk, runs
/// the <see cref="GatePipeline"/>, and appends the decision to the <see cref="IAuditLog"/> — awaiting the durable append
/// before it returns, so a decision is never reported before it is recorded.
/// </summary>
/// <remarks>
/// <para>
/// Idempotent: a proposal whose <see cref="RemediationProposal.IdempotencyKey"/> already has a decision younger than
/// <see cref="DecisionEngineOptions.Retention"/> gets that decision back (no new evaluation; logged and counted as a
/// duplicate), including while the first is still being decided. A replayed Alertmanager webhook therefore never makes a
/// second decision, and the <see cref="RemediationExecutor"/> runs each key at most once.
/// </para>
/// <para>
/// Bad input never throws: a proposal that is <see langword="null"/>, lacks an action id, targets or idempotency key, has an
/// undefined risk, a confidence outside [0, 1] (NaN included), a label without a value or an evidence item that is
/// <see langword="null"/> is denied with the reason (gate
/// <see cref="ValidationGateName"/>), and a proposal for an unregistered action is denied after the gates ran (gate
/// <see cref="RegistryGateName"/>). Only cancellation and audit-log failures throw: then nothing was decided.
/// </para>
/// <para>
/// At startup, call <see cref="RestoreAsync"/> once to replay the audit log: decisions, pending approvals and answers,
/// executed keys and the execution history come back, so a restart never re-runs a key. Decision ids are <c>dec-</c> and
/// a six-digit sequence, deterministic for the same sequence of calls. Thread-safe: state changes take one lock; gates and
/// the durable append run outside it.
/// </para>
/// </remarks>
public sealed class DecisionEngine
{
    /// <summary>The gate name of the evaluation that denies an invalid proposal.</summary>
    public const string ValidationGateName = "validation";

    /// <summary>The gate name of the evaluation that denies a proposal for an unregistered action.</summary>
    public const string RegistryGateName = "registry";

    /// <summary>
    /// The gate name of the evaluation that turns an allowed destructive action into one that requires approval: whatever gates
    /// are configured (a list without <c>riskCeiling</c> included), a destructive action never runs automatically.
    /// </summary>
    public const string DestructiveGateName = "destructive";

    private readonly Lock _gate = new();
    private readonly DecisionEngineOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly GatesTelemetry _telemetry;
    private readonly Dictionary<string, Decision> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Decision> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TaskCompletionSource<Decision?>> _inFlight = new(StringComparer.Ordinal);
    private readonly Queue<Decision> _order = new();
    private long _sequence;
    private volatile bool _dryRun;

    /// <summary>Initializes a new instance of the <see cref="DecisionEngine"/> class.</summary>
    /// <param name="pipeline">The gates.</param>
    /// <param name="auditLog">Where decisions, answers and outcomes are recorded (durably).</param>
    /// <param name="actions">The actions proposals may name.</param>
    /// <param name="history">What the executor has run, as gates see it; <see langword="null"/> creates one on <paramref name="timeProvider"/>.</param>
    /// <param name="approvals">Where require-approval decisions wait; <see langword="null"/> creates one on <paramref name="auditLog"/> and <paramref name="timeProvider"/>.</param>
    /// <param name="options">The options; <see langword="null"/> uses the defaults.</param>
    /// <param name="timeProvider">The clock of decisions; <see langword="null"/> uses <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Where decisions are logged; <see langword="null"/> logs nothing.</param>
    /// <exception cref="ArgumentNullException"><paramref name="pipeline"/>, <paramref name="auditLog"/> or <paramref name="actions"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The approval timeout is not shorter than the retention (an approved decision would be forgotten before it could run).</exception>
    /// <exception cref="ValidationException">An option is out of range.</exception>
    public DecisionEngine(
        GatePipeline pipeline,
        IAuditLog auditLog,
        ActionRegistry actions,
        ExecutionHistory? history = null,
        ApprovalQueue? approvals = null,
        DecisionEngineOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger<DecisionEngine>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(auditLog);
        ArgumentNullException.ThrowIfNull(actions);
        _options = options ?? new DecisionEngineOptions();
        Aiops.Detection.Internal.OptionsValidator.ThrowIfInvalid(_options);
        _time = timeProvider ?? TimeProvider.System;
        _logger = NonThrowingLogger.Wrap(logger);
        _telemetry = _options.Telemetry ?? GatesTelemetry.Shared;
        Pipeline = pipeline;
        AuditLog = auditLog;
        Actions = actions;
        History = history ?? new ExecutionHistory(timeProvider: _time);
        Approvals = approvals ?? new ApprovalQueue(auditLog, new ApprovalQueueOptions { Telemetry = _options.Telemetry }, _time);
        if (Approvals.ApprovalTimeout >= _options.Retention)
        {
            throw new ArgumentException(
                $"{nameof(ApprovalQueueOptions)}.{nameof(ApprovalQueueOptions.ApprovalTimeout)} ({Approvals.ApprovalTimeout}) must be shorter than {nameof(DecisionEngineOptions)}.{nameof(DecisionEngineOptions.Retention)} ({_options.Retention}).",
                nameof(approvals));
        }

        _dryRun = _options.DryRun;
    }

    /// <summary>Gets the gates.</summary>
    public GatePipeline Pipeline { get; }

    /// <summary>Gets the audit log.</summary>
    public IAuditLog AuditLog { get; }

    /// <summary>Gets the registered actions.</summary>
    public ActionRegistry Actions { get; }

    /// <summary>Gets the execution history the gates consult (the executor updates it).</summary>
    public ExecutionHistory History { get; }

    /// <summary>Gets the approval queue.</summary>
    public ApprovalQueue Approvals { get; }

    /// <summary>Gets how long a decision (and its idempotency key) is remembered. See <see cref="DecisionEngineOptions.Retention"/>.</summary>
    public TimeSpan Retention => _options.Retention;

    /// <summary>
    /// Gets or sets a value indicating whether new decisions are dry runs: recorded with every verdict but never executed.
    /// Default: <see cref="DecisionEngineOptions.DryRun"/>. Safe to flip at any time; decisions already made keep their flag.
    /// </summary>
    public bool DryRun
    {
        get => _dryRun;
        set => _dryRun = value;
    }

    /// <summary>Gets the ledger of executed idempotency keys, shared with the executors.</summary>
    internal ExecutionLedger Ledger { get; } = new();

    /// <summary>Gets the lock that serialises admissions (key check, gate re-check, recorded start) across the engine's executors.</summary>
    internal SemaphoreSlim Admission { get; } = new(1, 1);

    /// <summary>
    /// Decides on a proposal and records the decision durably before returning it. A repeated idempotency key within the
    /// retention returns the earlier decision.
    /// </summary>
    /// <param name="proposal">The proposal; an invalid one (or <see langword="null"/>) is denied, not thrown on.</param>
    /// <param name="cancellationToken">Cancels the decision (nothing is recorded when it fires before the append).</param>
    /// <returns>The decision.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <remarks>Exceptions of the audit log propagate: the decision was not made, and the key may be proposed again.</remarks>
    public async ValueTask<Decision> DecideAsync(RemediationProposal? proposal, CancellationToken cancellationToken = default)
    {
        var started = _time.GetTimestamp();
        var problem = Validate(proposal);
        if (problem is not null)
        {
            return await DenyInvalidAsync(proposal, problem, started, cancellationToken).ConfigureAwait(false);
        }

        var key = proposal!.IdempotencyKey;
        while (true)
        {
            var now = _time.GetUtcNow();
            Decision? existing = null;
            Task<Decision?>? wait = null;
            TaskCompletionSource<Decision?>? claim = null;
            string? id = null;
            lock (_gate)
            {
                Prune(now);
                if (_byKey.TryGetValue(key, out var known) && now - known.DecidedAt < _options.Retention)
                {
                    existing = known;
                }
                else if (_inFlight.TryGetValue(key, out var pending))
                {
                    wait = pending.Task;
                }
                else
                {
                    claim = new TaskCompletionSource<Decision?>(TaskCreationOptions.RunContinuationsAsynchronously);
                    _inFlight.Add(key, claim);
                    id = NextId();
                }
            }

            if (wait is not null)
            {
                // Another call is deciding this key: its decision is ours; if it failed, try again.
                existing = await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
                if (existing is null)
                {
                    continue;
                }
            }

            if (existing is not null)
            {
                Log.DuplicateProposal(_logger, key, existing.DecisionId, existing.DecidedAt);
                _telemetry.Decision(existing.Verdict, "duplicate", _time.GetElapsedTime(started));
                return existing;
            }

            try
            {
                var decision = await DecideCoreAsync(proposal, id!, now, cancellationToken).ConfigureAwait(false);
                lock (_gate)
                {
                    Store(decision);
                    _inFlight.Remove(key);
                }

                claim!.TrySetResult(decision);
                _telemetry.Decision(decision.Verdict, "decided", _time.GetElapsedTime(started));
                return decision;
            }
            catch
            {
                lock (_gate)
                {
                    _inFlight.Remove(key);
                }

                claim!.TrySetResult(null);
                throw;
            }
        }
    }

    /// <summary>Looks a decision up by id (decisions older than the retention are forgotten, whether pruned yet or not).</summary>
    /// <param name="decisionId">The decision id.</param>
    /// <param name="decision">The decision, when known.</param>
    /// <returns><see langword="true"/> when it is known.</returns>
    public bool TryGetDecision(string? decisionId, [NotNullWhen(true)] out Decision? decision)
    {
        decision = null;
        if (decisionId is null)
        {
            return false;
        }

        var now = _time.GetUtcNow();
        lock (_gate)
        {
            // Pruned only when something is decided: an idle engine must not hand out a decision older than the retention
            // (its key's claim has expired with it, so it would run again).
            if (_byId.TryGetValue(decisionId, out var known) && now - known.DecidedAt < _options.Retention)
            {
                decision = known;
                return true;
            }

            return false;
        }
    }

    /// <summary>Looks up the decision an idempotency key got within the retention.</summary>
    /// <param name="idempotencyKey">The key.</param>
    /// <param name="decision">The decision, when the key has one.</param>
    /// <returns><see langword="true"/> when the key has a decision.</returns>
    public bool TryGetDecisionByKey(string? idempotencyKey, [NotNullWhen(true)] out Decision? decision)
    {
        decision = null;
        if (idempotencyKey is null)
        {
            return false;
        }

        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (_byKey.TryGetValue(idempotencyKey, out var known) && now - known.DecidedAt < _options.Retention)
            {
                decision = known;
                return true;
            }

            return false;
        }
    }

    /// <summary>
    /// Replays the audit log to rebuild the state of a previous run: decisions (and the id sequence), pending approvals and
    /// their answers, executed idempotency keys and the execution history. An allowed (or approved) decision without a
    /// recorded outcome may have started when the process died, so its key is treated as executed: at most once, never twice.
    /// Call it once, at startup, before the first decision.
    /// </summary>
    /// <param name="cancellationToken">Cancels the replay.</param>
    /// <returns>What was restored.</returns>
    /// <exception cref="InvalidOperationException">The engine has already made or restored decisions.</exception>
    public async ValueTask<AuditRestoreResult> RestoreAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_sequence > 0 || _byId.Count > 0 || _inFlight.Count > 0)
            {
                throw new InvalidOperationException("Restore the engine once, before its first decision.");
            }
        }

        int decisions = 0, approvals = 0, executions = 0;
        var ran = new HashSet<string>(StringComparer.Ordinal);
        var restored = new List<Decision>();
        await foreach (var entry in AuditLog.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            switch (entry)
            {
                case DecisionEntry { Decision: { DecisionId: not null, Proposal: not null } decision }:
                    decisions++;
                    restored.Add(decision);
                    lock (_gate)
                    {
                        _sequence = Math.Max(_sequence, ParseSequence(decision.DecisionId));
                        Store(decision);
                    }

                    if (decision.Verdict == GateVerdict.RequireApproval && !decision.DryRun)
                    {
                        Approvals.Restore(decision);
                    }

                    break;

                case ApprovalEntry { Approval: { DecisionId: not null } approval }:
                    approvals++;
                    Approvals.Restore(approval);
                    break;

                case ExecutionEntry { Execution: { IdempotencyKey: not null, DecisionId: not null, ActionId: not null } execution } when Ran(execution.Status):
                    executions++;
                    ran.Add(execution.DecisionId);
                    Ledger.Restore(execution.IdempotencyKey, execution.DecisionId, execution.StartedAt, execution.Status);
                    TryGetDecision(execution.DecisionId, out var executed);
                    History.RecordPast(execution.ActionId, executed?.Proposal.Targets ?? [], execution.StartedAt);
                    break;
            }
        }

        var interrupted = 0;
        foreach (var decision in restored)
        {
            ApprovalRecord? answer = null;
            var runnable = !decision.DryRun
                && (decision.Verdict == GateVerdict.Allow
                    || (decision.Verdict == GateVerdict.RequireApproval && Approvals.GetState(decision.DecisionId, out answer) == ApprovalState.Approved));
            var key = decision.Proposal?.IdempotencyKey;

            // It may have started, at the earliest when it could: when it was decided, or approved. Its key is claimed from then
            // and its start counts in the history, so cooldowns and rate limits hold across the restart as they would have.
            var mayHaveStarted = answer is { } approved && approved.At > decision.DecidedAt ? approved.At : decision.DecidedAt;
            if (runnable && !ran.Contains(decision.DecisionId) && !string.IsNullOrEmpty(key)
                && Ledger.Restore(key, decision.DecisionId, mayHaveStarted, status: null))
            {
                interrupted++;
                History.RecordPast(decision.Proposal!.ActionId, decision.Proposal.Targets ?? [], mayHaveStarted);
            }
        }

        lock (_gate)
        {
            Prune(_time.GetUtcNow());
        }

        Log.Restored(_logger, decisions, approvals, executions, interrupted);
        return new AuditRestoreResult(decisions, approvals, executions, interrupted);
    }

    internal static bool Ran(ExecutionStatus status) => status is ExecutionStatus.Succeeded or ExecutionStatus.Failed or ExecutionStatus.TimedOut;

    private static long ParseSequence(string? decisionId) =>
        decisionId is not null && decisionId.StartsWith("dec-", StringComparison.Ordinal)
            && long.TryParse(decisionId.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;

    private static string? Validate(RemediationProposal? proposal)
    {
        if (proposal is null)
        {
            return "invalid proposal: it is null";
        }

        List<string>? problems = null;
        if (string.IsNullOrWhiteSpace(proposal.ActionId))
        {
            (problems ??= []).Add("the action id is empty");
        }

        if (proposal.Targets is null || proposal.Targets.Count == 0)
        {
            (problems ??= []).Add("there are no targets");
        }
        else
        {
            for (var i = 0; i < proposal.Targets.Count; i++)
            {
                if (string.IsNullOrWhiteSpace(proposal.Targets[i]))
                {
                    (problems ??= []).Add(string.Create(CultureInfo.InvariantCulture, $"target #{i} is empty"));
                }
            }
        }

        if (string.IsNullOrWhiteSpace(proposal.IdempotencyKey))
        {
            (problems ??= []).Add("the idempotency key is empty");
        }

        if (!Enum.IsDefined(proposal.Risk))
        {
            (problems ??= []).Add(string.Create(CultureInfo.InvariantCulture, $"the risk class {(int)proposal.Risk} is undefined"));
        }

        if (!(proposal.Confidence is >= 0 and <= 1))
        {
            (problems ??= []).Add(string.Create(CultureInfo.InvariantCulture, $"the confidence {proposal.Confidence} is not a number in [0, 1]"));
        }

        // The audit log records the proposal whole; a null inside it could not be read back.
        foreach (var (name, value) in proposal.Labels ?? new Dictionary<string, string>())
        {
            if (name is null || value is null)
            {
                (problems ??= []).Add($"the label '{name}' has no value");
                break;
            }
        }

        for (var i = 0; i < (proposal.Evidence?.Count ?? 0); i++)
        {
            if (proposal.Evidence![i] is null)
            {
                (problems ??= []).Add(string.Create(CultureInfo.InvariantCulture, $"evidence item #{i} is null"));
                break;
            }
        }

        return problems is null ? null : "invalid proposal: " + string.Join("; ", problems);
    }

    /// <summary>A copy safe to record and to serialise: no nulls, finite numbers, a defined risk.</summary>
    private static RemediationProposal Sanitize(RemediationProposal? proposal, DateTimeOffset now)
    {
        if (proposal is null)
        {
            return new RemediationProposal(string.Empty, [], RiskClass.Destructive, string.Empty, 0, string.Empty, now);
        }

        return new RemediationProposal(
            proposal.ActionId ?? string.Empty,
            proposal.Targets is null ? [] : [.. proposal.Targets.Select(t => t ?? string.Empty)],
            Enum.IsDefined(proposal.Risk) ? proposal.Risk : RiskClass.Destructive,
            proposal.EpisodeId ?? string.Empty,
            double.IsFinite(proposal.Confidence) ? proposal.Confidence : 0,
            proposal.IdempotencyKey ?? string.Empty,
            proposal.ProposedAt)
        {
            Evidence = proposal.Evidence is null ? [] : [.. proposal.Evidence.Select(e => e ?? string.Empty)],
            Labels = proposal.Labels is null ? new Dictionary<string, string>() : proposal.Labels.Where(l => l.Key is not null).ToDictionary(l => l.Key, l => l.Value ?? string.Empty, StringComparer.Ordinal),
            FleetSize = proposal.FleetSize,
        };
    }

    private async ValueTask<Decision> DenyInvalidAsync(RemediationProposal? proposal, string problem, long started, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        string id;
        lock (_gate)
        {
            id = NextId();
        }

        var decision = new Decision(
            id,
            Sanitize(proposal, now),
            [new GateEvaluation(ValidationGateName, GateVerdict.Deny, problem, null, TimeSpan.Zero)],
            GateVerdict.Deny,
            now,
            _dryRun);
        await AuditLog.AppendAsync(new DecisionEntry(decision), cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            // Known by id (the executor refuses it as denied), never by key: an invalid proposal claims no key.
            _byId[id] = decision;
            _order.Enqueue(decision);
        }

        Log.InvalidProposal(_logger, id, problem);
        _telemetry.Decision(GateVerdict.Deny, "invalid", _time.GetElapsedTime(started));
        return decision;
    }

    private async ValueTask<Decision> DecideCoreAsync(RemediationProposal proposal, string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Record a private copy: the caller's target list must not change what runs after the gates judged it.
        var recorded = proposal with
        {
            Targets = [.. proposal.Targets],
            EpisodeId = proposal.EpisodeId ?? string.Empty,
            Evidence = proposal.Evidence ?? [],
            Labels = proposal.Labels ?? new Dictionary<string, string>(),
        };
        var registered = Actions.TryGet(recorded.ActionId, out var action);
        if (registered && action!.Risk > recorded.Risk)
        {
            Log.RiskRaised(_logger, recorded.IdempotencyKey, recorded.Risk, action.Risk, recorded.ActionId);
            recorded = recorded with { Risk = action.Risk };
        }

        var result = await Pipeline.EvaluateAsync(recorded, History, now, cancellationToken).ConfigureAwait(false);
        var evaluations = result.Evaluations;
        var verdict = result.Verdict;
        if (!registered)
        {
            evaluations = [.. evaluations, new GateEvaluation(RegistryGateName, GateVerdict.Deny, $"no action is registered under '{recorded.ActionId}'", null, TimeSpan.Zero)];
            verdict = GateVerdict.Deny;
        }
        else if (recorded.Risk == RiskClass.Destructive && verdict == GateVerdict.Allow)
        {
            evaluations = [.. evaluations, new GateEvaluation(DestructiveGateName, GateVerdict.RequireApproval, "a destructive action never runs automatically: a person approves it", null, TimeSpan.Zero)];
            verdict = GateVerdict.RequireApproval;
        }

        var decision = new Decision(id, recorded, evaluations, verdict, now, _dryRun);
        await AuditLog.AppendAsync(new DecisionEntry(decision), cancellationToken).ConfigureAwait(false);

        // Durable from here on. The approval is queued before the decision is visible, so no reader sees it without one.
        if (verdict == GateVerdict.RequireApproval && !decision.DryRun)
        {
            Approvals.Submit(decision);
        }

        if (_logger.IsEnabled(LogLevel.Information))
        {
            var decisive = string.Join(", ", decision.DecisiveGates.Select(g => g.Gate));
            Log.DecisionMade(_logger, id, verdict, recorded.ActionId, recorded.Targets.Count, recorded.IdempotencyKey, decision.DryRun, decisive.Length == 0 ? "none" : decisive);
        }

        return decision;
    }

    private string NextId() => string.Create(CultureInfo.InvariantCulture, $"dec-{++_sequence:D6}");

    private void Store(Decision decision)
    {
        _byId[decision.DecisionId] = decision;
        _order.Enqueue(decision);
        var key = decision.Proposal?.IdempotencyKey;
        if (!string.IsNullOrEmpty(key) && decision.Evaluations?.Any(e => e.Gate == ValidationGateName) != true
            && (!_byKey.TryGetValue(key, out var earlier) || earlier.DecidedAt <= decision.DecidedAt))
        {
            _byKey[key] = decision;
        }
    }

    private void Prune(DateTimeOffset now)
    {
        while (_order.TryPeek(out var oldest) && now - oldest.DecidedAt >= _options.Retention)
        {
            _order.Dequeue();
            if (_byId.TryGetValue(oldest.DecisionId, out var current) && ReferenceEquals(current, oldest))
            {
                _byId.Remove(oldest.DecisionId);
            }

            var key = oldest.Proposal?.IdempotencyKey;
            if (key is not null && _byKey.TryGetValue(key, out var byKey) && ReferenceEquals(byKey, oldest))
            {
                _byKey.Remove(key);
            }
        }

        Ledger.Prune(now, _options.Retention);
    }
}

/// <summary>What <see cref="DecisionEngine.RestoreAsync"/> rebuilt from the audit log.</summary>
/// <param name="Decisions">Decision entries replayed.</param>
/// <param name="Approvals">Approval answers replayed.</param>
/// <param name="Executions">Executions that ran (succeeded, failed or timed out) replayed.</param>
/// <param name="Interrupted">Allowed or approved decisions without an outcome, whose keys are now treated as executed.</param>
public readonly record struct AuditRestoreResult(int Decisions, int Approvals, int Executions, int Interrupted);

/// <summary>Options of <see cref="DecisionEngine"/>. Read once when the engine is created.</summary>
public sealed class DecisionEngineOptions
{
    /// <summary>
    /// Gets or sets how long a decision is remembered: a proposal with the same idempotency key within it gets the same
    /// decision, and the key executes at most once within it. It must exceed the approval timeout. Default: 24 hours.
    /// Range: [1 minute, 30 days].
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Gets or sets a value indicating whether decisions start as dry runs: recorded with every verdict, never executed
    /// (the global dry-run switch; <see cref="DecisionEngine.DryRun"/> flips it at run time). Default: <see langword="false"/>.
    /// </summary>
    public bool DryRun { get; set; }

    /// <summary>Gets or sets where the engine counts decisions. Default: <see langword="null"/> (<see cref="GatesTelemetry.Shared"/>).</summary>
    public GatesTelemetry? Telemetry { get; set; }
}
