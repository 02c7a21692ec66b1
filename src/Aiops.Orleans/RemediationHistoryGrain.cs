using System.Text.Json;
using Aiops.Gates;
using Aiops.Gates.Serialization;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace Aiops.Orleans;

/// <summary>
/// The cluster's execution history: every start of every action within the history's retention, and which are running.
/// Admissions are serialised by the grain, so the rate-limit, cooldown and concurrency gates re-checked here hold for the
/// whole cluster (a global N per hour stays N however many silos propose at once). Persisted at every start and finish.
/// A start whose silo died before recording the finish stops counting as running after <see cref="AiopsOrleansOptions.RunningBound"/>.
/// </summary>
internal sealed class RemediationHistoryGrain(
    [PersistentState("history", AiopsGrains.StorageName)] IPersistentState<HistoryState> state,
    DecisionEngine engine,
    IOptions<AiopsOrleansOptions> options,
    TimeProvider time) : Grain, IRemediationHistoryGrain
{
    private readonly TimeSpan _runningBound = options.Value.RunningBound;

    /// <summary>How long starts are kept: as long as the in-process history keeps them.</summary>
    private static readonly TimeSpan Retention = new ExecutionHistoryOptions().Retention;

    public Task<IReadOnlyList<StartRecord>> GetStartsAsync()
    {
        Prune(time.GetUtcNow(), _runningBound);
        return Task.FromResult<IReadOnlyList<StartRecord>>([.. state.State.Starts]);
    }

    public async Task<Admission> AdmitAsync(string decisionJson)
    {
        var now = time.GetUtcNow();
        var decision = JsonSerializer.Deserialize(decisionJson, GatesJson.Decision)!;
        Prune(now, _runningBound);
        var recheck = await engine.Pipeline.EvaluateAsync(decision.Proposal, ToHistory(state.State.Starts, time, _runningBound), now).ConfigureAwait(true);
        if (recheck.Verdict > decision.Verdict)
        {
            var stopping = recheck.Evaluations.Where(e => e.Verdict == recheck.Verdict).Select(e => $"{e.Gate} ({e.Reason})");
            var what = recheck.Verdict == GateVerdict.Deny ? "denied" : "now requires approval";
            return Admission.Refuse(ExecutionStatus.Denied, $"re-checked at execution on the cluster's history: {what} by {string.Join("; ", stopping)}", now);
        }

        // Counted only once stored: a write that fails takes the start back, so later admissions do not count a start that
        // never happened (the caller is told the admission failed).
        var start = new StartRecord(decision.DecisionId, decision.Proposal.ActionId, [.. decision.Proposal.Targets], now, Running: true);
        state.State.Starts.Add(start);
        try
        {
            await state.WriteStateAsync().ConfigureAwait(true);
        }
        catch
        {
            state.State.Starts.Remove(start);
            throw;
        }

        return new Admission(true, 0, "admitted", now);
    }

    public async Task FinishAsync(string decisionId)
    {
        var starts = state.State.Starts;
        for (var i = starts.Count - 1; i >= 0; i--)
        {
            if (starts[i].Running && starts[i].DecisionId == decisionId)
            {
                var running = starts[i];
                starts[i] = running with { Running = false };
                try
                {
                    await state.WriteStateAsync().ConfigureAwait(true);
                }
                catch
                {
                    // Still running as far as the store knows: so it stays here (the running bound ends it otherwise).
                    starts[i] = running;
                    throw;
                }

                return;
            }
        }
    }

    /// <summary>
    /// Builds an in-process history from the cluster's starts, for the gates to judge on. A start still marked running after
    /// <paramref name="runningBound"/> counts as past: its silo died before recording the end.
    /// </summary>
    internal static ExecutionHistory ToHistory(IReadOnlyList<StartRecord> starts, TimeProvider time, TimeSpan runningBound)
    {
        var now = time.GetUtcNow();
        var history = new ExecutionHistory(timeProvider: time);
        foreach (var start in starts)
        {
            if (IsRunning(start, now, runningBound))
            {
                history.RecordStart(start.ActionId, start.Targets, start.At);
            }
            else
            {
                history.RecordPast(start.ActionId, start.Targets, start.At);
            }
        }

        return history;
    }

    /// <summary>Whether a start counts as running: marked so, and younger than the bound.</summary>
    internal static bool IsRunning(StartRecord start, DateTimeOffset now, TimeSpan runningBound) => start.Running && now - start.At < runningBound;

    private void Prune(DateTimeOffset now, TimeSpan runningBound) => state.State.Starts.RemoveAll(s => !IsRunning(s, now, runningBound) && now - s.At >= Retention);
}
