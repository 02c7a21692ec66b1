using Aiops.Gates.Actions;
using static Aiops.Gates.Tests.Engine.Fakes;

namespace Aiops.Gates.Tests.Engine;

/// <summary>The lab's two cases, with hand-written gates that mimic the confidence threshold and the risk ceiling.</summary>
public sealed class LabCaseTests
{
    private static IGatePolicy[] Gates() => [new MinConfidenceGate(0.8), new RiskCeilingFake()];

    [Fact]
    public async Task TrafficSurge_SameAlertmanagerNotificationFiveTimes_AllowedAndExecutedOnce()
    {
        var scaleOut = new SimulatedAction("scale-out", RiskClass.Low, "scale out");
        using var h = new Harness(Gates(), actions: [scaleOut]);
        var proposal = new RemediationProposal("scale-out", ["checkout-api"], RiskClass.Low, "ep-traffic-surge", 0.9, "am:{}/{alertname=\"TrafficSurge\"}:scale-out", T0)
        {
            Evidence = ["requests/s 4.1x the seasonal baseline", "p99 latency 850 ms"],
        };

        var outcomes = new List<ExecutionRecord>();
        for (var i = 0; i < 5; i++)
        {
            var decision = await h.Engine.DecideAsync(proposal);
            outcomes.Add(await h.Executor.ExecuteAsync(decision));
            h.Time.Advance(TimeSpan.FromSeconds(30)); // Alertmanager's repeat of the same group
        }

        Assert.Equal(1, scaleOut.RunCount);
        Assert.Equal(ExecutionStatus.Succeeded, outcomes[0].Status);
        Assert.StartsWith("simulated: would scale out on targets checkout-api", outcomes[0].Detail, StringComparison.Ordinal);
        Assert.All(outcomes.Skip(1), o => Assert.Equal(ExecutionStatus.Duplicate, o.Status));
        var audit = await h.ReadAuditAsync();
        var decided = Assert.Single(audit.OfType<DecisionEntry>()).Decision;
        Assert.Equal(GateVerdict.Allow, decided.Verdict);
        Assert.All(decided.Evaluations, e => Assert.Equal(GateVerdict.Allow, e.Verdict));
        Assert.Single(audit.OfType<ExecutionEntry>(), e => e.Execution.Status == ExecutionStatus.Succeeded);
    }

    [Theory]
    [InlineData(RiskClass.High, GateVerdict.RequireApproval, ExecutionStatus.AwaitingApproval)]
    [InlineData(RiskClass.Destructive, GateVerdict.Deny, ExecutionStatus.Denied)]
    public async Task Rollback_HighRisk_NotExecuted_AuditNamesTheStoppingGate(RiskClass risk, GateVerdict verdict, ExecutionStatus status)
    {
        var rollback = new SimulatedAction("rollback", RiskClass.High, "roll back");
        using var h = new Harness(Gates(), actions: [rollback]);
        var proposal = new RemediationProposal("rollback", ["checkout-api"], risk, "ep-bad-deploy", 0.95, "am:{}/{alertname=\"ErrorBudgetBurn\"}:rollback", T0);

        var decision = await h.Engine.DecideAsync(proposal);
        var outcome = await h.Executor.ExecuteAsync(decision);
        h.Time.Advance(TimeSpan.FromMinutes(20)); // nobody approves
        var later = await h.Executor.ExecuteAsync(decision);

        Assert.Equal(0, rollback.RunCount);
        Assert.Equal(status, outcome.Status);
        Assert.NotEqual(ExecutionStatus.Succeeded, later.Status);
        var recorded = Assert.Single((await h.ReadAuditAsync()).OfType<DecisionEntry>()).Decision;
        Assert.Equal(verdict, recorded.Verdict);
        Assert.Equal("risk-ceiling", Assert.Single(recorded.DecisiveGates).Gate);
        Assert.Contains("risk-ceiling", outcome.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_ProposedAsLowRisk_RaisedToDeclaredHigh_NotExecutedAutomatically()
    {
        var rollback = new SimulatedAction("rollback", RiskClass.High);
        using var h = new Harness(Gates(), actions: [rollback]);

        var decision = await h.Engine.DecideAsync(new RemediationProposal("rollback", ["checkout-api"], RiskClass.Low, "ep-1", 0.95, "k", T0));
        var outcome = await h.Executor.ExecuteAsync(decision);

        Assert.Equal(GateVerdict.RequireApproval, decision.Verdict);
        Assert.Equal(ExecutionStatus.AwaitingApproval, outcome.Status);
        Assert.Equal(0, rollback.RunCount);
    }

    [Fact]
    public async Task LowConfidence_DeniedByConfidenceGate()
    {
        var scaleOut = new SimulatedAction("scale-out");
        using var h = new Harness(Gates(), actions: [scaleOut]);

        var decision = await h.Engine.DecideAsync(new RemediationProposal("scale-out", ["checkout-api"], RiskClass.Low, "ep-1", 0.4, "k", T0));
        var outcome = await h.Executor.ExecuteAsync(decision);

        Assert.Equal("confidence", Assert.Single(decision.DecisiveGates).Gate);
        Assert.Equal(ExecutionStatus.Denied, outcome.Status);
        Assert.Equal(0, scaleOut.RunCount);
    }
}
