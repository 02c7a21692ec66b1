using System.Diagnostics.Metrics;
using Aiops.Correlation;
using Aiops.Detection;
using Aiops.Detection.Tracking;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Aiops.Hosting.Tests.Pipeline;

/// <summary>A full signals channel holds detection up for an onset or an end; it never drops one.</summary>
public sealed class DetectionStageBackPressureTests
{
    private const int Series = 120;
    private const int Baseline = 10;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task DetectionStage_TinySignalChannelSlowConsumer_EveryOnsetAndEndArrivesInOrder(int workers)
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var host = PipelineTestHost.Build(
            time,
            config: new Dictionary<string, string?>
            {
                ["Aiops:Channels:SignalCapacity"] = "1",
                ["Aiops:Detection:Workers"] = workers.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
            services: s =>
            {
                s.Configure<DetectionStageOptions>(o =>
                {
                    o.DetectorFactory = _ => new SpikeDetector();
                    o.Tracking = new AnomalyTrackerOptions { ReturnFor = TimeSpan.Zero, MinimumBaseline = 2, MinimumScale = 1, ConfirmPoints = 1, HoldPoints = 1 };
                });

                // Correlation does not run: the test is the (slow) consumer of the signals channel.
                s.AddSingleton<IHostedService>(sp => sp.GetRequiredService<DetectionStage>());
            },
            pipeline: false);
        using var dropped = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), HostingTelemetry.MeterName, "aiops.hosting.channel.dropped");
        var writer = host.Services.GetRequiredService<AiopsPipelineWriter>();
        await host.StartAsync();

        // Every series: a baseline, one spike (onset), then back to normal (end), all queued at once.
        var keys = Enumerable.Range(0, Series).Select(i => new SeriesKey("rps", [new("service", "s" + i)])).ToArray();
        for (var p = 0; p < Baseline + 2; p++)
        {
            foreach (var key in keys)
            {
                Assert.True(writer.TryWriteSample(new MetricSample(key, PipelineTestHost.Start.AddSeconds(p), p == Baseline ? 1_000 : 100 + (p % 3))));
            }
        }

        var received = new List<AnomalySignal>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (received.Count(s => s.IsEnded) < Series && await writer.Signals.Reader.WaitToReadAsync(timeout.Token))
        {
            if (writer.Signals.Reader.TryRead(out var signal))
            {
                received.Add(Assert.IsType<AnomalySignal>(signal));
                await Task.Delay(2, timeout.Token); // a consumer far slower than detection
            }
        }

        await host.StopAsync();
        Assert.All(keys, key =>
        {
            var kinds = received.Where(s => s.Fingerprint == key.ToString()).Select(s => s.IsEnded ? "end" : "onset");
            Assert.Equal(["onset", "end"], kinds);
        });
        Assert.Equal(0, dropped.GetMeasurementSnapshot().Where(m => Equals(m.Tags["channel"], "signals")).Sum(m => m.Value));
    }

    [Fact]
    public void Process_FullChannel_RepeatDroppedAndCountedEndHandedBackToBeAwaited()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var host = PipelineTestHost.Build(
            time,
            config: new Dictionary<string, string?>
            {
                ["Aiops:Channels:SignalCapacity"] = "1",
                ["Aiops:Detection:RepeatInterval"] = "00:00:01",
            },
            services: s => s.Configure<DetectionStageOptions>(o =>
            {
                o.DetectorFactory = _ => new SpikeDetector();
                o.Tracking = new AnomalyTrackerOptions { ReturnFor = TimeSpan.Zero, MinimumBaseline = 2, MinimumScale = 1, ConfirmPoints = 1, HoldPoints = 1 };
            }),
            pipeline: false);
        using var dropped = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), HostingTelemetry.MeterName, "aiops.hosting.channel.dropped");
        var writer = host.Services.GetRequiredService<AiopsPipelineWriter>();
        var stage = host.Services.GetRequiredService<DetectionStage>();
        var key = new SeriesKey("rps");
        for (var p = 0; p < Baseline; p++)
        {
            Assert.Null(stage.Process(new MetricSample(key, PipelineTestHost.Start.AddSeconds(p), 100 + (p % 3))));
        }

        Assert.Null(stage.Process(new MetricSample(key, PipelineTestHost.Start.AddSeconds(Baseline), 1_000))); // the onset fills the channel
        time.Advance(TimeSpan.FromSeconds(2));
        var repeat = stage.Process(new MetricSample(key, PipelineTestHost.Start.AddSeconds(Baseline + 1), 1_000));
        var end = stage.Process(new MetricSample(key, PipelineTestHost.Start.AddSeconds(Baseline + 2), 100));

        Assert.Null(repeat);
        Assert.Equal(1, dropped.GetMeasurementSnapshot().Where(m => Equals(m.Tags["channel"], "signals")).Sum(m => m.Value));
        Assert.True(Assert.IsType<AnomalySignal>(end).IsEnded);
        Assert.True(writer.Signals.Reader.TryRead(out var onset));
        Assert.False(Assert.IsType<AnomalySignal>(onset).IsEnded);
    }

    /// <summary>Flags every value above 500.</summary>
    private sealed class SpikeDetector : IAnomalyDetector
    {
        public string Name => "spike";

        public int StateSizeBytes => 0;

        public AnomalyScore Update(DateTimeOffset timestamp, double value) =>
            value > 500 ? AnomalyScore.Scored(timestamp, value, 1, 10, 0.99, 100, 90, 110) : AnomalyScore.Scored(timestamp, value, 0, 0, 0.01, 100, 90, 110);

        public void Reset()
        {
        }
    }
}
