using Aiops.Correlation;
using Aiops.Gates;
using Aiops.Gates.Actions;
using Aiops.Hosting.Tests.Pipeline;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Aiops.Hosting.Tests.Storm;

public sealed class StormProperties
{
    private const int IncidentServices = 4;

    /// <summary>A storm: alerts on noise or incident services, interleaved with clock steps, into small channels.</summary>
    private abstract record Step;

    private sealed record Fire(int Service, int Alert, bool Incident) : Step;

    private sealed record Advance(int Seconds) : Step;

    [Property(MaxTest = 25)]
    public Property RandomStorms_EveryFiringEpisodeTheRulesProposeForIsDecided() =>
        Prop.ForAll(Arb.From(Storm()), steps => RunAsync(steps).GetAwaiter().GetResult());

    private static Gen<Step[]> Storm()
    {
        var noise = from service in Gen.Choose(0, 400) from alert in Gen.Choose(0, 3) select (Step)new Fire(service, alert, false);
        var incident = from service in Gen.Choose(0, IncidentServices - 1) from alert in Gen.Choose(0, 2) select (Step)new Fire(service, alert, true);
        var advance = Gen.Choose(1, 8).Select(s => (Step)new Advance(s));
        var step = Gen.Frequency((40, noise), (2, incident), (3, advance));
        return Gen.Choose(50, 1_500).SelectMany(n => Gen.ArrayOf(step, n));
    }

    private static async Task<bool> RunAsync(Step[] steps)
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        var config = new Dictionary<string, string?>
        {
            ["Aiops:Correlation:PendingFor"] = "00:00:05",
            ["Aiops:Channels:SignalCapacity"] = "32",
        };
        using var host = PipelineTestHost.Build(
            time,
            aiops => aiops
                .AddAction(new SimulatedAction("restart", RiskClass.Low))
                .ConfigureRemediation(o => o.Rules.Add(new RemediationRule { Action = "restart", Entities = [.. Enumerable.Range(0, IncidentServices).Select(i => "incident-" + i)] })),
            config);
        await host.StartAsync();
        var writer = host.Services.GetRequiredService<AiopsPipelineWriter>();
        foreach (var step in steps)
        {
            switch (step)
            {
                case Fire fire:
                    var service = (fire.Incident ? "incident-" : "noise-") + fire.Service;
                    var name = "Alert" + fire.Alert;
                    var signal = new AlertSignal($"{service}/{name}", name, time.GetUtcNow(), new Dictionary<string, string> { ["alertname"] = name, ["service"] = service }, AlertStatus.Firing, null, "warning", new Dictionary<string, string>());
                    Assert.True(await writer.WriteSignalAsync(signal));
                    break;
                case Advance advance:
                    time.Advance(TimeSpan.FromSeconds(advance.Seconds));
                    break;
            }
        }

        var correlator = host.Services.GetRequiredService<Correlator>();
        var planner = host.Services.GetRequiredService<IRemediationPlanner>();
        var engine = host.Services.GetRequiredService<DecisionEngine>();
        var decided = false;
        for (var i = 0; i < 30 && !decided; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            decided = await PipelineTestHost.WaitUntilAsync(() => AllDecided(correlator, planner, engine, time), 0.5);
        }

        decided = decided || await PipelineTestHost.WaitUntilAsync(() => AllDecided(correlator, planner, engine, time), 30);
        await host.StopAsync();
        return decided;
    }

    private static bool AllDecided(Correlator correlator, IRemediationPlanner planner, DecisionEngine engine, TimeProvider time)
    {
        var decisions = engine.AuditLog.ReadAllAsync().OfType<DecisionEntry>().ToListAsync().AsTask().Result
            .Select(d => d.Decision.Proposal.EpisodeId).ToHashSet(StringComparer.Ordinal);
        foreach (var episode in correlator.Snapshot().Where(e => e.State == EpisodeState.Firing))
        {
            if (planner.PlanAsync(episode, time.GetUtcNow(), CancellationToken.None).AsTask().Result.Count > 0 && !decisions.Contains(episode.Id))
            {
                return false;
            }
        }

        return true;
    }
}
