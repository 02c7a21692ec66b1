using Orleans.TestingHost;

namespace Aiops.Orleans.Tests;

/// <summary>
/// In-process silos (Orleans TestingHost) configured by <typeparamref name="TConfigurator"/>, deployed before the tests of a
/// class and stopped after them.
/// </summary>
/// <typeparam name="TConfigurator">Configures each silo.</typeparam>
public abstract class SiloFixture<TConfigurator> : IAsyncLifetime
    where TConfigurator : ISiloConfigurator, new()
{
    /// <summary>Gets the cluster, once deployed.</summary>
    public TestCluster Cluster { get; private set; } = null!;

    /// <summary>Gets how many silos the cluster has. Default: 1.</summary>
    protected virtual short Silos => 1;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(Silos);
        builder.AddSiloBuilderConfigurator<TConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        BeforeStop();
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    /// <summary>Runs before the silos stop (release what the tests hold); by default nothing.</summary>
    protected virtual void BeforeStop()
    {
    }
}
