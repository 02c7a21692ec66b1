using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Aiops.Detection;
using Aiops.Gates.Internal;
using Aiops.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Aiops.Orleans;

/// <summary>The detector factory the host configured before a sharded placement replaced it; the shards create detectors with it.</summary>
internal sealed class SeriesDetectionFactory
{
    public Func<SeriesKey, IAnomalyDetector>? Local { get; set; }
}

/// <summary>
/// Forwards this replica's metric samples to their detection shards (<see cref="ISeriesDetectionGrain"/>) when detection is
/// sharded: the detection stage's detector for a series becomes a <see cref="ForwardingDetector"/> that queues the point and
/// answers "warming up", so the replica's own tracking never fires; the shard scores it. A background loop takes up to
/// <see cref="AiopsOrleansOptions.ForwardBatchSize"/> queued samples, makes one call per shard with its points in order, and
/// waits for all of them before the next round, so one shard never has two of this replica's batches in flight (order is kept).
/// A call that fails (a silo died, or the call outlived the response timeout while the shard still scores it) is retried for
/// about 30 s (by the host's <see cref="TimeProvider"/>) while the cluster moves the shard; then its points are dropped and
/// logged. Retries are idempotent: every batch carries this forwarder's id and a sequence number, and the shard scores
/// only the points of a batch it has not scored yet, so a point reaches its detector once however often its batch is
/// sent. Thread-safe.
/// </summary>
internal sealed partial class SeriesDetectionForwarder(IGrainFactory grains, IOptions<AiopsOrleansOptions> options, TimeProvider time, ILogger<SeriesDetectionForwarder> logger)
    : BackgroundService
{
    private readonly ILogger _logger = NonThrowingLogger.Wrap(logger);

    private static readonly TimeSpan RetryFor = TimeSpan.FromSeconds(30);
    private readonly AiopsOrleansOptions _options = options.Value;

    // This forwarder's batches, for the shards: a new id per instance (a restarted replica starts a new sequence).
    private readonly string _source = Guid.NewGuid().ToString("N");
    private long _sequence;
    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(
        new BoundedChannelOptions(options.Value.ForwardQueueLength) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private long _queued;
    private long _forwarded;
    private long _dropped;
    private long _failed;
    private long _calls;
    private long _retries;

    /// <summary>Gets the samples queued so far.</summary>
    internal long Queued => Interlocked.Read(ref _queued);

    /// <summary>Gets the samples a shard has scored so far.</summary>
    internal long Forwarded => Interlocked.Read(ref _forwarded);

    /// <summary>Gets the samples dropped because the queue was full.</summary>
    internal long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Gets the samples dropped because their shard could not be reached.</summary>
    internal long Failed => Interlocked.Read(ref _failed);

    /// <summary>Gets the shard calls made (retries included).</summary>
    internal long Calls => Interlocked.Read(ref _calls);

    /// <summary>Gets the shard calls retried after a failure.</summary>
    internal long Retries => Interlocked.Read(ref _retries);

    /// <summary>The shard key of a series: its key text, or its bucket.</summary>
    internal static string ShardOf(SeriesKey series, AiopsOrleansOptions options) =>
        options.Detection == DetectionPlacement.BucketGrain
            ? "bucket-" + (StableHash(series.ToString()) % (uint)options.DetectionBuckets).ToString(System.Globalization.CultureInfo.InvariantCulture)
            : series.ToString();

    /// <summary>Creates the stand-in detector the detection stage holds for a series.</summary>
    internal IAnomalyDetector Attach(SeriesKey series) =>
        new ForwardingDetector(this, ShardOf(series, _options), new SeriesRef(series.ToString(), series.Metric, SeriesDetectionGrain.Flatten(series)));

    /// <summary>FNV-1a over the UTF-16 code units: the same in every process (string.GetHashCode is randomised per process).</summary>
    internal static uint StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _queue.Reader;
        var shards = new Dictionary<string, ShardBatch>(StringComparer.Ordinal);
        var calls = new List<Task>();
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                var taken = 0;
                while (taken < _options.ForwardBatchSize && reader.TryRead(out var pending))
                {
                    if (!shards.TryGetValue(pending.Source.Shard, out var batch))
                    {
                        shards[pending.Source.Shard] = batch = new ShardBatch();
                    }

                    batch.Add(pending);
                    taken++;
                }

                foreach (var (shard, batch) in shards)
                {
                    calls.Add(SendAsync(shard, batch.ToBatch(_source, ++_sequence), stoppingToken));
                }

                await Task.WhenAll(calls).ConfigureAwait(false);
                calls.Clear();
                shards.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host stops; what is queued is not forwarded (the shards resume from their snapshots).
        }
    }

    private async Task SendAsync(string shard, SeriesBatch batch, CancellationToken cancellationToken)
    {
        var grain = grains.GetGrain<ISeriesDetectionGrain>(shard);
        var deadline = time.GetUtcNow() + RetryFor;
        for (var attempt = 1; ; attempt++)
        {
            Interlocked.Increment(ref _calls);
            try
            {
                await grain.DetectAsync(batch).ConfigureAwait(false);
                Interlocked.Add(ref _forwarded, batch.Index.Length);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                if (time.GetUtcNow() >= deadline)
                {
                    Interlocked.Add(ref _failed, batch.Index.Length);
                    LogForwardFailed(_logger, ex, shard, batch.Index.Length);
                    return;
                }

                Interlocked.Increment(ref _retries);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 50 * attempt)), time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private bool Enqueue(ForwardingDetector source, long ticks, double value)
    {
        if (_queue.Writer.TryWrite(new Pending(source, ticks, value)))
        {
            Interlocked.Increment(ref _queued);
            return true;
        }

        if (Interlocked.Increment(ref _dropped) % 10_000 == 1)
        {
            LogQueueFull(_logger, _options.ForwardQueueLength);
        }

        return false;
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Detection shard {Shard} could not be reached; {Points} points were dropped")]
    private static partial void LogForwardFailed(ILogger logger, Exception exception, string shard, int points);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "The detection forward queue is full ({Length} samples); samples are dropped")]
    private static partial void LogQueueFull(ILogger logger, int length);

    private readonly record struct Pending(ForwardingDetector Source, long Ticks, double Value);

    /// <summary>One shard's points of a round, with each distinct series named once.</summary>
    private sealed class ShardBatch
    {
        private readonly Dictionary<ForwardingDetector, int> _index = new(ReferenceEqualityComparer.Instance);
        private readonly List<SeriesRef> _series = [];
        private readonly List<int> _points = [];
        private readonly List<long> _ticks = [];
        private readonly List<double> _values = [];

        public void Add(in Pending pending)
        {
            if (!_index.TryGetValue(pending.Source, out var i))
            {
                i = _series.Count;
                _index.Add(pending.Source, i);
                _series.Add(pending.Source.Series);
            }

            _points.Add(i);
            _ticks.Add(pending.Ticks);
            _values.Add(pending.Value);
        }

        public SeriesBatch ToBatch(string source, long sequence) => new([.. _series], [.. _points], [.. _ticks], [.. _values], Source: source, Sequence: sequence);
    }

    /// <summary>The detection stage's stand-in for a sharded series: it queues each point for the series' shard.</summary>
    internal sealed class ForwardingDetector(SeriesDetectionForwarder forwarder, string shard, SeriesRef series) : IAnomalyDetector
    {
        /// <summary>The name the replica's score board shows for a sharded series.</summary>
        public const string ForwardedName = "forwarded";

        public string Shard { get; } = shard;

        public SeriesRef Series { get; } = series;

        public string Name => ForwardedName;

        public int StateSizeBytes => 64;

        public AnomalyScore Update(DateTimeOffset timestamp, double value)
        {
            forwarder.Enqueue(this, timestamp.UtcTicks, value);
            return AnomalyScore.WarmingUp(timestamp, value);
        }

        public void Reset()
        {
        }
    }
}
