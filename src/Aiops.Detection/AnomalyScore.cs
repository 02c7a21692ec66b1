using System.Runtime.InteropServices;

namespace Aiops.Detection;

/// <summary>
/// What a detector made of one point: whether it was scored, the calibrated anomaly probability,
/// the detector's raw score and, where the algorithm has one, the expected value and its band.
/// </summary>
/// <remarks>
/// Create instances through the static factories (<see cref="Scored"/>, <see cref="WarmingUp"/>,
/// <see cref="Skipped"/>). The struct is immutable and therefore safe to share between threads.
/// </remarks>
[StructLayout(LayoutKind.Auto)]
public readonly record struct AnomalyScore
{
    private AnomalyScore(
        DateTimeOffset timestamp,
        double value,
        PointStatus status,
        double probability,
        double rawScore,
        double expected,
        double lower,
        double upper,
        bool isAnomaly)
    {
        Timestamp = timestamp;
        Value = value;
        Status = status;
        Probability = probability;
        RawScore = rawScore;
        Expected = expected;
        Lower = lower;
        Upper = upper;
        IsAnomaly = isAnomaly;
    }

    /// <summary>Gets the timestamp of the point this score belongs to.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>Gets the observed value of the point (as given, even when it was skipped).</summary>
    public double Value { get; }

    /// <summary>Gets whether the point was scored, used for warm-up, or skipped, and why.</summary>
    public PointStatus Status { get; }

    /// <summary>Gets the calibrated anomaly probability in [0, 1]; 0 for skipped and warm-up points.</summary>
    public double Probability { get; }

    /// <summary>Gets the detector's own, uncalibrated score (a z-score, a saliency ratio, a log-martingale...); 0 when not scored.</summary>
    public double RawScore { get; }

    /// <summary>Gets the value the detector expected, or <see cref="double.NaN"/> when the algorithm has no forecast.</summary>
    public double Expected { get; }

    /// <summary>Gets the lower edge of the normal band, or <see cref="double.NaN"/> when the algorithm has no band.</summary>
    public double Lower { get; }

    /// <summary>Gets the upper edge of the normal band, or <see cref="double.NaN"/> when the algorithm has no band.</summary>
    public double Upper { get; }

    /// <summary>Gets a value indicating whether <see cref="Probability"/> reached the detector's configured threshold.</summary>
    public bool IsAnomaly { get; }

    /// <summary>Gets a value indicating whether the detector is still warming up (the point trained it but was not judged).</summary>
    public bool IsWarmingUp => Status == PointStatus.WarmingUp;

    /// <summary>Gets a value indicating whether the point was rejected by input validation and did not change the detector.</summary>
    public bool IsSkipped => Status >= PointStatus.SkippedNonFinite;

    /// <summary>Gets a value indicating whether the algorithm produced an expected value and band for this point.</summary>
    public bool HasBand => !double.IsNaN(Lower) && !double.IsNaN(Upper);

    /// <summary>Creates the score of a judged point.</summary>
    /// <param name="timestamp">The point's timestamp.</param>
    /// <param name="value">The point's value.</param>
    /// <param name="probability">The anomaly probability; clamped to [0, 1].</param>
    /// <param name="rawScore">The detector's raw score.</param>
    /// <param name="threshold">The probability at or above which the point is flagged.</param>
    /// <param name="expected">The expected value, or <see cref="double.NaN"/>.</param>
    /// <param name="lower">The band's lower edge, or <see cref="double.NaN"/>.</param>
    /// <param name="upper">The band's upper edge, or <see cref="double.NaN"/>.</param>
    /// <returns>A score with <see cref="Status"/> = <see cref="PointStatus.Scored"/>.</returns>
    public static AnomalyScore Scored(
        DateTimeOffset timestamp,
        double value,
        double probability,
        double rawScore,
        double threshold,
        double expected = double.NaN,
        double lower = double.NaN,
        double upper = double.NaN)
    {
        var p = double.IsNaN(probability) ? 0 : Math.Clamp(probability, 0, 1);
        return new AnomalyScore(timestamp, value, PointStatus.Scored, p, rawScore, expected, lower, upper, p >= threshold);
    }

    /// <summary>Creates the score of a point that was absorbed while the detector warms up.</summary>
    /// <param name="timestamp">The point's timestamp.</param>
    /// <param name="value">The point's value.</param>
    /// <param name="expected">The expected value if the detector already has one, or <see cref="double.NaN"/>.</param>
    /// <param name="lower">The band's lower edge, or <see cref="double.NaN"/>.</param>
    /// <param name="upper">The band's upper edge, or <see cref="double.NaN"/>.</param>
    /// <returns>A score with probability 0 and <see cref="Status"/> = <see cref="PointStatus.WarmingUp"/>.</returns>
    public static AnomalyScore WarmingUp(
        DateTimeOffset timestamp,
        double value,
        double expected = double.NaN,
        double lower = double.NaN,
        double upper = double.NaN) =>
        new(timestamp, value, PointStatus.WarmingUp, 0, 0, expected, lower, upper, false);

    /// <summary>Creates the score of a point rejected by input validation.</summary>
    /// <param name="timestamp">The point's timestamp.</param>
    /// <param name="value">The point's value.</param>
    /// <param name="reason">Why the point was skipped; one of the <c>Skipped*</c> statuses.</param>
    /// <returns>A score with probability 0.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reason"/> is not a skip status.</exception>
    public static AnomalyScore Skipped(DateTimeOffset timestamp, double value, PointStatus reason)
    {
        if (reason < PointStatus.SkippedNonFinite || reason > PointStatus.SkippedDuplicate)
        {
            throw new ArgumentOutOfRangeException(nameof(reason), reason, "A skip reason must be one of the Skipped* statuses.");
        }

        return new AnomalyScore(timestamp, value, reason, 0, 0, double.NaN, double.NaN, double.NaN, false);
    }

    /// <summary>Returns a copy whose probability, raw score and flag are replaced; band and status are kept.</summary>
    internal AnomalyScore WithProbability(double probability, double rawScore, double threshold)
    {
        var p = double.IsNaN(probability) ? 0 : Math.Clamp(probability, 0, 1);
        return new AnomalyScore(Timestamp, Value, PointStatus.Scored, p, rawScore, Expected, Lower, Upper, p >= threshold);
    }
}

/// <summary>What happened to a point given to a detector.</summary>
public enum PointStatus : byte
{
    /// <summary>The point was judged and trained the detector.</summary>
    Scored = 0,

    /// <summary>The point trained the detector, which is not yet ready to judge.</summary>
    WarmingUp = 1,

    /// <summary>The value was NaN or ±Infinity; the point was ignored.</summary>
    SkippedNonFinite = 2,

    /// <summary>The timestamp was earlier than the last accepted point; the point was ignored.</summary>
    SkippedOutOfOrder = 3,

    /// <summary>The timestamp equalled the last accepted point's; the first value wins and this one was ignored.</summary>
    SkippedDuplicate = 4,
}
