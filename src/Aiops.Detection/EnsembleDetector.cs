using System.ComponentModel.DataAnnotations;
using Aiops.Detection.Internal;

namespace Aiops.Detection;

/// <summary>
/// The default detector of Aiops. It runs several detectors over the same points, turns each one's probability into
/// surprise (−ln of its tail probability), keeps the largest, and calibrates that against the series' own recent surprise
/// (the "anomaly likelihood" idea of Ahmad et al. 2017): a short-term mean of surprise far above its long-term mean is
/// anomalous, a series that is always surprising is not. After a flagged point, scores are damped for
/// <see cref="EnsembleOptions.RefractoryPoints"/> points unless they are stronger than the flagged one, so one incident
/// yields one alert rather than a storm.
/// </summary>
/// <remarks>
/// Expected value and band come from the seasonal member. Components: robust z-score, seasonal Holt-Winters and the IID
/// change-point martingale. Not thread-safe.
/// </remarks>
public sealed class EnsembleDetector : AnomalyDetector
{
    private const double MaxSurprise = 30; // −ln(1e-13): beyond double precision of 1 − p
    private readonly AnomalyDetector[] _members;
    private readonly double[] _shortWindow;
    private readonly EnsembleOptions _options;
    private int _shortIndex;
    private double _shortSum;
    private double _mean;
    private double _variance;
    private int _scored;
    private int _refractory;
    private double _refractoryLevel;

    /// <summary>Initializes a new instance of the <see cref="EnsembleDetector"/> class.</summary>
    /// <param name="options">The options; <see langword="null"/> uses the defaults.</param>
    /// <exception cref="ValidationException">An option is out of range.</exception>
    public EnsembleDetector(EnsembleOptions? options = null)
        : base(DetectorNames.Ensemble, options ??= new EnsembleOptions())
    {
        _options = options;
        _members =
        [
            new SeasonalDetector(new SeasonalOptions { Telemetry = options.Telemetry }),
            new RobustZScoreDetector(new RobustZScoreOptions { Telemetry = options.Telemetry, WindowSize = 64 }),
            new IidChangePointDetector(new IidChangePointOptions { Telemetry = options.Telemetry }),
        ];
        _shortWindow = new double[options.ShortWindow];
    }

    /// <inheritdoc />
    public override int StateSizeBytes
    {
        get
        {
            var size = (_shortWindow.Length * sizeof(double)) + 96;
            foreach (var member in _members)
            {
                size += member.StateSizeBytes;
            }

            return size;
        }
    }

    /// <inheritdoc />
    protected override AnomalyScore UpdateCore(DateTimeOffset timestamp, double value)
    {
        double surprise = 0;
        var band = default(AnomalyScore);
        var anyScored = false;
        foreach (var member in _members)
        {
            var score = member.UpdateValidated(timestamp, value);
            if (score.Status != PointStatus.Scored)
            {
                continue;
            }

            anyScored = true;
            if (!band.HasBand && score.HasBand)
            {
                band = score;
            }

            surprise = Math.Max(surprise, Math.Min(MaxSurprise, -Math.Log(Math.Max(1 - score.Probability, 1e-300))));
        }

        if (!anyScored)
        {
            return AnomalyScore.WarmingUp(timestamp, value);
        }

        _shortSum += surprise - _shortWindow[_shortIndex];
        _shortWindow[_shortIndex] = surprise;
        _shortIndex = (_shortIndex + 1) % _shortWindow.Length;

        var shortMean = _shortSum / _shortWindow.Length;
        var probability = 0.0;
        var z = 0.0;
        if (_scored >= _options.LikelihoodWarmupPoints)
        {
            var sd = Math.Sqrt(Math.Max(_variance, 1e-6));
            z = (shortMean - _mean) / sd;
            probability = z > 0 ? Calibration.TwoSidedConfidence(z) : 0;
            if (_refractory > 0 && z <= _refractoryLevel)
            {
                _refractory--;
                probability *= _options.RefractoryDamping;
            }
            else if (probability >= Threshold)
            {
                // A stronger event than the one that opened the refractory period still gets through, and restarts it.
                _refractory = _options.RefractoryPoints;
                _refractoryLevel = z;
            }
        }

        // Long-term statistics of surprise, updated after judging so a point is not compared with itself.
        _scored++;
        var rate = Math.Max(1.0 / _scored, _options.LikelihoodSmoothing);
        var delta = shortMean - _mean;
        _mean += rate * delta;
        _variance = (1 - rate) * (_variance + (rate * delta * delta));

        return band.HasBand
            ? AnomalyScore.Scored(timestamp, value, probability, z, Threshold, band.Expected, band.Lower, band.Upper)
            : AnomalyScore.Scored(timestamp, value, probability, z, Threshold);
    }

    /// <inheritdoc />
    protected override void ResetCore()
    {
        foreach (var member in _members)
        {
            member.Reset();
        }

        Array.Clear(_shortWindow);
        _shortIndex = 0;
        _shortSum = _mean = _variance = 0;
        _scored = _refractory = 0;
        _refractoryLevel = 0;
    }
}

/// <summary>Options of <see cref="EnsembleDetector"/>.</summary>
public sealed class EnsembleOptions : AnomalyDetectorOptions
{
    /// <summary>Gets or sets how many recent points the short-term surprise is averaged over. Default: 3. Range: [1, 256].</summary>
    [Range(1, 256)]
    public int ShortWindow { get; set; } = 3;

    /// <summary>Gets or sets the smoothing rate of the long-term surprise mean and variance (≈ 1 / memory in points). Default: 0.002. Range: (0, 1].</summary>
    [Range(1e-6, 1.0)]
    public double LikelihoodSmoothing { get; set; } = 0.002;

    /// <summary>Gets or sets how many scored points calibrate the likelihood before it is reported. Default: 50. Range: [1, 100000].</summary>
    [Range(1, 100_000)]
    public int LikelihoodWarmupPoints { get; set; } = 50;

    /// <summary>Gets or sets for how many points after a flagged one scores are damped. Default: 50. Range: [0, 100000].</summary>
    [Range(0, 100_000)]
    public int RefractoryPoints { get; set; } = 50;

    /// <summary>Gets or sets the factor applied to scores during the refractory period. Default: 0.5. Range: [0, 1].</summary>
    [Range(0.0, 1.0)]
    public double RefractoryDamping { get; set; } = 0.5;
}
