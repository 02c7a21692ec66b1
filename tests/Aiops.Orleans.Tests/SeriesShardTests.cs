using Aiops.Detection;
using Aiops.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Aiops.Orleans.Tests;

/// <summary>How UseOrleans wires sharded detection, and where a series' shard is.</summary>
public sealed class SeriesShardTests
{
    [Fact]
    public void UseOrleans_LocalPlacement_LeavesTheDetectionStageAlone()
    {
        using var provider = Services(o => { }).BuildServiceProvider();

        Assert.Null(provider.GetRequiredService<IOptions<DetectionStageOptions>>().Value.DetectorFactory);
        Assert.Equal(DetectionPlacement.Local, provider.GetRequiredService<IOptions<AiopsOrleansOptions>>().Value.Detection);
    }

    [Fact]
    public void UseOrleans_SeriesGrainCalledTwice_WrapsTheHostsFactoryOnceAndRegistersOneForwarder()
    {
        Func<SeriesKey, IAnomalyDetector> own = _ => new RobustZScoreDetector();
        var services = Services(o => o.Detection = DetectionPlacement.SeriesGrain, own);
        using var provider = services.BuildServiceProvider();

        var stage = provider.GetRequiredService<IOptions<DetectionStageOptions>>().Value;

        Assert.NotSame(own, stage.DetectorFactory);
        Assert.Same(own, provider.GetRequiredService<SeriesDetectionFactory>().Local);
        Assert.Single(services, d => d.ServiceType == typeof(SeriesDetectionForwarder));
        Assert.Single(services, d => d.ServiceType == typeof(IHostedService) && d.ImplementationFactory?.Method.ReturnType == typeof(SeriesDetectionForwarder));
    }

    [Fact]
    public void ShardOf_SeriesOrBucket_IsTheKeyTextOrAStableBucket()
    {
        var key = new SeriesKey("cpu", [new("pod", "p1")]);

        Assert.Equal(key.ToString(), SeriesDetectionForwarder.ShardOf(key, new AiopsOrleansOptions { Detection = DetectionPlacement.SeriesGrain }));

        // FNV-1a of the key text, the same in every process (string.GetHashCode is not): replicas agree on the bucket.
        Assert.Equal("cpu{pod=\"p1\"}", key.ToString());
        Assert.Equal(735248768u, SeriesDetectionForwarder.StableHash(key.ToString()));
        Assert.Equal("bucket-384", SeriesDetectionForwarder.ShardOf(key, new AiopsOrleansOptions { Detection = DetectionPlacement.BucketGrain, DetectionBuckets = 1024 }));
    }

    private static ServiceCollection Services(Action<AiopsOrleansOptions> configure, Func<SeriesKey, IAnomalyDetector>? factory = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.Configure<DetectionStageOptions>(o => o.DetectorFactory = factory);
        services.AddAiops(aiops => aiops.UseOrleans(configure).UseOrleans());
        return services;
    }
}
