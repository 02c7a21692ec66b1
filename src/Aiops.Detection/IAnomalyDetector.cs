namespace Aiops.Detection;

/// <summary>
/// A streaming anomaly detector for one metric series: give it points in time order, one at a time,
/// and it answers each with an <see cref="AnomalyScore"/> computed from that point and the ones before it.
/// </summary>
/// <remarks>
/// Implementations are not thread-safe: one instance serves one series and is called by one thread at a time.
/// Use <see cref="DetectorSet"/> for many series.
/// </remarks>
public interface IAnomalyDetector
{
    /// <summary>Gets the detector's catalogue name (see <see cref="DetectorNames"/>).</summary>
    string Name { get; }

    /// <summary>Gets the approximate number of bytes this instance holds for its series.</summary>
    int StateSizeBytes { get; }

    /// <summary>Scores one point and learns from it.</summary>
    /// <param name="timestamp">The point's timestamp; must be later than the previous accepted point's.</param>
    /// <param name="value">The observed value.</param>
    /// <returns>The score. Invalid input is reported through <see cref="AnomalyScore.Status"/>, never thrown.</returns>
    AnomalyScore Update(DateTimeOffset timestamp, double value);

    /// <summary>Forgets everything learnt, as if the instance had just been created.</summary>
    void Reset();
}
