using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;

namespace Aiops.Detection;

/// <summary>
/// One detector per series, created on a series' first point, with bounded memory: at most
/// <see cref="DetectorSetOptions.MaxSeries"/> series, and series without a point for
/// <see cref="DetectorSetOptions.IdleTimeout"/> are evicted. When full, a new series is refused (counted as
/// <c>aiops.detection.series.rejected</c>) after idle series have been evicted, so established series keep their history.
/// </summary>
/// <remarks>
/// Thread-safe: different series update in parallel; updates of one series are serialised. The cap holds however many new
/// series arrive at once (a slot is reserved before a series is added), and a point whose series is evicted as idle while it
/// waits goes to the series' new detector, never to the evicted one. Wall-clock time (for idleness) comes only from the
/// <see cref="TimeProvider"/>.
/// </remarks>
public sealed class DetectorSet
{
    private readonly ConcurrentDictionary<SeriesKey, SeriesEntry> _series = new();
    private readonly Func<SeriesKey, IAnomalyDetector> _factory;
    private readonly DetectorSetOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly DetectionTelemetry _telemetry;
    private long _lastSweepTicks;

    // Series slots taken: reserved (atomically, against MaxSeries) before a series is added, released when the add loses to
    // another thread's or fails, and when a series is evicted. Counts the held series and the ones being added, so concurrent
    // first points of new series never hold more than MaxSeries.
    private int _reserved;

    /// <summary>Initializes a new instance of the <see cref="DetectorSet"/> class.</summary>
    /// <param name="options">The options; <see langword="null"/> uses the defaults.</param>
    /// <param name="factory">Creates the detector of a new series; <see langword="null"/> creates <see cref="DetectorSetOptions.Detector"/> from the catalogue.</param>
    /// <param name="timeProvider">The clock for idleness; <see langword="null"/> uses <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ValidationException">An option is out of range.</exception>
    public DetectorSet(DetectorSetOptions? options = null, Func<SeriesKey, IAnomalyDetector>? factory = null, TimeProvider? timeProvider = null)
    {
        _options = options ?? new DetectorSetOptions();
        Internal.OptionsValidator.ThrowIfInvalid(_options);

        _telemetry = _options.Telemetry ?? DetectionTelemetry.Shared;
        var detector = _options.Detector;
        var created = new DetectorCatalogOptions { FalseAlarmsPerWeek = _options.FalseAlarmsPerWeek, Telemetry = _telemetry };
        _ = DetectorCatalog.Create(detector, created); // fail now, not on the first point, when the name is unknown
        _factory = factory ?? (_ => DetectorCatalog.Create(detector, created));
        _timeProvider = timeProvider ?? TimeProvider.System;
        _lastSweepTicks = _timeProvider.GetUtcNow().UtcTicks;
    }

    /// <summary>Gets the number of series currently held.</summary>
    public int Count => _series.Count;

    /// <summary>Scores a point of a series, creating the series' detector on its first point.</summary>
    /// <param name="key">The series.</param>
    /// <param name="timestamp">The point's timestamp.</param>
    /// <param name="value">The point's value.</param>
    /// <param name="score">The score, when the series is (or could be) held.</param>
    /// <returns><see langword="false"/> when the series is new and the set is full; the point is then dropped and counted.</returns>
    public bool TryUpdate(SeriesKey key, DateTimeOffset timestamp, double value, out AnomalyScore score)
    {
        ArgumentNullException.ThrowIfNull(key);
        return TryUpdate(key, timestamp, value, _timeProvider.GetUtcNow().UtcTicks, out score) is not null;
    }

    /// <summary>
    /// Scores a point of a series with the wall clock read by the caller (a batch reads it once), and returns the series'
    /// entry, whose <see cref="SeriesEntry.Tag"/> the caller may use for state of its own that lives and is evicted with
    /// the series; <see langword="null"/> when the series is new and the set is full.
    /// </summary>
    /// <remarks>
    /// The caller must serialise the points of one series itself if it reads or writes <see cref="SeriesEntry.Tag"/>
    /// outside the set (the hosted detection stage routes each series to one worker).
    /// </remarks>
    internal SeriesEntry? TryUpdate(SeriesKey key, DateTimeOffset timestamp, double value, long nowTicks, out AnomalyScore score)
    {
        SweepIfDue(nowTicks);
        while (true)
        {
            if (!_series.TryGetValue(key, out var entry))
            {
                entry = Add(key, nowTicks);
                if (entry is null)
                {
                    _telemetry.SeriesRejected();
                    score = default;
                    return null;
                }
            }

            lock (entry)
            {
                if (entry.Evicted)
                {
                    continue; // evicted since it was looked up: the point goes to the series' next entry, not to a detector no longer held
                }

                entry.LastSeenTicks = nowTicks;
                var detector = entry.Detector ??= CreateDetector(key, entry);
                entry.Points++;
                score = detector.Update(timestamp, value);
            }

            return entry;
        }
    }

    // Adds a new series on a slot reserved first (after evicting idle series when none is left). Its entry goes in at once and
    // its detector is created by the first update that locks it, so a point of the same series from another thread finds the
    // entry (and waits for the detector) rather than being refused for the slot it holds. Null when the set is full.
    private SeriesEntry? Add(SeriesKey key, long nowTicks)
    {
        if (!TryReserve())
        {
            EvictIdle(nowTicks);
            if (!TryReserve())
            {
                return _series.TryGetValue(key, out var added) ? added : null;
            }
        }

        // Seen now: a sweep before its first update must not take it for idle.
        var created = new SeriesEntry { LastSeenTicks = nowTicks };
        var entry = _series.GetOrAdd(key, created);
        if (!ReferenceEquals(entry, created))
        {
            Release(); // another thread added the series first: its entry holds a slot of its own
        }

        return entry;
    }

    // Creates the detector of a series' new entry, under its lock. When the factory throws, the entry is taken out again (its
    // slot given back; an update waiting on it looks the series up afresh) and the exception goes to the caller.
    private IAnomalyDetector CreateDetector(SeriesKey key, SeriesEntry entry)
    {
        try
        {
            return _factory(key);
        }
        catch
        {
            entry.Evicted = true;
            if (_series.TryRemove(new KeyValuePair<SeriesKey, SeriesEntry>(key, entry)))
            {
                Release();
            }

            throw;
        }
    }

    private bool TryReserve()
    {
        var reserved = Volatile.Read(ref _reserved);
        while (reserved < _options.MaxSeries)
        {
            var seen = Interlocked.CompareExchange(ref _reserved, reserved + 1, reserved);
            if (seen == reserved)
            {
                return true;
            }

            reserved = seen;
        }

        return false;
    }

    private void Release() => Interlocked.Decrement(ref _reserved);

    /// <summary>Describes a held series.</summary>
    /// <param name="key">The series.</param>
    /// <param name="info">Its description.</param>
    /// <returns><see langword="false"/> when the series is not held.</returns>
    public bool TryGetInfo(SeriesKey key, out SeriesInfo info)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_series.TryGetValue(key, out var entry))
        {
            lock (entry)
            {
                if (entry.Detector is { } detector && !entry.Evicted)
                {
                    info = new SeriesInfo(key, detector.Name, entry.Points, new DateTimeOffset(entry.LastSeenTicks, TimeSpan.Zero), detector.StateSizeBytes);
                    return true;
                }
            }
        }

        info = default;
        return false;
    }

    /// <summary>Describes every held series (a snapshot; allocates).</summary>
    /// <returns>One entry per series, in no particular order.</returns>
    public IReadOnlyList<SeriesInfo> Snapshot()
    {
        var list = new List<SeriesInfo>(_series.Count);
        foreach (var key in _series.Keys)
        {
            if (TryGetInfo(key, out var info))
            {
                list.Add(info);
            }
        }

        return list;
    }

    /// <summary>Evicts every series without a point for longer than <see cref="DetectorSetOptions.IdleTimeout"/>.</summary>
    /// <returns>How many series were evicted.</returns>
    public int EvictIdle() => EvictIdle(_timeProvider.GetUtcNow().UtcTicks);

    private void SweepIfDue(long now)
    {
        var last = Interlocked.Read(ref _lastSweepTicks);
        if (now - last >= _options.IdleTimeout.Ticks / 4 && Interlocked.CompareExchange(ref _lastSweepTicks, now, last) == last)
        {
            EvictIdle(now);
        }
    }

    private int EvictIdle(long now)
    {
        var evicted = 0;
        var cutoff = now - _options.IdleTimeout.Ticks;
        foreach (var pair in _series)
        {
            var entry = pair.Value;
            if (Volatile.Read(ref entry.LastSeenTicks) >= cutoff)
            {
                continue;
            }

            // Under the entry's lock, so no update is running on it; one that looked it up and waits for the lock sees it
            // evicted and looks the series up again.
            lock (entry)
            {
                if (entry.Evicted || entry.LastSeenTicks >= cutoff || !_series.TryRemove(pair))
                {
                    continue;
                }

                entry.Evicted = true;
            }

            Release();
            evicted++;
            _telemetry.SeriesEvicted("idle");
        }

        return evicted;
    }

    /// <summary>One held series: its detector, when it last had a point, how many it had, and a slot for the caller.</summary>
    internal sealed class SeriesEntry
    {
        /// <summary>The series' detector; <see langword="null"/> until the first update creates it (under the entry's lock).</summary>
        public IAnomalyDetector? Detector;
        public long LastSeenTicks;
        public long Points;

        /// <summary>Whether the set has evicted it (set under its lock): an update that finds it so retries with a fresh lookup.</summary>
        public bool Evicted;

        /// <summary>State the caller keeps with the series (the hosting stage's score-board entry); evicted with it.</summary>
        public object? Tag;
    }
}

/// <summary>A held series: its detector, how many points it has seen, when it last had one, and its state size.</summary>
/// <param name="Key">The series.</param>
/// <param name="Detector">The detector's catalogue name.</param>
/// <param name="Points">Points given to the series' detector, including skipped ones.</param>
/// <param name="LastSeen">When (wall clock) the series last had a point.</param>
/// <param name="StateSizeBytes">The detector's approximate state size in bytes.</param>
public readonly record struct SeriesInfo(SeriesKey Key, string Detector, long Points, DateTimeOffset LastSeen, int StateSizeBytes);

/// <summary>Options of <see cref="DetectorSet"/>.</summary>
public sealed class DetectorSetOptions
{
    /// <summary>Gets or sets the catalogue name of the detector each series gets. Default: <see cref="DetectorNames.Ensemble"/>.</summary>
    [Required]
    public string Detector { get; set; } = DetectorNames.Ensemble;

    /// <summary>
    /// Gets or sets the sensitivity of the catalogue detector each series gets, as the expected number of false onsets per
    /// series per week on healthy data, whatever the sampling interval (<see cref="AnomalyDetectorOptions.FalseAlarmsPerWeek"/>);
    /// not used by a custom factory. Default: 1. Range: [0.001, 100,000].
    /// </summary>
    [Range(0.001, 100_000)]
    public double FalseAlarmsPerWeek { get; set; } = 1;

    /// <summary>Gets or sets the most series held at once. Default: 10,000. Range: [1, 10,000,000].</summary>
    [Range(1, 10_000_000)]
    public int MaxSeries { get; set; } = 10_000;

    /// <summary>Gets or sets how long a series may go without a point before it is evicted. Default: 1 hour. Range: [1 s, 30 days].</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Gets or sets where rejections and evictions are counted. Default: <see langword="null"/> (<see cref="DetectionTelemetry.Shared"/>).</summary>
    public DetectionTelemetry? Telemetry { get; set; }
}
