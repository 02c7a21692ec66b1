using System.ComponentModel.DataAnnotations;
using static Aiops.Gates.Tests.Policies.GateTestKit;

namespace Aiops.Gates.Tests.Policies;

public class CooldownGateTests
{
    [Fact]
    public void Evaluate_ExactlyCooldownAgo_Allows()
    {
        var history = new FakeGateHistory().Started("restart", Now.AddMinutes(-15), "a");

        var decision = Evaluate(new CooldownGate(), Proposal(targets: ["a"]), history: history);

        Assert.Equal(GateVerdict.Allow, decision.Verdict);
        Assert.Equal("00:15:00", decision.Data!["elapsed"]);
        Assert.Equal("00:15:00", decision.Data["cooldown"]);
    }

    [Fact]
    public void Evaluate_JustInsideCooldown_Denies()
    {
        var history = new FakeGateHistory().Started("restart", Now.AddMinutes(-15).AddTicks(1), "a");

        var decision = Evaluate(new CooldownGate(), Proposal(targets: ["a"]), history: history);

        Assert.Equal(GateVerdict.Deny, decision.Verdict);
        Assert.Equal("a", decision.Data!["target"]);
    }

    [Fact]
    public void Evaluate_NeverRan_Allows()
    {
        Assert.Equal(GateVerdict.Allow, Evaluate(new CooldownGate(), Proposal(), history: new FakeGateHistory()).Verdict);
    }

    [Fact]
    public void Evaluate_PerTargetAndOtherTargetRecently_Allows()
    {
        var history = new FakeGateHistory().Started("restart", Now.AddMinutes(-1), "b");

        Assert.Equal(GateVerdict.Allow, Evaluate(new CooldownGate(), Proposal(targets: ["a"]), history: history).Verdict);
    }

    [Fact]
    public void Evaluate_PerActionAndOtherTargetRecently_Denies()
    {
        var history = new FakeGateHistory().Started("restart", Now.AddMinutes(-1), "b");

        var gate = new CooldownGate(new CooldownGateOptions { PerTarget = false });

        Assert.Equal(GateVerdict.Deny, Evaluate(gate, Proposal(targets: ["a"]), history: history).Verdict);
    }

    [Fact]
    public void Evaluate_AnyOfSeveralTargetsInCooldown_DeniesOnMostRecent()
    {
        var history = new FakeGateHistory()
            .Started("restart", Now.AddMinutes(-20), "a")
            .Started("restart", Now.AddMinutes(-2), "b");

        var decision = Evaluate(new CooldownGate(), Proposal(targets: ["a", "b"]), history: history);

        Assert.Equal(GateVerdict.Deny, decision.Verdict);
        Assert.Equal("b", decision.Data!["target"]);
    }

    [Fact]
    public void Evaluate_StartAfterDecisionTime_Denies()
    {
        var history = new FakeGateHistory().Started("restart", Now.AddMinutes(1), "a");

        Assert.Equal(GateVerdict.Deny, Evaluate(new CooldownGate(), Proposal(targets: ["a"]), history: history).Verdict);
    }

    [Fact]
    public void Evaluate_OtherAction_DoesNotCount()
    {
        var history = new FakeGateHistory().Started("scale-out", Now.AddMinutes(-1), "a");

        Assert.Equal(GateVerdict.Allow, Evaluate(new CooldownGate(), Proposal(targets: ["a"]), history: history).Verdict);
    }

    [Fact]
    public void Constructor_ZeroCooldown_Throws()
    {
        Assert.Throws<ValidationException>(() => new CooldownGate(new CooldownGateOptions { Cooldown = TimeSpan.Zero }));
    }
}
