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
    public async Task Decision_MadeOnThreeSiloRedisCluster_IsInRedisAfterTheClusterStops()
    {
        s_redis = redis.Configuration;
        var builder = new TestClusterBuilder(3);
        builder.Options.UseTestClusterMembership = false;
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        Decision decision;
        try
        {
            // Proposed on the second silo: its key's grain lives wherever Orleans placed it, and writes to Redis.
            var coordinator = ClusterWorld.Services(cluster.Silos[1]).GetRequiredService<IRemediationCoordinator>();
            var proposal = new RemediationProposal("restart", ["checkout"], RiskClass.Low, "ep-000001@default", 0.9, "restart/checkout/redis-test", World.Time.GetUtcNow());
            decision = await coordinator.DecideAsync(proposal, CancellationToken.None);
            Assert.Equal(GateVerdict.Allow, decision.Verdict);
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }

        var stored = await redis.DumpAsync();
        Assert.Contains(stored, kv => kv.Value.Contains(decision.DecisionId, StringComparison.Ordinal) && kv.Value.Contains("restart/checkout/redis-test", StringComparison.Ordinal));
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
