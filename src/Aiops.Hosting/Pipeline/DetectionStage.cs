using Aiops.Correlation;
using Aiops.Detection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Aiops.Hosting;

/// <summary>
/// The hosted detection stage: scores every metric sample with a <see cref="DetectorSet"/>, keeps the latest score per
/// series on the <see cref="ScoreBoard"/>, and sends one <see cref="AnomalySignal"/> to correlation when a series turns
/// anomalous (re-sent every <see cref="DetectionStageOptions.RepeatInterval"/> while it stays anomalous). A sample that
/// fails is logged, counted and skipped. On stop, the samples channel is completed and what it holds is scored first.
/// </summary>
internal sealed class DetectionStage : IHostedService, IDisposable
{
    private const string Stage = "detection";
    private readonly AiopsPipelineWriter _writer;
    private readonly ScoreBoard _board;
    private readonly DetectionStageOptions _options;
    private readonly TimeProvider _time;
    private readonly PipelineTelemetry _telemetry;
    private readonly ILogger<DetectionStage> _logger;
    private readonly DetectorSet _set;
    private readonly Dictionary<SeriesKey, AnomalyState> _states = [];
    private readonly CancellationTokenSource _abort = new();
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
        _logger = logger;
        var setOptions = new DetectorSetOptions { Detector = _options.Detector, MaxSeries = _options.MaxSeries, IdleTimeout = _options.IdleTimeout };
        _set = new DetectorSet(setOptions, _options.DetectorFactory, timeProvider);
        _lastPruneTicks = timeProvider.GetUtcNow().UtcTicks;
    }

    /// <summary>Gets the number of series the detector set holds.</summary>
    internal int SeriesCount => _set.Count;

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

    private async Task RunAsync()
    {
        // The loop ends when StopAsync completes the channel and its items are scored, not on stoppingToken, so shutdown
        // drains; _abort ends it early when the host's shutdown timeout elapses.
        var reader = _writer.Samples.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_abort.Token).ConfigureAwait(false))
            {
                var count = 0;
                while (!_abort.IsCancellationRequested && reader.TryRead(out var sample))
                {
                    Process(sample);
                    count++;
                }

                _telemetry.Processed(Stage, count);
                if (_stopping)
                {
                    _drained += count;
                }
            }

            if (_drained > 0)
            {
                PipelineLog.Drained(_logger, Stage, _drained);
            }
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            PipelineLog.DrainAborted(_logger, Stage);
        }
    }

    internal void Process(in MetricSample sample)
    {
        try
        {
            if (sample.Series is null || !_set.TryUpdate(sample.Series, sample.Timestamp, sample.Value, out var score))
            {
                return;
            }

            var now = _time.GetUtcNow();
            var anomalous = score.Status == PointStatus.Scored
                && (_options.AnomalyThreshold is { } threshold ? score.Probability >= threshold : score.IsAnomaly);
            _board.Set(new SeriesScore(sample.Series, score, anomalous, now), _options.ScoreHistoryLength);
            Track(sample.Series, score, anomalous, now);
            PruneIfDue(now);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _telemetry.Error(Stage);
            PipelineLog.DetectionFailed(_logger, ex, sample.Series?.ToString() ?? "(null)");
        }
    }

    private void Track(SeriesKey series, in AnomalyScore score, bool anomalous, DateTimeOffset now)
    {
        _states.TryGetValue(series, out var state);
        if (!anomalous)
        {
            if (state is not null)
            {
                state.Anomalous = false;
                state.LastSeen = now;
            }

            return;
        }

        if (state is null)
        {
            state = new AnomalyState();
            _states[series] = state;
        }

        state.LastSeen = now;
        if (!state.Anomalous)
        {
            state.Anomalous = true;
            state.Onset = score.Timestamp;
            state.Peak = score.Probability;
            state.LastSent = now;
            Send(series, score, state, "onset");
        }
        else
        {
            state.Peak = Math.Max(state.Peak, score.Probability);
            if (now - state.LastSent >= _options.RepeatInterval)
            {
                state.LastSent = now;
                Send(series, score, state, "repeat");
            }
        }
    }

    private void Send(SeriesKey series, in AnomalyScore score, AnomalyState state, string kind)
    {
        var labels = new Dictionary<string, string>(series.Labels.Count, StringComparer.Ordinal);
        foreach (var label in series.Labels)
        {
            labels[label.Key] = label.Value;
        }

        var direction = double.IsNaN(score.Expected) || score.Value == score.Expected
            ? Direction.None
            : score.Value > score.Expected ? Direction.Up : Direction.Down;
        var magnitude = double.IsFinite(score.RawScore) ? Math.Min(Math.Abs(score.RawScore), _options.MaxMagnitude) : _options.MaxMagnitude;
        if (double.IsNaN(score.RawScore))
        {
            magnitude = 0;
        }

        var signal = new AnomalySignal(series.ToString(), series.Metric, state.Onset, labels, state.Peak, direction, magnitude);
        if (_writer.TryWriteSignal(signal))
        {
            _telemetry.SignalSent(kind);
        }
    }

    private void PruneIfDue(DateTimeOffset now)
    {
        if (now.UtcTicks - _lastPruneTicks < _options.IdleTimeout.Ticks / 4)
        {
            return;
        }

        _lastPruneTicks = now.UtcTicks;
        var cutoff = now - _options.IdleTimeout;
        _board.RemoveOlderThan(cutoff);
        List<SeriesKey>? idle = null;
        foreach (var pair in _states)
        {
            if (pair.Value.LastSeen < cutoff)
            {
                (idle ??= []).Add(pair.Key);
            }
        }

        if (idle is not null)
        {
            foreach (var key in idle)
            {
                _states.Remove(key);
            }
        }
    }

    private sealed class AnomalyState
    {
        public bool Anomalous;
        public DateTimeOffset Onset;
        public DateTimeOffset LastSent;
        public DateTimeOffset LastSeen;
        public double Peak;
    }
}
