using System.ComponentModel.DataAnnotations;
using Aiops.Detection.Internal;

namespace Aiops.Detection;

/// <summary>
/// Makes a building-block detector usable on its own: its probability is turned into surprise (−ln of its tail probability),
/// the surprise is calibrated against the tail this series actually produces (peaks over threshold with a generalised Pareto
/// tail, Siffer et al. 2017), and a point is flagged when that tail, per unit of time, is rarer than
/// <see cref="AnomalyDetectorOptions.FalseAlarmsPerWeek"/>. After a flagged point, scores no stronger are damped for
/// <see cref="CalibratedOptions.RefractoryPoints"/> points, so an incident is reported once. The <see cref="DetectorCatalog"/>
/// creates every named building block wrapped in one.
/// </summary>
/// <remarks>
/// <see cref="AnomalyScore.Probability"/> and <see cref="AnomalyScore.RawScore"/> are as described for
/// <see cref="AnomalyDetector.RateScore"/>; the expected value and band are the inner detector's. Reports the inner detector's
/// <see cref="IAnomalyDetector.Name"/>. Not thread-safe.
/// </remarks>
public sealed partial class CalibratedDetector : AnomalyDetector
{
    private readonly AnomalyDetector _inner;
    private TailCalibration _calibration;
    private AlertDamping _damping;

    /// <summary>Initializes a new instance of the <see cref="CalibratedDetector"/> class.</summary>
    /// <param name="inner">The building block; owned by this instance from now on (do not feed it points yourself).</param>
    /// <param name="options">The options; <see langword="null"/> uses the defaults.</param>
    /// <exception cref="ValidationException">An option is out of range.</exception>
    public CalibratedDetector(AnomalyDetector inner, CalibratedOptions? options = null)
        : base(inner?.Name ?? throw new ArgumentNullException(nameof(inner)), options ??= new CalibratedOptions())
    {
        _inner = inner;
        _damping = new AlertDamping(options.RefractoryPoints, options.RefractoryDamping);
    }

    /// <inheritdoc />
    public override int StateSizeBytes => _inner.StateSizeBytes + 80;

    /// <inheritdoc />
    protected override AnomalyScore UpdateCore(DateTimeOffset timestamp, double value)
    {
        var score = _inner.UpdateValidated(timestamp, value);
        if (score.Status != PointStatus.Scored)
        {
            return score;
        }

        var surprise = Surprise.FromProbability(score.Probability);
        var calibrated = _calibration.TailSurprise(surprise, TailPrior.Surprise);
        var decided = _damping.Apply(calibrated, FlagSurprise);
        var result = SurpriseScore(timestamp, value, decided, decided, score.Expected, score.Lower, score.Upper);
        _calibration.Observe(surprise, TailPrior.Surprise);
        if (result.IsAnomaly)
        {
            _damping.Flagged(calibrated);
        }

        return result;
    }

    /// <inheritdoc />
    protected override void ResetCore()
    {
        _inner.Reset();
        _calibration = default;
        _damping.Clear();
    }
}

/// <summary>Options of <see cref="CalibratedDetector"/>; the sensitivity is <see cref="AnomalyDetectorOptions.FalseAlarmsPerWeek"/>.</summary>
public sealed class CalibratedOptions : AnomalyDetectorOptions
{
    /// <summary>Gets or sets for how many points after a flagged one weaker scores are damped. Default: 50. Range: [0, 100000].</summary>
    [Range(0, 100_000)]
    public int RefractoryPoints { get; set; } = 50;

    /// <summary>
    /// Gets or sets the factor applied to the calibrated surprise of points in the refractory period that are not stronger than
    /// the flagged one; such a point also reads at most this factor times the flagging level, so it is never flagged. Default:
    /// 0.5. Range: [0, 1].
    /// </summary>
    [Range(0.0, 1.0)]
    public double RefractoryDamping { get; set; } = 0.5;

    /// <inheritdoc />
    internal override bool FlagsByRate => true;
}
