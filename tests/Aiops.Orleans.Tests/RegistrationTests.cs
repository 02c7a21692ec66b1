using Aiops.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Storage;

namespace Aiops.Orleans.Tests;

/// <summary>What UseOrleans() and AddAiopsGrains() register, and that single-process mode stays the default.</summary>
public sealed class RegistrationTests
{
    [Fact]
    public void AddAiops_WithoutUseOrleans_DecidesLocallyAndRoutesNoSignals()
    {
        var services = Services(aiops => { });

        Assert.Equal("LocalRemediationCoordinator", Implementation<IRemediationCoordinator>(services));
        Assert.Equal("LocalApprovalCoordinator", Implementation<IApprovalCoordinator>(services));
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(ISignalRouter));
    }

    [Fact]
    public void UseOrleans_OnTheAiopsBuilder_ReplacesTheCoordinatorAndAddsTheRouterOnce()
    {
        var services = Services(aiops => aiops.UseOrleans().UseOrleans(o => o.ScopeLabel = "namespace"));

        Assert.Equal(typeof(OrleansRemediationCoordinator).Name, Implementation<IRemediationCoordinator>(services));
        Assert.Single(services, d => d.ServiceType == typeof(IRemediationCoordinator));
        Assert.Equal(typeof(OrleansApprovalCoordinator).Name, Implementation<IApprovalCoordinator>(services));
        Assert.Single(services, d => d.ServiceType == typeof(IApprovalCoordinator));
        Assert.Single(services, d => d.ServiceType == typeof(ISignalRouter) && d.ImplementationType == typeof(OrleansSignalRouter));
    }

    [Fact]
    public void ScopeOf_LabelSetOrMissing_NamesTheLabelValueOrTheDefaultScope()
    {
        var options = new AiopsOrleansOptions { ScopeLabel = "namespace" };

        Assert.Equal("shop", options.ScopeOf(new Dictionary<string, string> { ["namespace"] = "shop" }));
        Assert.Equal(AiopsOrleansOptions.DefaultScope, options.ScopeOf(new Dictionary<string, string> { ["service"] = "checkout" }));
        Assert.Equal(AiopsOrleansOptions.DefaultScope, new AiopsOrleansOptions().ScopeOf(new Dictionary<string, string> { ["namespace"] = "shop" }));
    }

    [Fact]
    public void AddAiopsGrains_WithoutAStore_AddsAnInMemoryOneUnderTheAiopsName()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleans(silo => silo.AddAiopsGrains());

        Assert.Single(builder.Services, d => d.IsKeyedService && d.ServiceType == typeof(IGrainStorage) && Equals(d.ServiceKey, AiopsGrains.StorageName));
    }

    [Fact]
    public void AddAiopsGrains_AfterAStoreOfThatName_KeepsIt()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleans(silo => silo.AddMemoryGrainStorage(AiopsGrains.StorageName).AddAiopsGrains());

        Assert.Single(builder.Services, d => d.IsKeyedService && d.ServiceType == typeof(IGrainStorage) && Equals(d.ServiceKey, AiopsGrains.StorageName));
    }

    [Fact]
    public void DecisionId_SameKeyAndGeneration_IsStableAndDiffersByKeyAndGeneration()
    {
        var id = DecisionGrain.DecisionId("restart/checkout/a", 1);

        Assert.Equal(id, DecisionGrain.DecisionId("restart/checkout/a", 1));
        Assert.NotEqual(id, DecisionGrain.DecisionId("restart/checkout/b", 1));
        Assert.NotEqual(id, DecisionGrain.DecisionId("restart/checkout/a", 2));
        Assert.StartsWith("dec-", id, StringComparison.Ordinal);
    }

    private static ServiceCollection Services(Action<AiopsBuilder> configure)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddAiops(configure);
        return services;
    }

    private static string? Implementation<T>(IServiceCollection services) =>
        services.Last(d => d.ServiceType == typeof(T)).ImplementationType?.Name;
}
