using System.ComponentModel.DataAnnotations;
using Aiops.Detection.Internal;

namespace Aiops.Detection;

/// <summary>
/// IID spike detection: each value's conformal p-value against the previous <see cref="ConformalOptions.HistoryLength"/>
/// values, as ML.NET documents for its IID spike detector. Probability = 1 - p; <see cref="AnomalyScore.RawScore"/> is the p-value;
/// the expected value is the history's median and the band its central quantiles at the configured threshold.
/// </summary>
/// <remarks>Assumes the values are exchangeable (no trend or seasonality). Not thread-safe.</remarks>
public sealed partial class IidSpikeDetector : AnomalyDetector
{
    private readonly ConformalTest _test;
    private readonly int _minimumPoints;
    private readonly double _tail;

    /// <summary>Initializes a new instance of the <see cref="IidSpikeDetector"/> class.</summary>
    /// <param name="options">The options; <see langword="null"/> uses the defaults.</param>
    /// <exception cref="ValidationException">An option is out of range.</exception>
    public IidSpikeDetector(IidSpikeOptions? options = null)
        : base(DetectorNames.IidSpike, options ??= new IidSpikeOptions())
    {
        _test = new ConformalTest(options.HistoryLength, 0.5, options.Side);
        _minimumPoints = Math.Min(options.MinimumPoints, options.HistoryLength);
        _tail = (1 - options.Threshold) / 2;
    }

    /// <inheritdoc />
    public override int StateSizeBytes => _test.StateSizeBytes + 48;

    /// <inheritdoc />
    protected override AnomalyScore UpdateCore(DateTimeOffset timestamp, double value)
    {
        if (_test.Count < _minimumPoints)
        {
            _test.Observe(value);
            return AnomalyScore.WarmingUp(timestamp, value);
        }

        var p = _test.PValue(value);
        var expected = _test.Median();
        var lower = _test.Quantile(_tail);
        var upper = _test.Quantile(1 - _tail);
        _test.Observe(value);
        return AnomalyScore.Scored(timestamp, value, 1 - p, p, Threshold, expected, lower, upper);
    }

    /// <inheritdoc />
    protected override void ResetCore() => _test.Clear();
}

/// <summary>Options of <see cref="IidSpikeDetector"/>.</summary>
public sealed class IidSpikeOptions : ConformalOptions
{
}

/// <summary>
/// IID change-point detection: conformal p-values of each value (as <see cref="IidSpikeDetector"/>) feed a restarting power
/// martingale, as ML.NET documents for its IID change-point detector. <see cref="AnomalyScore.RawScore"/> is the log-martingale;
/// probability = 1 - 1/M, which Ville's inequality makes a valid bound on the false-alarm rate.
/// </summary>
/// <remarks>Not thread-safe.</remarks>
public sealed partial class IidChangePointDetector : AnomalyDetector
{
    private readonly ConformalTest _test;
    private readonly int _minimumPoints;

    /// <summary>Initializes a new instance of the <see cref="IidChangePointDetector"/> class.</summary>
    /// <param name="options">The options; <see langword="null"/> uses the defaults.</param>
    /// <exception cref="ValidationException">An option is out of range.</exception>
    public IidChangePointDetector(IidChangePointOptions? options = null)
        : base(DetectorNames.IidChangePoint, options ??= new IidChangePointOptions())
    {
        _test = new ConformalTest(options.HistoryLength, options.Epsilon, options.Side, options.Martingale);
        _minimumPoints = Math.Min(options.MinimumPoints, options.HistoryLength);
    }

    /// <inheritdoc />
    public override int StateSizeBytes => _test.StateSizeBytes + 32;

    /// <inheritdoc />
    protected override AnomalyScore UpdateCore(DateTimeOffset timestamp, double value)
    {
        if (_test.Count < _minimumPoints)
        {
            Learn(value);
            return AnomalyScore.WarmingUp(timestamp, value);
        }

        var logMartingale = _test.Bet(_test.PValue(value));
        var expected = _test.Median();
        Learn(value);
        return AnomalyScore.Scored(timestamp, value, 1 - Math.Exp(-logMartingale), logMartingale, Threshold, expected);
    }

    /// <inheritdoc />
    protected override void ResetCore() => _test.Clear();

    /// <summary>
    /// Gets a value indicating whether the history learns the value its owner passes in <see cref="ReferenceValue"/> before each
    /// point instead of the point itself, so that points are ranked against older values only (the ensemble's lagged
    /// change-point member: a shift is not judged against its own points). Not part of the state. Default: false.
    /// </summary>
    internal bool LearnsReference { get; init; }

    /// <summary>The value the history learns at the next point when <see cref="LearnsReference"/>; NaN learns nothing.</summary>
    internal double ReferenceValue { get; set; } = double.NaN;

    private void Learn(double value)
    {
        var learned = LearnsReference ? ReferenceValue : value;
        if (!double.IsNaN(learned))
        {
            _test.Observe(learned);
        }
    }
}

/// <summary>Options of <see cref="IidChangePointDetector"/>.</summary>
public sealed class IidChangePointOptions : MartingaleOptions
{
}
