using System.Diagnostics.Metrics;
using System.Globalization;
using Aiops.Detection;
using Aiops.Gates.Internal;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aiops.Hosting;

/// <summary>
/// A hosted source that watches in-process instruments through a <see cref="MeterListener"/> and writes one
/// <see cref="MetricSample"/> per series (instrument name and label set) every <see cref="MeterSourceOptions.CollectInterval"/>:
/// counters as rates per second over the interval, gauges and up-down counters as their value, histograms as their mean or
/// <see cref="MeterSourceOptions.HistogramQuantile"/>.
/// </summary>
/// <remarks>
/// Measurement callbacks take one short lock per instrument and allocate only when a new label set appears. Timestamps and
/// intervals come from the <see cref="TimeProvider"/>. A callback never throws into the instrumented code: a measurement of a
/// new series past <see cref="MeterSourceOptions.MaxSeries"/>, or with a repeated or empty tag name (which no series key can
/// hold), or that fails otherwise, is ignored and counted on <c>aiops.hosting.meter_source.skipped</c> by reason
/// (<c>max_series</c>, <c>invalid_tags</c>, <c>failed</c>); the counts are added at each collection.
/// </remarks>
internal sealed class MeterListenerSource : IHostedService, IDisposable
{
    private readonly MeterSourceOptions _options;
    private readonly AiopsPipelineWriter _writer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HashSet<string> _meters;
    private readonly HashSet<string> _instruments;
    private readonly Lock _gate = new();
    private readonly List<InstrumentState> _states = [];
    private readonly CancellationTokenSource _stop = new();
    private MeterListener? _listener;
    private readonly Counter<long> _skipped;
    private Task? _loop;
    private DateTimeOffset _lastCollect;
    private int _seriesCount;
    private long _skippedMaxSeries;
    private long _skippedInvalidTags;
    private long _skippedFailed;
    private long _reportedMaxSeries;
    private long _reportedInvalidTags;
    private long _reportedFailed;

    public MeterListenerSource(MeterSourceOptions options, AiopsPipelineWriter writer, TimeProvider timeProvider, IMeterFactory meterFactory, ILogger<MeterListenerSource> logger)
    {
        // Counted in the measurement callbacks with plain increments and added to the counter at each collection: recording an
        // instrument from inside a callback could recurse when this source watches the Aiops.Hosting meter itself.
        _skipped = meterFactory.Create(HostingTelemetry.MeterName).CreateCounter<long>(
            "aiops.hosting.meter_source.skipped",
            "{measurement}",
            "Measurements the in-process meter source ignored, by reason (max_series: a new series past MaxSeries; invalid_tags: a repeated or empty tag name; failed: recording it threw).");
        _options = options;
        _writer = writer;
        _time = timeProvider;
        _logger = NonThrowingLogger.Wrap(logger);
        _meters = new HashSet<string>(options.Meters, StringComparer.Ordinal);
        _instruments = new HashSet<string>(options.Instruments, StringComparer.Ordinal);
    }

    private enum Kind
    {
        /// <summary>Counter: deltas summed over the interval, written as a rate per second.</summary>
        Delta,

        /// <summary>ObservableCounter: cumulative totals, written as the rate of their increase.</summary>
        Cumulative,

        /// <summary>UpDownCounter: deltas added to a running total, written as the total.</summary>
        RunningTotal,

        /// <summary>Gauge: the last value, kept until a new one arrives.</summary>
        Last,

        /// <summary>ObservableGauge, ObservableUpDownCounter: the value observed at this collection.</summary>
        Observed,

        /// <summary>Histogram: the mean of the interval's measurements.</summary>
        Histogram,

        /// <summary>Histogram: a quantile of the interval's measurements (a reservoir sample of them).</summary>
        HistogramQuantile,
    }

    /// <summary>Gets the number of series tracked.</summary>
    internal int SeriesCount => Volatile.Read(ref _seriesCount);

    /// <summary>Gets the measurements ignored because <see cref="MeterSourceOptions.MaxSeries"/> series were tracked.</summary>
    internal long SkippedMaxSeries => Interlocked.Read(ref _skippedMaxSeries);

    /// <summary>Gets the measurements ignored for a repeated or empty tag name.</summary>
    internal long SkippedInvalidTags => Interlocked.Read(ref _skippedInvalidTags);

    /// <summary>Gets the measurements ignored because recording them threw.</summary>
    internal long SkippedFailed => Interlocked.Read(ref _skippedFailed);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _lastCollect = _time.GetUtcNow();
        var listener = new MeterListener
        {
            InstrumentPublished = OnInstrumentPublished,
            MeasurementsCompleted = static (_, state) =>
            {
                if (state is InstrumentState s)
                {
                    s.Completed = true;
                }
            },
        };
        listener.SetMeasurementEventCallback<double>(static (_, m, tags, s) => ((InstrumentState)s!).Record(m, tags));
        listener.SetMeasurementEventCallback<float>(static (_, m, tags, s) => ((InstrumentState)s!).Record(m, tags));
        listener.SetMeasurementEventCallback<long>(static (_, m, tags, s) => ((InstrumentState)s!).Record(m, tags));
        listener.SetMeasurementEventCallback<int>(static (_, m, tags, s) => ((InstrumentState)s!).Record(m, tags));
        listener.SetMeasurementEventCallback<short>(static (_, m, tags, s) => ((InstrumentState)s!).Record(m, tags));
        listener.SetMeasurementEventCallback<byte>(static (_, m, tags, s) => ((InstrumentState)s!).Record(m, tags));
        listener.SetMeasurementEventCallback<decimal>(static (_, m, tags, s) => ((InstrumentState)s!).Record((double)m, tags));
        _listener = listener;
        listener.Start();
        var timer = new PeriodicTimer(_options.CollectInterval, _time);
        _loop = Task.Run(() => LoopAsync(timer), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await Task.WhenAny(_loop, Task.Delay(Timeout.Infinite, cancellationToken)).ConfigureAwait(false);
        }


        // The last, partial interval: sources stop before the stages, which then drain it.
        Collect();
        _listener?.Dispose();
    }

    public void Dispose()
    {
        _listener?.Dispose();
        _stop.Dispose();
    }

    /// <summary>Writes one sample per series for the interval since the last collection.</summary>
    internal void Collect()
    {
        lock (_gate)
        {
            try
            {
                _listener?.RecordObservableInstruments();
                var now = _time.GetUtcNow();
                var seconds = (now - _lastCollect).TotalSeconds;
                if (seconds <= 0)
                {
                    seconds = _options.CollectInterval.TotalSeconds;
                }

                _lastCollect = now;
                ReportSkipped();
                for (var i = _states.Count - 1; i >= 0; i--)
                {
                    var state = _states[i];
                    state.Collect(_writer, now, seconds);
                    if (state.Completed)
                    {
                        _states.RemoveAt(i);
                        Interlocked.Add(ref _seriesCount, -state.SeriesCount);
                    }
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                PipelineLog.CollectFailed(_logger, ex);
            }
        }
    }

    private async Task LoopAsync(PeriodicTimer timer)
    {
        using (timer)
        {
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
                {
                    Collect();
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
        }
    }

    private static Kind? Classify(Instrument instrument)
    {
        var type = instrument.GetType();
        if (!type.IsGenericType)
        {
            return null;
        }

        var definition = type.GetGenericTypeDefinition();
        if (definition == typeof(Counter<>))
        {
            return Kind.Delta;
        }

        if (definition == typeof(ObservableCounter<>))
        {
            return Kind.Cumulative;
        }

        if (definition == typeof(UpDownCounter<>))
        {
            return Kind.RunningTotal;
        }

        if (definition == typeof(Gauge<>))
        {
            return Kind.Last;
        }

        if (definition == typeof(ObservableGauge<>) || definition == typeof(ObservableUpDownCounter<>))
        {
            return Kind.Observed;
        }

        return definition == typeof(Histogram<>) ? Kind.Histogram : null;
    }

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        if (!_meters.Contains(instrument.Meter.Name) || (_instruments.Count > 0 && !_instruments.Contains(instrument.Name)))
        {
            return;
        }

        if (Classify(instrument) is not { } kind)
        {
            return;
        }

        if (kind == Kind.Histogram && _options.HistogramQuantile is not null)
        {
            kind = Kind.HistogramQuantile;
        }

        var state = new InstrumentState(this, instrument.Name, kind);
        lock (_gate)
        {
            _states.Add(state);
        }

        listener.EnableMeasurementEvents(instrument, state);
    }

    private bool TryReserveSeries()
    {
        if (Interlocked.Increment(ref _seriesCount) <= _options.MaxSeries)
        {
            return true;
        }

        Interlocked.Decrement(ref _seriesCount);
        Interlocked.Increment(ref _skippedMaxSeries);
        return false;
    }

    /// <summary>Gives back a slot <see cref="TryReserveSeries"/> reserved for a series that could not be created.</summary>
    private void ReleaseSeries() => Interlocked.Decrement(ref _seriesCount);

    /// <summary>Adds the measurements skipped since the last collection to the counter; called under <see cref="_gate"/>.</summary>
    private void ReportSkipped()
    {
        Report(ref _reportedMaxSeries, SkippedMaxSeries, "max_series");
        Report(ref _reportedInvalidTags, SkippedInvalidTags, "invalid_tags");
        Report(ref _reportedFailed, SkippedFailed, "failed");

        void Report(ref long reported, long total, string reason)
        {
            if (total > reported)
            {
                _skipped.Add(total - reported, new KeyValuePair<string, object?>("reason", reason));
                reported = total;
            }
        }
    }

    /// <summary>Whether every tag has a name, and no name is repeated (a series key could not hold them otherwise).</summary>
    private static bool HasValidTagNames(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        for (var i = 0; i < tags.Length; i++)
        {
            if (string.IsNullOrEmpty(tags[i].Key))
            {
                return false;
            }

            for (var j = 0; j < i; j++)
            {
                if (string.Equals(tags[i].Key, tags[j].Key, StringComparison.Ordinal))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>The series of one instrument, found by label set.</summary>
    private sealed class InstrumentState(MeterListenerSource owner, string name, Kind kind)
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<int, Series> _byHash = [];
        private Series? _first;
        private int _count;

        public volatile bool Completed;

        public int SeriesCount => _count;

        /// <summary>Records a measurement. Never throws: this runs inside the application's own <c>Add</c> or <c>Record</c>.</summary>
        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            try
            {
                var hash = Hash(tags);
                lock (_gate)
                {
                    var series = Find(hash, tags) ?? Create(hash, tags);
                    series?.Record(kind, value);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A tag value whose ToString, GetHashCode or Equals throws, say.
                Interlocked.Increment(ref owner._skippedFailed);
            }
        }

        public void Collect(AiopsPipelineWriter writer, DateTimeOffset now, double seconds)
        {
            lock (_gate)
            {
                for (var series = _first; series is not null; series = series.NextInOrder)
                {
                    if (series.TryTake(kind, seconds, out var value))
                    {
                        writer.TryWriteSample(new MetricSample(series.Key, now, value));
                    }
                }
            }
        }

        private static int Hash(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            // Order-independent: the same labels in another order are the same series.
            var hash = tags.Length;
            foreach (var tag in tags)
            {
                hash += HashCode.Combine(tag.Key, tag.Value);
            }

            return hash;
        }

        private static bool SameTags(KeyValuePair<string, object?>[] held, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (held.Length != tags.Length)
            {
                return false;
            }

            for (var i = 0; i < tags.Length; i++)
            {
                // Fast path: the same order as when the series was created.
                if (string.Equals(held[i].Key, tags[i].Key, StringComparison.Ordinal) && Equals(held[i].Value, tags[i].Value))
                {
                    continue;
                }

                var found = false;
                foreach (var h in held)
                {
                    if (string.Equals(h.Key, tags[i].Key, StringComparison.Ordinal) && Equals(h.Value, tags[i].Value))
                    {
                        found = true;
                        break;
                    }
                }

                if (!found)
                {
                    return false;
                }
            }

            return true;
        }

        private Series? Find(int hash, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (!_byHash.TryGetValue(hash, out var series))
            {
                return null;
            }

            for (; series is not null; series = series.NextWithHash)
            {
                if (SameTags(series.Tags, tags))
                {
                    return series;
                }
            }

            return null;
        }

        private Series? Create(int hash, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (!HasValidTagNames(tags))
            {
                Interlocked.Increment(ref owner._skippedInvalidTags);
                return null;
            }

            if (!owner.TryReserveSeries())
            {
                return null;
            }

            Series series;
            try
            {
                var held = tags.ToArray();
                var labels = new KeyValuePair<string, string>[held.Length];
                for (var i = 0; i < held.Length; i++)
                {
                    labels[i] = new(held[i].Key, Convert.ToString(held[i].Value, CultureInfo.InvariantCulture) ?? string.Empty);
                }

                series = new Series(new SeriesKey(name, labels), held, kind == Kind.HistogramQuantile ? new Reservoir(owner._options.HistogramReservoirSize, owner._options.HistogramQuantile!.Value, hash) : null);
            }
            catch
            {
                owner.ReleaseSeries(); // the slot of a series that was not created; Record counts the failure
                throw;
            }

            _byHash.TryGetValue(hash, out var head);
            series.NextWithHash = head;
            _byHash[hash] = series;
            series.NextInOrder = _first;
            _first = series;
            _count++;
            return series;
        }
    }

    /// <summary>The accumulators of one series; guarded by its instrument's lock.</summary>
    private sealed class Series(SeriesKey key, KeyValuePair<string, object?>[] tags, Reservoir? reservoir)
    {
        public readonly SeriesKey Key = key;
        public readonly KeyValuePair<string, object?>[] Tags = tags;
        public Series? NextWithHash;
        public Series? NextInOrder;
        private double _sum;
        private long _count;
        private double _last;
        private bool _hasLast;
        private double _previous;
        private bool _hasPrevious;

        public void Record(Kind kind, double value)
        {
            switch (kind)
            {
                case Kind.Delta:
                case Kind.Histogram:
                    _sum += value;
                    _count++;
                    break;
                case Kind.HistogramQuantile:
                    reservoir!.Add(value);
                    break;
                case Kind.RunningTotal:
                    _last += value;
                    _hasLast = true;
                    break;
                default:
                    _last = value;
                    _hasLast = true;
                    break;
            }
        }

        public bool TryTake(Kind kind, double seconds, out double value)
        {
            switch (kind)
            {
                case Kind.Delta:
                    value = _sum / seconds;
                    _sum = 0;
                    _count = 0;
                    return true;
                case Kind.Histogram:
                    value = _count > 0 ? _sum / _count : 0;
                    var had = _count > 0;
                    _sum = 0;
                    _count = 0;
                    return had;
                case Kind.HistogramQuantile:
                    return reservoir!.TryTake(out value);
                case Kind.Cumulative:
                    value = 0;
                    if (!_hasLast)
                    {
                        return false;
                    }

                    _hasLast = false;
                    var first = !_hasPrevious;
                    var delta = _last >= _previous ? _last - _previous : _last; // a drop is a reset: the total restarted
                    _previous = _last;
                    _hasPrevious = true;
                    value = delta / seconds;
                    return !first;
                case Kind.Observed:
                    value = _last;
                    var observed = _hasLast;
                    _hasLast = false;
                    return observed;
                default:
                    value = _last;
                    return _hasLast;
            }
        }
    }

    /// <summary>
    /// One interval's measurements of a histogram series, for a quantile: all of them up to the capacity, then a uniform
    /// sample (Vitter's algorithm R on a per-series xorshift generator, so runs are repeatable). Allocates once.
    /// </summary>
    private sealed class Reservoir(int capacity, double quantile, int seed)
    {
        private readonly double[] _values = new double[capacity];
        private long _seen;
        private ulong _random = (ulong)(uint)seed | 0x9E3779B97F4A7C15UL;

        public void Add(double value)
        {
            if (double.IsNaN(value))
            {
                return;
            }

            if (_seen < _values.Length)
            {
                _values[_seen] = value;
            }
            else
            {
                var slot = Next() % (ulong)(_seen + 1);
                if (slot < (ulong)_values.Length)
                {
                    _values[slot] = value;
                }
            }

            _seen++;
        }

        public bool TryTake(out double value)
        {
            var count = (int)Math.Min(_seen, _values.Length);
            _seen = 0;
            if (count == 0)
            {
                value = 0;
                return false;
            }

            var sample = _values.AsSpan(0, count);
            sample.Sort();

            // Linear interpolation between closest ranks (Hyndman and Fan type 7, as numpy and Excel use).
            var rank = quantile * (count - 1);
            var low = (int)Math.Floor(rank);
            var high = Math.Min(low + 1, count - 1);
            value = sample[low] + ((rank - low) * (sample[high] - sample[low]));
            return true;
        }

        private ulong Next()
        {
            _random ^= _random << 13;
            _random ^= _random >> 7;
            _random ^= _random << 17;
            return _random;
        }
    }
}
