using System.ComponentModel.DataAnnotations;
using static Aiops.Gates.Tests.Policies.GateTestKit;

namespace Aiops.Gates.Tests.Policies;

public class ConcurrencyGateTests
{
    [Fact]
    public void Evaluate_NothingRunning_Allows()
    {
        var decision = Evaluate(new ConcurrencyGate(), Proposal(), history: new FakeGateHistory { Running = 0 });

        Assert.Equal(GateVerdict.Allow, decision.Verdict);
        Assert.Equal("0", decision.Data!["running"]);
        Assert.Equal("1", decision.Data["maxConcurrent"]);
    }

    [Fact]
    public void Evaluate_DefaultLimitReached_Denies()
    {
        Assert.Equal(GateVerdict.Deny, Evaluate(new ConcurrencyGate(), Proposal(), history: new FakeGateHistory { Running = 1 }).Verdict);
    }

    [Theory]
    [InlineData(2, GateVerdict.Allow)]
    [InlineData(3, GateVerdict.Deny)]
    [InlineData(4, GateVerdict.Deny)]
    public void Evaluate_ConfiguredLimit_DeniesFromTheLimit(int running, GateVerdict expected)
    {
        var gate = new ConcurrencyGate(new ConcurrencyGateOptions { MaxConcurrent = 3 });

        Assert.Equal(expected, Evaluate(gate, Proposal(), history: new FakeGateHistory { Running = running }).Verdict);
    }

    [Fact]
    public void Constructor_ZeroLimit_Throws()
    {
        Assert.Throws<ValidationException>(() => new ConcurrencyGate(new ConcurrencyGateOptions { MaxConcurrent = 0 }));
    }
}
