using System.Text.Json;
using Aiops.Correlation;
using Aiops.Correlation.Serialization;
using Aiops.Gates;
using Aiops.Hosting;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.DependencyInjection;

namespace Aiops.Orleans.Tests;

/// <summary>Three silos behind a round-robin "load balancer": one episode per incident, one decision and at most one execution per key.</summary>
public sealed class ClusterSafetyTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private static int s_round;

    private static ClusterWorld World => ClusterFixture.World;

    [Fact]
    public async Task Webhook_SamePayloadsRoundRobinOverThreeSilosReplayed100Times_OneEpisodePerIncidentOneDecisionAndOneExecutionPerKey()
    {
        var silos = fixture.Cluster.Silos.Select(ClusterWorld.Services).ToArray();
        var round = Interlocked.Increment(ref s_round);
        var now = World.Time.GetUtcNow();
        var incidents = new[] { ("checkout", $"shop-{round}"), ("payments", $"billing-{round}"), ("search", $"catalog-{round}") };
        var payloads = incidents.Select(i => ClusterWorld.Payload($"group-{i.Item1}-{round}", i.Item1, i.Item2, now, "HighLatency", "HighErrorRate")).ToArray();

        // Every replay of every payload goes to the next silo, as a round-robin load balancer in front of three replicas would.
        var next = 0;
        for (var replay = 0; replay < 100; replay++)
        {
            foreach (var payload in payloads)
            {
                Assert.Equal(200, await ClusterWorld.PostAsync(silos[next++ % silos.Length], payload));
            }
        }

        var keys = incidents.Select(i => $"restart/{i.Item1}").ToArray();
        var ran = await ClusterWorld.WaitUntilAsync(() => Task.FromResult(World.Runs.Keys.Count(k => keys.Any(k.StartsWith)) == incidents.Length));
        Assert.True(ran, $"runs: {string.Join(", ", World.Runs.Keys)}; episodes: {await fixture.Cluster.GrainFactory.GetGrain<ICorrelationScopeGrain>(incidents[0].Item2).GetEpisodesAsync()}");

        // Settle: every replayed signal has left the silos' channels and the scopes ticked on, so a late second decision or
        // execution would show below.
        Assert.True(await ClusterWorld.WaitUntilAsync(() => Task.FromResult(silos.All(s => s.GetRequiredService<AiopsPipelineWriter>().Signals.Reader.Count == 0))));
        await Task.Delay(TimeSpan.FromSeconds(1));

        // One episode per incident, each in the grain of its scope; the silos' own correlators saw nothing.
        foreach (var (service, ns) in incidents)
        {
            var json = await fixture.Cluster.GrainFactory.GetGrain<ICorrelationScopeGrain>(ns).GetEpisodesAsync();
            var episodes = JsonSerializer.Deserialize(json, CorrelationJson.EpisodeList)!;
            Assert.Single(episodes);
        }

        Assert.All(silos, s => Assert.Equal(0, s.GetRequiredService<Correlator>().OpenCount));

        // One decision per key in the cluster (the grain's record and every silo's audit log agree), one execution.
        var decided = new List<DecisionEntry>();
        foreach (var silo in silos)
        {
            await foreach (var entry in silo.GetRequiredService<IAuditLog>().ReadAllAsync())
            {
                if (entry is DecisionEntry d && keys.Any(d.Decision.Proposal.IdempotencyKey.StartsWith))
                {
                    decided.Add(d);
                }
            }
        }

        var byKey = decided.GroupBy(d => d.Decision.Proposal.IdempotencyKey).ToList();
        Assert.Equal(incidents.Length, byKey.Count);
        foreach (var group in byKey)
        {
            Assert.Single(group);
            var summary = await fixture.Cluster.GrainFactory.GetGrain<IDecisionGrain>(group.Key).GetSummaryAsync();
            Assert.Equal(1, summary.Decisions);
            Assert.Equal(1, summary.Executions);
            Assert.Equal(1, World.Runs[group.Key]);
        }
    }

    [Property(MaxTest = 20)]
    public Property RateLimit_ConcurrentProposalsFromAllSilos_GlobalLimitHolds() =>
        Prop.ForAll(Arb.From(Gen.Choose(1, 4 * ClusterWorld.RateLimit)), Arb.From(Gen.Choose(0, 2)), (proposals, firstSilo) => RunRateLimitAsync(proposals, firstSilo).GetAwaiter().GetResult());

    private async Task<bool> RunRateLimitAsync(int proposals, int firstSilo)
    {
        var round = Interlocked.Increment(ref s_round);
        var action = ClusterWorld.FlushAction(round);
        var coordinators = fixture.Cluster.Silos.Select(s => ClusterWorld.Services(s).GetRequiredService<IRemediationCoordinator>()).ToArray();
        var now = World.Time.GetUtcNow();
        var runs = await Task.WhenAll(Enumerable.Range(0, proposals).Select(i => Task.Run(async () =>
        {
            var coordinator = coordinators[(firstSilo + i) % coordinators.Length];
            var proposal = new RemediationProposal(action, [$"cache-{round}-{i}"], RiskClass.Low, $"ep-{round}", 0.9, $"flush/{round}/{i}", now);
            var decision = await coordinator.DecideAsync(proposal, CancellationToken.None);
            return await coordinator.ExecuteAsync(decision, CancellationToken.None);
        })));

        var started = runs.Count(r => r.Status == ExecutionStatus.Succeeded);
        var counted = World.Runs.Where(r => r.Key.StartsWith($"flush/{round}/", StringComparison.Ordinal)).Sum(r => r.Value);
        return started == Math.Min(proposals, ClusterWorld.RateLimit) && counted == started;
    }
}
