using System.ComponentModel.DataAnnotations;
using static Aiops.Gates.Tests.Policies.GateTestKit;

namespace Aiops.Gates.Tests.Policies;

public class BlastRadiusGateTests
{
    [Fact]
    public void Evaluate_OneTargetAtDefaultMaximum_Allows()
    {
        var decision = Evaluate(new BlastRadiusGate(), Proposal(targets: ["a"]));

        Assert.Equal(GateVerdict.Allow, decision.Verdict);
        Assert.Equal("1", decision.Data!["maxTargets"]);
    }

    [Fact]
    public void Evaluate_OneTargetOverDefaultMaximum_Denies()
    {
        var decision = Evaluate(new BlastRadiusGate(), Proposal(targets: ["a", "b"]));

        Assert.Equal(GateVerdict.Deny, decision.Verdict);
        Assert.Equal("2", decision.Data!["targets"]);
        Assert.Equal("1", decision.Data["maxTargets"]);
    }

    [Fact]
    public void Evaluate_NoTargets_Denies()
    {
        Assert.Equal(GateVerdict.Deny, Evaluate(new BlastRadiusGate(), Proposal(targets: [])).Verdict);
    }

    [Fact]
    public void Evaluate_BlankTarget_Denies()
    {
        Assert.Equal(GateVerdict.Deny, Evaluate(new BlastRadiusGate(), Proposal(targets: [" "])).Verdict);
    }

    [Theory]
    [InlineData(4, GateVerdict.Allow)] // 1/4 = 0.25: exactly at the default share.
    [InlineData(3, GateVerdict.Deny)] // 1/3 > 0.25.
    [InlineData(1, GateVerdict.Deny)] // The only instance.
    [InlineData(100, GateVerdict.Allow)]
    public void Evaluate_FleetShareAroundDefault_AllowsUpToAQuarter(int fleet, GateVerdict expected)
    {
        var decision = Evaluate(new BlastRadiusGate(), Proposal(targets: ["a"], fleetSize: fleet));

        Assert.Equal(expected, decision.Verdict);
        Assert.Equal("0.25", decision.Data!["maxFleetShare"]);
        Assert.Equal(fleet.ToString(System.Globalization.CultureInfo.InvariantCulture), decision.Data["fleetSize"]);
    }

    [Theory]
    [InlineData(30, GateVerdict.Allow)] // 3/30 = 0.1 exactly.
    [InlineData(29, GateVerdict.Deny)]
    public void Evaluate_ShareExactlyAtDecimalLimit_Allows(int fleet, GateVerdict expected)
    {
        var gate = new BlastRadiusGate(new BlastRadiusGateOptions { MaxTargets = 3, MaxFleetShare = 0.1 });

        Assert.Equal(expected, Evaluate(gate, Proposal(targets: ["a", "b", "c"], fleetSize: fleet)).Verdict);
    }

    [Fact]
    public void Evaluate_ManyTargetsWithinConfiguredMaximum_ChecksCountThenShare()
    {
        var gate = new BlastRadiusGate(new BlastRadiusGateOptions { MaxTargets = 3, MaxFleetShare = 1 });

        Assert.Equal(GateVerdict.Allow, Evaluate(gate, Proposal(targets: ["a", "b", "c"])).Verdict);
        Assert.Equal(GateVerdict.Deny, Evaluate(gate, Proposal(targets: ["a", "b", "c", "d"])).Verdict);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Evaluate_FleetSizeNotPositive_Denies(int fleet)
    {
        Assert.Equal(GateVerdict.Deny, Evaluate(new BlastRadiusGate(), Proposal(fleetSize: fleet)).Verdict);
    }

    [Fact]
    public void Constructor_OutOfRange_Throws()
    {
        Assert.Throws<ValidationException>(() => new BlastRadiusGate(new BlastRadiusGateOptions { MaxTargets = 0 }));
        Assert.Throws<ValidationException>(() => new BlastRadiusGate(new BlastRadiusGateOptions { MaxFleetShare = 0 }));
        Assert.Throws<ValidationException>(() => new BlastRadiusGate(new BlastRadiusGateOptions { MaxFleetShare = 1.01 }));
    }
}
