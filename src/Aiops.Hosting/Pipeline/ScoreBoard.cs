using System.Collections.Concurrent;
using Aiops.Detection;

namespace Aiops.Hosting;

/// <summary>The latest score of one series.</summary>
/// <param name="Series">The series.</param>
/// <param name="Score">Its latest score, with the expected value and band when the detector has them.</param>
/// <param name="IsAnomalous">Whether the series is currently anomalous (by the detection stage's threshold).</param>
/// <param name="UpdatedAt">When (wall clock) the score was recorded.</param>
public readonly record struct SeriesScore(SeriesKey Series, AnomalyScore Score, bool IsAnomalous, DateTimeOffset UpdatedAt);

/// <summary>One recorded score of a series, as the <see cref="ScoreBoard"/>'s history keeps it (about 64 bytes).</summary>
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
/// bounded history of each series' recent scores (a fixed-size ring of at most <see cref="DetectionStageOptions.ScoreHistoryLength"/>
/// points per series, default <see cref="DefaultHistoryLength"/>) for the dashboard's charts. Series that had no point for the
/// detection stage's idle timeout are removed with their history. Thread-safe: readers get consistent snapshots while the
/// detection stage writes.
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
        var entry = _entries.GetOrAdd(score.Series, static _ => new Entry());
        entry.Add(score, Math.Max(0, historyLength));
    }

    internal int RemoveOlderThan(DateTimeOffset cutoff)
    {
        var removed = 0;
        foreach (var pair in _entries)
        {
            if (pair.Value.Latest.UpdatedAt < cutoff && _entries.TryRemove(pair))
            {
                removed++;
            }
        }

        return removed;
    }

    /// <summary>One series: its latest score and a ring of its recent points, guarded by a lock of its own.</summary>
    private sealed class Entry
    {
        private readonly Lock _lock = new();
        private SeriesScore _latest;
        private ScorePoint[] _ring = [];
        private int _start;
        private int _count;

        public SeriesScore Latest
        {
            get
            {
                lock (_lock)
                {
                    return _latest;
                }
            }
        }

        public void Add(in SeriesScore score, int capacity)
        {
            lock (_lock)
            {
                _latest = score;
                if (capacity == 0)
                {
                    _ring = [];
                    _start = _count = 0;
                    return;
                }

                if (_count == _ring.Length && _ring.Length < capacity)
                {
                    // Grow (doubling, at most to the capacity) so that short-lived series do not hold a full ring.
                    Resize(Math.Min(capacity, Math.Max(8, _ring.Length * 2)));
                }
                else if (_ring.Length > capacity)
                {
                    Resize(capacity);
                }

                var point = ScorePoint.From(score);
                if (_count < _ring.Length)
                {
                    _ring[(_start + _count) % _ring.Length] = point;
                    _count++;
                }
                else
                {
                    _ring[_start] = point;
                    _start = (_start + 1) % _ring.Length;
                }
            }
        }

        public ScorePoint[] History()
        {
            lock (_lock)
            {
                return Copy(_count);
            }
        }

        private void Resize(int length)
        {
            var keep = Math.Min(_count, length);
            var items = Copy(keep);
            _ring = new ScorePoint[length];
            items.CopyTo(_ring, 0);
            _start = 0;
            _count = keep;
        }

        // The newest `take` points, oldest first; the caller holds the lock.
        private ScorePoint[] Copy(int take)
        {
            var result = new ScorePoint[take];
            var skip = _count - take;
            for (var i = 0; i < take; i++)
            {
                result[i] = _ring[(_start + skip + i) % _ring.Length];
            }

            return result;
        }
    }
}
