using Aiops.Detection;

namespace Aiops.Backtest;

/// <summary>
/// For measurement only (<c>log:NAME</c>): a detector fed a variance-stabilised copy of the series. The first
/// <see cref="LearningPoints"/> accepted points fix the transform once, causally: when none of them is negative, each value
/// x becomes sign(x)·ln(1 + |x| / c), c their median (their mean when the median is 0, 1 when both are), so counts whose
/// noise grows with their level (bursty volumes) are read on a multiplicative scale; a series with a negative value among
/// them is passed through unchanged. Those points are held back and answered as warming up, then replayed, transformed, into
/// the inner detector, whose scores are kept as they are (probability, raw score, flag); the value reported is the one given
/// and the expected value and band are mapped back to the series' scale. Does not implement <see cref="IStateSnapshot"/> nor
/// <see cref="IPrimedDetector"/> (the range a primed detector is told is in the untransformed scale). Not thread-safe.
/// </summary>
internal sealed class TransformDetector : IAnomalyDetector
{
    /// <summary>The prefix of a transformed detector's name: <c>log:NAME</c>, NAME a name <see cref="BacktestDetectors"/> accepts.</summary>
    public const string Prefix = "log:";

    /// <summary>
    /// The number of points the transform is learned from: the ensemble's shortest warm-up (it flags nothing before its
    /// 100th point), so holding them back delays none of its flags, and enough for a median to be stable.
    /// </summary>
    public const int LearningPoints = 100;

    private readonly IAnomalyDetector _inner;
    private readonly DateTimeOffset[] _heldTimes = new DateTimeOffset[LearningPoints];
    private readonly double[] _heldValues = new double[LearningPoints];
    private int _held;
    private long _lastTicks = long.MinValue;

    // NaN until learned; 0 when the series passes through unchanged.
    private double _scale = double.NaN;

    /// <summary>Initializes a new instance of the <see cref="TransformDetector"/> class.</summary>
    /// <param name="name">The name, <c>log:NAME</c>.</param>
    /// <param name="inner">The detector that reads the transformed values.</param>
    public TransformDetector(string name, IAnomalyDetector inner)
    {
        Name = name;
        _inner = inner;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int StateSizeBytes => _inner.StateSizeBytes + (LearningPoints * (sizeof(long) + sizeof(double))) + 24;

    /// <summary>Gets the learned scale c: NaN while learning, 0 when the series passes through unchanged.</summary>
    public double Scale => _scale;

    /// <summary>Parses <c>log:NAME</c> into the inner detector's name.</summary>
    /// <param name="name">The name.</param>
    /// <param name="inner">The inner detector's name.</param>
    /// <returns><see langword="true"/> when the inner name is known and not itself transformed.</returns>
    public static bool TryParse(string name, out string inner)
    {
        inner = string.Empty;
        if (!name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var rest = name[Prefix.Length..];
        if (rest.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || !BacktestDetectors.IsKnown(rest))
        {
            return false;
        }

        inner = rest;
        return true;
    }

    /// <summary>Learns the scale c from the first points: 0 (identity) when one is negative, else median, mean, or 1.</summary>
    /// <param name="values">The learning points, all finite.</param>
    /// <returns>The scale: 0 for the identity, else a positive number.</returns>
    public static double LearnScale(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty)
        {
            return 1;
        }

        var sorted = values.ToArray();
        Array.Sort(sorted);
        if (sorted[0] < 0)
        {
            return 0;
        }

        var middle = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] / 2) + (sorted[middle] / 2);
        if (median > 0)
        {
            return median;
        }

        var mean = 0.0;
        foreach (var v in sorted)
        {
            mean += v / sorted.Length;
        }

        return mean > 0 ? mean : 1;
    }

    /// <summary>Maps a value: sign(x)·ln(1 + |x| / c); the identity when c is 0. Finite for every finite x.</summary>
    /// <param name="value">The value.</param>
    /// <param name="scale">The scale c (0: identity).</param>
    /// <returns>The transformed value.</returns>
    public static double Forward(double value, double scale)
    {
        if (scale == 0 || !double.IsFinite(value))
        {
            return value;
        }

        var magnitude = Math.Abs(value);
        var ratio = magnitude / scale;
        var y = double.IsFinite(ratio) ? LogOnePlus(ratio) : Math.Log(magnitude) - Math.Log(scale);
        return value < 0 ? -y : y;
    }

    /// <summary>Maps a transformed value back: sign(y)·c·(e^|y| − 1); the identity when c is 0.</summary>
    /// <param name="value">The transformed value (NaN stays NaN).</param>
    /// <param name="scale">The scale c (0: identity).</param>
    /// <returns>The value on the series' scale (may be infinite for a band edge far out).</returns>
    public static double Inverse(double value, double scale)
    {
        if (scale == 0 || double.IsNaN(value))
        {
            return value;
        }

        var x = scale * ExpMinusOne(Math.Abs(value));
        return value < 0 ? -x : x;
    }

    /// <inheritdoc />
    public AnomalyScore Update(DateTimeOffset timestamp, double value)
    {
        if (!double.IsNaN(_scale))
        {
            return Rewrap(_inner.Update(timestamp, Forward(value, _scale)), value);
        }

        // Learning: the checks the inner detector makes (AnomalyDetector.Update), so only points it would accept are held.
        if (!double.IsFinite(value))
        {
            return AnomalyScore.Skipped(timestamp, value, PointStatus.SkippedNonFinite);
        }

        var ticks = timestamp.UtcTicks;
        if (ticks <= _lastTicks)
        {
            return AnomalyScore.Skipped(timestamp, value, ticks == _lastTicks ? PointStatus.SkippedDuplicate : PointStatus.SkippedOutOfOrder);
        }

        _lastTicks = ticks;
        _heldTimes[_held] = timestamp;
        _heldValues[_held++] = value;
        if (_held < LearningPoints)
        {
            return AnomalyScore.WarmingUp(timestamp, value);
        }

        _scale = LearnScale(_heldValues);
        var last = default(AnomalyScore);
        for (var i = 0; i < _held; i++)
        {
            last = _inner.Update(_heldTimes[i], Forward(_heldValues[i], _scale));
        }

        _held = 0;
        return Rewrap(last, value);
    }

    /// <inheritdoc />
    public void Reset()
    {
        _inner.Reset();
        _held = 0;
        _lastTicks = long.MinValue;
        _scale = double.NaN;
    }

    // ln(1 + r) and e^y − 1 without the rounding of 1 + r and of e^y near 1 (Kahan's correction), so a value far below the
    // scale maps to a non-zero value and back.
    private static double LogOnePlus(double r)
    {
        var u = 1 + r;
        return u == 1 ? r : Math.Log(u) * (r / (u - 1));
    }

    private static double ExpMinusOne(double y)
    {
        var u = Math.Exp(y);
        return u == 1 ? y : double.IsInfinity(u) ? u : (u - 1) * (y / Math.Log(u));
    }

    // The inner score with the given value and the band on the series' scale; the flag is kept exactly (threshold 0 or +∞).
    private AnomalyScore Rewrap(AnomalyScore score, double value) => score.Status switch
    {
        PointStatus.Scored => AnomalyScore.Scored(
            score.Timestamp,
            value,
            score.Probability,
            score.RawScore,
            score.IsAnomaly ? 0 : double.PositiveInfinity,
            Inverse(score.Expected, _scale),
            Inverse(score.Lower, _scale),
            Inverse(score.Upper, _scale)),
        PointStatus.WarmingUp => AnomalyScore.WarmingUp(
            score.Timestamp, value, Inverse(score.Expected, _scale), Inverse(score.Lower, _scale), Inverse(score.Upper, _scale)),
        _ => AnomalyScore.Skipped(score.Timestamp, value, score.Status),
    };
}
