namespace Aiops.Detection;

/// <summary>
/// Whole-series scoring (backfill, backtests). It feeds the points through the same streaming update, in order, so a
/// series scored here gets exactly the scores it would have got point by point.
/// </summary>
public static class SeriesScoring
{
    /// <summary>Scores a series of points with <paramref name="detector"/>, continuing from its current state.</summary>
    /// <param name="detector">The detector; not thread-safe, so not shared with a concurrent caller.</param>
    /// <param name="timestamps">The points' timestamps.</param>
    /// <param name="values">The points' values; same length as <paramref name="timestamps"/>.</param>
    /// <param name="destination">Receives one score per point; at least as long as the inputs.</param>
    /// <exception cref="ArgumentException">The spans' lengths do not match.</exception>
    public static void Score(this IAnomalyDetector detector, ReadOnlySpan<DateTimeOffset> timestamps, ReadOnlySpan<double> values, Span<AnomalyScore> destination)
    {
        ArgumentNullException.ThrowIfNull(detector);
        if (timestamps.Length != values.Length)
        {
            throw new ArgumentException($"{timestamps.Length} timestamps but {values.Length} values.", nameof(values));
        }

        if (destination.Length < values.Length)
        {
            throw new ArgumentException($"The destination holds {destination.Length} scores; {values.Length} are needed.", nameof(destination));
        }

        for (var i = 0; i < values.Length; i++)
        {
            destination[i] = detector.Update(timestamps[i], values[i]);
        }
    }

    /// <summary>Scores a series of points with a new detector from the catalogue.</summary>
    /// <param name="detectorName">A catalogue name (<see cref="DetectorNames"/>).</param>
    /// <param name="timestamps">The points' timestamps.</param>
    /// <param name="values">The points' values; same length as <paramref name="timestamps"/>.</param>
    /// <returns>One score per point.</returns>
    /// <exception cref="ArgumentException">The name is unknown or the lengths do not match.</exception>
    public static AnomalyScore[] Score(string detectorName, ReadOnlySpan<DateTimeOffset> timestamps, ReadOnlySpan<double> values)
    {
        var scores = new AnomalyScore[values.Length];
        DetectorCatalog.Create(detectorName).Score(timestamps, values, scores);
        return scores;
    }
}
