using Aiops.Detection;
using MathNet.Numerics;

namespace Aiops.Backtest;

/// <summary>
/// For measurement only (<c>block:bocpd</c>): Bayesian online change-point detection (Adams and MacKay 2007), the method of
/// NAB's Bayesian change-point baseline, written from the paper. The series is a sequence of segments, each Gaussian with an
/// unknown mean and variance (a Normal-Gamma prior, so each run's predictive is a Student t); a new segment starts at any
/// point with a constant hazard. The posterior over the current run length is kept for the last <see cref="MaxRun"/> run
/// lengths (the longest run absorbs what would grow past it). The probability is the posterior mass on runs that began within
/// the last <see cref="RecentRuns"/> points: a change that the data already prefer to the old segment. A new segment's prior
/// is centred on the last value with the series' noise scale, learned from its first differences (a change is one large
/// difference, so the scale survives it). Causal, no per-series constant. Not thread-safe.
/// </summary>
internal sealed class BocpdDetector : AnomalyDetector
{
    /// <summary>The longest run length kept apart.</summary>
    public const int MaxRun = 128;

    /// <summary>How many of the shortest runs count as a recent change.</summary>
    /// <remarks>The ensemble's short window. Against 30 (a variant measured in <c>docs/notes/issue-12-detection.md</c>,
    /// session 24), leave-one-category-out NAB (<c>eng/nab.sh --cv block:bocpd</c>) chose 10: low FN 42.9 / 41.3 / 41.6
    /// against 32.8 / 26.3 / 30.5; 30 finds a 2σ shift of plain noise far more often (48 of 50 against 10) but none of a daily
    /// pattern's (23 with 10).</remarks>
    public const int RecentRuns = 10;

    private const double Hazard = 1.0 / 250; // NAB's baseline's constant hazard
    private const double PriorKappa = 0.1; // the prior mean counts as a tenth of a point
    private const double PriorAlpha = 1;
    private const int WarmupPoints = 30;
    private const double ScaleSmoothing = 0.01;

    // ln Γ((ν + 1) / 2) − ln Γ(ν / 2) − ln(νπ) / 2 for ν = 2α of the run in slot r, which has learned r points (α = α₀ + r / 2;
    // the oldest slot takes the statistics of the run that grows into it, so this holds there too).
    private static readonly double[] LogNormalisers = [.. Enumerable.Range(0, MaxRun).Select(r => LogNormaliser(Alpha(r)))];

    private readonly double[] _probability = new double[MaxRun];
    private readonly double[] _mean = new double[MaxRun];
    private readonly double[] _kappa = new double[MaxRun];
    private readonly double[] _beta = new double[MaxRun];
    private readonly double[] _logPredictive = new double[MaxRun];
    private int _runs;
    private long _seen;
    private double _last = double.NaN;
    private double _meanAbsoluteDifference;

    /// <summary>Initializes a new instance of the <see cref="BocpdDetector"/> class.</summary>
    public BocpdDetector()
        : base("bocpd", new BocpdOptions())
    {
    }

    /// <inheritdoc />
    public override int StateSizeBytes => (5 * MaxRun * sizeof(double)) + 40;

    /// <inheritdoc />
    protected override AnomalyScore UpdateCore(DateTimeOffset timestamp, double value)
    {
        var previous = _last;
        _last = value;
        if (_seen++ > 0)
        {
            var difference = Math.Abs(value - previous);
            _meanAbsoluteDifference = _seen == 2 ? difference : _meanAbsoluteDifference + (ScaleSmoothing * (difference - _meanAbsoluteDifference));
        }

        if (_seen <= WarmupPoints)
        {
            if (_seen == WarmupPoints)
            {
                StartRun(0, value, 1);
                _runs = 1;
            }

            return AnomalyScore.WarmingUp(timestamp, value);
        }

        // Each run's Student-t predictive of the value, in logs (shifted by the largest, so an extreme value cannot underflow all).
        var largest = double.NegativeInfinity;
        for (var r = 0; r < _runs; r++)
        {
            var variance = _beta[r] * (_kappa[r] + 1) / (Alpha(r) * _kappa[r]);
            var nu = 2 * Alpha(r);
            var deviation = value - _mean[r];
            var lp = LogNormalisers[r] - (0.5 * Math.Log(variance)) - ((nu + 1) / 2 * Math.Log(1 + (deviation * deviation / (nu * variance))));
            _logPredictive[r] = lp;
            largest = Math.Max(largest, lp);
        }

        // Growth (each run one point longer) and change (a new run after this point), then normalised.
        var change = 0.0;
        var total = 0.0;
        // When every run length is kept, the oldest run's mass joins the next oldest as it grows (its statistics are dropped).
        var oldestJoint = _runs == MaxRun ? _probability[MaxRun - 1] * Math.Exp(_logPredictive[MaxRun - 1] - largest) : 0;
        change += oldestJoint * Hazard;
        total += oldestJoint * (1 - Hazard);
        for (var r = Math.Min(_runs, MaxRun - 1) - 1; r >= 0; r--)
        {
            var joint = _probability[r] * Math.Exp(_logPredictive[r] - largest);
            change += joint * Hazard;
            var grown = joint * (1 - Hazard);
            Learn(r, value);
            _probability[r + 1] = grown;
            _mean[r + 1] = _mean[r];
            _kappa[r + 1] = _kappa[r];
            _beta[r + 1] = _beta[r];
            total += grown;
        }

        _probability[MaxRun - 1] += oldestJoint * (1 - Hazard);
        _runs = Math.Min(_runs + 1, MaxRun);
        StartRun(0, value, change);
        total += change;
        var old = 0.0;
        for (var r = 0; r < _runs; r++)
        {
            _probability[r] /= total;
            if (r > RecentRuns)
            {
                old += _probability[r];
            }
        }

        // The probability is 1 − the mass on runs older than the recent ones (summed apart, so its surprise keeps its digits).
        // Until the first run is older than the recent ones, every run is recent: nothing to read.
        return _seen <= WarmupPoints + RecentRuns + 1 ? AnomalyScore.WarmingUp(timestamp, value)
            : AnomalyScore.Scored(timestamp, value, 1 - old, -Math.Log(Math.Max(old, 1e-300)), Threshold);
    }

    /// <inheritdoc />
    protected override void ResetCore()
    {
        _runs = 0;
        _seen = 0;
        _last = double.NaN;
        _meanAbsoluteDifference = 0;
    }

    private static double Alpha(int run) => PriorAlpha + (run / 2.0);

    private static double LogNormaliser(double alpha)
    {
        var nu = 2 * alpha;
        return SpecialFunctions.GammaLn((nu + 1) / 2) - SpecialFunctions.GammaLn(nu / 2) - (0.5 * Math.Log(nu * Math.PI));
    }

    // The Normal-Gamma update of run r's statistics with one value.
    private void Learn(int r, double value)
    {
        var deviation = value - _mean[r];
        _beta[r] += _kappa[r] * deviation * deviation / (2 * (_kappa[r] + 1));
        _mean[r] += deviation / (_kappa[r] + 1);
        _kappa[r] += 1;
    }

    private void StartRun(int r, double value, double probability)
    {
        // |difference| of two independent normal values has mean 2σ/√π.
        var sigma = Math.Max(_meanAbsoluteDifference * 0.886226925452758, 1e-6 * Math.Max(1, Math.Abs(value)));
        _probability[r] = probability;
        _mean[r] = value;
        _kappa[r] = PriorKappa;
        _beta[r] = PriorAlpha * sigma * sigma;
    }

    private sealed class BocpdOptions : AnomalyDetectorOptions
    {
    }
}
