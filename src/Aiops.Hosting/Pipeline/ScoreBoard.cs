using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Aiops.Correlation;
using Aiops.Detection;

namespace Aiops.Hosting;

/// <summary>The latest score of one series.</summary>
/// <param name="Series">The series.</param>
/// <param name="Score">Its latest score, with the expected value and band when the detector has them.</param>
/// <param name="IsAnomalous">Whether the series is currently anomalous (by the detection stage's threshold).</param>
/// <param name="UpdatedAt">When (wall clock) the score was recorded.</param>
/// <param name="InAnomaly">
/// Whether the series is in an anomaly: from its onset until it is back to its pre-onset baseline (the anomaly state of
/// <see cref="DetectionStageOptions.Tracking"/>), which lasts beyond the points the detector flags.
/// </param>
public readonly record struct SeriesScore(SeriesKey Series, AnomalyScore Score, bool IsAnomalous, DateTimeOffset UpdatedAt, bool InAnomaly = false);

/// <summary>
/// One recorded score of a series, as <see cref="ScoreBoard.History(SeriesKey)"/> returns it. The board stores points
/// compactly (40 bytes): <see cref="Expected"/>, <see cref="Lower"/> and <see cref="Upper"/> are kept as single-precision
/// floats (about 7 significant digits, enough to draw them), the other members exactly.
/// </summary>
/// <param name="Timestamp">The point's timestamp.</param>
/// <param name="Value">The point's value.</param>
/// <param name="Probability">The anomaly probability, in [0, 1].</param>
/// <param name="Expected">The expected value; <see cref="double.NaN"/> when the detector has none (yet).</param>
/// <param name="Lower">The band's lower edge; <see cref="double.NaN"/> or infinite when the detector has none.</param>
/// <param name="Upper">The band's upper edge; <see cref="double.NaN"/> or infinite when the detector has none.</param>
/// <param name="Status">The point's status.</param>
/// <param name="IsAnomalous">Whether the point counted as anomalous (by the detection stage's threshold).</param>
public readonly record struct ScorePoint(
    DateTimeOffset Timestamp,
    double Value,
    double Probability,
    double Expected,
    double Lower,
    double Upper,
    PointStatus Status,
    bool IsAnomalous)
{
    /// <summary>Creates the history point of a series' score.</summary>
    /// <param name="score">The series' score.</param>
    /// <returns>The point.</returns>
    public static ScorePoint From(in SeriesScore score)
    {
        var s = score.Score;
        return new ScorePoint(s.Timestamp, s.Value, s.Probability, s.Expected, s.Lower, s.Upper, s.Status, score.IsAnomalous);
    }
}

/// <summary>
/// The latest anomaly score and band of every series the detection stage scores, for metrics and the API, and a short
/// bounded history of each series' recent scores (a ring of at most <see cref="DetectionStageOptions.ScoreHistoryLength"/>
/// points per series, default <see cref="DefaultHistoryLength"/>, 40 bytes a point, allocated as the series accumulates
/// points) for the dashboard's charts. Series that had no point for the detection stage's idle timeout are removed with
/// their history. Thread-safe: readers get consistent snapshots while the detection stage writes.
/// </summary>
public sealed class ScoreBoard
{
    /// <summary>The number of recent scores kept per series unless configured otherwise: 360.</summary>
    public const int DefaultHistoryLength = 360;

    private readonly ConcurrentDictionary<SeriesKey, Entry> _entries = new();

    /// <summary>Gets the number of series on the board.</summary>
    public int Count => _entries.Count;

    /// <summary>Reads the latest score of a series.</summary>
    /// <param name="series">The series.</param>
    /// <param name="score">Its latest score.</param>
    /// <returns><see langword="false"/> when the series is not on the board.</returns>
    public bool TryGet(SeriesKey series, out SeriesScore score)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (_entries.TryGetValue(series, out var entry))
        {
            score = entry.Latest;
            return true;
        }

        score = default;
        return false;
    }

    /// <summary>Lists the latest score of every series (a snapshot; allocates), ordered by series text.</summary>
    /// <returns>One entry per series.</returns>
    public IReadOnlyList<SeriesScore> Snapshot()
    {
        var list = new List<SeriesScore>(_entries.Count);
        foreach (var pair in _entries)
        {
            list.Add(pair.Value.Latest);
        }

        list.Sort(static (a, b) => string.CompareOrdinal(a.Series.ToString(), b.Series.ToString()));
        return list;
    }

    /// <summary>Reads the recent scores of a series, oldest first (a copy; allocates).</summary>
    /// <param name="series">The series.</param>
    /// <returns>At most the configured history length of points; empty when the series is not on the board or history is off.</returns>
    public IReadOnlyList<ScorePoint> History(SeriesKey series)
    {
        ArgumentNullException.ThrowIfNull(series);
        return _entries.TryGetValue(series, out var entry) ? entry.History() : [];
    }

    /// <summary>Reads the recent scores of a series given by its text (<see cref="SeriesKey.ToString"/>, <c>metric{label="value",...}</c>), oldest first.</summary>
    /// <param name="series">The series' text.</param>
    /// <returns>At most the configured history length of points; empty when no series on the board has that text.</returns>
    /// <remarks>Looks the text up among the series on the board: linear in their number.</remarks>
    public IReadOnlyList<ScorePoint> History(string series)
    {
        ArgumentNullException.ThrowIfNull(series);
        foreach (var pair in _entries)
        {
            if (string.Equals(pair.Key.ToString(), series, StringComparison.Ordinal))
            {
                return pair.Value.History();
            }
        }

        return [];
    }

    internal void Set(in SeriesScore score) => Set(score, DefaultHistoryLength);

    internal void Set(in SeriesScore score, int historyLength)
    {
        var entry = _entries.GetOrAdd(score.Series, static k => new Entry(k));
        entry.Add(score, Math.Max(0, historyLength));
    }

    /// <summary>
    /// Returns the board's entry of a series for a writer that keeps it (the detection stage, one lookup per series rather
    /// than per point): <paramref name="entry"/> itself while it is on the board, otherwise the entry now on the board,
    /// adding <paramref name="entry"/> (or a new one) when there is none.
    /// </summary>
    internal Entry Attach(SeriesKey series, Entry? entry)
    {
        if (entry is not null && !entry.Removed)
        {
            return entry;
        }

        var attached = _entries.GetOrAdd(series, static (k, e) => e is null ? new Entry(k) : e.Revive(), entry);
        if (entry is not null && !ReferenceEquals(attached, entry))
        {
            attached.CopyTrackingFrom(entry);
        }

        return attached;
    }

    internal int RemoveOlderThan(DateTimeOffset cutoff)
    {
        var removed = 0;
        foreach (var pair in _entries)
        {
            if (pair.Value.Latest.UpdatedAt < cutoff && _entries.TryRemove(pair))
            {
                pair.Value.Removed = true;
                removed++;
            }
        }

        return removed;
    }

    /// <summary>
    /// One series: its latest score and a ring of its recent points, guarded by the entry's own monitor (the class is
    /// internal, so no one else locks it; a separate lock object would be one more cache miss per point); and the
    /// detection stage's anomaly tracking of the series, which only the stage's worker of that series touches.
    /// </summary>
    internal sealed class Entry(SeriesKey series)
    {
        /// <summary>The history ring's first length; it then grows to <see cref="SecondRingLength"/>, then to the full length.</summary>
        internal const int FirstRingLength = 8;

        /// <summary>The history ring's second length.</summary>
        internal const int SecondRingLength = 64;

        private SeriesScore _latest;
        private HistoryPoint[] _ring = [];
        private int _start;
        private int _count;

        /// <summary>Gets the series.</summary>
        public SeriesKey Series { get; } = series;

        /// <summary>Gets or sets a value indicating whether the entry was removed from the board (writers then re-attach).</summary>
        public volatile bool Removed;

        /// <summary>The detection stage's anomaly state and signals of the series (its worker of this series only).</summary>
        public AnomalySignalBridge? Bridge;

        public SeriesScore Latest
        {
            get
            {
                lock (this)
                {
                    return _latest;
                }
            }
        }

        /// <summary>Gets the number of history points held (tests).</summary>
        internal int HistoryCount
        {
            get
            {
                lock (this)
                {
                    return _count;
                }
            }
        }

        /// <summary>Gets the history ring's allocated length (tests).</summary>
        internal int HistoryCapacity
        {
            get
            {
                lock (this)
                {
                    return _ring.Length;
                }
            }
        }

        public Entry Revive()
        {
            Removed = false;
            return this;
        }

        public void ResetTracking() => Bridge = null;

        public void CopyTrackingFrom(Entry other) => Bridge = other.Bridge;

        public void Add(in SeriesScore score, int capacity)
        {
            lock (this)
            {
                _latest = score;
                if (capacity == 0)
                {
                    if (_ring.Length != 0)
                    {
                        _ring = [];
                        _start = _count = 0;
                    }

                    return;
                }

                if (_count == _ring.Length && _ring.Length < capacity)
                {
                    // Grow in three steps (8, 64, the capacity) so that short-lived series do not hold a full ring, and
                    // long-lived ones do not copy and discard many rings on the way.
                    Resize(Math.Min(capacity, _ring.Length < FirstRingLength ? FirstRingLength : _ring.Length < SecondRingLength ? SecondRingLength : capacity));
                }
                else if (_ring.Length > capacity)
                {
                    Resize(capacity);
                }

                var s = score.Score;
                var point = new HistoryPoint(s, score.IsAnomalous);
                if (_count < _ring.Length)
                {
                    var at = _start + _count;
                    _ring[at >= _ring.Length ? at - _ring.Length : at] = point;
                    _count++;
                }
                else
                {
                    _ring[_start] = point;
                    _start = _start + 1 == _ring.Length ? 0 : _start + 1;
                }
            }
        }

        public ScorePoint[] History()
        {
            lock (this)
            {
                var result = new ScorePoint[_count];
                for (var i = 0; i < _count; i++)
                {
                    result[i] = _ring[(_start + i) % _ring.Length].ToScorePoint();
                }

                return result;
            }
        }

        // The caller holds the lock; keeps the newest points, oldest first at index 0.
        private void Resize(int length)
        {
            var keep = Math.Min(_count, length);
            var ring = new HistoryPoint[length];
            var skip = _count - keep;
            for (var i = 0; i < keep; i++)
            {
                ring[i] = _ring[(_start + skip + i) % _ring.Length];
            }

            _ring = ring;
            _start = 0;
            _count = keep;
        }
    }

    /// <summary>A history point as the ring stores it: 40 bytes rather than the 64 of a <see cref="ScorePoint"/>.</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private readonly struct HistoryPoint
    {
        private readonly long _utcTicks;
        private readonly double _value;
        private readonly double _probability;
        private readonly float _expected;
        private readonly float _lower;
        private readonly float _upper;
        private readonly short _offsetMinutes;
        private readonly PointStatus _status;
        private readonly bool _isAnomalous;

        public HistoryPoint(in AnomalyScore score, bool isAnomalous)
        {
            var timestamp = score.Timestamp;
            _utcTicks = timestamp.UtcTicks;
            _offsetMinutes = (short)timestamp.TotalOffsetMinutes;
            _value = score.Value;
            _probability = score.Probability;
            _expected = (float)score.Expected;
            _lower = (float)score.Lower;
            _upper = (float)score.Upper;
            _status = score.Status;
            _isAnomalous = isAnomalous;
        }

        public ScorePoint ToScorePoint()
        {
            var offset = TimeSpan.FromMinutes(_offsetMinutes);
            var timestamp = new DateTimeOffset(_utcTicks + offset.Ticks, offset);
            return new ScorePoint(timestamp, _value, _probability, _expected, _lower, _upper, _status, _isAnomalous);
        }
    }
}
