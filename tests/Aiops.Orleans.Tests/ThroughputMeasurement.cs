using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Threading.Channels;
using Aiops.Detection;
using Aiops.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.TestingHost;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Aiops.Orleans.Tests;

/// <summary>
/// Measures samples per second through detection, one scrape tick at a time (see <see cref="WriteAsync"/>): single-process mode against 1, 2 and 3 silos (in this one process, over
/// loopback TCP, on whatever cores the machine has) with detection sharded by series and by bucket, stored in Redis; also
/// grain calls per sample, bytes per series in the store and managed heap per series (the silos share this process's heap). Runs only when <c>AIOPS_MEASURE=1</c> (CI skips the cost):
/// <c>AIOPS_MEASURE=1 dotnet test tests/Aiops.Orleans.Tests -c Release --filter FullyQualifiedName~ThroughputMeasurement --logger "console;verbosity=detailed"</c>.
/// <c>AIOPS_MEASURE_SERIES</c> and <c>AIOPS_MEASURE_POINTS</c> change the load (default 2,000 series × 100 points),
/// <c>AIOPS_MEASURE_BUCKETS</c> the bucket count of the bucket placement (default 64).
/// </summary>
public sealed class ThroughputMeasurement(RedisServer redis, ITestOutputHelper output) : IClassFixture<RedisServer>
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static string s_redis = string.Empty;
    private static DetectionPlacement s_placement;
    private static int s_buckets = 64;
    private static readonly ClusterWorld World = new();

    [Fact]
    public async Task Measure_SamplesPerSecond_SingleProcessAndOneToThreeSilos()
    {
        if (Environment.GetEnvironmentVariable("AIOPS_MEASURE") != "1")
        {
            return;
        }

        s_redis = redis.Configuration;
        var seriesCount = int.Parse(Environment.GetEnvironmentVariable("AIOPS_MEASURE_SERIES") ?? "2000", CultureInfo.InvariantCulture);
        var points = int.Parse(Environment.GetEnvironmentVariable("AIOPS_MEASURE_POINTS") ?? "100", CultureInfo.InvariantCulture);
        s_buckets = int.Parse(Environment.GetEnvironmentVariable("AIOPS_MEASURE_BUCKETS") ?? "64", CultureInfo.InvariantCulture);
        var keys = Enumerable.Range(0, seriesCount).Select(i => new SeriesKey("latency", [new("pod", $"pod-{i}"), new("namespace", "shop")])).ToArray();
        output.WriteLine($"{seriesCount} series x {points} points = {seriesCount * points} samples, ensemble detector, {s_buckets} buckets, {Environment.ProcessorCount} cores");

        var single = await SingleProcessAsync(keys, points);
        output.WriteLine($"single-process: {single:F0} samples/s");
        foreach (var placement in new[] { DetectionPlacement.SeriesGrain, DetectionPlacement.BucketGrain })
        {
            for (var silos = 1; silos <= 3; silos++)
            {
                var (rate, callsPerSample, payload, memory, heap) = await ClusterAsync(keys, points, silos, placement);
                var heapText = silos == 1 ? $", {heap:F0} bytes/series of managed heap (the silo process, ingestion and score board included)" : string.Empty;
                output.WriteLine($"{placement} {silos} silo(s): {rate:F0} samples/s ({rate / single:P1} of single-process), {callsPerSample:F4} shard calls/sample, {payload:F0} bytes/series stored ({memory:F0} held by Redis){heapText}");
            }
        }
    }

    private static async Task<double> SingleProcessAsync(SeriesKey[] keys, int points)
    {
        using var host = Host.CreateDefaultBuilder().ConfigureServices(services =>
        {
            services.AddRouting();
            services.Configure<AiopsOptions>(o =>
            {
                o.AllowAnonymous = true;
                o.Channels.FullMode = BoundedChannelFullMode.Wait;
            });
            services.Configure<DetectionStageOptions>(o => o.MaxSeries = keys.Length + 1);
            services.AddAiops();
        }).Build();
        var processed = 0L;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "aiops.hosting.stage.processed")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Value as string == "detection")
                {
                    Interlocked.Add(ref processed, value);
                }
            }
        });
        listener.Start();
        await host.StartAsync();
        var writer = host.Services.GetRequiredService<AiopsPipelineWriter>();
        var clock = Stopwatch.StartNew();
        await WriteAsync([writer], keys, points, () => Interlocked.Read(ref processed));
        Assert.True(await ClusterWorld.WaitUntilAsync(() => Task.FromResult(Interlocked.Read(ref processed) >= (long)keys.Length * points), 600));
        var rate = keys.Length * points / clock.Elapsed.TotalSeconds;
        await host.StopAsync();
        return rate;
    }

    private async Task<(double Rate, double CallsPerSample, double PayloadPerSeries, double RedisPerSeries, double HeapPerSeries)> ClusterAsync(SeriesKey[] keys, int points, int silos, DetectionPlacement placement)
    {
        s_placement = placement;
        var builder = new TestClusterBuilder((short)silos);
        builder.Options.UseTestClusterMembership = false;
        builder.Options.ServiceId = $"aiops-measure-{placement}-{silos}-{Guid.NewGuid():N}"[..40];
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        await using var cluster = builder.Build();
        await cluster.DeployAsync();
        var before = await KeyBytesAsync(builder.Options.ServiceId);
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var writers = cluster.Silos.Select(s => ClusterWorld.Services(s).GetRequiredService<AiopsPipelineWriter>()).ToArray();
        var clock = Stopwatch.StartNew();
        await WriteAsync(writers, keys, points, () => SeriesDetectionTests.Forwarded(cluster));
        var total = (long)keys.Length * points;
        Assert.True(await ClusterWorld.WaitUntilAsync(() => Task.FromResult(SeriesDetectionTests.Forwarded(cluster) >= total), 600), $"forwarded {SeriesDetectionTests.Forwarded(cluster)}");
        var rate = total / clock.Elapsed.TotalSeconds;
        var heapPerSeries = (GC.GetTotalMemory(forceFullCollection: true) - heapBefore) / (double)keys.Length;
        var calls = cluster.Silos.Sum(s => ClusterWorld.Services(s).GetRequiredService<SeriesDetectionForwarder>().Calls);
        var failed = cluster.Silos.Sum(s => ClusterWorld.Services(s).GetRequiredService<SeriesDetectionForwarder>().Failed + ClusterWorld.Services(s).GetRequiredService<SeriesDetectionForwarder>().Dropped);
        Assert.Equal(0, failed);

        // Every shard writes its snapshots now, so the store holds every series once.
        var shards = keys.Select(k => SeriesDetectionForwarder.ShardOf(k, new AiopsOrleansOptions { Detection = placement, DetectionBuckets = s_buckets })).Distinct();
        await Task.WhenAll(shards.Select(s => cluster.GrainFactory.GetGrain<ISeriesDetectionGrain>(s).PersistAsync()));
        var after = await KeyBytesAsync(builder.Options.ServiceId);
        var bytes = (after.Payload - before.Payload, after.Memory - before.Memory);
        await cluster.StopAllSilosAsync();
        return (rate, calls / (double)total, bytes.Item1 / (double)keys.Length, bytes.Item2 / (double)keys.Length, heapPerSeries);
    }

    /// <summary>Bytes of the detection shards' state in Redis for one deployment: payload (key, fields, values) and what Redis holds (MEMORY USAGE).</summary>
    private static async Task<(long Payload, long Memory)> KeyBytesAsync(string serviceId)
    {
        using var connection = await ConnectionMultiplexer.ConnectAsync(s_redis);
        var server = connection.GetServers()[0];
        var database = connection.GetDatabase();
        long payload = 0, memory = 0;
        await foreach (var key in server.KeysAsync(pattern: $"*{serviceId}*"))
        {
            if (!key.ToString().Contains("detection", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            memory += (long)await database.ExecuteAsync("MEMORY", "USAGE", key);
            payload += key.ToString().Length;
            if (await database.KeyTypeAsync(key) == RedisType.Hash)
            {
                foreach (var entry in await database.HashGetAllAsync(key))
                {
                    payload += entry.Name.ToString().Length + ((byte[])entry.Value!).Length;
                }
            }
            else
            {
                payload += await database.StringLengthAsync(key);
            }
        }

        return (payload, memory);
    }

    /// <summary>
    /// Writes the samples tick by tick, as scrapes at a fixed resolution deliver them: every series' point of a tick, series k to
    /// replica k mod n (each replica scrapes its own targets), then waits until the tick is scored before the next (so a tick's
    /// points are all a shard gets in a call, as at 10 s resolution, rather than a backlog batched many points per call).
    /// </summary>
    private static async Task WriteAsync(AiopsPipelineWriter[] writers, SeriesKey[] keys, int points, Func<long> scored)
    {
        for (var t = 0; t < points; t++)
        {
            var target = (long)t * keys.Length;
            while (scored() < target)
            {
                await Task.Delay(1);
            }

            var at = Start.AddSeconds(10 * t);
            for (var k = 0; k < keys.Length; k++)
            {
                var sample = new MetricSample(keys[k], at, 50 + Math.Sin((t + k) / 7.0) + ((t * 7919 + k * 104729) % 100 / 100.0));
                while (!writers[k % writers.Length].TryWriteSample(sample))
                {
                    await Task.Delay(1);
                }
            }
        }
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(s_redis));
            siloBuilder.AddRedisGrainStorage(AiopsGrains.StorageName, o => o.ConfigurationOptions = ConfigurationOptions.Parse(s_redis));
            World.Configure(siloBuilder);
            siloBuilder.Services.Configure<AiopsOptions>(o => o.Channels.FullMode = BoundedChannelFullMode.Wait);
            siloBuilder.Services.Configure<DetectionStageOptions>(o => o.MaxSeries = 1_000_000);
            siloBuilder.Services.Configure<AiopsOrleansOptions>(o =>
            {
                o.Detection = s_placement;
                o.DetectionBuckets = s_buckets;
            });
        }
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(Microsoft.Extensions.Configuration.IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(s_redis));
    }
}
