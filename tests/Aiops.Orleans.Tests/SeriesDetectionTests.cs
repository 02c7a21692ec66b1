using System.Diagnostics;
using Aiops.Correlation;
using Aiops.Detection;
using Aiops.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.TestingHost;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Aiops.Orleans.Tests;

/// <summary>Detection sharded by series on three silos clustered and stored through Redis: a series survives its silo.</summary>
public sealed class SeriesDetectionTests(RedisServer redis, ITestOutputHelper output) : IClassFixture<RedisServer>
{
    private const int SnapshotEvery = 50;
    private static string s_redis = string.Empty;
    private static readonly ClusterWorld World = new();
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task SeriesGrain_SiloStopped_ResumesOnAnotherSiloWithBitwiseEqualScores()
    {
        s_redis = redis.Configuration;
        await using var cluster = await DeployAsync("stop");
        var (series, silo) = await SeriesOnSecondarySiloAsync(cluster, "stop");
        var values = Values(1400);
        var reference = DetectorCatalog.Create(DetectorNames.Ensemble);
        reference.Update(At(0), values[0]); // the point that placed the shard

        // 730 points: the last 30 after the last periodic snapshot, so only the deactivation's snapshot has them.
        await FeedAsync(cluster, series, values, 1, 730, reference);
        await cluster.StopSiloAsync(silo);

        var reply = await FeedAsync(cluster, series, values, 730, 1400, reference);

        Assert.NotEqual(silo.SiloAddress.ToString(), await Grain(cluster, series).GetSiloAsync());
        Assert.Equal(1, reply.Restored);
        Assert.Equal(DetectorSnapshot.Save(reference), await Grain(cluster, series).GetSnapshotAsync(series.Text));
    }

    [Fact]
    public async Task SeriesGrain_SiloKilled_ResumesFromLastSnapshotWithoutNewWarmUp()
    {
        s_redis = redis.Configuration;
        await using var cluster = await DeployAsync("kill");
        var (series, silo) = await SeriesOnSecondarySiloAsync(cluster, "kill");
        var values = Values(1400);
        var reference = DetectorCatalog.Create(DetectorNames.Ensemble);
        reference.Update(At(0), values[0]); // the point that placed the shard
        await FeedAsync(cluster, series, values, 1, 701, reference);

        // 30 more points after the periodic snapshot at 701 points (every 50): the kill loses them, and only them.
        var lost = DetectorCatalog.Create(DetectorNames.Ensemble);
        DetectorSnapshot.Restore(lost, DetectorSnapshot.Save(reference));
        await FeedAsync(cluster, series, values, 701, 731, lost);
        await cluster.KillSiloAsync(silo);

        var clock = Stopwatch.StartNew();
        DetectionReply? first = null;
        while (first is null && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                first = await Grain(cluster, series).DetectAsync(Batch(series, values, 731, 732));
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                await Task.Delay(100);
            }
        }

        Assert.NotNull(first);
        var resumed = clock.Elapsed;
        output.WriteLine($"series resumed on a survivor {resumed.TotalSeconds:F1} s after the kill");
        Assert.Equal(1, first.Restored);
        var expected = reference.Update(At(731), values[731]);
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected.Probability), BitConverter.DoubleToInt64Bits(first.Probabilities![0]));

        // Scored at once (the ensemble warms up for 100 to 300 points; a fresh detector would answer NaN here), and from then
        // on exactly as an uninterrupted detector that never saw the 30 lost points.
        await FeedAsync(cluster, series, values, 732, 1000, reference);
        Assert.Equal(DetectorSnapshot.Save(reference), await Grain(cluster, series).GetSnapshotAsync(series.Text));
        Assert.True(resumed < TimeSpan.FromSeconds(60), $"resumed after {resumed}");
    }

    [Fact]
    public async Task SeriesGrain_SiloKilledMidAnomaly_ResumesTheAnomalyWithoutSecondOnset()
    {
        s_redis = redis.Configuration;
        await using var cluster = await DeployAsync("anomaly");
        var (series, silo) = await SeriesOnSecondarySiloAsync(cluster, "anomaly");
        var values = Values(1000);
        for (var i = 700; i < values.Length; i++)
        {
            values[i] += 40; // a level shift from point 700 on: an anomaly until it becomes the new normal (30 minutes)
        }

        // Up to 751: the onset, then the periodic snapshot (every 50 points) holds the detector and the anomaly's tracking.
        var before = new List<int>();
        for (var i = 1; i < 751; i += SnapshotEvery)
        {
            var reply = await Grain(cluster, series).DetectAsync(Batch(series, values, i, Math.Min(751, i + SnapshotEvery)));
            before.AddRange(reply.Events!);
        }

        Assert.Equal(1, before.Count(e => e == (int)AnomalySignalEvent.Onset));

        // 30 points more (lost with the silo), then SIGKILL-like: no deactivation, no final snapshot.
        await Grain(cluster, series).DetectAsync(Batch(series, values, 751, 781));
        await cluster.KillSiloAsync(silo);

        var clock = Stopwatch.StartNew();
        DetectionReply? first = null;
        while (first is null && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                first = await Grain(cluster, series).DetectAsync(Batch(series, values, 781, 800));
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                await Task.Delay(100);
            }
        }

        Assert.NotNull(first);
        Assert.Equal(1, first.Restored);
        var after = new List<int>(first.Events!);
        for (var i = 800; i < values.Length; i += SnapshotEvery)
        {
            after.AddRange((await Grain(cluster, series).DetectAsync(Batch(series, values, i, Math.Min(values.Length, i + SnapshotEvery)))).Events!);
        }

        // The resumed series is still in the same anomaly: its first signal re-announces it (a repeat), never a new onset.
        var signals = after.Where(e => e != (int)AnomalySignalEvent.None).ToList();
        output.WriteLine($"after resuming: {string.Join(", ", signals.Select(e => (AnomalySignalEvent)e))}");
        Assert.NotEmpty(signals);
        Assert.Equal((int)AnomalySignalEvent.Repeat, signals[0]);
        Assert.DoesNotContain((int)AnomalySignalEvent.Onset, signals);
    }

    [Fact]
    public async Task UseOrleans_SeriesGrainPlacement_ForwardsSamplesFromEverySiloToOneShardPerSeries()
    {
        s_redis = redis.Configuration;
        await using var cluster = await DeployAsync("forward");
        var keys = Enumerable.Range(0, 12).Select(i => new SeriesKey("latency", [new("pod", $"p{i}")])).ToArray();
        var perSeries = 150;
        for (var t = 0; t < perSeries; t++)
        {
            for (var k = 0; k < keys.Length; k++)
            {
                // Round-robin over the silos: every series' points arrive on all three, in time order per silo.
                var silo = cluster.Silos[(t + k) % cluster.Silos.Count];
                Assert.True(ClusterWorld.Services(silo).GetRequiredService<AiopsPipelineWriter>().TryWriteSample(new MetricSample(keys[k], At(t), 10 + Math.Sin(t))));
            }

            // Let each round reach its shards before the next one, sent from other silos, could overtake it.
            await ClusterWorld.WaitUntilAsync(() => Task.FromResult(Forwarded(cluster) == (t + 1) * keys.Length), 30);
        }

        Assert.True(await ClusterWorld.WaitUntilAsync(() => Task.FromResult(Forwarded(cluster) == perSeries * keys.Length), 30), $"forwarded {Forwarded(cluster)}");
        foreach (var key in keys)
        {
            var snapshot = await Grain(cluster, key.ToString()).GetSnapshotAsync(key.ToString());
            var reference = DetectorCatalog.Create(DetectorNames.Ensemble);
            for (var t = 0; t < perSeries; t++)
            {
                reference.Update(At(t), 10 + Math.Sin(t));
            }

            Assert.Equal(DetectorSnapshot.Save(reference), snapshot);
        }
    }

    internal static long Forwarded(TestCluster cluster) =>
        cluster.Silos.Sum(s => ClusterWorld.Services(s).GetRequiredService<SeriesDetectionForwarder>().Forwarded);

    private static ISeriesDetectionGrain Grain(TestCluster cluster, SeriesRef series) => Grain(cluster, series.Text);

    private static ISeriesDetectionGrain Grain(TestCluster cluster, string text) => cluster.GrainFactory.GetGrain<ISeriesDetectionGrain>(text);

    /// <summary>A series whose shard is active on a silo other than the first (so stopping it leaves the test's client connected).</summary>
    private static async Task<(SeriesRef Series, SiloHandle Silo)> SeriesOnSecondarySiloAsync(TestCluster cluster, string run)
    {
        var values = Values(1);
        for (var i = 0; ; i++)
        {
            var key = new SeriesKey("cpu", [new("run", run), new("pod", $"pod-{i}")]);
            var series = new SeriesRef(key.ToString(), key.Metric, SeriesDetectionGrain.Flatten(key));
            await Grain(cluster, series).DetectAsync(Batch(series, values, 0, 1));
            var at = await Grain(cluster, series).GetSiloAsync();
            var silo = cluster.Silos.Skip(1).FirstOrDefault(s => s.SiloAddress.ToString() == at);
            if (silo is not null)
            {
                return (series, silo);
            }
        }
    }

    private static async Task<DetectionReply> FeedAsync(TestCluster cluster, SeriesRef series, double[] values, int from, int to, IAnomalyDetector reference)
    {
        DetectionReply? last = null;
        var restored = 0;
        for (var i = from; i < to; i += SnapshotEvery)
        {
            var end = Math.Min(to, i + SnapshotEvery);
            last = await Grain(cluster, series).DetectAsync(Batch(series, values, i, end));
            restored += last.Restored;
            for (var j = i; j < end; j++)
            {
                var expected = reference.Update(At(j), values[j]);
                var probability = expected.Status == PointStatus.Scored ? expected.Probability : double.NaN;
                Assert.Equal(BitConverter.DoubleToInt64Bits(probability), BitConverter.DoubleToInt64Bits(last.Probabilities![j - i]));
                Assert.Equal(BitConverter.DoubleToInt64Bits(expected.RawScore), BitConverter.DoubleToInt64Bits(last.RawScores![j - i]));
            }
        }

        return last! with { Restored = restored };
    }

    private static SeriesBatch Batch(SeriesRef series, double[] values, int from, int to) =>
        new([series], new int[to - from], [.. Enumerable.Range(from, to - from).Select(i => At(i).UtcTicks)], values[from..to], ReturnScores: true);

    private static DateTimeOffset At(int i) => Start.AddSeconds(10 * i);

    private static double[] Values(int length)
    {
        var random = new Random(5);
        return [.. Enumerable.Range(0, length).Select(i => 50 + (5 * Math.Sin(2 * Math.PI * i / 60)) + random.NextDouble() + (i % 333 == 0 ? 30 : 0))];
    }

    private static async Task<TestCluster> DeployAsync(string run)
    {
        var builder = new TestClusterBuilder(3);
        builder.Options.UseTestClusterMembership = false;
        builder.Options.ServiceId = "aiops-detection-" + run + "-" + Guid.NewGuid().ToString("N")[..8];
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

            // Declare a killed silo dead within seconds rather than the production default of about a minute.
            siloBuilder.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
            });
            World.Configure(siloBuilder);
            siloBuilder.Services.Configure<AiopsOrleansOptions>(o =>
            {
                o.Detection = DetectionPlacement.SeriesGrain;
                o.SnapshotEveryPoints = SnapshotEvery;
            });
        }
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(Microsoft.Extensions.Configuration.IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(s_redis));
    }
}
