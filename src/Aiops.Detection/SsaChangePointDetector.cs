using System.ComponentModel.DataAnnotations;
using Aiops.Detection.Internal;

namespace Aiops.Detection;

/// <summary>
/// SSA change-point detection, the behaviour ML.NET documents for its SSA change-point detector: a Singular Spectrum Analysis
/// model (trajectory matrix of the first <see cref="SsaChangePointOptions.TrainingSize"/> points, its SVD, and the linear
/// recurrent formula of the leading components) forecasts each point one step ahead; the forecast error's conformal p-value
/// against recent errors feeds a restarting power martingale. <see cref="AnomalyScore.RawScore"/> is the log-martingale and
/// probability = 1 − 1/M. The expected value is the forecast; the band is the forecast plus the central error quantiles.
/// </summary>
/// <remarks>
/// Training allocates once, when warm-up ends, and releases the warm-up buffer; steady-state updates allocate nothing. Series
/// up to about 1e150 in magnitude are fitted as any other; beyond, where the model's arithmetic overflows, a training that
/// fails starts again on the points that follow, and a model whose forecast is not finite trains again (both counted as
/// <c>aiops.detection.relearned</c>): the detector then warms up rather than throw or score NaN. Not thread-safe.
/// </remarks>
public sealed partial class SsaChangePointDetector : AnomalyDetector
{
    private readonly SsaChangePointOptions _options;
    private readonly ConformalTest _errors;
    private double[]? _training;
    private readonly double _tail;
    private SsaForecaster _forecaster;
    private int _trainingCount;

    /// <summary>Initializes a new instance of the <see cref="SsaChangePointDetector"/> class.</summary>
    /// <param name="options">The options; <see langword="null"/> uses the defaults.</param>
    /// <exception cref="ValidationException">An option is out of range.</exception>
    public SsaChangePointDetector(SsaChangePointOptions? options = null)
        : base(DetectorNames.SsaChangePoint, options ??= new SsaChangePointOptions())
    {
        if (options.TrainingSize < 2 * options.WindowSize)
        {
            throw new ValidationException($"{nameof(SsaChangePointOptions)}.{nameof(options.TrainingSize)} ({options.TrainingSize}) must be at least twice {nameof(options.WindowSize)} ({options.WindowSize}).");
        }

        _options = options;
        _errors = new ConformalTest(options.HistoryLength, options.Epsilon, options.Side, options.Martingale);
        _training = new double[options.TrainingSize];
        _tail = (1 - options.Threshold) / 2;
        _forecaster = new SsaForecaster(options.WindowSize, options.TrainingSize, options.Rank);
    }

    /// <inheritdoc />
    public override int StateSizeBytes => _forecaster.StateSizeBytes + _errors.StateSizeBytes + ((_training?.Length ?? 0) * sizeof(double)) + 64;

    /// <inheritdoc />
    protected override AnomalyScore UpdateCore(DateTimeOffset timestamp, double value)
    {
        if (_training is not null)
        {
            _training[_trainingCount++] = value;
            if (_trainingCount == _training.Length)
            {
                if (TryTrain())
                {
                    _training = null; // the model keeps what it needs; the warm-up points are not state
                }
                else
                {
                    // A series the model cannot be fitted to (values near ±double.MaxValue, whose covariance overflows):
                    // counted, and the training starts again on the points that follow.
                    CountRelearned(RelearnReason.FailedTraining);
                    _trainingCount = 0;
                    _forecaster = new SsaForecaster(_options.WindowSize, _options.TrainingSize, _options.Rank);
                }
            }

            return AnomalyScore.WarmingUp(timestamp, value);
        }

        var forecast = _forecaster.Predict();
        if (!double.IsFinite(forecast))
        {
            // The formula overflowed on values near ±double.MaxValue: the model is trained again rather than score NaN.
            CountRelearned(RelearnReason.NonFiniteState);
            ResetCore();
            return AnomalyScore.WarmingUp(timestamp, value);
        }

        _forecaster.Observe(value);
        var error = value - forecast;
        if (_errors.Count < _options.MinimumPoints)
        {
            _errors.Observe(error);
            return AnomalyScore.WarmingUp(timestamp, value, forecast);
        }

        var logMartingale = _errors.Bet(_errors.PValue(error));
        var lower = forecast + _errors.Quantile(_tail);
        var upper = forecast + _errors.Quantile(1 - _tail);
        _errors.Observe(error);
        return AnomalyScore.Scored(timestamp, value, 1 - Math.Exp(-logMartingale), logMartingale, Threshold, forecast, lower, upper);
    }

    // Trains the model on the warm-up points; false when it cannot be fitted (the eigendecomposition fails on a covariance
    // that overflows, or the formula is not finite).
    private bool TryTrain()
    {
        try
        {
            _forecaster.Train(_training);
        }
        catch (Exception e) when (e is ArithmeticException or IndexOutOfRangeException or InvalidOperationException or ArgumentException)
        {
            return false;
        }

        return double.IsFinite(_forecaster.Predict());
    }

    /// <inheritdoc />
    protected override void ResetCore()
    {
        _errors.Clear();
        _trainingCount = 0;
        _training = new double[_options.TrainingSize];
        _forecaster = new SsaForecaster(_options.WindowSize, _options.TrainingSize, _options.Rank);
    }
}

/// <summary>Options of <see cref="SsaChangePointDetector"/>.</summary>
public sealed class SsaChangePointOptions : MartingaleOptions
{
    /// <summary>Initializes a new instance of the <see cref="SsaChangePointOptions"/> class.</summary>
    /// <remarks>
    /// The default martingale is <see cref="MartingaleKind.Mixture"/>: the SSA forecast re-anchors to a new level within one
    /// window, so a change shows as a short burst of moderately small p-values, which the power martingale cannot accumulate.
    /// </remarks>
    public SsaChangePointOptions() => Martingale = MartingaleKind.Mixture;

    /// <summary>Gets or sets the SSA window L (embedding dimension; ML.NET's <c>seasonalWindowSize</c>): about one seasonal cycle. Default: 24. Range: [2, 512].</summary>
    [Range(2, 512)]
    public int WindowSize { get; set; } = 24;

    /// <summary>Gets or sets how many points train the SSA model (ML.NET's <c>trainingWindowSize</c>); at least 2 · <see cref="WindowSize"/>. Default: 240. Range: [4, 100000].</summary>
    [Range(4, 100_000)]
    public int TrainingSize { get; set; } = 240;

    /// <summary>
    /// Gets or sets the number of components kept, the level counting as one (constant 1, trend 2, sine on a level 3); 0 picks
    /// the smallest rank whose one-step error on the training points is within 5 % of the best. Default: 0. Range: [0, 512].
    /// </summary>
    [Range(0, 512)]
    public int Rank { get; set; }
}
