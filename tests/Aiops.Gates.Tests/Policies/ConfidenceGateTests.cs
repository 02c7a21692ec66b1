using System.ComponentModel.DataAnnotations;
using static Aiops.Gates.Tests.Policies.GateTestKit;

namespace Aiops.Gates.Tests.Policies;

public class ConfidenceGateTests
{
    [Fact]
    public void Evaluate_ExactlyAtDefaultMinimum_Allows()
    {
        var decision = Evaluate(new ConfidenceGate(), Proposal(confidence: 0.8));

        Assert.Equal(GateVerdict.Allow, decision.Verdict);
        Assert.Equal("0.8", decision.Data!["minConfidence"]);
        Assert.Equal("0.8", decision.Data["confidence"]);
    }

    [Fact]
    public void Evaluate_JustBelowMinimum_Denies()
    {
        var decision = Evaluate(new ConfidenceGate(), Proposal(confidence: Math.BitDecrement(0.8)));

        Assert.Equal(GateVerdict.Deny, decision.Verdict);
        Assert.Contains("below the minimum 0.8", decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    public void Evaluate_ConfidenceNotInUnitInterval_Denies(double confidence)
    {
        var decision = Evaluate(new ConfidenceGate(new ConfidenceGateOptions { MinConfidence = 0 }), Proposal(confidence: confidence));

        Assert.Equal(GateVerdict.Deny, decision.Verdict);
        Assert.Contains("not a number in [0, 1]", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_ConfiguredMinimum_IsTheBoundary()
    {
        var gate = new ConfidenceGate(new ConfidenceGateOptions { MinConfidence = 0.5 });

        Assert.Equal(GateVerdict.Allow, Evaluate(gate, Proposal(confidence: 0.5)).Verdict);
        Assert.Equal(GateVerdict.Deny, Evaluate(gate, Proposal(confidence: 0.49)).Verdict);
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    public void Constructor_MinimumOutOfRange_Throws(double min)
    {
        var ex = Assert.Throws<ValidationException>(() => new ConfidenceGate(new ConfidenceGateOptions { MinConfidence = min }));
        Assert.Contains("MinConfidence", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Name_Default_IsTypeAndCanBeOverridden()
    {
        Assert.Equal("confidence", new ConfidenceGate().Name);
        Assert.Equal("strict-confidence", new ConfidenceGate(new ConfidenceGateOptions { Name = "strict-confidence" }).Name);
    }
}
