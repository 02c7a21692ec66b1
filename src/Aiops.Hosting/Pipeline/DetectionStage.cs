using System.Collections.Concurrent;
using System.Threading.Channels;
using Aiops.Correlation;
using Aiops.Detection;
using Aiops.Gates.Internal;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Aiops.Hosting;

/// <summary>
/// The hosted detection stage: scores every metric sample with a <see cref="DetectorSet"/>, keeps the latest score per
/// series on the <see cref="ScoreBoard"/>, and follows each series' anomaly state with an <see cref="AnomalySignalBridge"/>
/// (the public detection → correlation bridge): an <see cref="AnomalySignal"/> goes to correlation at the onset, every
/// <see cref="DetectionStageOptions.RepeatInterval"/> while the series stays away from its pre-onset baseline, and at the
/// end. A sample that fails is logged, counted and skipped. On stop, the samples channel is completed and what it holds is scored first.
/// </summary>
/// <remarks>
/// A state change (onset, end) is never dropped: when the signals channel is full, the worker that produced it waits for
/// room before it scores its next sample (back-pressure: the samples channel then absorbs, or drops and counts, samples).
/// Only a repeat, which the next repeat replaces within <see cref="DetectionStageOptions.RepeatInterval"/>, is dropped
/// when there is no room, counted on <c>aiops.hosting.channel.dropped{channel="signals"}</c>.
/// </remarks>
/// <remarks>
/// One lookup per sample: the detector set's entry of a series holds the series' score-board entry, which holds the
/// anomaly tracking. The wall clock is read once per batch (at most every <see cref="ClockEvery"/> samples). With
/// <see cref="DetectionStageOptions.Workers"/> above 1, the loop that drains the channel scores one shard of the series
/// itself and hands the others, in batches, to workers of their own; a series always goes to the same worker, so its
/// points are scored in the order they were written. Processed samples are reported on
/// <c>aiops.hosting.stage.processed</c> every <see cref="ReportEvery"/> samples, at least every
/// <see cref="ReportInterval"/> while draining, and whenever the channel is empty.
/// </remarks>
internal sealed class DetectionStage : IHostedService, IDisposable
{
    /// <summary>Samples scored between two reads of the clock.</summary>
    internal const int ClockEvery = 256;

    /// <summary>Samples after which the processed count is reported even while the channel is not empty.</summary>
    internal const int ReportEvery = 1024;

    /// <summary>Samples in a batch handed to a worker.</summary>
    private const int BatchSize = 512;

    /// <summary>Batches queued per worker before the draining loop waits for it.</summary>
    private const int BatchesQueued = 8;

    private const string Stage = "detection";

    /// <summary>The longest time the processed count goes unreported while samples are scored.</summary>
    internal static readonly TimeSpan ReportInterval = TimeSpan.FromMilliseconds(100);

    private readonly AiopsPipelineWriter _writer;
    private readonly ScoreBoard _board;
    private readonly DetectionStageOptions _options;
    private readonly TimeProvider _time;
    private readonly PipelineTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly DetectorSet _set;
    private readonly CancellationTokenSource _abort = new();
    private readonly int _historyLength;
    private long _lastPruneTicks;
    private volatile bool _stopping;
    private Task? _loop;
    private long _drained;

    public DetectionStage(
        AiopsPipelineWriter writer,
        ScoreBoard board,
        IOptions<DetectionStageOptions> options,
        TimeProvider timeProvider,
        PipelineTelemetry telemetry,
        ILogger<DetectionStage> logger)
    {
        _writer = writer;
        _board = board;
        _options = options.Value;
        _time = timeProvider;
        _telemetry = telemetry;
        _logger = NonThrowingLogger.Wrap(logger);
        var setOptions = new DetectorSetOptions { Detector = _options.Detector, FalseAlarmsPerWeek = _options.FalseAlarmsPerWeek, MaxSeries = _options.MaxSeries, IdleTimeout = _options.IdleTimeout };
        _set = new DetectorSet(setOptions, _options.DetectorFactory, timeProvider);
        _historyLength = Math.Max(0, _options.ScoreHistoryLength);
        _lastPruneTicks = timeProvider.GetUtcNow().UtcTicks;
        Workers = Math.Max(1, _options.Workers);
    }

    /// <summary>Gets the number of series the detector set holds.</summary>
    internal int SeriesCount => _set.Count;

    /// <summary>Gets the number of workers that score samples (the draining loop included).</summary>
    internal int Workers { get; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Runs even when stop follows start at once, so that what was queued before is drained.
        _loop = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        _writer.Samples.Writer.TryComplete();
        using (cancellationToken.Register(static s => ((CancellationTokenSource)s!).Cancel(), _abort))
        {
            if (_loop is not null)
            {
                await Task.WhenAny(_loop, Task.Delay(Timeout.Infinite, cancellationToken)).ConfigureAwait(false);
            }
        }
    }

    public void Dispose()
    {
        _abort.Dispose();
    }

    /// <summary>Scores one sample with a fresh clock reading (tests).</summary>
    /// <returns>The state change the signals channel had no room for (the caller must send it), or <see langword="null"/>.</returns>
    internal AnomalySignal? Process(in MetricSample sample) => Process(sample, _time.GetUtcNow());

    private async Task RunAsync()
    {
        // The loop ends when StopAsync completes the channel and its items are scored, not on stoppingToken, so shutdown
        // drains; _abort ends it early when the host's shutdown timeout elapses.
        try
        {
            if (Workers == 1)
            {
                await DrainAsync().ConfigureAwait(false);
            }
            else
            {
                await DrainShardedAsync().ConfigureAwait(false);
            }

            var drained = Interlocked.Read(ref _drained);
            if (drained > 0)
            {
                PipelineLog.Drained(_logger, Stage, drained);
            }
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            PipelineLog.DrainAborted(_logger, Stage);
        }
    }

    private async Task DrainAsync()
    {
        var reader = _writer.Samples.Reader;
        var worker = new Worker(this);
        while (await reader.WaitToReadAsync(_abort.Token).ConfigureAwait(false))
        {
            worker.Begin();
            while (!_abort.IsCancellationRequested && reader.TryRead(out var sample))
            {
                if (worker.Process(sample) is { } waiting)
                {
                    await SendAsync(waiting).ConfigureAwait(false);
                }
            }

            worker.Flush();
        }
    }

    private async Task DrainShardedAsync()
    {
        var reader = _writer.Samples.Reader;
        var shards = (uint)Workers;
        var own = new Worker(this);
        var queues = new Channel<Batch>[Workers];
        var pending = new Batch?[Workers];
        var returned = new ConcurrentQueue<Batch>[Workers];
        var tasks = new Task[Workers - 1];
        for (var i = 1; i < Workers; i++)
        {
            queues[i] = Channel.CreateBounded<Batch>(new BoundedChannelOptions(BatchesQueued) { SingleReader = true, SingleWriter = true });
            returned[i] = new();
            pending[i] = new Batch();
            var queue = queues[i];
            var back = returned[i];
            tasks[i - 1] = Task.Run(() => WorkAsync(queue.Reader, back), CancellationToken.None);
        }

        try
        {
            while (await reader.WaitToReadAsync(_abort.Token).ConfigureAwait(false))
            {
                own.Begin();
                while (!_abort.IsCancellationRequested && reader.TryRead(out var sample))
                {
                    var shard = sample.Series is null ? 0 : (int)((uint)sample.Series.GetHashCode() % shards);
                    if (shard == 0)
                    {
                        if (own.Process(sample) is { } waiting)
                        {
                            await SendAsync(waiting).ConfigureAwait(false);
                        }

                        continue;
                    }

                    var batch = pending[shard]!;
                    batch.Items[batch.Count++] = sample;
                    if (batch.Count == BatchSize)
                    {
                        await PostAsync(queues[shard], batch).ConfigureAwait(false);
                        pending[shard] = returned[shard].TryDequeue(out var recycled) ? recycled : new Batch();
                    }
                }

                // The channel is empty: hand over what is pending, so a quiet pipeline scores every sample at once.
                for (var shard = 1; shard < Workers; shard++)
                {
                    var batch = pending[shard]!;
                    if (batch.Count > 0)
                    {
                        await PostAsync(queues[shard], batch).ConfigureAwait(false);
                        pending[shard] = returned[shard].TryDequeue(out var recycled) ? recycled : new Batch();
                    }
                }

                own.Flush();
            }
        }
        finally
        {
            for (var i = 1; i < Workers; i++)
            {
                queues[i].Writer.TryComplete();
            }
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    private ValueTask PostAsync(Channel<Batch> queue, Batch batch) =>
        queue.Writer.TryWrite(batch) ? ValueTask.CompletedTask : queue.Writer.WriteAsync(batch, _abort.Token);

    private async Task WorkAsync(ChannelReader<Batch> queue, ConcurrentQueue<Batch> returned)
    {
        var worker = new Worker(this);
        try
        {
            while (await queue.WaitToReadAsync(_abort.Token).ConfigureAwait(false))
            {
                worker.Begin();
                while (!_abort.IsCancellationRequested && queue.TryRead(out var batch))
                {
                    var items = batch.Items;
                    for (var i = 0; i < batch.Count; i++)
                    {
                        if (worker.Process(items[i]) is { } waiting)
                        {
                            await SendAsync(waiting).ConfigureAwait(false);
                        }
                    }

                    Array.Clear(items, 0, batch.Count); // the series keys, for the GC
                    batch.Count = 0;
                    returned.Enqueue(batch);
                }

                worker.Flush();
            }
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            // The shutdown timeout elapsed; the draining loop logs it.
        }
    }

    /// <summary>
    /// Waits until the signals channel takes a state change (onset or end) it had no room for: the worker scores nothing
    /// else meanwhile, so the series' later signals cannot overtake it. Ends (by throwing) only when the stop times out.
    /// </summary>
    private async ValueTask SendAsync(AnomalySignal signal)
    {
        if (await _writer.WriteSignalAsync(signal, _abort.Token).ConfigureAwait(false))
        {
            _telemetry.SignalSent(signal.IsEnded ? "end" : "onset");
        }
    }

    private AnomalySignal? Process(in MetricSample sample, DateTimeOffset now)
    {
        try
        {
            if (sample.Series is null)
            {
                return null;
            }

            var held = _set.TryUpdate(sample.Series, sample.Timestamp, sample.Value, now.UtcTicks, out var score);
            if (held is null)
            {
                return null;
            }

            // Only this series' worker touches its tag. A new detector (first point, or back after idle eviction) starts
            // its anomaly tracking afresh; the board entry is re-attached when the board dropped it as idle.
            var entry = held.Tag as ScoreBoard.Entry;
            if (entry is null)
            {
                entry = _board.Attach(sample.Series, null);
                entry.ResetTracking();
                held.Tag = entry;
            }
            else if (entry.Removed)
            {
                entry = _board.Attach(sample.Series, entry);
                held.Tag = entry;
            }

            var anomalous = score.Status == PointStatus.Scored
                && (_options.AnomalyThreshold is { } threshold ? score.Probability >= threshold : score.IsAnomaly);
            var inAnomaly = Track(entry, sample.Series, score, anomalous, now, out var waiting);
            entry.Add(new SeriesScore(sample.Series, score, anomalous, now, inAnomaly), _historyLength);
            return waiting;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _telemetry.Error(Stage);
            LogFailed(ex, sample.Series);
            return null;
        }
    }

    /// <summary>
    /// Logs a sample that failed. Never throws (the logger cannot, nor can <see cref="Describe"/>): an exception out of the catch
    /// block of <see cref="Process(in MetricSample, DateTimeOffset)"/> would end the worker's loop, and every later sample of its
    /// shard would go unscored.
    /// </summary>
    private void LogFailed(Exception error, SeriesKey? series) => PipelineLog.DetectionFailed(_logger, error, Describe(series));

    /// <summary>The series' text for a log, or only its metric name when the text cannot be formed.</summary>
    private static string Describe(SeriesKey? series)
    {
        if (series is null)
        {
            return "(null)";
        }

        try
        {
            return series.ToString();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return series.Metric + "{?}";
        }
    }

    /// <summary>
    /// Advances the series' anomaly state, sends what it produced, and returns whether the series is in an anomaly;
    /// <paramref name="waiting"/> is a state change the signals channel had no room for, which the caller sends before anything else.
    /// </summary>
    private bool Track(ScoreBoard.Entry entry, SeriesKey series, in AnomalyScore score, bool anomalous, DateTimeOffset now, out AnomalySignal? waiting)
    {
        waiting = null;
        var bridge = entry.Bridge ??= new AnomalySignalBridge(series, _options.TrackingFactory?.Invoke(series) ?? _options.Tracking, _options.RepeatInterval);
        var sent = bridge.Update(score, anomalous, now, out var signal);
        if (sent == AnomalySignalEvent.None || !_options.SendSignals)
        {
            return bridge.Tracker.IsAnomalous;
        }

        if (sent == AnomalySignalEvent.Repeat)
        {
            // A repeat only keeps the anomaly active in correlation and the next one follows within the repeat interval:
            // with no room it is dropped (TryWriteSignal counts it) rather than holding detection up.
            if (_writer.TryWriteSignal(signal!))
            {
                _telemetry.SignalSent("repeat");
            }
        }
        else if (_writer.Signals.Writer.TryWrite(signal!))
        {
            _telemetry.SignalSent(sent == AnomalySignalEvent.Onset ? "onset" : "end");
        }
        else
        {
            waiting = signal;
        }

        return bridge.Tracker.IsAnomalous;
    }

    private void PruneIfDue(DateTimeOffset now)
    {
        var last = Interlocked.Read(ref _lastPruneTicks);
        if (now.UtcTicks - last < _options.IdleTimeout.Ticks / 4 || Interlocked.CompareExchange(ref _lastPruneTicks, now.UtcTicks, last) != last)
        {
            return;
        }

        // Series the detector set evicts as idle take their board entry (and anomaly tracking) with them; the board drops
        // its idle entries here.
        _board.RemoveOlderThan(now - _options.IdleTimeout);
    }

    private void Reported(int count)
    {
        _telemetry.Processed(Stage, count);
        if (_stopping)
        {
            Interlocked.Add(ref _drained, count);
        }
    }

    /// <summary>The per-thread part of scoring: the clock reading of the batch and the count not yet reported.</summary>
    private sealed class Worker(DetectionStage stage)
    {
        private DateTimeOffset _now;
        private long _lastReportTicks = long.MinValue;
        private int _sinceClock;
        private int _pending;

        /// <summary>Starts a batch: reads the clock.</summary>
        public void Begin()
        {
            _now = stage._time.GetUtcNow();
            _sinceClock = 0;
            if (_lastReportTicks == long.MinValue)
            {
                _lastReportTicks = _now.UtcTicks;
            }

            stage.PruneIfDue(_now);
        }

        /// <summary>Scores a sample.</summary>
        /// <returns>The state change the signals channel had no room for (send it before the next sample), or <see langword="null"/>.</returns>
        public AnomalySignal? Process(in MetricSample sample)
        {
            var waiting = stage.Process(sample, _now);
            _pending++;
            if (++_sinceClock == ClockEvery)
            {
                _sinceClock = 0;
                _now = stage._time.GetUtcNow();
                if (_pending >= ReportEvery || _now.UtcTicks - _lastReportTicks >= ReportInterval.Ticks)
                {
                    Flush();
                }

                stage.PruneIfDue(_now);
            }

            return waiting;
        }

        /// <summary>Reports the samples scored since the last report.</summary>
        public void Flush()
        {
            if (_pending > 0)
            {
                stage.Reported(_pending);
                _pending = 0;
            }

            _lastReportTicks = _now.UtcTicks;
        }
    }

    /// <summary>Samples handed to a worker at once.</summary>
    private sealed class Batch
    {
        public readonly MetricSample[] Items = new MetricSample[BatchSize];
        public int Count;
    }
}
