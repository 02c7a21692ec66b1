using Orleans.TestingHost;

namespace Aiops.Orleans.Tests;

/// <summary>Three in-process silos (Orleans TestingHost) sharing one <see cref="ClusterWorld"/>.</summary>
public sealed class ClusterFixture : SiloFixture<ClusterFixture.Configurator>
{
    internal static ClusterWorld World { get; } = new();

    protected override short Silos => 3;

    public sealed class Configurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => World.Configure(siloBuilder);
    }
}
