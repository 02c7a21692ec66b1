using System.Text.Json;
using Aiops.Correlation;
using Aiops.Correlation.Serialization;
using Aiops.Gates;
using Aiops.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace Aiops.Orleans.Tests;

/// <summary>Three silos clustered through Redis, with the Aiops grains stored in Redis.</summary>
public sealed class RedisClusterTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private static string s_redis = string.Empty;

    private static ClusterWorld World { get; } = new();

    [Fact]
    public async Task Decision_MadeOnThreeSiloRedisCluster_IsInRedisAfterTheClusterStopsAndComesBackWithItsScope()
    {
        s_redis = redis.Configuration;
        var proposal = new RemediationProposal("restart", ["checkout"], RiskClass.Low, "ep-000001@shop", 0.9, "restart/checkout/redis-test", World.Time.GetUtcNow());
        var alert = new AlertSignal("fp-1", "HighLatency", World.Time.GetUtcNow(), new Dictionary<string, string> { ["service"] = "checkout", ["namespace"] = "shop" }, AlertStatus.Firing, null, null, new Dictionary<string, string>());
        Decision decision;
        await using (var cluster = await DeployAsync())
        {
            // Proposed on the second silo, the alert received by the first: the grains live wherever Orleans placed them.
            decision = await Coordinator(cluster, 1).DecideAsync(proposal, CancellationToken.None);
            Assert.Equal(GateVerdict.Allow, decision.Verdict);
            await ClusterWorld.Services(cluster.Silos[0]).GetRequiredService<ISignalRouter>().RouteAsync(alert, CancellationToken.None);
            await cluster.StopAllSilosAsync();
        }

        var stored = await redis.DumpAsync();
        Assert.Contains(stored, kv => kv.Value.Contains(decision.DecisionId, StringComparison.Ordinal) && kv.Value.Contains(proposal.IdempotencyKey, StringComparison.Ordinal));

        // A new cluster on the same store: the key keeps its one decision, and the scope resumes its open episode.
        await using (var cluster = await DeployAsync())
        {
            var again = await Coordinator(cluster, 2).DecideAsync(proposal with { Confidence = 0.1 }, CancellationToken.None);
            Assert.Equal(decision.DecisionId, again.DecisionId);
            Assert.Equal(1, (await cluster.GrainFactory.GetGrain<IDecisionGrain>(proposal.IdempotencyKey).GetSummaryAsync()).Decisions);
            var episodes = JsonSerializer.Deserialize(await cluster.GrainFactory.GetGrain<ICorrelationScopeGrain>("shop").GetEpisodesAsync(), CorrelationJson.EpisodeList)!;
            Assert.Equal("ep-000001@shop", Assert.Single(episodes).Id);
            await cluster.StopAllSilosAsync();
        }
    }

    [Fact]
    public async Task ClusterAudit_RecordsMadeOnOneSilo_ListedOnAnotherAndAfterTheClusterRestarts()
    {
        s_redis = redis.Configuration;
        var proposal = new RemediationProposal("restart", ["search"], RiskClass.Low, "ep-000007@audit", 0.9, "restart/search/audit-test", World.Time.GetUtcNow());
        Decision decision;
        await using (var cluster = await DeployAsync())
        {
            // Decided and run on the second silo: its local audit log has the records, the cluster's audit log too.
            decision = await Coordinator(cluster, 1).DecideAsync(proposal, CancellationToken.None);
            var run = await Coordinator(cluster, 1).ExecuteAsync(decision, CancellationToken.None);
            Assert.Equal(ExecutionStatus.Succeeded, run.Status);

            var onThird = await AuditOfKeyAsync(ClusterWorld.Services(cluster.Silos[2]).GetRequiredService<IGrainFactory>(), proposal.IdempotencyKey);
            Assert.Equal(["execution", "decision"], onThird.Select(e => e.Type));
            Assert.Equal(decision.DecisionId, onThird[1].DecisionId);
            await cluster.StopAllSilosAsync();
        }

        // A new cluster on the same Redis: the records are still listed, on any silo.
        await using (var cluster = await DeployAsync())
        {
            var afterRestart = await AuditOfKeyAsync(ClusterWorld.Services(cluster.Silos[0]).GetRequiredService<IGrainFactory>(), proposal.IdempotencyKey);
            Assert.Equal(["execution", "decision"], afterRestart.Select(e => e.Type));
            Assert.All(afterRestart, e => Assert.Equal(decision.DecisionId, e.DecisionId));
            await cluster.StopAllSilosAsync();
        }
    }

    /// <summary>The cluster audit's records of one idempotency key, newest first: their type and decision id.</summary>
    private static async Task<List<(string Type, string DecisionId)>> AuditOfKeyAsync(IGrainFactory grains, string key)
    {
        var entries = await ClusterAudit.ReadAsync(grains, World.Time.GetUtcNow(), 1000, CancellationToken.None);
        return [.. entries
            .Select(json => JsonSerializer.Deserialize(json, Aiops.Gates.Serialization.GatesJson.AuditEntry)!)
            .Select(e => e switch
            {
                DecisionEntry d => (Type: "decision", Key: d.Decision.Proposal.IdempotencyKey, Id: d.Decision.DecisionId),
                ExecutionEntry x => (Type: "execution", Key: x.Execution.IdempotencyKey, Id: x.Execution.DecisionId),
                ApprovalEntry a => (Type: "approval", Key: string.Empty, Id: a.Approval.DecisionId),
                _ => (Type: "other", Key: string.Empty, Id: string.Empty),
            })
            .Where(e => e.Key == key)
            .Select(e => (e.Type, e.Id))];
    }

    private static IRemediationCoordinator Coordinator(TestCluster cluster, int silo) =>
        ClusterWorld.Services(cluster.Silos[silo]).GetRequiredService<IRemediationCoordinator>();

    private static async Task<TestCluster> DeployAsync()
    {
        var builder = new TestClusterBuilder(3);
        builder.Options.UseTestClusterMembership = false;

        // The same service on both deployments: grain storage keys include it.
        builder.Options.ServiceId = "aiops-redis-test";
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(s_redis));
            siloBuilder.AddRedisGrainStorage(AiopsGrains.StorageName, o => o.ConfigurationOptions = ConfigurationOptions.Parse(s_redis));
            World.Configure(siloBuilder);
        }
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(Microsoft.Extensions.Configuration.IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(s_redis));
    }
}
