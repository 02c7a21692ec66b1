using Aiops.Gates.Actions;
using static Aiops.Gates.Tests.Engine.Fakes;

namespace Aiops.Gates.Tests.Engine;

/// <summary>
/// The lab's two cases end to end with the real default gate set (as <c>AddAiops()</c> gets it with no configuration) and
/// the durable JSON Lines audit log, read back from disk.
/// </summary>
public sealed class LabCaseBuiltInGatesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("aiops-lab-gates-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task TrafficSurge_DefaultGates_ApprovedOnceAcrossRepeatedNotifications()
    {
        var scaleOut = new SimulatedAction("scale-out", RiskClass.Low, "scale out");
        await using var audit = await JsonLinesAuditLog.OpenAsync(new JsonLinesAuditLogOptions { Path = Path.Combine(_directory, "audit.jsonl") });
        using var h = new Harness(GatesConfiguration.Create(new GatesOptions()).Policies, actions: [scaleOut], audit: audit);
        var proposal = new RemediationProposal("scale-out", ["checkout-api"], RiskClass.Low, "ep-000001", 0.92, "am:traffic-surge:scale-out", T0) { FleetSize = 8 };

        for (var i = 0; i < 5; i++)
        {
            await h.Executor.ExecuteAsync(await h.Engine.DecideAsync(proposal));
            h.Time.Advance(TimeSpan.FromSeconds(30));
        }

        Assert.Equal(1, scaleOut.RunCount);
        var entries = await ReadAsync(audit);
        var decision = Assert.Single(entries.OfType<DecisionEntry>()).Decision;
        Assert.Equal(GateVerdict.Allow, decision.Verdict);
        Assert.Equal(
            [GateNames.Confidence, GateNames.RiskCeiling, GateNames.BlastRadius, GateNames.RateLimit, GateNames.Cooldown, GateNames.Concurrency],
            decision.Evaluations.Select(e => e.Gate));
        Assert.Single(entries.OfType<ExecutionEntry>(), e => e.Execution.Status == ExecutionStatus.Succeeded);
    }

    [Fact]
    public async Task BadDeployRollback_DefaultGates_NotExecutedAndAuditNamesRiskCeiling()
    {
        var rollback = new SimulatedAction("rollback", RiskClass.High, "roll back");
        await using var audit = await JsonLinesAuditLog.OpenAsync(new JsonLinesAuditLogOptions { Path = Path.Combine(_directory, "audit.jsonl") });
        using var h = new Harness(GatesConfiguration.Create(new GatesOptions()).Policies, actions: [rollback], audit: audit);
        var proposal = new RemediationProposal("rollback", ["checkout-api"], RiskClass.High, "ep-000002", 0.97, "am:bad-deploy:rollback", T0);

        var outcome = await h.Executor.ExecuteAsync(await h.Engine.DecideAsync(proposal));
        h.Time.Advance(TimeSpan.FromMinutes(20)); // nobody approves: the approval expires
        var later = await h.Executor.ExecuteAsync(await h.Engine.DecideAsync(proposal));

        Assert.Equal(0, rollback.RunCount);
        Assert.Equal(ExecutionStatus.AwaitingApproval, outcome.Status);
        Assert.NotEqual(ExecutionStatus.Succeeded, later.Status);
        var decision = Assert.Single((await ReadAsync(audit)).OfType<DecisionEntry>()).Decision;
        Assert.Equal(GateVerdict.RequireApproval, decision.Verdict);
        Assert.Equal(GateNames.RiskCeiling, Assert.Single(decision.DecisiveGates).Gate);
    }

    private static async Task<List<AuditEntry>> ReadAsync(IAuditLog audit)
    {
        var entries = new List<AuditEntry>();
        await foreach (var entry in audit.ReadAllAsync())
        {
            entries.Add(entry);
        }

        return entries;
    }
}
