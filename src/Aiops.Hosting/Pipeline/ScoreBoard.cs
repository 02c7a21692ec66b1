using System.Collections.Concurrent;
using Aiops.Detection;

namespace Aiops.Hosting;

/// <summary>The latest score of one series.</summary>
/// <param name="Series">The series.</param>
/// <param name="Score">Its latest score, with the expected value and band when the detector has them.</param>
/// <param name="IsAnomalous">Whether the series is currently anomalous (by the detection stage's threshold).</param>
/// <param name="UpdatedAt">When (wall clock) the score was recorded.</param>
public readonly record struct SeriesScore(SeriesKey Series, AnomalyScore Score, bool IsAnomalous, DateTimeOffset UpdatedAt);

/// <summary>
/// The latest anomaly score and band of every series the detection stage scores, for metrics and the API. Series that had
/// no point for the detection stage's idle timeout are removed. Thread-safe.
/// </summary>
public sealed class ScoreBoard
{
    private readonly ConcurrentDictionary<SeriesKey, SeriesScore> _scores = new();

    /// <summary>Gets the number of series on the board.</summary>
    public int Count => _scores.Count;

    /// <summary>Reads the latest score of a series.</summary>
    /// <param name="series">The series.</param>
    /// <param name="score">Its latest score.</param>
    /// <returns><see langword="false"/> when the series is not on the board.</returns>
    public bool TryGet(SeriesKey series, out SeriesScore score)
    {
        ArgumentNullException.ThrowIfNull(series);
        return _scores.TryGetValue(series, out score);
    }

    /// <summary>Lists the latest score of every series (a snapshot; allocates), ordered by series text.</summary>
    /// <returns>One entry per series.</returns>
    public IReadOnlyList<SeriesScore> Snapshot()
    {
        var list = new List<SeriesScore>(_scores.Count);
        foreach (var pair in _scores)
        {
            list.Add(pair.Value);
        }

        list.Sort(static (a, b) => string.CompareOrdinal(a.Series.ToString(), b.Series.ToString()));
        return list;
    }

    internal void Set(in SeriesScore score) => _scores[score.Series] = score;

    internal int RemoveOlderThan(DateTimeOffset cutoff)
    {
        var removed = 0;
        foreach (var pair in _scores)
        {
            if (pair.Value.UpdatedAt < cutoff && _scores.TryRemove(pair))
            {
                removed++;
            }
        }

        return removed;
    }
}
