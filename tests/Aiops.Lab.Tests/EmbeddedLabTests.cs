using System.Text;
using Aiops.Correlation;
using Aiops.Gates;
using Aiops.Lab;
using Xunit.Abstractions;

namespace Aiops.Lab.Tests;

/// <summary>
/// The embedded lab (<c>--embedded</c>): the same three scenarios in this process, without Prometheus or Alertmanager.
/// In the lab's collection so that it never runs beside the real lab on two cores.
/// </summary>
[Collection(nameof(LabCollection))]
public sealed class EmbeddedLabTests(ITestOutputHelper log)
{
    [Fact]
    public async Task RunScenarios_Embedded_SurgeScalesOutOncePaymentFaultBlamesPaymentAndBadDeployWaitsForAPerson()
    {
        using var budget = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var output = new StringWriter(new StringBuilder());
        var results = new List<ScenarioResult>();
        await using (var backend = await EmbeddedBackend.StartAsync(new ScenarioTiming().BaselineRate, budget.Token))
        {
            var scenarios = new LabScenarios(backend, TextWriter.Synchronized(output));
            foreach (var name in ScenarioNames.All)
            {
                results.Add(await scenarios.RunAsync(name, budget.Token));
            }
        }

        log.WriteLine(output.ToString());
        Assert.Empty(results.SelectMany(LabGoals.Check));
        var byName = results.ToDictionary(r => r.Name);
        var surge = byName[ScenarioNames.TrafficSurge];
        Assert.Equal(IncidentCategory.TrafficDriven, surge.Episode?.RootCause?.Category);
        Assert.Equal(ExecutionStatus.Succeeded, Assert.Single(surge.Executions).Status);
        var slowPayment = byName[ScenarioNames.PaymentLatency];
        Assert.Equal("payment", slowPayment.Episode?.RootCause?.Hypotheses[0].Entity);
        Assert.Empty(slowPayment.Decisions);
        var deploy = byName[ScenarioNames.HighRisk];
        Assert.Equal(IncidentCategory.ChangeInduced, deploy.Episode?.RootCause?.Category);
        Assert.Equal(GateVerdict.RequireApproval, Assert.Single(deploy.Decisions).Verdict);
        Assert.Empty(deploy.Executions);
    }
}
