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
/// from elsewhere; to correlation) here. Writes never throw. A full sample channel drops according to
/// <see cref="PipelineChannelOptions.FullMode"/>; a full signal channel refuses the new signal (a state change is never
/// evicted once accepted), and <see cref="WriteSignalAsync"/> waits for room instead. Every dropped or refused item is
/// counted on <c>aiops.hosting.channel.dropped</c>. Thread-safe.
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

        // Wait mode: TryWrite refuses when full, so the writer knows (and Alertmanager retries) instead of an accepted alert vanishing.
        Signals = Channel.CreateBounded<Signal>(new BoundedChannelOptions(channels.SignalCapacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
        Episodes = new CoalescingEpisodeChannel(telemetry.EpisodeCoalesced);
    }

    internal Channel<MetricSample> Samples { get; }

    internal Channel<Signal> Signals { get; }

    /// <summary>Gets the channel of changed episodes, from correlation to remediation: one entry per episode, the latest wins.</summary>
    internal CoalescingEpisodeChannel Episodes { get; }

    /// <summary>Queues a metric sample for detection.</summary>
    /// <param name="sample">The sample.</param>
    /// <returns><see langword="false"/> when the sample was dropped (full channel in <see cref="BoundedChannelFullMode.Wait"/> mode, or the pipeline has stopped).</returns>
    public bool TryWriteSample(MetricSample sample) => Count(Samples.Writer.TryWrite(sample), "samples");

    /// <summary>Queues a signal for correlation if there is room.</summary>
    /// <param name="signal">The signal.</param>
    /// <returns><see langword="false"/> when the signal was refused (the channel is full, or the pipeline has stopped); the caller decides whether to retry.</returns>
    public bool TryWriteSignal(Signal signal) => Count(Signals.Writer.TryWrite(signal), "signals");

    /// <summary>Queues a signal for correlation, waiting for room while the channel is full (back-pressure).</summary>
    /// <param name="signal">The signal.</param>
    /// <param name="cancellationToken">Stops the wait; the signal is then not queued.</param>
    /// <returns><see langword="true"/> when queued; <see langword="false"/> when the pipeline has stopped.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired while waiting.</exception>
    public async ValueTask<bool> WriteSignalAsync(Signal signal, CancellationToken cancellationToken = default)
    {
        while (!Signals.Writer.TryWrite(signal))
        {
            if (!await Signals.Writer.WaitToWriteAsync(cancellationToken).ConfigureAwait(false))
            {
                return Count(false, "signals");
            }
        }

        return true;
    }

    /// <summary>
    /// Offers a changed episode to this host's remediation stage (correlation's output, or a cluster's correlator through an
    /// <see cref="ISignalRouter"/>); a waiting snapshot of the same episode is replaced.
    /// </summary>
    /// <param name="episode">The changed episode.</param>
    /// <returns><see langword="false"/> when the pipeline has stopped.</returns>
    public bool TryWriteEpisode(Episode episode) => Episodes.Writer.TryWrite(episode);

    private bool Count(bool written, string channel)
    {
        if (!written)
        {
            _telemetry.Dropped(channel);
        }

        return written;
    }
}
