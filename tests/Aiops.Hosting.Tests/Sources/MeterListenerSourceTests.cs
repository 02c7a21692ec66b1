using System.Diagnostics.Metrics;
using Aiops.Detection;
using Aiops.Hosting.Tests.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Aiops.Hosting.Tests.Sources;

/// <summary>
/// Runs alone: the source collects on a timer and the tests wait for its samples with real-time bounds, which the Kestrel
/// tests running beside them on two cores can starve.
/// </summary>
[CollectionDefinition(nameof(MeterListenerSourceTests), DisableParallelization = true)]
public sealed class MeterListenerSourceSerialCollection;

[Collection(nameof(MeterListenerSourceTests))]
public sealed class MeterListenerSourceTests
{
    [Fact]
    public async Task Collect_CountersGaugesHistograms_ConvertedPerLabelSet()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var meter = new Meter("test.source." + Guid.NewGuid().ToString("N"));
        var counter = meter.CreateCounter<long>("requests");
        var histogram = meter.CreateHistogram<double>("latency");
        var upDown = meter.CreateUpDownCounter<int>("inflight");
        long total = 0;
        meter.CreateObservableCounter("bytes", () => total);
        meter.CreateObservableGauge("queue", () => 7.5);
        var ignored = meter.CreateCounter<long>("ignored");
        using var host = BuildHost(time, meter, o =>
        {
            o.Instruments.Add("requests");
            o.Instruments.Add("latency");
            o.Instruments.Add("inflight");
            o.Instruments.Add("bytes");
            o.Instruments.Add("queue");
        });
        await host.StartAsync();
        var source = host.Services.GetServices<IHostedService>().OfType<MeterListenerSource>().Single();
        var reader = host.Services.GetRequiredService<AiopsPipelineWriter>().Samples.Reader;

        var a = new KeyValuePair<string, object?>("route", "/a");
        var b2 = new KeyValuePair<string, object?>("route", "/b");
        counter.Add(30, a);
        counter.Add(20, a);
        counter.Add(10, b2);
        histogram.Record(10, a, new KeyValuePair<string, object?>("code", 200));
        histogram.Record(30, new KeyValuePair<string, object?>("code", 200), a); // same series, other tag order
        upDown.Add(5);
        upDown.Add(-2);
        total = 1_000;
        ignored.Add(1);
        time.Advance(TimeSpan.FromSeconds(10));
        source.Collect();
        var first = Drain(reader);

        Assert.Equal(5.0, first[new SeriesKey("requests", [new("route", "/a")])]);
        Assert.Equal(1.0, first[new SeriesKey("requests", [new("route", "/b")])]);
        Assert.Equal(20.0, first[new SeriesKey("latency", [new("route", "/a"), new("code", "200")])]);
        Assert.Equal(3.0, first[new SeriesKey("inflight")]);
        Assert.Equal(7.5, first[new SeriesKey("queue")]);
        Assert.False(first.ContainsKey(new SeriesKey("bytes"))); // a cumulative total needs two observations
        Assert.DoesNotContain(first.Keys, k => k.Metric == "ignored");
        Assert.Equal(5, first.Count);

        total = 1_500;
        counter.Add(8, a);
        time.Advance(TimeSpan.FromSeconds(4));
        source.Collect();
        var second = Drain(reader);

        Assert.Equal(2.0, second[new SeriesKey("requests", [new("route", "/a")])]);
        Assert.Equal(0.0, second[new SeriesKey("requests", [new("route", "/b")])]);
        Assert.Equal(125.0, second[new SeriesKey("bytes")]);
        Assert.False(second.ContainsKey(new SeriesKey("latency", [new("route", "/a"), new("code", "200")]))); // no measurements
        Assert.Equal(3.0, second[new SeriesKey("inflight")]);
        await host.StopAsync();
    }

    [Fact]
    public async Task Record_RepeatedOrEmptyTagName_DoesNotThrowIntoInstrumentedCode()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var meter = new Meter("test.source." + Guid.NewGuid().ToString("N"));
        var counter = meter.CreateCounter<long>("requests");
        using var host = BuildHost(time, meter);
        await host.StartAsync();
        var source = host.Services.GetServices<IHostedService>().OfType<MeterListenerSource>().Single();

        // The application's own code records these; a tag list built with a repeated or empty name must not make its Add throw.
        var repeated = Record.Exception(() => counter.Add(1, new KeyValuePair<string, object?>("route", "/a"), new KeyValuePair<string, object?>("route", "/b")));
        var empty = Record.Exception(() => counter.Add(1, new KeyValuePair<string, object?>(string.Empty, "x")));

        Assert.Null(repeated);
        Assert.Null(empty);
        Assert.Equal(0, source.SeriesCount); // no series was created for them, and none reserved
        Assert.Equal(2, source.SkippedInvalidTags);
        await host.StopAsync();
    }

    [Fact]
    public async Task Record_TagValueThatFailsToFormat_SlotReleasedAndCounted()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var meter = new Meter("test.source." + Guid.NewGuid().ToString("N"));
        var counter = meter.CreateCounter<long>("requests");
        using var host = BuildHost(time, meter, o => o.MaxSeries = 1);
        using var skipped = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), HostingTelemetry.MeterName, "aiops.hosting.meter_source.skipped");
        await host.StartAsync();
        var source = host.Services.GetServices<IHostedService>().OfType<MeterListenerSource>().Single();
        var reader = host.Services.GetRequiredService<AiopsPipelineWriter>().Samples.Reader;

        var failed = Record.Exception(() => counter.Add(1, new KeyValuePair<string, object?>("route", new UnformattableTag())));
        counter.Add(10, new KeyValuePair<string, object?>("route", "/a")); // takes the only slot: the failed one gave it back
        counter.Add(10, new KeyValuePair<string, object?>("route", "/b")); // past MaxSeries
        time.Advance(TimeSpan.FromSeconds(10));
        source.Collect();
        var samples = Drain(reader);

        Assert.Null(failed);
        Assert.Equal(1, source.SeriesCount);
        Assert.Equal(1.0, Assert.Single(samples, p => p.Key.Equals(new SeriesKey("requests", [new("route", "/a")]))).Value);
        Assert.Single(samples);
        Assert.Equal((1L, 1L, 0L), (source.SkippedFailed, source.SkippedMaxSeries, source.SkippedInvalidTags));
        var counted = skipped.GetMeasurementSnapshot().GroupBy(m => (string)m.Tags["reason"]!).ToDictionary(g => g.Key, g => g.Sum(m => m.Value));
        Assert.Equal(new Dictionary<string, long> { ["failed"] = 1, ["max_series"] = 1 }, counted);
        await host.StopAsync();
    }

    [Fact]
    public async Task Collect_Timestamps_ComeFromTimeProvider()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var meter = new Meter("test.source." + Guid.NewGuid().ToString("N"));
        var gauge = meter.CreateGauge<double>("temp");
        using var host = PipelineTestHost.Build(time, b => b.AddMeterSource(o => o.Meters.Add(meter.Name)), pipeline: false);
        await host.StartAsync();
        var reader = host.Services.GetRequiredService<AiopsPipelineWriter>().Samples.Reader;

        gauge.Record(21.5);
        time.Advance(TimeSpan.FromSeconds(5)); // the default interval fires the source's own timer
        var sample = await reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(new SeriesKey("temp"), sample.Series);
        Assert.Equal(PipelineTestHost.Start.AddSeconds(5), sample.Timestamp);
        Assert.Equal(21.5, sample.Value);
        await host.StopAsync();
    }

    [Theory]
    [InlineData(100, 0.95, 95.05)] // every measurement kept: exact type-7 quantile of 1..100
    [InlineData(100, 0.5, 50.5)]
    [InlineData(100_000, 0.95, 95_000)] // past the reservoir: a uniform sample, within a percent
    public async Task Collect_HistogramQuantile_WritesQuantileOfInterval(int count, double quantile, double expected)
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var meter = new Meter("test.source." + Guid.NewGuid().ToString("N"));
        var histogram = meter.CreateHistogram<double>("latency");
        using var host = BuildHost(time, meter, o => o.HistogramQuantile = quantile);
        await host.StartAsync();
        var source = host.Services.GetServices<IHostedService>().OfType<MeterListenerSource>().Single();
        var reader = host.Services.GetRequiredService<AiopsPipelineWriter>().Samples.Reader;

        // Shuffled so a sampler that kept only the first or last values would miss.
        var values = Enumerable.Range(1, count).Select(v => (double)v).ToArray();
        new Random(7).Shuffle(values);
        foreach (var value in values)
        {
            histogram.Record(value);
        }

        histogram.Record(double.NaN);
        time.Advance(TimeSpan.FromSeconds(5));
        source.Collect();
        var first = Drain(reader);
        time.Advance(TimeSpan.FromSeconds(5));
        source.Collect();
        var second = Drain(reader);

        Assert.Equal(expected, first[new SeriesKey("latency")], expected * 0.01);
        Assert.Empty(second); // no measurement in the interval: no sample
        await host.StopAsync();
    }

    /// <summary>A tag value whose text cannot be formed, as a buggy ToString of the application's own type.</summary>
    private sealed class UnformattableTag
    {
        public override string ToString() => throw new InvalidOperationException("no text");
    }

    // A host whose meter source watches the meter and collects only when asked (the interval is an hour).
    private static IHost BuildHost(FakeTimeProvider time, Meter meter, Action<MeterSourceOptions>? configure = null) =>
        PipelineTestHost.Build(
            time,
            b => b.AddMeterSource(o =>
            {
                o.Meters.Add(meter.Name);
                o.CollectInterval = TimeSpan.FromHours(1);
                configure?.Invoke(o);
            }),
            pipeline: false);

    private static Dictionary<SeriesKey, double> Drain(System.Threading.Channels.ChannelReader<MetricSample> reader)
    {
        var samples = new Dictionary<SeriesKey, double>();
        while (reader.TryRead(out var sample))
        {
            samples[sample.Series] = sample.Value;
        }

        return samples;
    }
}
