using Microsoft.Extensions.Time.Testing;
using static Aiops.Gates.Tests.Engine.Fakes;

namespace Aiops.Gates.Tests.Engine;

/// <summary>Safety promises found broken in review (session 25): each test failed before its fix.</summary>
public sealed class SafetyReviewTests
{
    [Fact]
    public async Task ExecuteAsync_SameDecisionAgainAfterRetention_EngineIdle_NotRunTwice()
    {
        // "A Decision that is ... older than the retention is refused as Denied": the engine only prunes _byId inside
        // DecideAsync, and the ledger claim has aged out, so an idle engine runs the same old decision a second time.
        var action = new ScriptedAction("restart");
        using var h = new Harness([new FakeGate("ok", GateVerdict.Allow)], actions: [action]);
        var decision = await h.Engine.DecideAsync(Proposal());
        Assert.Equal(ExecutionStatus.Succeeded, (await h.Executor.ExecuteAsync(decision)).Status);

        h.Time.Advance(TimeSpan.FromHours(25));
        var again = await h.Executor.ExecuteAsync(decision);

        Assert.NotEqual(ExecutionStatus.Succeeded, again.Status);
        Assert.Equal(1, action.Runs);
    }

    [Fact]
    public async Task ExecuteByIdAsync_DecisionOlderThanRetention_EngineIdle_RefusedAsDenied()
    {
        var action = new ScriptedAction("restart");
        using var h = new Harness([new FakeGate("ok", GateVerdict.Allow)], actions: [action]);
        var decision = await h.Engine.DecideAsync(Proposal());

        h.Time.Advance(TimeSpan.FromHours(25));
        var outcome = await h.Executor.ExecuteByIdAsync(decision.DecisionId);

        Assert.Equal(ExecutionStatus.Denied, outcome.Status);
        Assert.Equal(0, action.Runs);
    }

    [Fact]
    public async Task ExecuteAsync_ActionReplacedByDestructiveUnderSameId_NotRunAutomatically()
    {
        // The engine raises the proposal's risk to the action's declared risk at decision time; the executor runs whatever
        // is registered under the id at execution time and re-checks the gates with the old (low) risk.
        var low = new ScriptedAction("restart", RiskClass.Low);
        using var h = new Harness([new RiskCeilingFake()], actions: [low]);
        var decision = await h.Engine.DecideAsync(Proposal());
        Assert.Equal(GateVerdict.Allow, decision.Verdict);

        var destructive = new ScriptedAction("restart", RiskClass.Destructive);
        h.Registry.Remove("restart");
        h.Registry.Register(destructive);
        var outcome = await h.Executor.ExecuteAsync(decision);

        Assert.Equal(0, destructive.Runs);
        Assert.NotEqual(ExecutionStatus.Succeeded, outcome.Status);
    }

    [Fact]
    public async Task DecideAsync_DestructiveAction_ConfiguredGatesWithoutRiskCeiling_NeverAllowedAutomatically()
    {
        // README: "destructive actions never run automatically". Nothing outside the riskCeiling gate enforces it, and a
        // configured gate list may simply omit that gate (validation accepts it).
        var gates = GatesConfiguration.Create(new GatesOptions { Policies = [new ConfidenceGateOptions()] });
        var wipe = new ScriptedAction("wipe-volume", RiskClass.Destructive);
        using var h = new Harness(gates.Policies, actions: [wipe]);

        var decision = await h.Engine.DecideAsync(Proposal(action: "wipe-volume", risk: RiskClass.Destructive));
        var outcome = await h.Executor.ExecuteAsync(decision);

        Assert.Equal(GateVerdict.RequireApproval, decision.Verdict);
        Assert.Contains(decision.DecisiveGates, g => g.Gate == DecisionEngine.DestructiveGateName);
        Assert.Equal(0, wipe.Runs);
        Assert.NotEqual(ExecutionStatus.Succeeded, outcome.Status);
    }

    [Fact]
    public async Task RestoreAsync_InterruptedExecution_CountsInHistory_CooldownHoldsAfterRestart()
    {
        // An allowed decision without an outcome "may have started" (its key is claimed), but its start is not put back in
        // the execution history, so the cooldown / rate limit on the same action and target forget it after a restart.
        var audit = new InMemoryAuditLog();
        var time = new FakeTimeProvider(T0);
        var hang = new TaskCompletionSource<ActionOutcome>();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = new ScriptedAction("restart", RiskClass.Low, (_, _) =>
        {
            started.TrySetResult();
            return new ValueTask<ActionOutcome>(hang.Task);
        });
        using (var before = new Harness([new CooldownGate()], actions: [first], audit: audit, time: time))
        {
            var d1 = await before.Engine.DecideAsync(Proposal(key: "k1"));
            _ = before.Executor.ExecuteAsync(d1).AsTask(); // the process dies while the action runs
            await started.Task.WaitAsync(TimeSpan.FromSeconds(30)); // the execution may reach the action after a yield (a loaded machine)
            Assert.Equal(1, first.Runs);
            Assert.NotNull(before.Engine.History.LastStart("restart", "api-7f9c"));
        }

        time.Advance(TimeSpan.FromMinutes(1));
        var second = new ScriptedAction("restart");
        using var after = new Harness([new CooldownGate()], actions: [second], audit: audit, time: time);
        var restored = await after.Engine.RestoreAsync();
        var lastStartAfterRestore = after.Engine.History.LastStart("restart", "api-7f9c");
        var d2 = await after.Engine.DecideAsync(Proposal(key: "k2", at: time.GetUtcNow()));
        var outcome = await after.Executor.ExecuteAsync(d2);

        Assert.Equal(1, restored.Interrupted);
        Assert.Equal(0, second.Runs);
        Assert.NotNull(lastStartAfterRestore);
        Assert.NotEqual(ExecutionStatus.Succeeded, outcome.Status);
    }

    [Fact]
    public async Task DecideAsync_ProposalWithNullLabelValue_DurableLog_DeniedAndAuditedNotThrown()
    {
        // "Bad input never throws": the engine validates targets, key, risk and confidence, but copies Labels/Evidence as
        // given; the durable log refuses a null label value, so the decision throws and nothing is recorded.
        var directory = Path.Combine(Path.GetTempPath(), "aiops-review-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var log = await JsonLinesAuditLog.OpenAsync(new JsonLinesAuditLogOptions { Path = Path.Combine(directory, "audit.jsonl") });
            using var h = new Harness([new FakeGate("ok", GateVerdict.Allow)], audit: log);
            var proposal = Proposal() with { Labels = new Dictionary<string, string> { ["service"] = null! } };

            var decision = await h.Engine.DecideAsync(proposal);

            Assert.Equal(GateVerdict.Deny, decision.Verdict);
            Assert.Single(await h.ReadAuditAsync());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
