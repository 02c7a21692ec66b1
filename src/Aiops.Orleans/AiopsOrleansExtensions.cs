using Aiops.Hosting;
using Aiops.Orleans;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Turns the Aiops pipeline of a host into one replica of a cluster on Microsoft Orleans.</summary>
public static class AiopsOrleansExtensions
{
    /// <summary>
    /// Makes this host's pipeline a replica of an Aiops cluster: signals are correlated by the grain of their scope
    /// (<see cref="AiopsOrleansOptions.ScopeLabel"/>), each idempotency key is decided once and executed at most once
    /// cluster-wide, and rate limits, cooldowns and concurrency gates count the whole cluster's executions; with
    /// <see cref="AiopsOrleansOptions.Detection"/> set to a sharded placement, metric samples are scored by one grain per series
    /// (or bucket of series) whose detector state is snapshotted to grain storage; decisions that require approval are listed by every replica and may be answered on any. The host must be
    /// an Orleans silo with <see cref="AddAiopsGrains"/> (or a client of such a cluster). Without this call the pipeline
    /// stays single-process. Options bind from <see cref="AiopsOrleansOptions.SectionName"/>. Call it during startup only.
    /// </summary>
    /// <param name="builder">The Aiops builder.</param>
    /// <param name="configure">Adjusts the options after binding; <see langword="null"/> keeps them.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static AiopsBuilder UseOrleans(this AiopsBuilder builder, Action<AiopsOrleansOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<AiopsOrleansOptions>().BindConfiguration(AiopsOrleansOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.Replace(ServiceDescriptor.Singleton<IRemediationCoordinator, OrleansRemediationCoordinator>());
        builder.Services.Replace(ServiceDescriptor.Singleton<ISignalRouter, OrleansSignalRouter>());
        builder.Services.Replace(ServiceDescriptor.Singleton<IApprovalCoordinator, OrleansApprovalCoordinator>());
        if (!builder.Services.Any(static d => d.ImplementationType == typeof(ScopeKeeper)))
        {
            builder.Services.AddHostedService<ScopeKeeper>();
        }

        // Sharded detection (AiopsOrleansOptions.Detection): the detection stage's detectors become stand-ins that forward to
        // the series' shard grain; the shards create the real detectors with the factory configured before this replacement.
        // Registered once, however often UseOrleans is called: a second wrap would make the shards forward to themselves.
        if (builder.Services.Any(static d => d.ServiceType == typeof(SeriesDetectionFactory)))
        {
            return builder;
        }

        builder.Services.AddSingleton<SeriesDetectionFactory>();
        builder.Services.AddSingleton<SeriesDetectionForwarder>();
        builder.Services.AddHostedService(static sp => sp.GetRequiredService<SeriesDetectionForwarder>());
        builder.Services.AddOptions<DetectionStageOptions>().PostConfigure<IOptions<AiopsOrleansOptions>, SeriesDetectionFactory, IServiceProvider>(
            static (stage, orleans, factory, sp) =>
            {
                if (orleans.Value.Detection == DetectionPlacement.Local)
                {
                    return;
                }

                factory.Local = stage.DetectorFactory;
                stage.DetectorFactory = key => sp.GetRequiredService<SeriesDetectionForwarder>().Attach(key);
            });
        return builder;
    }

    /// <summary>
    /// Adds the Aiops grains to a silo: decisions by idempotency key, the cluster's execution history, and correlation
    /// scopes. They persist to the grain storage named <see cref="AiopsGrains.StorageName"/>; register a shared one (Redis,
    /// for example) before this call, or an in-memory one is added (single machine only). The silo's host must also call
    /// <c>AddAiops(...)</c>: the grains use its gates, actions, correlator options, episode store and clock.
    /// </summary>
    /// <param name="siloBuilder">The silo builder.</param>
    /// <returns>The same silo builder, for chaining.</returns>
    public static ISiloBuilder AddAiopsGrains(this ISiloBuilder siloBuilder)
    {
        ArgumentNullException.ThrowIfNull(siloBuilder);
        var hasStore = siloBuilder.Services.Any(static d => d.IsKeyedService && d.ServiceType == typeof(IGrainStorage) && Equals(d.ServiceKey, AiopsGrains.StorageName));
        if (!hasStore)
        {
            siloBuilder.AddMemoryGrainStorage(AiopsGrains.StorageName);
        }

        return siloBuilder;
    }
}
