using static Aiops.Gates.Tests.Engine.Fakes;

namespace Aiops.Gates.Tests.Engine;

public sealed class ApprovalQueueTests
{
    [Fact]
    public async Task ApproveAsync_BeforeExpiry_RecordedDurably_ThenExecutedOnce()
    {
        var audit = new RecordingAuditLog();
        using var h = new Harness([new FakeGate("ask", GateVerdict.RequireApproval)], audit: audit);
        var decision = await h.Engine.DecideAsync(Proposal());
        h.Time.Advance(TimeSpan.FromMinutes(14));

        var before = await h.Executor.ExecuteAsync(decision);
        var result = await h.Approvals.ApproveAsync(decision.DecisionId, "alice", "traffic surge, safe to restart");
        var after = await h.Executor.ExecuteAsync(decision);
        var again = await h.Executor.ExecuteAsync(decision);

        Assert.Equal(ExecutionStatus.AwaitingApproval, before.Status);
        Assert.Equal(ApprovalResultStatus.Approved, result.Status);
        Assert.True(result.Accepted);
        Assert.Equal(new ApprovalRecord(decision.DecisionId, true, "alice", "traffic surge, safe to restart", T0.AddMinutes(14)), result.Record);
        Assert.Contains(audit.Entries, e => e is ApprovalEntry { Approval.Approved: true });
        Assert.Equal(ExecutionStatus.Succeeded, after.Status);
        Assert.Equal(ExecutionStatus.Duplicate, again.Status);
        Assert.Equal(ApprovalState.Approved, h.Approvals.GetState(decision.DecisionId));
        Assert.Empty(h.Approvals.ListPending());
    }

    [Fact]
    public async Task ApproveAsync_AfterExpiry_RefusedAsExpired_NothingRecorded_NeverExecuted()
    {
        using var h = new Harness([new FakeGate("ask", GateVerdict.RequireApproval)]);
        var decision = await h.Engine.DecideAsync(Proposal());
        h.Time.Advance(TimeSpan.FromMinutes(15));

        var result = await h.Approvals.ApproveAsync(decision.DecisionId, "alice", "late");
        var outcome = await h.Executor.ExecuteAsync(decision);

        Assert.Equal(ApprovalResultStatus.Expired, result.Status);
        Assert.False(result.Accepted);
        Assert.Null(result.Record);
        Assert.DoesNotContain(await h.ReadAuditAsync(), e => e is ApprovalEntry);
        Assert.Equal(ApprovalState.Expired, h.Approvals.GetState(decision.DecisionId));
        Assert.Equal(ExecutionStatus.ApprovalExpired, outcome.Status);
        Assert.Empty(h.Approvals.ListPending());
    }

    [Fact]
    public async Task PendingApproval_NeverAnswered_CountsAsDenyAfterExpiry()
    {
        using var h = new Harness([new FakeGate("ask", GateVerdict.RequireApproval)]);
        var decision = await h.Engine.DecideAsync(Proposal());

        Assert.Equal(ApprovalState.Pending, h.Approvals.GetState(decision.DecisionId));
        h.Time.Advance(TimeSpan.FromMinutes(16));
        var outcome = await h.Executor.ExecuteByIdAsync(decision.DecisionId);

        Assert.Equal(ExecutionStatus.ApprovalExpired, outcome.Status);
        Assert.Equal(0, Runs(h));
    }

    [Fact]
    public async Task RejectAsync_RecordedWithWhoAndWhy_NeverExecuted()
    {
        using var h = new Harness([new FakeGate("ask", GateVerdict.RequireApproval)]);
        var decision = await h.Engine.DecideAsync(Proposal());

        var result = await h.Approvals.RejectAsync(decision.DecisionId, "bob", "not during the sale");
        var outcome = await h.Executor.ExecuteAsync(decision);
        var late = await h.Approvals.ApproveAsync(decision.DecisionId, "alice", "changed my mind");

        Assert.Equal(ApprovalResultStatus.Rejected, result.Status);
        Assert.Contains(await h.ReadAuditAsync(), e => e is ApprovalEntry { Approval: { Approved: false, By: "bob", Why: "not during the sale" } });
        Assert.Equal(ExecutionStatus.Rejected, outcome.Status);
        Assert.Contains("bob", outcome.Detail, StringComparison.Ordinal);
        Assert.Equal(ApprovalResultStatus.AlreadyAnswered, late.Status);
        Assert.Equal(0, Runs(h));
    }

    [Theory]
    [InlineData("", "why")]
    [InlineData("alice", " ")]
    public async Task ApproveAsync_MissingWhoOrWhy_Invalid(string by, string why)
    {
        using var h = new Harness([new FakeGate("ask", GateVerdict.RequireApproval)]);
        var decision = await h.Engine.DecideAsync(Proposal());

        var result = await h.Approvals.ApproveAsync(decision.DecisionId, by, why);

        Assert.Equal(ApprovalResultStatus.Invalid, result.Status);
        Assert.Equal(ApprovalState.Pending, h.Approvals.GetState(decision.DecisionId));
    }

    [Fact]
    public async Task ApproveAsync_AllowedOrUnknownDecision_NotPending()
    {
        using var h = new Harness([new FakeGate("ok", GateVerdict.Allow)]);
        var decision = await h.Engine.DecideAsync(Proposal());

        Assert.Equal(ApprovalResultStatus.NotPending, (await h.Approvals.ApproveAsync(decision.DecisionId, "alice", "why")).Status);
        Assert.Equal(ApprovalResultStatus.NotPending, (await h.Approvals.ApproveAsync("dec-999999", "alice", "why")).Status);
    }

    [Fact]
    public async Task ApproveAsync_ConcurrentAnswers_FirstWins_OneRecord()
    {
        var audit = new RecordingAuditLog();
        using var h = new Harness([new FakeGate("ask", GateVerdict.RequireApproval)], audit: audit);
        var decision = await h.Engine.DecideAsync(Proposal());
        audit.Hold();

        var first = h.Approvals.ApproveAsync(decision.DecisionId, "alice", "go").AsTask();
        var second = await h.Approvals.RejectAsync(decision.DecisionId, "bob", "stop");
        Assert.Equal(ApprovalState.Pending, h.Approvals.GetState(decision.DecisionId)); // not approved until durable
        audit.Release();
        var winner = await first;

        Assert.Equal(ApprovalResultStatus.Approved, winner.Status);
        Assert.Equal(ApprovalResultStatus.AlreadyAnswered, second.Status);
        Assert.Single(audit.Entries.OfType<ApprovalEntry>());
    }

    [Fact]
    public async Task ListPending_OldestFirst_ExcludesAnsweredAndExpired()
    {
        using var h = new Harness([new FakeGate("ask", GateVerdict.RequireApproval)]);
        var a = await h.Engine.DecideAsync(Proposal(key: "a"));
        h.Time.Advance(TimeSpan.FromMinutes(10));
        var b = await h.Engine.DecideAsync(Proposal(key: "b"));
        var c = await h.Engine.DecideAsync(Proposal(key: "c"));
        await h.Approvals.RejectAsync(c.DecisionId, "bob", "no");

        Assert.Equal([a.DecisionId, b.DecisionId], h.Approvals.ListPending().Select(p => p.Decision.DecisionId));
        h.Time.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal([b.DecisionId], h.Approvals.ListPending().Select(p => p.Decision.DecisionId));
    }

    private static int Runs(Harness h)
    {
        Assert.True(h.Registry.TryGet("restart", out var action));
        return ((ScriptedAction)action).Runs;
    }
}
