namespace Aiops.Detection.Internal;

/// <summary>
/// How a seasonal forecast's error scale varies along its period, as a factor of the series' error scale for each of at most
/// <see cref="Segments"/> segments of the period: a heap collected every two hours errs twenty times as much at the
/// collection as on the climb between, and request counts at their daily peak more than at night. Each factor is the
/// decayed mean ratio of its segment's absolute errors to the series' error scale, and is used only as far as it has
/// predicted the next error: the factor read is 1 + w·(f − 1), w the online regression, through the origin and out of sample
/// (each factor as it was before the point), of the point's ratio − 1 on its segment's factor − 1, clamped to [0, 1]. On a
/// series whose scale does not vary along the period, the factors are noise (a segment of a day at 5-minute steps holds 9
/// points a day), w stays near 0 and the scale reads as one for the whole period. Read in full (a variant measured outside
/// the repository), that noise made the member's tail heavier: the probe's 3σ spike on a daily pattern (`probe --base
/// DailyPattern --sigmas 3 --series 40`, at six points from 2,880 to 3,080) was found 118 times in 240 instead of 154 with
/// one scale, and 155 read this way. Mutable struct; not thread-safe.
/// </summary>
internal partial struct SeasonalScale
{
    /// <summary>
    /// The most segments a period is cut into (a period shorter has one per phase): 45 minutes of a day at 5-minute steps, 9
    /// points a day in each. The development set (`eng/nab.sh --cv ensemble`, in-sample / cross-validated) rises up to 24
    /// segments (8: 68.8 / 62.5, 16: 70.3 / 63.5) and stays within a point in-sample from there (24: 73.4, 32: 72.9, 48:
    /// 73.1, one per phase: 72.7), while its cross-validated figure swings with one category's threshold (71.8, 69.8, 66.3,
    /// 70.8); 32 is inside that plateau, not its best cross-validated point.
    /// </summary>
    public const int Segments = 32;

    // A factor stays within a hundredfold of the series' scale either way, so the division by it stays safe.
    private const float MinFactor = 0.01f;
    private const float MaxFactor = 100f;

    private float[] _factors;
    private double _crossMoment; // decayed mean of (ratio − 1)·(factor − 1), the factor as it was before the point
    private double _factorMoment; // decayed mean of (factor − 1)², the same factors
    private long _updates;

    /// <summary>A scale of one for the whole period until <see cref="Start"/>.</summary>
    public SeasonalScale() => _factors = [];

    /// <summary>Gets the state bytes: a float per segment, two moments and a count.</summary>
    public readonly int StateSizeBytes => (_factors.Length * sizeof(float)) + 24;

    /// <summary>Starts learning the factors of a period of <paramref name="period"/> phases, all 1 (none when it is 1).</summary>
    public static SeasonalScale Start(int period)
    {
        var scale = new SeasonalScale { _factors = period > 1 ? new float[Math.Min(Segments, period)] : [] };
        Array.Fill(scale._factors, 1f);
        return scale;
    }

    /// <summary>The factor of the series' error scale at <paramref name="phase"/> of <paramref name="period"/>: 1 before <see cref="Start"/>.</summary>
    public readonly double Factor(int phase, int period)
    {
        if (_factors.Length == 0)
        {
            return 1;
        }

        var weight = _factorMoment > 0 ? Math.Clamp(_crossMoment / _factorMoment, 0, 1) : 0;
        return 1 + (weight * (_factors[Segment(phase, period)] - 1.0));
    }

    /// <summary>
    /// Learns one point's <paramref name="ratio"/> of its absolute error to the series' error scale at
    /// <paramref name="phase"/>, with the series' error smoothing: a segment's factor learns its own points at that rate (a
    /// running mean while the points learned per segment, all the period's points over the segments, are fewer than
    /// 1 / <paramref name="smoothing"/>: a segment visited less often than the others starts at the others' pace), the moments
    /// the whole period's points.
    /// </summary>
    public void Learn(int phase, int period, double ratio, double smoothing)
    {
        if (_factors.Length == 0)
        {
            return;
        }

        ref var factor = ref _factors[Segment(phase, period)];
        var excess = factor - 1.0;
        var cross = (ratio - 1) * excess;

        // A ratio beyond any double (an error over a scale that has decayed to almost nothing) would make the moments infinite,
        // then NaN, for good: such a point teaches nothing.
        if (!double.IsFinite(cross) || !double.IsFinite(ratio))
        {
            return;
        }

        // Two huge ratios close together could still overflow the cross moment (then Inf − Inf): such a point is skipped too.
        var momentSmoothing = Math.Max(smoothing / _factors.Length, 1.0 / (_updates + 2));
        var crossMoment = _crossMoment + (momentSmoothing * (cross - _crossMoment));
        if (!double.IsFinite(crossMoment))
        {
            return;
        }

        _crossMoment = crossMoment;
        _factorMoment += momentSmoothing * ((excess * excess) - _factorMoment);
        var factorSmoothing = Math.Max(smoothing, 1.0 / (((double)_updates / _factors.Length) + 2));
        factor = (float)Math.Clamp(factor + (factorSmoothing * (ratio - factor)), MinFactor, MaxFactor);
        _updates++;
    }

    private readonly int Segment(int phase, int period) => (int)((long)phase * _factors.Length / period);
}
