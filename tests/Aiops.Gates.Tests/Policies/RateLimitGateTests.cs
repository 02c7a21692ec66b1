using System.ComponentModel.DataAnnotations;
using static Aiops.Gates.Tests.Policies.GateTestKit;

namespace Aiops.Gates.Tests.Policies;

public class RateLimitGateTests
{
    [Fact]
    public void Evaluate_OneBelowActionLimit_Allows()
    {
        var history = new FakeGateHistory()
            .Started("restart", Now.AddMinutes(-50), "a")
            .Started("restart", Now.AddMinutes(-10), "b");

        var decision = Evaluate(new RateLimitGate(), Proposal(targets: ["c"]), history: history);

        Assert.Equal(GateVerdict.Allow, decision.Verdict);
        Assert.Equal("2", decision.Data!["executions"]);
        Assert.Equal("3", decision.Data["maxExecutions"]);
    }

    [Fact]
    public void Evaluate_ActionLimitReached_Denies()
    {
        var history = new FakeGateHistory()
            .Started("restart", Now.AddMinutes(-50), "a")
            .Started("restart", Now.AddMinutes(-30), "b")
            .Started("restart", Now.AddMinutes(-10), "c");

        var decision = Evaluate(new RateLimitGate(), Proposal(targets: ["d"]), history: history);

        Assert.Equal(GateVerdict.Deny, decision.Verdict);
        Assert.Equal("3", decision.Data!["executions"]);
        Assert.Equal("01:00:00", decision.Data["window"]);
    }

    [Fact]
    public void Evaluate_WindowStart_IsNowMinusWindow()
    {
        var history = new FakeGateHistory();

        Evaluate(new RateLimitGate(new RateLimitGateOptions { Window = TimeSpan.FromMinutes(20) }), Proposal(), history: history);

        Assert.All(history.Queries, since => Assert.Equal(Now.AddMinutes(-20), since));
    }

    [Fact]
    public void Evaluate_ExecutionsBeforeWindow_DoNotCount()
    {
        var history = new FakeGateHistory()
            .Started("restart", Now.AddHours(-1).AddTicks(-1), "a")
            .Started("restart", Now.AddHours(-2), "b")
            .Started("restart", Now.AddHours(-3), "c");

        Assert.Equal(GateVerdict.Allow, Evaluate(new RateLimitGate(), Proposal(targets: ["a"]), history: history).Verdict);
    }

    [Fact]
    public void Evaluate_PerTargetLimitReached_DeniesNamingTarget()
    {
        var history = new FakeGateHistory().Started("restart", Now.AddMinutes(-5), "b");

        var decision = Evaluate(new RateLimitGate(), Proposal(targets: ["a", "b"]), history: history);

        Assert.Equal(GateVerdict.Deny, decision.Verdict);
        Assert.Equal("b", decision.Data!["target"]);
        Assert.Equal("1", decision.Data["maxExecutionsPerTarget"]);
    }

    [Fact]
    public void Evaluate_OneBelowConfiguredPerTargetLimit_Allows()
    {
        var gate = new RateLimitGate(new RateLimitGateOptions { MaxExecutionsPerTarget = 2 });
        var history = new FakeGateHistory().Started("restart", Now.AddMinutes(-5), "a");

        Assert.Equal(GateVerdict.Allow, Evaluate(gate, Proposal(targets: ["a"]), history: history).Verdict);

        history.Started("restart", Now.AddMinutes(-4), "a");
        Assert.Equal(GateVerdict.Deny, Evaluate(gate, Proposal(targets: ["a"]), history: history).Verdict);
    }

    [Fact]
    public void Evaluate_OtherActions_DoNotCount()
    {
        var history = new FakeGateHistory()
            .Started("scale-out", Now.AddMinutes(-5), "a")
            .Started("scale-out", Now.AddMinutes(-4), "a")
            .Started("scale-out", Now.AddMinutes(-3), "a");

        Assert.Equal(GateVerdict.Allow, Evaluate(new RateLimitGate(), Proposal(targets: ["a"]), history: history).Verdict);
    }

    [Fact]
    public void Constructor_OutOfRange_Throws()
    {
        Assert.Throws<ValidationException>(() => new RateLimitGate(new RateLimitGateOptions { MaxExecutions = 0 }));
        Assert.Throws<ValidationException>(() => new RateLimitGate(new RateLimitGateOptions { MaxExecutionsPerTarget = 0 }));
        Assert.Throws<ValidationException>(() => new RateLimitGate(new RateLimitGateOptions { Window = TimeSpan.Zero }));
    }
}
