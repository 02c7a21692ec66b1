using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using static Aiops.Gates.Tests.Engine.Fakes;

namespace Aiops.Gates.Tests.Engine;

public sealed class DecisionEngineTests
{
    public static TheoryData<string, RemediationProposal?> InvalidProposals => new()
    {
        { "null", null },
        { "empty action", Proposal(action: " ") },
        { "null action", Proposal() with { ActionId = null! } },
        { "no targets", Proposal(targets: []) },
        { "null targets", Proposal() with { Targets = null! } },
        { "empty target", Proposal(targets: ["api-1", ""]) },
        { "empty key", Proposal(key: "") },
        { "null key", Proposal() with { IdempotencyKey = null! } },
        { "NaN confidence", Proposal(confidence: double.NaN) },
        { "confidence above one", Proposal(confidence: 1.5) },
        { "undefined risk", Proposal(risk: (RiskClass)42) },
    };

    [Theory]
    [MemberData(nameof(InvalidProposals))]
    public async Task DecideAsync_InvalidProposal_DeniedWithReason_RecordedNeverThrows(string scenario, RemediationProposal? proposal)
    {
        var gate = new FakeGate("any", GateVerdict.Allow);
        using var h = new Harness([gate]);

        var decision = await h.Engine.DecideAsync(proposal);

        Assert.Equal(GateVerdict.Deny, decision.Verdict);
        var evaluation = Assert.Single(decision.Evaluations);
        Assert.Equal(DecisionEngine.ValidationGateName, evaluation.Gate);
        Assert.StartsWith("invalid proposal", evaluation.Reason, StringComparison.Ordinal);
        Assert.Equal(0, gate.Calls);
        var recorded = Assert.Single((await h.ReadAuditAsync()).OfType<DecisionEntry>());
        Assert.Same(decision, recorded.Decision);
        Assert.True(double.IsFinite(decision.Proposal.Confidence), scenario);
        Assert.NotNull(decision.Proposal.Targets);
    }

    [Fact]
    public async Task DecideAsync_InvalidProposal_NeverExecuted()
    {
        using var h = new Harness([new FakeGate("any", GateVerdict.Allow)]);
        var decision = await h.Engine.DecideAsync(Proposal(confidence: double.NaN));

        var outcome = await h.Executor.ExecuteAsync(decision);

        Assert.Equal(ExecutionStatus.Denied, outcome.Status);
        Assert.Equal(0, ((ScriptedAction)GetAction(h)).Runs);
    }

    [Fact]
    public async Task DecideAsync_AssignsSequentialIds()
    {
        using var h = new Harness([new FakeGate("any", GateVerdict.Allow)]);

        var first = await h.Engine.DecideAsync(Proposal(key: "k1"));
        var second = await h.Engine.DecideAsync(Proposal(key: "k2"));
        var invalid = await h.Engine.DecideAsync(null);

        Assert.Equal(["dec-000001", "dec-000002", "dec-000003"], new[] { first.DecisionId, second.DecisionId, invalid.DecisionId });
        Assert.Equal(T0, first.DecidedAt);
    }

    [Fact]
    public async Task DecideAsync_DecisionDurableBeforeReturned()
    {
        var audit = new RecordingAuditLog();
        using var h = new Harness([new FakeGate("any", GateVerdict.Allow)], audit: audit);
        audit.Hold();

        var pending = h.Engine.DecideAsync(Proposal()).AsTask();

        Assert.False(pending.IsCompleted);
        Assert.False(h.Engine.TryGetDecision("dec-000001", out _)); // not visible (nor executable) before it is durable
        Assert.Empty(audit.Entries);
        audit.Release();
        var decision = await pending;
        audit.Record("returned:" + decision.DecisionId);

        Assert.Equal(["append-start:DecisionEntry", "append-durable:DecisionEntry", "returned:dec-000001"], audit.Events);
        Assert.Same(decision, Assert.IsType<DecisionEntry>(Assert.Single(audit.Entries)).Decision);
        Assert.True(h.Engine.TryGetDecision("dec-000001", out _));
    }

    [Fact]
    public async Task DecideAsync_AuditFails_Throws_NothingDecided_KeyCanBeProposedAgain()
    {
        var audit = new RecordingAuditLog { Fail = true };
        using var h = new Harness([new FakeGate("any", GateVerdict.Allow)], audit: audit);

        await Assert.ThrowsAsync<IOException>(() => h.Engine.DecideAsync(Proposal()).AsTask());
        Assert.False(h.Engine.TryGetDecisionByKey(Proposal().IdempotencyKey, out _));
        audit.Fail = false;
        var decision = await h.Engine.DecideAsync(Proposal());

        Assert.Equal(GateVerdict.Allow, decision.Verdict);
        Assert.Single(audit.Entries);
    }

    [Fact]
    public async Task DecideAsync_SameKeyFiveTimes_SameDecision_GatesOnce_OneRecord()
    {
        var gate = new FakeGate("any", GateVerdict.Allow);
        using var h = new Harness([gate]);
        using var decisions = new MetricCollector<long>(h.Meters, GatesTelemetry.MeterName, "aiops.gates.decisions");

        var all = new List<Decision>();
        for (var i = 0; i < 5; i++)
        {
            all.Add(await h.Engine.DecideAsync(Proposal()));
            h.Time.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.All(all, d => Assert.Same(all[0], d));
        Assert.Equal(1, gate.Calls);
        Assert.Single((await h.ReadAuditAsync()).OfType<DecisionEntry>());
        Assert.Equal(["decided", "duplicate", "duplicate", "duplicate", "duplicate"], decisions.GetMeasurementSnapshot().Select(m => (string)m.Tags["outcome"]!));
    }

    [Fact]
    public async Task DecideAsync_SameKeyAfterRetention_NewDecision()
    {
        var gate = new FakeGate("any", GateVerdict.Allow);
        using var h = new Harness([gate]);

        var first = await h.Engine.DecideAsync(Proposal());
        h.Time.Advance(h.Engine.Retention);
        var second = await h.Engine.DecideAsync(Proposal());

        Assert.NotEqual(first.DecisionId, second.DecisionId);
        Assert.Equal(2, gate.Calls);
        Assert.False(h.Engine.TryGetDecision(first.DecisionId, out _)); // forgotten after the retention
    }

    [Fact]
    public async Task DecideAsync_ConcurrentSameKey_OneEvaluationOneRecord()
    {
        var release = new TaskCompletionSource<GateDecision>(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        var slow = new SlowGate(() => { Interlocked.Increment(ref calls); return release.Task; });
        using var h = new Harness([slow]);

        var tasks = Enumerable.Range(0, 20).Select(_ => Task.Run(() => h.Engine.DecideAsync(Proposal()).AsTask())).ToArray();
        while (Volatile.Read(ref calls) == 0)
        {
            await Task.Yield();
        }

        release.SetResult(GateDecision.Allow("ok"));
        var decisions = await Task.WhenAll(tasks);

        Assert.Equal(1, calls);
        Assert.All(decisions, d => Assert.Same(decisions[0], d));
        Assert.Single((await h.ReadAuditAsync()).OfType<DecisionEntry>());
    }

    [Fact]
    public async Task DecideAsync_RiskLowerThanDeclared_RaisedToActionRisk()
    {
        var ceiling = new RiskCeilingFake();
        using var h = new Harness([ceiling], actions: [new ScriptedAction("rollback", RiskClass.High)]);

        var decision = await h.Engine.DecideAsync(Proposal(action: "rollback", risk: RiskClass.Low));

        Assert.Equal(RiskClass.High, ceiling.LastSeen);
        Assert.Equal(RiskClass.High, decision.Proposal.Risk);
        Assert.Equal(GateVerdict.RequireApproval, decision.Verdict);
    }

    [Fact]
    public async Task DecideAsync_RiskHigherThanDeclared_Kept()
    {
        using var h = new Harness([new RiskCeilingFake()]);

        var decision = await h.Engine.DecideAsync(Proposal(risk: RiskClass.Destructive));

        Assert.Equal(RiskClass.Destructive, decision.Proposal.Risk);
        Assert.Equal(GateVerdict.Deny, decision.Verdict);
    }

    [Fact]
    public async Task DecideAsync_UnregisteredAction_DeniedByRegistry_AfterEveryGate()
    {
        var gate = new FakeGate("any", GateVerdict.Allow);
        using var h = new Harness([gate]);

        var decision = await h.Engine.DecideAsync(Proposal(action: "format-disk"));

        Assert.Equal(GateVerdict.Deny, decision.Verdict);
        Assert.Equal(1, gate.Calls);
        Assert.Equal(DecisionEngine.RegistryGateName, Assert.Single(decision.DecisiveGates).Gate);
    }

    [Fact]
    public async Task DecideAsync_CallerMutatesTargetsAfterwards_RecordedTargetsUnchanged()
    {
        using var h = new Harness([new FakeGate("any", GateVerdict.Allow)]);
        var targets = new List<string> { "api-1" };

        var decision = await h.Engine.DecideAsync(Proposal() with { Targets = targets });
        targets.Add("db-primary");

        Assert.Equal(["api-1"], decision.Proposal.Targets);
    }

    [Fact]
    public async Task DecideAsync_DryRun_MarkedAndNeverExecuted()
    {
        using var h = new Harness([new FakeGate("any", GateVerdict.Allow)], dryRun: true);

        var decision = await h.Engine.DecideAsync(Proposal());
        var outcome = await h.Executor.ExecuteAsync(decision);

        Assert.True(decision.DryRun);
        Assert.Equal(GateVerdict.Allow, decision.Verdict);
        Assert.Equal(ExecutionStatus.DryRun, outcome.Status);
        Assert.Equal(0, ((ScriptedAction)GetAction(h)).Runs);
    }

    [Fact]
    public async Task DryRun_FlippedAtRunTime_AppliesToNewDecisions()
    {
        using var h = new Harness([new FakeGate("any", GateVerdict.Allow)]);

        var live = await h.Engine.DecideAsync(Proposal(key: "k1"));
        h.Engine.DryRun = true;
        var dry = await h.Engine.DecideAsync(Proposal(key: "k2"));

        Assert.False(live.DryRun);
        Assert.True(dry.DryRun);
    }

    [Fact]
    public async Task DecideAsync_RequireApproval_QueuedForApproval_DryRunNot()
    {
        using var h = new Harness([new FakeGate("ask", GateVerdict.RequireApproval)]);

        var decision = await h.Engine.DecideAsync(Proposal(key: "k1"));
        h.Engine.DryRun = true;
        var dry = await h.Engine.DecideAsync(Proposal(key: "k2"));

        var pending = Assert.Single(h.Approvals.ListPending());
        Assert.Same(decision, pending.Decision);
        Assert.Equal(T0 + TimeSpan.FromMinutes(15), pending.ExpiresAt);
        Assert.Equal(ApprovalState.None, h.Approvals.GetState(dry.DecisionId));
    }

    [Fact]
    public void Constructor_ApprovalTimeoutNotShorterThanRetention_Throws()
    {
        var audit = new InMemoryAuditLog();
        var approvals = new ApprovalQueue(audit, new ApprovalQueueOptions { ApprovalTimeout = TimeSpan.FromHours(2) });

        var ex = Assert.Throws<ArgumentException>(() => new DecisionEngine(
            new GatePipeline([]), audit, new ActionRegistry(), approvals: approvals, options: new DecisionEngineOptions { Retention = TimeSpan.FromHours(1) }));

        Assert.Contains("ApprovalTimeout", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Retention", ex.Message, StringComparison.Ordinal);
    }

    private static IRemediationAction GetAction(Harness h)
    {
        Assert.True(h.Registry.TryGet("restart", out var action));
        return action;
    }

    private sealed class SlowGate(Func<Task<GateDecision>> judge) : IGatePolicy
    {
        public string Name => "slow";

        public async ValueTask<GateDecision> EvaluateAsync(GateContext context, CancellationToken cancellationToken) => await judge();
    }
}
