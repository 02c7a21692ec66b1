using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using static Aiops.Gates.Tests.Engine.Fakes;

namespace Aiops.Gates.Tests.Engine;

public sealed class RemediationExecutorTests
{
    [Fact]
    public async Task ExecuteAsync_Allowed_RunsOnce_RecordsOutcome()
    {
        var action = new ScriptedAction("restart");
        using var h = new Harness([new FakeGate("ok", GateVerdict.Allow)], actions: [action]);
        var decision = await h.Engine.DecideAsync(Proposal());
        h.Time.Advance(TimeSpan.FromSeconds(3));

        var outcome = await h.Executor.ExecuteAsync(decision);

        Assert.Equal(ExecutionStatus.Succeeded, outcome.Status);
        Assert.Equal(1, action.Runs);
        Assert.Equal(new ExecutionRecord(decision.DecisionId, "restart", decision.Proposal.IdempotencyKey, ExecutionStatus.Succeeded, T0.AddSeconds(3), T0.AddSeconds(3), "done " + decision.DecisionId), outcome);
        Assert.Equal(outcome, Assert.Single(await h.ExecutionsAsync()));
    }

    [Fact]
    public async Task ExecuteAsync_Denied_NeverRuns_NamesTheGate()
    {
        var action = new ScriptedAction("restart");
        using var h = new Harness([new FakeGate("ok", GateVerdict.Allow), new FakeGate("blast-radius", GateVerdict.Deny)], actions: [action]);
        var decision = await h.Engine.DecideAsync(Proposal());

        var outcome = await h.Executor.ExecuteAsync(decision);

        Assert.Equal(ExecutionStatus.Denied, outcome.Status);
        Assert.Contains("blast-radius", outcome.Detail, StringComparison.Ordinal);
        Assert.Equal(0, action.Runs);
        Assert.Equal(outcome, Assert.Single(await h.ExecutionsAsync()));
    }

    [Fact]
    public async Task ExecuteAsync_RequireApprovalNotApproved_NeverRuns()
    {
        var action = new ScriptedAction("restart");
        using var h = new Harness([new FakeGate("ask", GateVerdict.RequireApproval)], actions: [action]);
        var decision = await h.Engine.DecideAsync(Proposal());

        var outcome = await h.Executor.ExecuteAsync(decision);

        Assert.Equal(ExecutionStatus.AwaitingApproval, outcome.Status);
        Assert.Equal(0, action.Runs);
    }

    [Fact]
    public async Task ExecuteAsync_HandMadeDecision_RefusedAsDenied()
    {
        var action = new ScriptedAction("restart");
        using var h = new Harness([new FakeGate("deny", GateVerdict.Deny)], actions: [action]);
        var forged = new Decision("dec-000001", Proposal(), [], GateVerdict.Allow, T0, DryRun: false);

        var outcome = await h.Executor.ExecuteAsync(forged);

        Assert.Equal(ExecutionStatus.Denied, outcome.Status);
        Assert.Equal(0, action.Runs);
    }

    [Fact]
    public async Task ExecuteAsync_AlteredCopyOfDeniedDecision_RefusedAsDenied()
    {
        var action = new ScriptedAction("restart");
        using var h = new Harness([new FakeGate("deny", GateVerdict.Deny)], actions: [action]);
        var decision = await h.Engine.DecideAsync(Proposal());

        var outcome = await h.Executor.ExecuteAsync(decision with { Verdict = GateVerdict.Allow });

        Assert.Equal(ExecutionStatus.Denied, outcome.Status);
        Assert.Contains("not the one this engine recorded", outcome.Detail, StringComparison.Ordinal);
        Assert.Equal(0, action.Runs);
    }

    [Fact]
    public async Task ExecuteAsync_UnknownDecisionId_RefusedAsDenied()
    {
        using var h = new Harness([new FakeGate("ok", GateVerdict.Allow)]);

        var outcome = await h.Executor.ExecuteByIdAsync("dec-424242");

        Assert.Equal(ExecutionStatus.Denied, outcome.Status);
        Assert.Single(await h.ExecutionsAsync());
    }

    [Fact]
    public async Task ExecuteAsync_ActionRemovedAfterDecision_UnknownAction()
    {
        var action = new ScriptedAction("restart");
        using var h = new Harness([new FakeGate("ok", GateVerdict.Allow)], actions: [action]);
        var decision = await h.Engine.DecideAsync(Proposal());
        h.Registry.Remove("restart");

        var outcome = await h.Executor.ExecuteAsync(decision);

        Assert.Equal(ExecutionStatus.UnknownAction, outcome.Status);
        Assert.Equal(0, action.Runs);
    }

    [Fact]
    public async Task ExecuteAsync_FiftyConcurrentCalls_ExactlyOneRun()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finish = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var action = new ScriptedAction("restart", RiskClass.Low, async (d, ct) =>
        {
            started.TrySetResult();
            await finish.Task.WaitAsync(ct);
            return ActionOutcome.Success("restarted");
        });
        using var h = new Harness([new FakeGate("ok", GateVerdict.Allow)], actions: [action]);
        var decision = await h.Engine.DecideAsync(Proposal());

        var calls = Enumerable.Range(0, 50).Select(i => Task.Run(() => i % 2 == 0
            ? h.Executor.ExecuteAsync(decision).AsTask()
            : h.Executor.ExecuteByIdAsync(decision.DecisionId).AsTask())).ToArray();
        await started.Task;
        finish.SetResult();
        var outcomes = await Task.WhenAll(calls);

        Assert.Equal(1, action.Runs);
        Assert.Single(outcomes, o => o.Status == ExecutionStatus.Succeeded);
        Assert.Equal(49, outcomes.Count(o => o.Status == ExecutionStatus.Duplicate));
        Assert.Equal(50, (await h.ExecutionsAsync()).Count);
        Assert.Equal(0, h.Engine.History.Running);
    }

    [Fact]
    public async Task ExecuteAsync_FiftyConcurrentProposalsOfOneKey_ExactlyOneRun()
    {
        var action = new ScriptedAction("restart", RiskClass.Low, async (d, ct) =>
        {
            await Task.Yield();
            return ActionOutcome.Success("restarted");
        });
        using var h = new Harness([new FakeGate("ok", GateVerdict.Allow)], actions: [action]);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(async () =>
        {
            var decision = await h.Engine.DecideAsync(Proposal());
            return await h.Executor.ExecuteAsync(decision);
        })));

        Assert.Equal(1, action.Runs);
        Assert.Single(outcomes, o => o.Status == ExecutionStatus.Succeeded);
        Assert.Single((await h.ReadAuditAsync()).OfType<DecisionEntry>());
    }

    [Fact]
    public async Task ExecuteAsync_ActionHangs_TimedOutAtActionTimeout()
    {
        var action = new ScriptedAction("restart", RiskClass.Low, async (d, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return ActionOutcome.Success("unreachable");
        });
        using var h = new Harness([new FakeGate("ok", GateVerdict.Allow)], actions: [action], actionTimeout: TimeSpan.FromSeconds(5));
        var decision = await h.Engine.DecideAsync(Proposal());

        var pending = h.Executor.ExecuteAsync(decision).AsTask();
        Assert.Equal(1, h.Engine.History.Running);
        h.Time.Advance(TimeSpan.FromSeconds(5));
        var outcome = await pending;

        Assert.Equal(ExecutionStatus.TimedOut, outcome.Status);
        Assert.Equal(T0.AddSeconds(5), outcome.FinishedAt);
        await WaitUntil(() => h.Engine.History.Running == 0); // the cancelled action unwinds on its own continuation
        Assert.Equal(ExecutionStatus.Duplicate, (await h.Executor.ExecuteAsync(decision)).Status); // never retried
    }

    [Fact]
    public async Task ExecuteAsync_ActionIgnoresToken_TimedOut_CountsAsRunningUntilItReturns()
    {
        var release = new TaskCompletionSource<ActionOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        var action = new ScriptedAction("restart", RiskClass.Low, (d, ct) => new ValueTask<ActionOutcome>(release.Task));
        using var h = new Harness([new FakeGate("ok", GateVerdict.Allow)], actions: [action], actionTimeout: TimeSpan.FromSeconds(5));
        var decision = await h.Engine.DecideAsync(Proposal());

        var pending = h.Executor.ExecuteAsync(decision).AsTask();
        h.Time.Advance(TimeSpan.FromSeconds(5));
        var outcome = await pending;

        Assert.Equal(ExecutionStatus.TimedOut, outcome.Status);
        Assert.Equal(1, h.Engine.History.Running);
        release.SetResult(ActionOutcome.Success("late"));
        await release.Task;
        await WaitUntil(() => h.Engine.History.Running == 0);
    }

    [Fact]
    public async Task ExecuteAsync_ActionThrows_Failed_NotRetried()
    {
        var action = new ScriptedAction("restart", RiskClass.Low, (d, ct) => throw new HttpRequestException("connection refused"));
        using var h = new Harness([new FakeGate("ok", GateVerdict.Allow)], actions: [action]);
        var decision = await h.Engine.DecideAsync(Proposal());

        var outcome = await h.Executor.ExecuteAsync(decision);
        var retry = await h.Executor.ExecuteAsync(decision);

        Assert.Equal(ExecutionStatus.Failed, outcome.Status);
        Assert.Equal("System.Net.Http.HttpRequestException: connection refused", outcome.Detail);
        Assert.Equal(ExecutionStatus.Duplicate, retry.Status);
        Assert.Equal(1, action.Runs);
    }

    [Fact]
    public async Task ExecuteAsync_LoggerThrowsThroughout_DecidedRunOnceAndRecorded()
    {
        // Every log call throws (a broken provider): the executor logs after the key is claimed and in the catch of an action
        // that threw, the gate pipeline in the catch of a gate that threw. The log line is lost, never the decision or the record.
        var action = new ScriptedAction("restart", RiskClass.Low, (d, ct) => throw new HttpRequestException("connection refused"));
        using var h = new Harness([new FakeGate("ok", GateVerdict.Allow)], actions: [action], brokenLogger: true);
        var decision = await h.Engine.DecideAsync(Proposal());

        var outcome = await h.Executor.ExecuteAsync(decision);
        var retry = await h.Executor.ExecuteAsync(decision);

        Assert.Equal(ExecutionStatus.Failed, outcome.Status);
        Assert.Equal(ExecutionStatus.Duplicate, retry.Status);
        Assert.Equal(1, action.Runs);
        Assert.Equal([outcome, retry], await h.ExecutionsAsync());
        Assert.Equal(0, h.Engine.History.Running);

        using var failing = new Harness([new ThrowingGate("flaky")], brokenLogger: true);
        var denied = await failing.Engine.DecideAsync(Proposal());
        Assert.Equal(GateVerdict.Deny, denied.Verdict);
        Assert.Equal(denied, Assert.Single((await failing.ReadAuditAsync()).OfType<DecisionEntry>()).Decision);
    }

    [Fact]
    public async Task ExecuteAsync_ActionReportsFailure_Failed()
    {
        var action = new ScriptedAction("restart", RiskClass.Low, (d, ct) => ValueTask.FromResult(ActionOutcome.Failure("pod not found")));
        using var h = new Harness([new FakeGate("ok", GateVerdict.Allow)], actions: [action]);

        var outcome = await h.Executor.ExecuteAsync(await h.Engine.DecideAsync(Proposal()));

        Assert.Equal(ExecutionStatus.Failed, outcome.Status);
        Assert.Equal("pod not found", outcome.Detail);
    }

    [Fact]
    public async Task ExecuteAsync_StartRecordedBeforeTheActionRuns()
    {
        DecisionEngine? engine = null;
        (int Running, int Count, DateTimeOffset? Last) seen = default;
        var action = new ScriptedAction("restart", RiskClass.Low, (d, ct) =>
        {
            seen = (engine!.History.Running, engine.History.CountSince("restart", T0, "api-7f9c"), engine.History.LastStart("restart"));
            return ValueTask.FromResult(ActionOutcome.Success("ok"));
        });
        using var h = new Harness([new FakeGate("ok", GateVerdict.Allow)], actions: [action]);
        engine = h.Engine;

        await h.Executor.ExecuteAsync(await h.Engine.DecideAsync(Proposal()));

        Assert.Equal((1, 1, (DateTimeOffset?)T0), seen);
        Assert.Equal(0, h.Engine.History.Running);
    }

    [Fact]
    public async Task ExecuteAsync_TwoDecisionsAllowedOnSameHistory_RecheckStopsTheSecond()
    {
        var oneAtATime = new FakeGate("rate-limit", c => c.History.CountSince(c.Proposal.ActionId, c.Now - TimeSpan.FromMinutes(10)) < 1
            ? GateDecision.Allow("under the limit")
            : GateDecision.Deny("1 per 10 min reached"));
        var action = new ScriptedAction("restart");
        using var h = new Harness([oneAtATime], actions: [action]);

        var first = await h.Engine.DecideAsync(Proposal(key: "k1"));
        var second = await h.Engine.DecideAsync(Proposal(key: "k2", targets: ["api-8d2e"]));
        var a = await h.Executor.ExecuteAsync(first);
        var b = await h.Executor.ExecuteAsync(second);

        Assert.Equal(GateVerdict.Allow, second.Verdict);
        Assert.Equal(ExecutionStatus.Succeeded, a.Status);
        Assert.Equal(ExecutionStatus.Denied, b.Status);
        Assert.StartsWith("re-checked at execution: denied by rate-limit", b.Detail, StringComparison.Ordinal);
        Assert.Equal(1, action.Runs);
    }

    [Fact]
    public async Task ExecuteAsync_RecheckDisabled_InterleavedDecisionsExceedTheLimit()
    {
        // Why the re-check is on by default: without it the second decision, judged before the first ran, runs too.
        var oneAtATime = new FakeGate("rate-limit", c => c.History.CountSince(c.Proposal.ActionId, c.Now - TimeSpan.FromMinutes(10)) < 1
            ? GateDecision.Allow("under the limit")
            : GateDecision.Deny("1 per 10 min reached"));
        var action = new ScriptedAction("restart");
        using var h = new Harness([oneAtATime], actions: [action], recheck: false);

        var first = await h.Engine.DecideAsync(Proposal(key: "k1"));
        var second = await h.Engine.DecideAsync(Proposal(key: "k2"));
        await h.Executor.ExecuteAsync(first);
        await h.Executor.ExecuteAsync(second);

        Assert.Equal(2, action.Runs);
    }

    [Fact]
    public async Task ExecuteAsync_CountsAttemptsByActionAndStatus()
    {
        using var h = new Harness([new FakeGate("ok", GateVerdict.Allow)]);
        using var executions = new MetricCollector<long>(h.Meters, GatesTelemetry.MeterName, "aiops.gates.executions");
        var decision = await h.Engine.DecideAsync(Proposal());

        await h.Executor.ExecuteAsync(decision);
        await h.Executor.ExecuteAsync(decision);
        await h.Executor.ExecuteByIdAsync("dec-999999");

        var tags = executions.GetMeasurementSnapshot().Select(m => ((string)m.Tags["action"]!, (string)m.Tags["status"]!)).ToList();
        Assert.Equal([("restart", "succeeded"), ("restart", "duplicate"), ("(unregistered)", "denied")], tags);
    }

    [Fact]
    public void Registry_DuplicateId_ThrowsAtRegistration()
    {
        var registry = new ActionRegistry([new ScriptedAction("restart")]);

        var ex = Assert.Throws<ArgumentException>(() => registry.Register(new ScriptedAction("restart", RiskClass.High)));

        Assert.Contains("restart", ex.Message, StringComparison.Ordinal);
        Assert.Equal(["restart"], registry.Ids);
    }

    [Fact]
    public void Registry_EmptyId_Throws() =>
        Assert.Throws<ArgumentException>(() => new ActionRegistry([new ScriptedAction(" ")]));

    private static async Task WaitUntil(Func<bool> condition)
    {
        // The continuation that ends the abandoned run is asynchronous: poll briefly (real time, bounded).
        for (var i = 0; i < 5000 && !condition(); i++)
        {
            await Task.Delay(1);
        }

        Assert.True(condition());
    }
}
