using System.IO;
using Aiops.Correlation;
using Aiops.Detection;
using Aiops.Detection.Tracking;
using Aiops.Gates.Internal;
using Aiops.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Aiops.Orleans;

/// <summary>
/// A detection shard (<see cref="ISeriesDetectionGrain"/>): per series, the detector (restored from its snapshot on the first
/// point after activation, so a series that moved silo resumes without a new warm-up) and the anomaly tracking of the
/// detection stage (<see cref="AnomalySignalBridge"/> with <see cref="DetectionStageOptions.Tracking"/>), whose signals go to
/// their correlation scope through the host's <see cref="ISignalRouter"/>. Snapshots are written every
/// <see cref="AiopsOrleansOptions.SnapshotEveryPoints"/> points per series and on deactivation, each with the series' anomaly
/// tracking (<see cref="AnomalyTracker"/> snapshot, taken at the same point): a series resumed elsewhere in the middle of an
/// anomaly continues it (same onset, no second one; its next signal is a repeat). State written before the tracking was
/// persisted restores the detector alone, and the series tracks afresh.
/// </summary>
internal sealed partial class SeriesDetectionGrain(
    [PersistentState("detection", AiopsGrains.StorageName)] IPersistentState<SeriesDetectionState> state,
    IServiceProvider services,
    ILogger<SeriesDetectionGrain> logger) : Grain, ISeriesDetectionGrain
{
    private readonly ILogger _logger = NonThrowingLogger.Wrap(logger);

    private readonly Dictionary<string, Held> _series = new(StringComparer.Ordinal);
    private DetectionStageOptions _stage = null!;
    private AiopsOrleansOptions _options = null!;
    private ISignalRouter? _router;
    private TimeProvider _time = TimeProvider.System;
    private SeriesDetectionFactory? _factory;
    private long _sinceWrite;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _stage = services.GetRequiredService<IOptions<DetectionStageOptions>>().Value;
        _options = services.GetRequiredService<IOptions<AiopsOrleansOptions>>().Value;
        _router = services.GetService<ISignalRouter>();
        _time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        _factory = services.GetService<SeriesDetectionFactory>();
        return base.OnActivateAsync(cancellationToken);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await PersistAsync().ConfigureAwait(true);
        await base.OnDeactivateAsync(reason, cancellationToken).ConfigureAwait(true);
    }

    public async Task<DetectionReply> DetectAsync(SeriesBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var count = batch.Index.Length;
        var probabilities = batch.ReturnScores ? new double[count] : null;
        var raw = batch.ReturnScores ? new double[count] : null;
        var events = batch.ReturnScores ? new int[count] : null;
        var held = new Held[batch.Series.Length];
        var restored = 0;
        for (var s = 0; s < held.Length; s++)
        {
            held[s] = Get(batch.Series[s], ref restored);
        }

        var now = _time.GetUtcNow();
        var (applied, first) = Applied(batch, now);
        var anomalies = 0;
        for (var i = 0; i < first; i++)
        {
            if (probabilities is not null)
            {
                probabilities[i] = double.NaN;
                raw![i] = double.NaN;
            }
        }

        for (var i = first; i < count; i++)
        {
            var series = held[batch.Index[i]];
            var score = series.Detector.Update(new DateTimeOffset(batch.Ticks[i], TimeSpan.Zero), batch.Values[i]);
            series.Points++;
            series.Dirty = true;

            // Scored: an attempt of this batch sent again starts after it (its signal, below, is the router's to deliver).
            if (applied is not null)
            {
                applied.Points = i + 1;
            }
            if (probabilities is not null)
            {
                probabilities[i] = score.Status == PointStatus.Scored ? score.Probability : double.NaN;
                raw![i] = score.RawScore;
            }

            var anomalous = score.Status == PointStatus.Scored
                && (_stage.AnomalyThreshold is { } threshold ? score.Probability >= threshold : score.IsAnomaly);
            anomalies += anomalous ? 1 : 0;
            var sent = series.Bridge.Update(score, anomalous, now, out var signal);
            if (events is not null)
            {
                events[i] = (int)sent;
            }

            if (sent != AnomalySignalEvent.None && _stage.SendSignals && _router is not null && signal is not null)
            {
                await _router.RouteAsync(signal, CancellationToken.None).ConfigureAwait(true);
            }
        }

        _sinceWrite += count - first;
        if (_sinceWrite >= (long)_options.SnapshotEveryPoints * Math.Max(1, _series.Count))
        {
            await PersistAsync().ConfigureAwait(true);
        }

        return new DetectionReply(anomalies, restored, probabilities, raw, events);
    }

    public Task<byte[]?> GetSnapshotAsync(string series) =>
        Task.FromResult(_series.TryGetValue(series, out var held) && DetectorSnapshot.IsSupported(held.Detector) ? DetectorSnapshot.Save(held.Detector) : null);

    public Task<string> GetSiloAsync() => Task.FromResult(RuntimeIdentity);

    public async Task PersistAsync()
    {
        var now = _time.GetUtcNow();
        foreach (var (source, applied) in state.State.Applied)
        {
            if (now - applied.At >= AppliedRetention)
            {
                state.State.Applied.Remove(source);
            }
        }

        var changed = false;
        foreach (var (text, held) in _series)
        {
            if (!held.Dirty || !DetectorSnapshot.IsSupported(held.Detector))
            {
                continue;
            }

            state.State.Series[text] = new SeriesSnapshot
            {
                Metric = held.Key.Metric,
                Labels = Flatten(held.Key),
                Detector = DetectorSnapshot.Save(held.Detector),
                Points = held.Points,
                Tracker = Save(held.Bridge.Tracker),
            };
            held.Dirty = false;
            changed = true;
        }

        _sinceWrite = 0;
        if (changed)
        {
            await state.WriteStateAsync().ConfigureAwait(true);
        }
    }

    /// <summary>How long the last batch of a forwarder is remembered after it was sent: far beyond the forwarder's retries.</summary>
    private static readonly TimeSpan AppliedRetention = TimeSpan.FromHours(1);

    /// <summary>
    /// Where a batch starts: at its first point when it is new (or names no source), after the points an earlier attempt
    /// scored when it is the source's last batch, past its end when it is older than that.
    /// </summary>
    private (AppliedBatch? Applied, int First) Applied(SeriesBatch batch, DateTimeOffset now)
    {
        if (batch.Source is not { Length: > 0 } source)
        {
            return (null, 0);
        }

        if (!state.State.Applied.TryGetValue(source, out var applied))
        {
            state.State.Applied[source] = applied = new AppliedBatch { Sequence = batch.Sequence, At = now };
            return (applied, 0);
        }

        applied.At = now;
        if (batch.Sequence < applied.Sequence)
        {
            return (null, batch.Index.Length);
        }

        if (batch.Sequence > applied.Sequence)
        {
            (applied.Sequence, applied.Points) = (batch.Sequence, 0);
        }

        return (applied, Math.Min(applied.Points, batch.Index.Length));
    }

    internal static string[] Flatten(SeriesKey key)
    {
        var labels = new string[2 * key.Labels.Count];
        for (var i = 0; i < key.Labels.Count; i++)
        {
            labels[2 * i] = key.Labels[i].Key;
            labels[(2 * i) + 1] = key.Labels[i].Value;
        }

        return labels;
    }

    internal static SeriesKey Unflatten(string metric, string[] labels)
    {
        var pairs = new KeyValuePair<string, string>[labels.Length / 2];
        for (var i = 0; i < pairs.Length; i++)
        {
            pairs[i] = new(labels[2 * i], labels[(2 * i) + 1]);
        }

        return new SeriesKey(metric, pairs);
    }

    private Held Get(SeriesRef series, ref int restored)
    {
        if (_series.TryGetValue(series.Text, out var held))
        {
            return held;
        }

        var key = Unflatten(series.Metric, series.Labels);
        var detector = _factory?.Local?.Invoke(key) ?? DetectorCatalog.Create(_stage.Detector, new DetectorCatalogOptions { FalseAlarmsPerWeek = _stage.FalseAlarmsPerWeek });
        var bridge = new AnomalySignalBridge(key, _stage.TrackingFactory?.Invoke(key) ?? _stage.Tracking, _stage.RepeatInterval);
        long points = 0;
        if (state.State.Series.TryGetValue(series.Text, out var saved) && DetectorSnapshot.IsSupported(detector))
        {
            try
            {
                DetectorSnapshot.Restore(detector, saved.Detector);
                points = saved.Points;
                restored++;
            }
            catch (InvalidDataException ex)
            {
                // Another detector or other options since the snapshot: the series starts afresh rather than not at all.
                LogRestoreFailed(_logger, ex, series.Text);
                saved = null;
            }

            if (saved?.Tracker is { } tracker)
            {
                try
                {
                    bridge.Tracker.RestoreSnapshot(tracker);
                }
                catch (InvalidDataException ex)
                {
                    // Other tracking options since the snapshot: the detector resumes, the tracking starts afresh.
                    LogTrackerRestoreFailed(_logger, ex, series.Text);
                }
            }
        }

        held = new Held(key, detector, bridge) { Points = points };
        _series.Add(series.Text, held);
        return held;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Series {Series}: its detector snapshot could not be restored; it starts afresh")]
    private static partial void LogRestoreFailed(ILogger logger, Exception exception, string series);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Series {Series}: its anomaly tracking snapshot could not be restored; it tracks afresh")]
    private static partial void LogTrackerRestoreFailed(ILogger logger, Exception exception, string series);

    private static byte[] Save(AnomalyTracker tracker)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        tracker.WriteSnapshot(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A series held by the shard.</summary>
    private sealed class Held(SeriesKey key, IAnomalyDetector detector, AnomalySignalBridge bridge)
    {
        public SeriesKey Key { get; } = key;

        public IAnomalyDetector Detector { get; } = detector;

        public AnomalySignalBridge Bridge { get; } = bridge;

        public long Points { get; set; }

        public bool Dirty { get; set; }
    }
}
