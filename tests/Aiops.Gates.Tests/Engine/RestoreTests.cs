using Microsoft.Extensions.Time.Testing;
using static Aiops.Gates.Tests.Engine.Fakes;

namespace Aiops.Gates.Tests.Engine;

public sealed class RestoreTests
{
    [Fact]
    public async Task RestoreAsync_AfterExecution_SameKeyNotRunAgain()
    {
        var audit = new InMemoryAuditLog();
        var time = new FakeTimeProvider(T0);
        var before = new ScriptedAction("restart");
        using (var first = new Harness([new FakeGate("ok", GateVerdict.Allow)], actions: [before], audit: audit, time: time))
        {
            Assert.Equal(ExecutionStatus.Succeeded, (await first.Executor.ExecuteAsync(await first.Engine.DecideAsync(Proposal()))).Status);
        }

        time.Advance(TimeSpan.FromMinutes(5));
        var after = new ScriptedAction("restart");
        var gate = new FakeGate("ok", GateVerdict.Allow);
        using var restarted = new Harness([gate], actions: [after], audit: audit, time: time);
        var restored = await restarted.Engine.RestoreAsync();

        var decision = await restarted.Engine.DecideAsync(Proposal());
        var outcome = await restarted.Executor.ExecuteAsync(decision);

        Assert.Equal(new AuditRestoreResult(Decisions: 1, Approvals: 0, Executions: 1, Interrupted: 0), restored);
        Assert.Equal("dec-000001", decision.DecisionId); // the replayed decision, not a new one
        Assert.Equal(0, gate.Calls);
        Assert.Equal(ExecutionStatus.Duplicate, outcome.Status);
        Assert.Equal(0, after.Runs);
    }

    [Fact]
    public async Task RestoreAsync_ContinuesTheIdSequence_AndRebuildsHistory()
    {
        var audit = new InMemoryAuditLog();
        var time = new FakeTimeProvider(T0);
        using (var first = new Harness([new FakeGate("ok", GateVerdict.Allow)], audit: audit, time: time))
        {
            await first.Executor.ExecuteAsync(await first.Engine.DecideAsync(Proposal(key: "k1", targets: ["api-1", "api-2"])));
            await first.Engine.DecideAsync(Proposal(key: "k2"));
        }

        time.Advance(TimeSpan.FromMinutes(1));
        using var restarted = new Harness([new FakeGate("ok", GateVerdict.Allow)], audit: audit, time: time);
        await restarted.Engine.RestoreAsync();
        var next = await restarted.Engine.DecideAsync(Proposal(key: "k3"));

        Assert.Equal("dec-000003", next.DecisionId);
        Assert.Equal(1, restarted.Engine.History.CountSince("restart", T0, "api-2"));
        Assert.Equal(T0, restarted.Engine.History.LastStart("restart", "api-1"));
        Assert.Equal(0, restarted.Engine.History.Running);
    }

    [Fact]
    public async Task RestoreAsync_AllowedButNoOutcomeRecorded_TreatedAsPossiblyStarted_NotRun()
    {
        // The process died between the decision and its outcome: the action may have started, so it never runs again.
        var audit = new InMemoryAuditLog();
        var time = new FakeTimeProvider(T0);
        using (var first = new Harness([new FakeGate("ok", GateVerdict.Allow)], audit: audit, time: time))
        {
            await first.Engine.DecideAsync(Proposal());
        }

        var action = new ScriptedAction("restart");
        using var restarted = new Harness([new FakeGate("ok", GateVerdict.Allow)], actions: [action], audit: audit, time: time);
        var restored = await restarted.Engine.RestoreAsync();
        var outcome = await restarted.Executor.ExecuteAsync(await restarted.Engine.DecideAsync(Proposal()));

        Assert.Equal(1, restored.Interrupted);
        Assert.Equal(ExecutionStatus.Duplicate, outcome.Status);
        Assert.Contains("at most once", outcome.Detail, StringComparison.Ordinal);
        Assert.Equal(0, action.Runs);
    }

    [Fact]
    public async Task RestoreAsync_PendingApproval_StillPending_ApprovedAfterRestart_Runs()
    {
        var audit = new InMemoryAuditLog();
        var time = new FakeTimeProvider(T0);
        string id;
        using (var first = new Harness([new FakeGate("ask", GateVerdict.RequireApproval)], audit: audit, time: time))
        {
            id = (await first.Engine.DecideAsync(Proposal())).DecisionId;
        }

        time.Advance(TimeSpan.FromMinutes(5));
        var action = new ScriptedAction("restart");
        using var restarted = new Harness([new FakeGate("ask", GateVerdict.RequireApproval)], actions: [action], audit: audit, time: time);
        await restarted.Engine.RestoreAsync();

        var pending = Assert.Single(restarted.Approvals.ListPending());
        Assert.Equal(T0.AddMinutes(15), pending.ExpiresAt);
        Assert.True((await restarted.Approvals.ApproveAsync(id, "alice", "ok")).Accepted);
        Assert.Equal(ExecutionStatus.Succeeded, (await restarted.Executor.ExecuteByIdAsync(id)).Status);
        Assert.Equal(1, action.Runs);
    }

    [Fact]
    public async Task RestoreAsync_RejectedBeforeRestart_StaysRejected()
    {
        var audit = new InMemoryAuditLog();
        var time = new FakeTimeProvider(T0);
        string id;
        using (var first = new Harness([new FakeGate("ask", GateVerdict.RequireApproval)], audit: audit, time: time))
        {
            id = (await first.Engine.DecideAsync(Proposal())).DecisionId;
            await first.Approvals.RejectAsync(id, "bob", "no");
        }

        var action = new ScriptedAction("restart");
        using var restarted = new Harness([new FakeGate("ask", GateVerdict.RequireApproval)], actions: [action], audit: audit, time: time);
        await restarted.Engine.RestoreAsync();

        Assert.Equal(ApprovalState.Rejected, restarted.Approvals.GetState(id));
        Assert.Equal(ExecutionStatus.Rejected, (await restarted.Executor.ExecuteByIdAsync(id)).Status);
        Assert.Equal(0, action.Runs);
    }

    [Fact]
    public async Task RestoreAsync_AfterFirstDecision_Throws()
    {
        using var h = new Harness([new FakeGate("ok", GateVerdict.Allow)]);
        await h.Engine.DecideAsync(Proposal());

        await Assert.ThrowsAsync<InvalidOperationException>(() => h.Engine.RestoreAsync().AsTask());
    }

    [Fact]
    public async Task RestoreAsync_EntriesOlderThanRetention_Forgotten_KeyMayRunAgain()
    {
        var audit = new InMemoryAuditLog();
        var time = new FakeTimeProvider(T0);
        using (var first = new Harness([new FakeGate("ok", GateVerdict.Allow)], audit: audit, time: time))
        {
            await first.Executor.ExecuteAsync(await first.Engine.DecideAsync(Proposal()));
        }

        time.Advance(TimeSpan.FromHours(25));
        var action = new ScriptedAction("restart");
        using var restarted = new Harness([new FakeGate("ok", GateVerdict.Allow)], actions: [action], audit: audit, time: time);
        await restarted.Engine.RestoreAsync();
        var decision = await restarted.Engine.DecideAsync(Proposal(at: time.GetUtcNow()));

        Assert.Equal("dec-000002", decision.DecisionId);
        Assert.Equal(ExecutionStatus.Succeeded, (await restarted.Executor.ExecuteAsync(decision)).Status);
    }
}
