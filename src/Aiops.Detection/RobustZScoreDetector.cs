using System.ComponentModel.DataAnnotations;
using Aiops.Detection.Internal;

namespace Aiops.Detection;

/// <summary>
/// Robust z-score over a rolling window: z = (x - median) / (1.4826 · MAD), with the median and the median absolute
/// deviation of the previous <see cref="RobustZScoreOptions.WindowSize"/> points. The probability is the two-sided
/// normal confidence of z; the band is median ± the z that matches <see cref="AnomalyDetectorOptions.Threshold"/>.
/// With <see cref="RobustZScoreOptions.ScaleMemory"/> set, the scale is pooled over time instead: the root of a running mean of
/// the window's squared scale over about that many points, so a short window's noisy MAD does not make z heavy-tailed.
/// </summary>
/// <remarks>
/// Constant series have a MAD of 0: the scale then falls back to <see cref="RobustZScoreOptions.MinimumScale"/> (or a
/// tiny fraction of the median), so any departure from the constant is flagged. Not thread-safe.
/// </remarks>
public sealed partial class RobustZScoreDetector : AnomalyDetector
{
    /// <summary>The consistency constant that makes 1.4826 · MAD estimate σ for normal data.</summary>
    private const double MadToSigma = 1.482602218505602;

    private readonly RollingOrderStatistics _window;
    private readonly int _minimumPoints;
    private readonly double _minimumScale;
    private readonly double _bandZ;
    private readonly int _scaleMemory;
    private readonly bool _learnsResolution;
    private double _pooledVariance;
    private int _pooledCount;
    private int _tiesKey; // the tie count and window length _tiesQuantile was computed for
    private double _tiesQuantile;

    /// <summary>Initializes a new instance of the <see cref="RobustZScoreDetector"/> class.</summary>
    /// <param name="options">The options; <see langword="null"/> uses the defaults.</param>
    /// <exception cref="ValidationException">An option is out of range.</exception>
    public RobustZScoreDetector(RobustZScoreOptions? options = null)
        : base(DetectorNames.RobustZScore, options ??= new RobustZScoreOptions())
    {
        _window = new RollingOrderStatistics(options.WindowSize);
        _minimumPoints = Math.Min(options.MinimumPoints, options.WindowSize);
        _minimumScale = options.MinimumScale;
        _bandZ = Calibration.ZForConfidence(options.Threshold);
        _scaleMemory = options.ScaleMemory;
        _learnsResolution = options.LearnsResolution;
    }

    /// <inheritdoc />
    public override int StateSizeBytes => _window.StateSizeBytes + 104; // 80 B of scalars, the resolution and its tie cache

    /// <inheritdoc />
    protected override AnomalyScore UpdateCore(DateTimeOffset timestamp, double value)
    {
        if (_window.Count < _minimumPoints)
        {
            if (_learnsResolution)
            {
                LearnResolution(value);
            }

            LastEvicted = _window.Add(value);
            return AnomalyScore.WarmingUp(timestamp, value);
        }

        var median = _window.Median();
        var scale = Math.Max(MadToSigma * TiedDeviation(median, _window.MedianAbsoluteDeviation(median)), Math.Max(Math.Max(_minimumScale, MinimumScaleFloor), Calibration.ScaleFloor(median)));
        // A window of values near 1e155 or beyond has a finite scale whose square is not: pooled, it would keep the scale
        // infinite for good, so such a window is read by its own scale and left out of the pool.
        var square = scale * scale;
        if (_scaleMemory > 0 && _window.Count == _window.Capacity && double.IsFinite(square))
        {
            _pooledCount = Math.Min(_pooledCount + 1, _scaleMemory);
            _pooledVariance += (square - _pooledVariance) / _pooledCount;
            scale = Math.Sqrt(_pooledVariance);
        }

        var score = Calibration.GaussianScore(timestamp, value, median, scale, _bandZ, Threshold, Resolution);
        if (_learnsResolution)
        {
            LearnResolution(value);
        }

        LastEvicted = _window.Add(value);
        return score;
    }

    /// <summary>
    /// The step between the values the series takes, with <see cref="RobustZScoreOptions.LearnsResolution"/>: the smallest
    /// change between consecutive values seen so far; 0 (values read as continuous) before the first change, and always
    /// without the option.
    /// </summary>
    internal double Resolution { get; private set; }

    // A change of less than 1e-9 of the value is the rounding of a decimal reading, not a step of the data.
    private void LearnResolution(double value)
    {
        var change = Math.Abs(value - _window.Newest);
        if (change > 1e-9 * Math.Max(1, Math.Abs(value)) && (Resolution == 0 || change < Resolution))
        {
            Resolution = change;
        }
    }

    // A gauge of whole numbers with a σ of half a unit sits at its median two points in three: its MAD is 0, every other
    // value read as infinitely far, and the calibration of it learned only how often that happens. Read as a Gaussian rounded
    // to the resolution q, the share f of the window at the median is P(|X − m| < q / 2), so σ = (q / 2) / z(f), z the
    // two-sided normal quantile; that σ stands in for a MAD below one step. A window all at the median tells nothing (σ could
    // be any size under the step) and keeps its MAD of 0, as does one that ties less than half the time.
    private double TiedDeviation(double median, double mad)
    {
        if (!(mad < Resolution))
        {
            return mad;
        }

        var ties = _window.CountAtMost(median) - _window.CountBelow(median);
        var count = _window.Count;
        if (2 * ties < count || ties == count)
        {
            return mad;
        }

        // The quantile is an inverse error function: computed once per tie count, which changes seldom.
        var key = (ties << 13) | count; // the window holds at most 4,096 values
        if (key != _tiesKey)
        {
            _tiesKey = key;
            _tiesQuantile = Calibration.ZForConfidence((double)ties / count);
        }

        return Math.Max(mad, 0.5 * Resolution / _tiesQuantile / MadToSigma);
    }

    /// <summary>
    /// Gets or sets a floor on the scale besides <see cref="RobustZScoreOptions.MinimumScale"/>, which an owner that learns it
    /// as the series runs sets before each point (the ensemble's innovation member: half the data's resolution). Not part
    /// of the state. Default: 0.
    /// </summary>
    internal double MinimumScaleFloor { get; set; }

    /// <summary>
    /// The value the last update pushed out of the window (<see cref="RobustZScoreOptions.WindowSize"/> points old), or
    /// <see cref="double.NaN"/> while the window filled: the ensemble adds it to its range then.
    /// </summary>
    internal double LastEvicted { get; private set; } = double.NaN;

    /// <inheritdoc />
    protected override void ResetCore()
    {
        LastEvicted = double.NaN;
        _window.Clear();
        _pooledVariance = 0;
        _pooledCount = 0;
        Resolution = 0;
    }
}

/// <summary>Options of <see cref="RobustZScoreDetector"/>.</summary>
public sealed class RobustZScoreOptions : AnomalyDetectorOptions
{
    /// <summary>Gets or sets how many past points the median and MAD are computed over. Default: 64. Range: [4, 4096].</summary>
    [Range(4, 4096)]
    public int WindowSize { get; set; } = 64;

    /// <summary>Gets or sets how many points are absorbed before points are judged. Default: 16. Range: [2, 4096].</summary>
    [Range(2, 4096)]
    public int MinimumPoints { get; set; } = 16;

    /// <summary>
    /// Gets or sets over about how many points the scale is pooled (a running mean of the window's squared scale, once the
    /// window is full); 0 uses the window's own MAD at each point. A MAD from 32 points varies by about 20 % from point to
    /// point, which makes z heavy-tailed on plain noise; pooled, the scale follows a change of noise level over about this
    /// many points. Default: 0. Range: [0, 1,000,000].
    /// </summary>
    [Range(0, 1_000_000)]
    public int ScaleMemory { get; set; }

    /// <summary>Gets or sets the smallest scale (σ estimate) used, in the series' units; guards constant series. Default: 0 (a relative floor of 1e-6 · max(1, |median|) applies). Range: [0, ∞).</summary>
    [Range(0.0, double.MaxValue)]
    public double MinimumScale { get; set; }

    /// <summary>
    /// Gets a value indicating whether the detector learns the data's resolution (the smallest change between consecutive
    /// values) and reads values as rounded to it: an error is read half a step smaller, and a window mostly tied at its median
    /// gets its scale from how often it ties. Set by <see cref="EnsembleDetector"/> for its member. Default: false.
    /// </summary>
    internal bool LearnsResolution { get; init; }
}
