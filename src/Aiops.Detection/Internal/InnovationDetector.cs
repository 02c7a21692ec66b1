namespace Aiops.Detection.Internal;

/// <summary>
/// The ensemble's innovation member: a robust z-score of each point's innovation x_t − φ·x_(t−1), φ the series' lag-1
/// autocorrelation learned online, so a point is judged against what the last one predicts (an AR(1) model fitted as the
/// series runs; Box and Jenkins' prewhitening).
/// </summary>
/// <remarks>
/// <para>
/// Why: most service metrics are autocorrelated (a CPU percentage, a queue, a load that wanders), and a member that judges a
/// value against the level of its recent window reads the series' own wander as its noise. The innovation's scale is the
/// part of the noise the last point cannot predict, (1 − φ²)^½ of the level's: on a CPU percentage with φ = 0.8, 0.6 of it,
/// so a spike of 3 of the level's σ is 5 of the innovation's.
/// On a series without memory φ is near 0 and the member reads the level, as the robust z-score member does; on a random walk
/// φ is near 1 and it reads the first difference.
/// </para>
/// <para>
/// φ = the decayed lag-1 autocovariance over the decayed variance, around a decayed mean, all over about 1,000 points (the robust
/// member's scale memory), clamped to [0, 1]; a point is read with the φ learned before it. The innovation is read by a
/// robust z-score over 32 points (the robust member's window) with its scale pooled over about 1,000. The point after a gap
/// (a step of more than 3 mean steps) is not scored: its change is many steps' worth, not one innovation. On data of a
/// resolution q (whole numbers), x − φ·x' is not on a grid, and a window of nearly tied innovations has a MAD near 0: the
/// innovation's scale is at least q / 2, the uncertainty of a rounded value.
/// </para>
/// <para>Not thread-safe.</para>
/// </remarks>
internal sealed partial class InnovationDetector : AnomalyDetector
{
    /// <summary>The memory, in points, of the mean, variance and autocovariance φ is learned from.</summary>
    private const double Memory = 1000;

    /// <summary>A step longer than this many mean steps is a gap.</summary>
    private const double GapSteps = 3;

    /// <summary>The memory, in steps, of the mean step (as the base class learns its own; a step counts as at most this many means).</summary>
    private const int StepMemory = 100;

    /// <summary>How many steps are learned before a gap is told from the sampling.</summary>
    private const int StepsBeforeGaps = 10;

    private readonly RobustZScoreDetector _innovations;
    private double _previous = double.NaN;
    private long _previousTicks;
    private double _meanStep;
    private int _steps;
    private double _weight;
    private double _mean;
    private double _deviation = double.NaN; // the last point's, from the mean it joined
    private double _variance;
    private double _autocovariance;

    /// <summary>Initializes a new instance of the <see cref="InnovationDetector"/> class.</summary>
    /// <param name="options">The robust z-score's options, for the innovations (window, scale memory, telemetry).</param>
    public InnovationDetector(RobustZScoreOptions options)
        : base("innovation", options) => _innovations = new RobustZScoreDetector(options);

    /// <summary>
    /// Gets or sets the step between the values the series takes (0 when continuous), as the ensemble has learned it: the
    /// innovation's scale is at least half of it. Set before each point; not part of the state.
    /// </summary>
    internal double Resolution { get; set; }

    /// <summary>Gets the autocorrelation the next point will be read with, in [0, 1].</summary>
    internal double Phi => _variance > 0 ? Math.Clamp(_autocovariance / _variance, 0, 1) : 0;

    /// <inheritdoc />
    public override int StateSizeBytes => _innovations.StateSizeBytes + 80; // 8 doubles, a long and a count

    /// <inheritdoc />
    protected override AnomalyScore UpdateCore(DateTimeOffset timestamp, double value)
    {
        var previous = _previous;
        var phi = Phi;
        var ticks = timestamp.UtcTicks;
        var step = (double)(ticks - _previousTicks);
        _previous = value;
        _previousTicks = ticks;
        Learn(value);
        if (double.IsNaN(previous))
        {
            return AnomalyScore.WarmingUp(timestamp, value);
        }

        _steps = Math.Min(_steps + 1, StepMemory);
        var gap = _steps > StepsBeforeGaps && step > GapSteps * _meanStep;
        _meanStep += (Math.Min(step, _steps == 1 ? step : StepMemory * _meanStep) - _meanStep) / _steps;
        if (gap)
        {
            return AnomalyScore.WarmingUp(timestamp, value);
        }

        var predicted = phi * previous;
        var innovation = value - predicted;
        if (!double.IsFinite(innovation))
        {
            return AnomalyScore.WarmingUp(timestamp, value); // the difference of two values near ±1.8e308
        }

        _innovations.MinimumScaleFloor = 0.5 * Resolution;
        var score = _innovations.UpdateValidated(timestamp, innovation);
        return score.Status != PointStatus.Scored
            ? AnomalyScore.WarmingUp(timestamp, value)
            : AnomalyScore.Scored(timestamp, value, score.Probability, score.RawScore, Threshold, predicted + score.Expected, predicted + score.Lower, predicted + score.Upper);
    }

    /// <inheritdoc />
    protected override void ResetCore()
    {
        _innovations.Reset();
        _previous = _deviation = double.NaN;
        _previousTicks = 0;
        _meanStep = _weight = _mean = _variance = _autocovariance = 0;
        _steps = 0;
    }

    // The point joins the mean, variance and autocovariance after it was read. A value whose products overflow (near 1e155 or
    // beyond) is left out of the moments: once infinite, they would stay so, and φ would be NaN for good.
    private void Learn(double value)
    {
        var mean = _mean + ((value - _mean) / Math.Min(_weight + 1, Memory));
        var deviation = value - mean;
        var square = deviation * deviation;
        var lagged = deviation * _deviation;
        if (!double.IsFinite(square) || !double.IsFinite(mean))
        {
            _deviation = double.NaN;
            return;
        }

        _weight = Math.Min(_weight + 1, Memory);
        _mean = mean;
        if (!double.IsNaN(_deviation) && double.IsFinite(lagged))
        {
            _variance += (square - _variance) / _weight;
            _autocovariance += (lagged - _autocovariance) / _weight;
        }

        _deviation = deviation;
    }
}
