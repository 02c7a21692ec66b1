using System.ComponentModel.DataAnnotations;
using Aiops.Detection.Internal;

namespace Aiops.Detection;

/// <summary>
/// Seasonal baseline: additive Holt-Winters (level, trend, one seasonal slot per phase) whose period is found automatically
/// from the autocorrelation of the warm-up points (or set with <see cref="SeasonalOptions.Period"/>). The forecast is the
/// expected value; the band is forecast ± z·σ where σ tracks the mean absolute forecast error. Updates are robust: a residual
/// beyond <see cref="SeasonalOptions.ClipSigmas"/>·σ moves the model only as far as the clip, so a spike does not bend the baseline.
/// </summary>
/// <remarks>
/// The warm-up buffer is released once the model is trained; the steady state holds one float per seasonal phase.
/// Not thread-safe.
/// </remarks>
public sealed partial class SeasonalDetector : AnomalyDetector
{
    private const double MeanAbsoluteToSigma = 1.2533141373155001;
    private readonly SeasonalOptions _options;
    private readonly double _bandZ;
    private double[]? _warmup;
    private int _warmupCount;
    private float[] _season = []; // float halves the state; Calibration.ScaleFloor sits above its rounding
    private int _phase;
    private double _level;
    private double _trend;
    private double _meanAbsoluteError;

    /// <summary>Initializes a new instance of the <see cref="SeasonalDetector"/> class.</summary>
    /// <param name="options">The options; <see langword="null"/> uses the defaults.</param>
    /// <exception cref="ValidationException">An option is out of range.</exception>
    public SeasonalDetector(SeasonalOptions? options = null)
        : base(DetectorNames.Seasonal, options ??= new SeasonalOptions())
    {
        _options = options;
        _bandZ = Calibration.ZForConfidence(options.Threshold);
        _warmup = new double[options.WarmupPoints];
    }

    /// <summary>Gets the seasonal period in points once warm-up has ended: 1 means no seasonality was found; 0 while warming up.</summary>
    public int Period => _season.Length;

    /// <inheritdoc />
    public override int StateSizeBytes => ((_warmup?.Length ?? 0) * sizeof(double)) + (_season.Length * sizeof(float)) + 104; // 96 B of scalars and the resolution

    /// <inheritdoc />
    protected override AnomalyScore UpdateCore(DateTimeOffset timestamp, double value)
    {
        if (_warmup is not null)
        {
            _warmup[_warmupCount++] = value;
            if (_warmupCount == _warmup.Length)
            {
                Train(_warmup);
                _warmup = null;
            }

            return AnomalyScore.WarmingUp(timestamp, value);
        }

        var forecast = _level + _trend + _season[_phase];
        var sigma = Sigma(forecast);
        Learn(value, forecast, sigma);
        return Calibration.GaussianScore(timestamp, value, forecast, sigma, _bandZ, Threshold, Resolution);
    }

    /// <summary>
    /// The step between the values the series can take, set by <see cref="EnsembleDetector"/> before each update (0, the
    /// default, reads values as continuous): an error is read half a step smaller (see <see cref="Calibration.GaussianScore"/>).
    /// </summary>
    internal double Resolution { get; set; }

    /// <inheritdoc />
    protected override void ResetCore()
    {
        _warmup = new double[_options.WarmupPoints];
        _warmupCount = 0;
        _season = [];
        _phase = 0;
        _level = _trend = _meanAbsoluteError = 0;
    }

    private double Sigma(double forecast) => Math.Max(MeanAbsoluteToSigma * _meanAbsoluteError, Calibration.ScaleFloor(forecast));

    private void Learn(double value, double forecast, double sigma)
    {
        var error = value - forecast;
        var clip = _options.ClipSigmas * sigma;
        var clipped = Math.Clamp(error, -clip, clip);
        var x = forecast + clipped;
        var season = _season[_phase];
        var level = (_options.Alpha * (x - season)) + ((1 - _options.Alpha) * (_level + _trend));
        _trend = (_options.Beta * (level - _level)) + ((1 - _options.Beta) * _trend);
        _level = level;
        if (_season.Length > 1)
        {
            _season[_phase] = (float)((_options.Gamma * (x - level)) + ((1 - _options.Gamma) * season));
        }

        _phase = _phase + 1 == _season.Length ? 0 : _phase + 1;
        _meanAbsoluteError += _options.ErrorSmoothing * (Math.Abs(clipped) - _meanAbsoluteError);
    }

    private void Train(double[] history)
    {
        var period = _options.Period > 0
            ? _options.Period
            : PeriodDetector.Detect(history, _options.MinPeriod, _options.MaxPeriod, _options.SeasonalityThreshold);
        _season = new float[period];
        var cycles = Math.Max(1, history.Length / period);
        var firstCycleMean = 0.0;
        for (var i = 0; i < period; i++)
        {
            firstCycleMean += history[i];
        }

        firstCycleMean /= period;
        if (period > 1)
        {
            for (var c = 0; c < cycles; c++)
            {
                double mean = 0;
                for (var i = 0; i < period; i++)
                {
                    mean += history[(c * period) + i];
                }

                mean /= period;
                for (var i = 0; i < period; i++)
                {
                    _season[i] += (float)((history[(c * period) + i] - mean) / cycles);
                }
            }
        }

        _level = firstCycleMean;
        _trend = 0;
        _meanAbsoluteError = InitialMeanAbsoluteError(history);
        _phase = 0;
        // Replay the warm-up so level, trend and error scale are settled before the first judged point.
        foreach (var v in history)
        {
            var forecast = _level + _trend + _season[_phase];
            Learn(v, forecast, Sigma(forecast));
        }
    }

    private static double InitialMeanAbsoluteError(double[] history)
    {
        double sum = 0;
        for (var i = 1; i < history.Length; i++)
        {
            sum += Math.Abs(history[i] - history[i - 1]);
        }

        return history.Length > 1 ? sum / (history.Length - 1) : 0;
    }
}

/// <summary>Options of <see cref="SeasonalDetector"/>.</summary>
public sealed class SeasonalOptions : AnomalyDetectorOptions
{
    /// <summary>Gets or sets the seasonal period in points; 0 detects it from the warm-up points. Default: 0. Range: [0, 10080].</summary>
    [Range(0, 10080)]
    public int Period { get; set; }

    /// <summary>Gets or sets the shortest period considered by detection. Default: 4. Range: [2, 10080].</summary>
    [Range(2, 10080)]
    public int MinPeriod { get; set; } = 4;

    /// <summary>Gets or sets the longest period considered by detection (288 = one day of 5-minute points). Default: 288. Range: [2, 10080].</summary>
    [Range(2, 10080)]
    public int MaxPeriod { get; set; } = 288;

    /// <summary>Gets or sets the autocorrelation a period must reach to count as seasonality. Default: 0.3. Range: [0, 1].</summary>
    [Range(0.0, 1.0)]
    public double SeasonalityThreshold { get; set; } = 0.3;

    /// <summary>Gets or sets how many points train the model before points are judged; at least two periods are needed to find one. Default: 600. Range: [8, 100000].</summary>
    [Range(8, 100_000)]
    public int WarmupPoints { get; set; } = 600;

    /// <summary>Gets or sets the level smoothing factor α. Default: 0.1. Range: [0, 1].</summary>
    [Range(0.0, 1.0)]
    public double Alpha { get; set; } = 0.1;

    /// <summary>Gets or sets the trend smoothing factor β. Default: 0.005. Range: [0, 1].</summary>
    [Range(0.0, 1.0)]
    public double Beta { get; set; } = 0.005;

    /// <summary>Gets or sets the seasonal smoothing factor γ. Default: 0.1. Range: [0, 1].</summary>
    [Range(0.0, 1.0)]
    public double Gamma { get; set; } = 0.1;

    /// <summary>Gets or sets how fast the error scale follows the absolute forecast errors. Default: 0.02. Range: (0, 1].</summary>
    [Range(1e-6, 1.0)]
    public double ErrorSmoothing { get; set; } = 0.02;

    /// <summary>Gets or sets how many σ a residual may move the model (robust updates). Default: 3. Range: [0.5, 100].</summary>
    [Range(0.5, 100.0)]
    public double ClipSigmas { get; set; } = 3;
}
