using Aiops.Detection;
using Aiops.Detection.Tracking;

namespace Aiops.Correlation;

/// <summary>
/// The bridge from detection to correlation for one series: feeds a detector's scores to an <see cref="AnomalyTracker"/>
/// and produces the <see cref="AnomalySignal"/>s a <see cref="Correlator"/> needs — one at the onset, one every repeat
/// interval while the anomaly lasts (so correlation keeps it active), one when the series comes back inside its band or
/// leaves it again before the anomaly ends (<see cref="AnomalySignal.ReturningSince"/>: a pending episode fires only while
/// some member's evidence holds), and one with <see cref="AnomalySignal.EndedAt"/> when it ends. Signals carry the onset, the direction, the peak probability and, as magnitude, the largest robust deviation
/// from the pre-onset baseline (uncapped).
/// </summary>
/// <remarks>
/// <para>
/// Usage: one bridge per series next to its detector;
/// <c>if (bridge.Update(detector.Update(t, x), DateTimeOffset.UtcNow, out var signal) != AnomalySignalEvent.None) correlator.Add(signal!);</c>
/// The hosted detection stage of <c>Aiops.Hosting</c> does exactly this.
/// </para>
/// <para>
/// Per point: no allocation unless a signal is produced (the series' labels are copied once). Repeats are paced by the
/// caller's clock (<c>now</c>), because correlation ages anomalies on its own clock. Not thread-safe: one instance per
/// series, called by one thread at a time.
/// </para>
/// </remarks>
public sealed class AnomalySignalBridge
{
    /// <summary>The repeat interval used unless one is given: 60 seconds.</summary>
    public static readonly TimeSpan DefaultRepeatInterval = TimeSpan.FromSeconds(60);

    private readonly long _repeatTicks;
    private IReadOnlyDictionary<string, string>? _labels;
    private long _lastSentTicks;
    private double _sentMagnitude;
    private bool _sentReturning;

    /// <summary>Initializes a new instance of the <see cref="AnomalySignalBridge"/> class.</summary>
    /// <param name="series">The series; its text is the signals' fingerprint, its metric their name, its labels theirs.</param>
    /// <param name="tracking">The anomaly state's options; <see langword="null"/> uses the defaults.</param>
    /// <param name="repeatInterval">How often a lasting anomaly is re-sent; <see langword="null"/> uses <see cref="DefaultRepeatInterval"/>. Must be positive.</param>
    /// <exception cref="ArgumentNullException"><paramref name="series"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="repeatInterval"/> is not positive.</exception>
    /// <exception cref="System.ComponentModel.DataAnnotations.ValidationException">A tracking option is out of range.</exception>
    public AnomalySignalBridge(SeriesKey series, AnomalyTrackerOptions? tracking = null, TimeSpan? repeatInterval = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        var repeat = repeatInterval ?? DefaultRepeatInterval;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(repeat, TimeSpan.Zero, nameof(repeatInterval));
        Series = series;
        Tracker = new AnomalyTracker(tracking);
        _repeatTicks = repeat.Ticks;
    }

    /// <summary>Gets the series.</summary>
    public SeriesKey Series { get; }

    /// <summary>Gets the series' anomaly state.</summary>
    public AnomalyTracker Tracker { get; }

    /// <summary>Advances the series' anomaly state with a score flagged by the detector's own threshold.</summary>
    /// <param name="score">The detector's score of the series' next point.</param>
    /// <param name="now">The caller's clock, which paces repeats.</param>
    /// <param name="signal">The signal to send, or <see langword="null"/> when the result is <see cref="AnomalySignalEvent.None"/>.</param>
    /// <returns>What the point did.</returns>
    public AnomalySignalEvent Update(in AnomalyScore score, DateTimeOffset now, out AnomalySignal? signal) =>
        Update(score, score.IsAnomaly, now, out signal);

    /// <summary>Advances the series' anomaly state with a score.</summary>
    /// <param name="score">The detector's score of the series' next point.</param>
    /// <param name="flagged">Whether the point counts as anomalous (the caller's threshold on the score).</param>
    /// <param name="now">The caller's clock, which paces repeats.</param>
    /// <param name="signal">The signal to send, or <see langword="null"/> when the result is <see cref="AnomalySignalEvent.None"/>.</param>
    /// <returns>What the point did.</returns>
    public AnomalySignalEvent Update(in AnomalyScore score, bool flagged, DateTimeOffset now, out AnomalySignal? signal)
    {
        var transition = Tracker.Update(score, flagged);
        var kind = transition switch
        {
            AnomalyTransition.Started => AnomalySignalEvent.Onset,
            AnomalyTransition.Ended => AnomalySignalEvent.End,
            _ when Tracker.IsAnomalous && (now.UtcTicks - _lastSentTicks >= _repeatTicks || Grew(Tracker.PeakSeverity)
                || (Tracker.ReturningSince is not null) != _sentReturning) => AnomalySignalEvent.Repeat,
            _ => AnomalySignalEvent.None,
        };

        if (kind == AnomalySignalEvent.None)
        {
            signal = null;
            return kind;
        }

        _lastSentTicks = now.UtcTicks;
        signal = Signal();
        _sentMagnitude = signal.Magnitude;
        _sentReturning = signal.ReturningSince is not null;
        return kind;
    }

    // Whether the magnitude has doubled since it was last sent; one that was unknown (0) grows by becoming known, not by
    // staying 0, which every point would otherwise match.
    private bool Grew(double peak)
    {
        var magnitude = Magnitude(peak);
        return magnitude > 0 && magnitude >= 2 * _sentMagnitude;
    }

    private static double Magnitude(double peak) => double.IsFinite(peak) ? Math.Abs(peak) : 0;

    /// <summary>The signal of the current (or just ended) anomaly.</summary>
    /// <returns>A new signal.</returns>
    public AnomalySignal Signal()
    {
        var tracker = Tracker;
        var peak = tracker.PeakSeverity;
        var direction = peak > 0 ? Direction.Up : peak < 0 ? Direction.Down : Direction.None;
        var magnitude = Magnitude(peak);
        return new AnomalySignal(
            Series.ToString(),
            Series.Metric,
            tracker.Onset,
            _labels ??= Labels(Series),
            tracker.PeakProbability,
            direction,
            magnitude,
            tracker.IsAnomalous ? null : tracker.EndedAt,
            tracker.IsAnomalous ? AnomalyEndReason.None : tracker.EndReason)
        {
            ReturningSince = tracker.IsAnomalous ? tracker.ReturningSince : null,
        };
    }

    /// <summary>Forgets the series' baseline and anomaly (its detector was reset).</summary>
    public void Reset()
    {
        Tracker.Reset();
        _lastSentTicks = 0;
        _sentMagnitude = 0;
        _sentReturning = false;
    }

    private static Dictionary<string, string> Labels(SeriesKey series)
    {
        var labels = new Dictionary<string, string>(series.Labels.Count, StringComparer.Ordinal);
        foreach (var label in series.Labels)
        {
            labels[label.Key] = label.Value;
        }

        return labels;
    }
}

/// <summary>What a point did to a series' anomaly signal (see <see cref="AnomalySignalBridge"/>).</summary>
public enum AnomalySignalEvent
{
    /// <summary>Nothing to send.</summary>
    None = 0,

    /// <summary>An anomaly started: send its first signal.</summary>
    Onset = 1,

    /// <summary>The anomaly lasts and its repeat interval elapsed: send it again.</summary>
    Repeat = 2,

    /// <summary>The anomaly ended: send its end.</summary>
    End = 3,
}
