using System.Collections.Concurrent;
using Aiops.Correlation;
using Aiops.Gates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Aiops.Hosting;

/// <summary>
/// The hosted remediation stage: for every changed episode in a remediation state, asks the <see cref="IRemediationPlanner"/>
/// for proposals, has the <see cref="IRemediationCoordinator"/> (by default the <see cref="DecisionEngine"/>) decide each new
/// idempotency key (durably audited), and hands allowed decisions to it to execute (by default the <see cref="RemediationExecutor"/>). Decisions that require approval wait: every
/// <see cref="RemediationOptions.ApprovalPollInterval"/> the stage runs the approved ones and records the rejected or
/// expired ones as not run. On start the engine is restored from the audit log (a restart never re-runs a key, and pending
/// approvals come back); an action that already started on a target since the episode's onset is not proposed again for it,
/// whatever its key. On stop the episodes channel is drained, approvals answered since the last poll are acted on, and
/// running actions are awaited.
/// </summary>
/// <remarks>
/// A planner, decision or execution that fails is logged and counted, and nothing runs for it (fail closed). An execution
/// that fails without an outcome (the coordinator threw: a cluster's admission could not be asked, or its outcome not
/// recorded) is tried again: an allowed decision when its episode is offered again, an approved one at the next poll. The
/// coordinator keeps it at most once (a key already claimed is a duplicate). With a coordinator other than the in-process
/// one (a cluster), the coordinator, not this process's engine, says whether a key is done: a key the engine restored from
/// the audit log is proposed again, and the cluster returns its decision.
/// </remarks>
internal sealed class RemediationStage : ChannelStage<Episode>
{
    private const string Stage = "remediation";
    private readonly DecisionEngine _engine;
    private readonly IRemediationCoordinator _coordinator;
    private readonly IApprovalCoordinator _approvals;
    private readonly IRemediationPlanner _planner;
    private readonly RemediationOptions _options;
    private readonly IReadOnlyCollection<EpisodeState> _states;
    private readonly TimeProvider _time;
    private readonly PipelineTelemetry _telemetry;
    private readonly ConcurrentDictionary<string, Decision> _awaiting = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _running = new();
    private readonly Dictionary<string, HashSet<string>> _proposedByEpisode = new(StringComparer.Ordinal);

    // What an execution that failed without an outcome asks the stage to forget (episode id, proposal), so that the episode's
    // next offer proposes it again; queued by the execution, applied by the episode loop, which alone owns _proposedByEpisode.
    private readonly ConcurrentQueue<(string EpisodeId, string Proposed)> _forget = new();

    // Whether this process's engine decides (the in-process coordinator): only then does it know whether a key is done.
    private readonly bool _engineDecides;

    public RemediationStage(
        AiopsPipelineWriter writer,
        DecisionEngine engine,
        IRemediationCoordinator coordinator,
        IApprovalCoordinator approvals,
        IRemediationPlanner planner,
        IOptions<RemediationOptions> options,
        TimeProvider timeProvider,
        PipelineTelemetry telemetry,
        ILogger<RemediationStage> logger)
        : base(writer.Episodes, Stage, telemetry, logger)
    {
        _engine = engine;
        _coordinator = coordinator;
        _engineDecides = coordinator is LocalRemediationCoordinator;
        _approvals = approvals;
        _planner = planner;
        _options = options.Value;
        _states = _options.EffectiveStates();
        _time = timeProvider;
        _telemetry = telemetry;
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // A restart must know every key that already ran and every approval still pending before it decides anything.
        var restored = await _engine.RestoreAsync(cancellationToken).ConfigureAwait(false);
        RemediationLog.Restored(Logger, restored.Decisions, restored.Approvals, restored.Executions, restored.Interrupted);
        foreach (var pending in _engine.Approvals.ListPending())
        {
            _awaiting.TryAdd(pending.Decision.DecisionId, pending.Decision);
        }

        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override ValueTask ProcessAsync(Episode item) => new(RemediateAsync(item));

    protected override async Task RunBackgroundAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(_options.ApprovalPollInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                await PollApprovalsAsync(stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Approvals answered since the last poll are acted on (as the drained episodes are): after a restart the engine could not
    /// tell an approved decision that never started from an interrupted execution, and it would never run. Then actions
    /// already started finish (each under the executor's timeout) so that their outcome is recorded.
    /// </summary>
    protected override async Task OnDrainedAsync()
    {
        try
        {
            await PollApprovalsAsync(Aborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (Aborted.IsCancellationRequested)
        {
            // The shutdown timeout fired: OnAbortedAsync waits for what started.
        }

        await Task.WhenAll(_running.Keys).ConfigureAwait(false);
    }

    /// <summary>
    /// The shutdown timeout fired while actions ran: their tokens have fired with <see cref="ChannelStage{T}.Aborted"/>, so the
    /// executor ends each at once (an action that ignores its token is abandoned) and records it as cancelled at shutdown;
    /// the stage waits for those records, which the audit log, disposed after the stage stops, would otherwise lose.
    /// </summary>
    protected override Task OnAbortedAsync() => Task.WhenAll(_running.Keys);

    private async Task RemediateAsync(Episode episode)
    {
        if (episode is null)
        {
            return;
        }

        while (_forget.TryDequeue(out var forget))
        {
            if (_proposedByEpisode.TryGetValue(forget.EpisodeId, out var set))
            {
                set.Remove(forget.Proposed);
            }
        }

        if (episode.MergedInto is not null || episode.State is EpisodeState.Resolved or EpisodeState.Inactive)
        {
            // Closed: what it proposed is forgotten (keys stay in the engine for their retention), so memory stays bounded.
            _proposedByEpisode.Remove(episode.Id);
        }

        if (!_states.Contains(episode.State) || episode.MergedInto is not null)
        {
            return;
        }

        IReadOnlyList<RemediationProposal> proposals;
        try
        {
            proposals = await _planner.PlanAsync(episode, _time.GetUtcNow(), Aborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException && !(ex is OperationCanceledException && Aborted.IsCancellationRequested))
        {
            _telemetry.Error(Stage);
            RemediationLog.PlanFailed(Logger, ex, episode.Id);
            return;
        }

        foreach (var proposal in proposals ?? [])
        {
            // The same episode comes back at every change: a key already decided, or an action already proposed on the same
            // targets for this episode (its key may have moved with a late, earlier signal), is not a new proposal. In a
            // cluster this engine does not decide: a key it restored may still need a stage, and the cluster says so.
            if (proposal is null
                || (_engineDecides && proposal.IdempotencyKey is { } key && _engine.TryGetDecisionByKey(key, out _))
                || RanDuringIncident(episode, proposal)
                || !Remember(episode.Id, proposal, out var proposedSet, out var proposedKey))
            {
                continue;
            }

            Decision decision;
            try
            {
                decision = await _coordinator.DecideAsync(proposal, Aborted).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException && !(ex is OperationCanceledException && Aborted.IsCancellationRequested))
            {
                // The audit log refused the decision: nothing was decided, so nothing runs; the next change may try again.
                proposedSet.Remove(proposedKey);
                _telemetry.Error(Stage);
                RemediationLog.DecideFailed(Logger, ex, proposal.ActionId, episode.Id);
                continue;
            }

            switch (decision.Verdict)
            {
                case GateVerdict.Allow when !decision.DryRun:
                    var episodeId = episode.Id;
                    Execute(decision, () => _forget.Enqueue((episodeId, proposedKey)));
                    break;
                case GateVerdict.RequireApproval when !decision.DryRun:
                    _awaiting.TryAdd(decision.DecisionId, decision);
                    break;
            }
        }
    }

    // The action already started on one of the targets since the incident began (the history is restored from the audit log):
    // the same incident does not run it twice, even when a restart forgot what this stage proposed and an earlier signal moved
    // the planner's key.
    private bool RanDuringIncident(Episode episode, RemediationProposal proposal)
    {
        if (proposal.ActionId is null)
        {
            // Invalid: the engine denies it and records why.
            return false;
        }

        foreach (var target in proposal.Targets ?? [])
        {
            if (target is not null && _engine.History.LastStart(proposal.ActionId, target) is { } started && started >= episode.OpenedAt)
            {
                return true;
            }
        }

        return false;
    }

    private bool Remember(string episodeId, RemediationProposal proposal, out HashSet<string> proposed, out string key)
    {
        if (!_proposedByEpisode.TryGetValue(episodeId, out proposed!))
        {
            _proposedByEpisode[episodeId] = proposed = new HashSet<string>(StringComparer.Ordinal);
        }

        key = proposal.ActionId + "\n" + string.Join("\n", proposal.Targets ?? []);
        return proposed.Add(key);
    }

    private async Task PollApprovalsAsync(CancellationToken stopping)
    {
        foreach (var (id, decision) in _awaiting)
        {
            ApprovalState state;
            try
            {
                state = await _approvals.GetStateAsync(id, stopping).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException && !(ex is OperationCanceledException && stopping.IsCancellationRequested))
            {
                // Not known now (a cluster's store unreachable): the decision keeps waiting and is asked about at the next poll.
                _telemetry.Error(Stage);
                RemediationLog.ApprovalPollFailed(Logger, ex, id);
                continue;
            }

            if (state is ApprovalState.Pending)
            {
                continue;
            }

            // Approved runs; rejected, expired or forgotten ones go to the executor too, which records why they did not run.
            if (_awaiting.TryRemove(id, out _))
            {
                Execute(decision, () => _awaiting.TryAdd(decision.DecisionId, decision));
            }
        }
    }

    /// <summary>Executes a decision in the background; <paramref name="retry"/> runs when it fails without an outcome.</summary>
    private void Execute(Decision decision, Action retry)
    {
        // Tracked before the action can start: a stop that finds the action running must find its task too, or it would not
        // wait for the outcome's record before the host disposes the audit log. Starting it runs it on this thread, as before.
        var tracked = new TaskCompletionSource();
        var task = ExecuteAsync(tracked.Task, decision, retry);
        _running.TryAdd(task, 0);
        _ = task.ContinueWith(static (t, s) => ((ConcurrentDictionary<Task, byte>)s!).TryRemove(t, out _), _running, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        tracked.SetResult();
    }

    private async Task ExecuteAsync(Task tracked, Decision decision, Action retry)
    {
        await tracked.ConfigureAwait(false);
        try
        {
            // Not the stop token: an action that started is let finish under its own timeout during the drain; only the host's
            // shutdown timeout (Aborted) cancels it, and its outcome is still recorded (OnAbortedAsync waits for the record).
            var record = await _coordinator.ExecuteAsync(decision, Aborted).ConfigureAwait(false);
            RemediationLog.Executed(Logger, decision.DecisionId, decision.Proposal.ActionId, record.Status, record.Detail);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // No outcome: it is tried again (the coordinator's claim keeps it at most once; a claimed key is a duplicate).
            _telemetry.Error(Stage);
            RemediationLog.ExecuteFailed(Logger, ex, decision.DecisionId);
            retry();
        }
    }
}

/// <summary>The log messages of the remediation stage.</summary>
internal static partial class RemediationLog
{
    [LoggerMessage(EventId = 5130, Level = LogLevel.Information, Message = "Restored from the audit log: {Decisions} decisions, {Approvals} approval answers, {Executions} executions ({Interrupted} interrupted).")]
    public static partial void Restored(ILogger logger, int decisions, int approvals, int executions, int interrupted);

    [LoggerMessage(EventId = 5131, Level = LogLevel.Warning, Message = "Planning remediation for episode {EpisodeId} failed; nothing was proposed.")]
    public static partial void PlanFailed(ILogger logger, Exception exception, string episodeId);

    [LoggerMessage(EventId = 5132, Level = LogLevel.Error, Message = "Deciding on action {ActionId} for episode {EpisodeId} failed (the audit log refused it); nothing was decided and nothing runs.")]
    public static partial void DecideFailed(ILogger logger, Exception exception, string actionId, string episodeId);

    [LoggerMessage(EventId = 5133, Level = LogLevel.Information, Message = "Decision {DecisionId} ({ActionId}): {Status}: {Detail}")]
    public static partial void Executed(ILogger logger, string decisionId, string actionId, ExecutionStatus status, string detail);

    [LoggerMessage(EventId = 5135, Level = LogLevel.Warning, Message = "Asking where the approval of decision {DecisionId} stands failed; it is asked again at the next poll.")]
    public static partial void ApprovalPollFailed(ILogger logger, Exception exception, string decisionId);

    [LoggerMessage(EventId = 5134, Level = LogLevel.Error, Message = "Executing decision {DecisionId} failed without an outcome; it is tried again when offered again.")]
    public static partial void ExecuteFailed(ILogger logger, Exception exception, string decisionId);
}
