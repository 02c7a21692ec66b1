using Aiops.Correlation;
using Aiops.Gates;
using Aiops.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Microsoft.Extensions.Hosting;
using Orleans.TestingHost;
using StackExchange.Redis;

namespace Aiops.Orleans.Tests;

/// <summary>
/// A decision that waits for approval, proposed by the remediation stage of a silo that is then killed: approved on a
/// survivor, it runs once on a survivor (its scope resumes there and offers the episode again; the survivor's stage
/// polls the approval and runs the decision through the grain's one admission).
/// </summary>
public sealed class ApprovalAfterKillTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private static string s_redis = string.Empty;
    private static readonly ClusterWorld World = new();

    [Fact]
    public async Task Approve_ProposingSiloKilled_RunsOnceOnASurvivor()
    {
        s_redis = redis.Configuration;
        var builder = new TestClusterBuilder(3);
        builder.Options.UseTestClusterMembership = false;
        builder.Options.ServiceId = "aiops-approval-kill-" + Guid.NewGuid().ToString("N")[..8];
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        await using var cluster = builder.Build();
        await cluster.DeployAsync();

        // An incident whose scope (and so the proposing stage) is on a silo other than the first, which the client uses.
        string key = string.Empty, decisionId = string.Empty;
        SiloHandle? proposer = null;
        for (var attempt = 0; proposer is null; attempt++)
        {
            Assert.True(attempt < 20, "no scope was placed on a secondary silo");
            var ns = $"vault-{attempt}-{Guid.NewGuid():N}";
            var services = ClusterWorld.Services(cluster.Silos[0]);
            Assert.Equal(200, await ClusterWorld.PostAsync(services, ClusterWorld.Payload($"group-{ns}", ClusterWorld.ApprovalService, ns, World.Time.GetUtcNow(), "HighLatency")));
            PendingApproval? pending = null;
            Assert.True(await ClusterWorld.WaitUntilAsync(async () =>
                (pending = (await services.GetRequiredService<IApprovalCoordinator>().ListPendingAsync(CancellationToken.None))
                    .FirstOrDefault(p => p.Decision.Proposal.IdempotencyKey.Contains(ns, StringComparison.Ordinal))) is not null, 30));
            (key, decisionId) = (pending!.Decision.Proposal.IdempotencyKey, pending.Decision.DecisionId);
            foreach (var silo in cluster.Silos.Skip(1))
            {
                if (await ClusterWorld.Services(silo).GetRequiredService<IEpisodeStore>().GetAsync(CorrelationScopeGrain.QualifyId("ep-000001", ns)) is not null)
                {
                    proposer = silo;
                }
            }
        }

        await cluster.KillSiloAsync(proposer);
        var survivor = ClusterWorld.Services(cluster.Silos.First(s => s != proposer));

        // Answered on a survivor (retried while the cluster has not yet declared the dead silo dead).
        Assert.True(await ClusterWorld.WaitUntilAsync(async () =>
        {
            try
            {
                var result = await survivor.GetRequiredService<IApprovalCoordinator>().AnswerAsync(decisionId, true, "oncall", "ledger lag checked", CancellationToken.None);
                return result.Status is ApprovalResultStatus.Approved or ApprovalResultStatus.AlreadyAnswered;
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                return false;
            }
        }, 60));

        // Runs once, on a survivor: nobody else was waiting for it.
        Assert.True(await ClusterWorld.WaitUntilAsync(() => Task.FromResult(World.Runs.ContainsKey(key)), 60), "the approved decision did not run after its proposing silo died");
        var summary = await cluster.GrainFactory.GetGrain<IDecisionGrain>(key).GetSummaryAsync();
        Assert.Equal(1, summary.Executions);
        Assert.Equal(1, World.Runs[key]);
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(s_redis));
            siloBuilder.AddRedisGrainStorage(AiopsGrains.StorageName, o => o.ConfigurationOptions = ConfigurationOptions.Parse(s_redis));
            siloBuilder.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
            });
            World.Configure(siloBuilder);
            siloBuilder.Services.Configure<AiopsOrleansOptions>(o => o.ResumeInterval = TimeSpan.FromMilliseconds(500));
        }
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(Microsoft.Extensions.Configuration.IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(s_redis));
    }
}
