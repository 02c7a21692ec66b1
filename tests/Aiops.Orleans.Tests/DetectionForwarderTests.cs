using Aiops.Detection;
using Aiops.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace Aiops.Orleans.Tests;

/// <summary>
/// Sharded detection: a shard call that outlives the response timeout (here 2 s; in production 30 s, e.g. a shard routing an
/// onset to a scope whose silo died, which the router retries for up to 2 minutes) is sent again by the forwarder while
/// the first is still scoring. Each point must reach its series' detector once. The slow point holds its call until the
/// forwarder has retried (no clock involved).
/// </summary>
public sealed class DetectionForwarderTests(DetectionForwarderTests.Fixture fixture) : IClassFixture<DetectionForwarderTests.Fixture>
{
    [Fact]
    public async Task Forwarder_ShardCallOutlivesResponseTimeout_EachPointScoredOnce()
    {
        var silo = ClusterWorld.Services(fixture.Cluster.Silos[0]);
        var key = new SeriesKey("latency", [new("pod", "slow-" + Guid.NewGuid().ToString("N")[..8])]);
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        const int Points = 5;
        var before = SlowDetector.Updates;
        for (var t = 0; t < Points; t++)
        {
            Assert.True(silo.GetRequiredService<AiopsPipelineWriter>().TryWriteSample(new MetricSample(key, start.AddSeconds(10 * t), t == 2 ? SlowDetector.SlowValue : 10 + t)));
        }

        var forwarder = silo.GetRequiredService<SeriesDetectionForwarder>();
        var retried = await ClusterWorld.WaitUntilAsync(() => Task.FromResult(forwarder.Retries >= 1), 60);
        SlowDetector.Release();
        Assert.True(retried, "the slow call was never sent again");

        // A batch counts as forwarded once a call of it succeeded: the retry, which the shard ran after the first call.
        Assert.True(await ClusterWorld.WaitUntilAsync(() => Task.FromResult(forwarder.Forwarded == Points), 60), $"forwarded {forwarder.Forwarded}");
        Assert.Equal(Points, SlowDetector.Updates - before);
    }

    [Fact]
    public async Task DetectAsync_BatchSentAgainAndOlderBatch_PointsScoredOnce()
    {
        var text = "latency{pod=\"again-" + Guid.NewGuid().ToString("N")[..8] + "\"}";
        var series = new SeriesRef(text, "latency", ["pod", text]);
        var grain = fixture.Cluster.GrainFactory.GetGrain<ISeriesDetectionGrain>(text);
        var source = Guid.NewGuid().ToString("N");
        SeriesBatch Batch(long sequence, int points) =>
            new([series], new int[points], [.. Enumerable.Range(0, points).Select(i => (sequence * 100) + i)], new double[points], Source: source, Sequence: sequence);
        var before = SlowDetector.Updates;

        await grain.DetectAsync(Batch(2, 3));
        await grain.DetectAsync(Batch(2, 3)); // the same batch again: its first attempt's reply was lost
        await grain.DetectAsync(Batch(1, 4)); // an older batch, come late
        await grain.DetectAsync(Batch(3, 2));

        Assert.Equal(5, SlowDetector.Updates - before);
    }

    /// <summary>A detector that counts its points and holds the first <see cref="SlowValue"/> until <see cref="Release"/>.</summary>
    internal sealed class SlowDetector : IAnomalyDetector
    {
        public const double SlowValue = 999;
        private static readonly ManualResetEventSlim s_gate = new();
        private static int s_updates;
        private static int s_held;

        public static int Updates => Volatile.Read(ref s_updates);

        public static void Release() => s_gate.Set();

        public string Name => "slow";

        public int StateSizeBytes => 8;

        public AnomalyScore Update(DateTimeOffset timestamp, double value)
        {
            Interlocked.Increment(ref s_updates);
            if (value == SlowValue && Interlocked.Exchange(ref s_held, 1) == 0)
            {
                // Bounded, so a broken test cannot hang the run.
                s_gate.Wait(TimeSpan.FromSeconds(90));
            }

            return AnomalyScore.WarmingUp(timestamp, value);
        }

        public void Reset()
        {
        }
    }

    /// <summary>One in-process silo with series-sharded detection and a 2 s response timeout.</summary>
    public sealed class Fixture : SiloFixture<Fixture.Configurator>
    {
        internal static ClusterWorld World { get; } = new();

        public sealed class Configurator : ISiloConfigurator
        {
            public void Configure(ISiloBuilder siloBuilder)
            {
                siloBuilder.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(2));
                siloBuilder.Services.Configure<DetectionStageOptions>(o => o.DetectorFactory = _ => new SlowDetector());
                World.Configure(siloBuilder);
                siloBuilder.Services.Configure<AiopsOrleansOptions>(o => o.Detection = DetectionPlacement.SeriesGrain);
            }
        }
    }
}
