using System.ComponentModel.DataAnnotations;
using static Aiops.Gates.Tests.Policies.GateTestKit;

namespace Aiops.Gates.Tests.Policies;

public class RiskCeilingGateTests
{
    [Theory]
    [InlineData(RiskClass.Low, GateVerdict.Allow)]
    [InlineData(RiskClass.Medium, GateVerdict.Allow)]
    [InlineData(RiskClass.High, GateVerdict.RequireApproval)]
    [InlineData(RiskClass.Destructive, GateVerdict.Deny)]
    public void Evaluate_Defaults_MapRiskToVerdict(RiskClass risk, GateVerdict expected)
    {
        var decision = Evaluate(new RiskCeilingGate(), Proposal(risk: risk));

        Assert.Equal(expected, decision.Verdict);
        Assert.Equal(risk.ToString(), decision.Data!["risk"]);
        Assert.Equal(expected.ToString(), decision.Data["verdict"]);
    }

    [Fact]
    public void Evaluate_MediumConfiguredForApproval_RequiresApproval()
    {
        var gate = new RiskCeilingGate(new RiskCeilingGateOptions { Medium = GateVerdict.RequireApproval });

        Assert.Equal(GateVerdict.Allow, Evaluate(gate, Proposal(risk: RiskClass.Low)).Verdict);
        Assert.Equal(GateVerdict.RequireApproval, Evaluate(gate, Proposal(risk: RiskClass.Medium)).Verdict);
    }

    [Fact]
    public void Evaluate_DestructiveConfiguredForApproval_RequiresApproval()
    {
        var gate = new RiskCeilingGate(new RiskCeilingGateOptions { Destructive = GateVerdict.RequireApproval });

        Assert.Equal(GateVerdict.RequireApproval, Evaluate(gate, Proposal(risk: RiskClass.Destructive)).Verdict);
    }

    [Fact]
    public void Evaluate_UndefinedRiskClass_Denies()
    {
        var decision = Evaluate(new RiskCeilingGate(), Proposal(risk: (RiskClass)7));

        Assert.Equal(GateVerdict.Deny, decision.Verdict);
    }

    [Fact]
    public void Constructor_DestructiveAllowed_Throws()
    {
        var options = new RiskCeilingGateOptions { Low = GateVerdict.Allow, Medium = GateVerdict.Allow, High = GateVerdict.Allow, Destructive = GateVerdict.Allow };

        var ex = Assert.Throws<ValidationException>(() => new RiskCeilingGate(options));
        Assert.Contains("Destructive", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_RiskierClassMoreLenient_Throws()
    {
        var options = new RiskCeilingGateOptions { Medium = GateVerdict.RequireApproval, High = GateVerdict.Allow };

        var ex = Assert.Throws<ValidationException>(() => new RiskCeilingGate(options));
        Assert.Contains("High", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_UndefinedVerdict_Throws()
    {
        Assert.Throws<ValidationException>(() => new RiskCeilingGate(new RiskCeilingGateOptions { Destructive = (GateVerdict)9 }));
    }
}
