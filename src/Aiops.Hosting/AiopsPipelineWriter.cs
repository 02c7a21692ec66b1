using System.Threading.Channels;
using Aiops.Correlation;
using Aiops.Detection;
using Microsoft.Extensions.Options;

namespace Aiops.Hosting;

/// <summary>One metric sample on its way from a source to detection.</summary>
/// <param name="Series">The series.</param>
/// <param name="Timestamp">When it was observed.</param>
/// <param name="Value">The value.</param>
public readonly record struct MetricSample(SeriesKey Series, DateTimeOffset Timestamp, double Value);

/// <summary>
/// The entry to the hosted pipeline: sources write metric samples (to detection) and signals (alerts, changes, anomalies
/// from elsewhere; to correlation) here. Writes never block and never throw: a full channel drops according to
/// <see cref="PipelineChannelOptions.FullMode"/>, and every drop is counted on <c>aiops.hosting.channel.dropped</c>.
/// Thread-safe.
/// </summary>
public sealed class AiopsPipelineWriter
{
    private readonly HostingTelemetry _telemetry;

    /// <summary>Initializes a new instance of the <see cref="AiopsPipelineWriter"/> class.</summary>
    /// <param name="options">The pipeline options.</param>
    /// <param name="telemetry">Where drops are counted.</param>
    public AiopsPipelineWriter(IOptions<AiopsOptions> options, HostingTelemetry telemetry)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(telemetry);
        _telemetry = telemetry;
        var channels = options.Value.Channels;
        Samples = Channel.CreateBounded<MetricSample>(
            new BoundedChannelOptions(channels.SampleCapacity) { FullMode = channels.FullMode, SingleReader = true },
            _ => telemetry.Dropped("samples"));
        Signals = Channel.CreateBounded<Signal>(
            new BoundedChannelOptions(channels.SignalCapacity) { FullMode = channels.FullMode, SingleReader = true },
            _ => telemetry.Dropped("signals"));
        Episodes = Channel.CreateBounded<Episode>(
            new BoundedChannelOptions(channels.EpisodeCapacity) { FullMode = channels.FullMode, SingleReader = true },
            _ => telemetry.Dropped("episodes"));
    }

    internal Channel<MetricSample> Samples { get; }

    internal Channel<Signal> Signals { get; }

    /// <summary>Gets the channel of changed episodes, from correlation to remediation.</summary>
    internal Channel<Episode> Episodes { get; }

    /// <summary>Queues a metric sample for detection.</summary>
    /// <param name="sample">The sample.</param>
    /// <returns><see langword="false"/> when the sample was dropped (full channel in <see cref="BoundedChannelFullMode.Wait"/> mode, or the pipeline has stopped).</returns>
    public bool TryWriteSample(MetricSample sample) => Count(Samples.Writer.TryWrite(sample), "samples");

    /// <summary>Queues a signal for correlation.</summary>
    /// <param name="signal">The signal.</param>
    /// <returns><see langword="false"/> when the signal was dropped (full channel in <see cref="BoundedChannelFullMode.Wait"/> mode, or the pipeline has stopped).</returns>
    public bool TryWriteSignal(Signal signal) => Count(Signals.Writer.TryWrite(signal), "signals");

    /// <summary>Queues a changed episode for remediation (correlation's output).</summary>
    internal bool TryWriteEpisode(Episode episode) => Count(Episodes.Writer.TryWrite(episode), "episodes");

    private bool Count(bool written, string channel)
    {
        if (!written)
        {
            _telemetry.Dropped(channel);
        }

        return written;
    }
}
