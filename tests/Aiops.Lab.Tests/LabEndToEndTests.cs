using System.Diagnostics;
using Aiops.Correlation;
using Aiops.Gates;
using Aiops.Lab;
using Xunit.Abstractions;

namespace Aiops.Lab.Tests;

[Collection(nameof(LabCollection))]
public sealed class LabEndToEndTests(LabFixture lab, ITestOutputHelper log)
{
    [Fact]
    public void TrafficSurge_RealPrometheus_AlertGoesPendingFiringResolvedInPrometheusAndWebhooks()
    {
        var result = Result(ScenarioNames.TrafficSurge);

        Assert.Equal([AlertState.Pending, AlertState.Firing, AlertState.Resolved], result.AlertHistory("LabHighRequestRate{frontend}").Take(3));
        var notified = result.NotifiedStatuses("LabHighRequestRate");
        Assert.Contains("firing", notified);
        Assert.Equal("resolved", notified[^1]);
    }

    [Fact]
    public void TrafficSurge_Episode_TimelineTrafficThenAnomalyThenErrorsAndTrafficDriven()
    {
        var result = Result(ScenarioNames.TrafficSurge);
        var episode = Assert.IsType<Episode>(result.Episode);

        var traffic = LabGoals.FirstOnset(result, LabGoals.IsTraffic);
        var anomaly = LabGoals.FirstOnset(result, LabGoals.IsTrafficAnomaly);
        var errors = LabGoals.FirstOnset(result, LabGoals.IsErrors);
        Assert.NotNull(traffic);
        Assert.NotNull(anomaly);
        Assert.NotNull(errors);
        Assert.True(traffic <= anomaly && anomaly <= errors, $"traffic {traffic:O}, anomaly {anomaly:O}, errors {errors:O}");
        Assert.Equal(IncidentCategory.TrafficDriven, episode.RootCause?.Category);
    }

    [Fact]
    public void TrafficSurge_RepeatedNotifications_SafeActionApprovedAndExecutedExactlyOnce()
    {
        var result = Result(ScenarioNames.TrafficSurge);

        Assert.True(result.FiringNotifications("LabHighRequestRate") >= 2, "Alertmanager should have repeated the firing notification");
        var decision = Assert.Single(result.Decisions);
        Assert.Equal((GateVerdict.Allow, "scale-out"), (decision.Verdict, decision.Proposal.ActionId));
        Assert.Equal(["checkout"], decision.Proposal.Targets);
        var execution = Assert.Single(result.Executions);
        Assert.Equal(ExecutionStatus.Succeeded, execution.Status);
    }

    [Fact]
    public void HighRisk_BadDeploy_NoActionExecutedAndLogNamesTheStoppingGate()
    {
        var result = Result(ScenarioNames.HighRisk);

        Assert.NotEmpty(result.Decisions);
        Assert.DoesNotContain(result.Executions, e => e.Status == ExecutionStatus.Succeeded);
        var stopped = Assert.Single(result.Decisions, d => d.Verdict != GateVerdict.Allow);
        Assert.Contains(stopped.DecisiveGates, g => g.Gate == GateNames.RiskCeiling);
    }

    [Fact]
    public void PaymentLatency_RealPrometheus_CallersAffectedAndRootCauseNamesPaymentWithDependencyEvidence()
    {
        var result = Result(ScenarioNames.PaymentLatency);
        var episode = Assert.IsType<Episode>(result.Episode);

        Assert.Subset(episode.Entities.ToHashSet(), new HashSet<string> { "payment", "checkout", "frontend" });
        Assert.Contains(result.Alerts, a => a.Alert == "LabHighLatency{payment}" && a.State == AlertState.Firing);
        Assert.Contains(result.Alerts, a => a.Alert == "LabHighLatency{frontend}" && a.State == AlertState.Firing);
        var rca = Assert.IsType<RootCauseAnalysis>(episode.RootCause);
        var top = rca.Hypotheses[0];
        Assert.Equal("payment", top.Entity);
        Assert.Contains(top.Evidence, e => e.Kind == EvidenceKind.Dependency && e.Weight > 0);
        Assert.All(rca.Hypotheses.Where(h => h.Entity is "checkout" or "frontend"), h => Assert.True(h.Score < top.Score, $"{h.Entity} {h.Score} vs payment {top.Score}"));
        Assert.Contains("'payment'", rca.Explanation, StringComparison.Ordinal);
        Assert.Empty(result.Decisions);
    }

    [Fact]
    public void CallGraph_RealPrometheus_ClientCallSeriesShowTheGraphTheReceiverDeclares()
    {
        Result(ScenarioNames.PaymentLatency);

        Assert.Equal([("checkout", "payment"), ("checkout", "store"), ("frontend", "checkout")], lab.CallGraph);
        var declared = Aiops.Lab.Shared.LabAutomation.Dependencies();
        Assert.All(lab.CallGraph, edge => Assert.Contains(edge.Peer, declared.DependenciesOf(edge.Service)));
        Assert.Equal(4, declared.Count);
    }

    [Fact]
    public void Lab_AfterRun_NoProcessLeftBehind()
    {
        Result(ScenarioNames.HighRisk);

        Assert.NotEmpty(lab.ProcessIds);
        foreach (var id in lab.ProcessIds)
        {
            Assert.False(IsRunning(id), $"process {id} of the lab is still running");
        }
    }

    private ScenarioResult Result(string scenario)
    {
        log.WriteLine(lab.Output);
        return lab.Result(scenario);
    }

    private static bool IsRunning(int id)
    {
        try
        {
            using var process = Process.GetProcessById(id);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
