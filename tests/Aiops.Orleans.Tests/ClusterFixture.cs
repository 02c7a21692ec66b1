using Orleans.TestingHost;

namespace Aiops.Orleans.Tests;

/// <summary>Three in-process silos (Orleans TestingHost) sharing one <see cref="ClusterWorld"/>.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    internal static ClusterWorld World { get; } = new();

    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(3);
        builder.AddSiloBuilderConfigurator<Configurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    private sealed class Configurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => World.Configure(siloBuilder);
    }
}
