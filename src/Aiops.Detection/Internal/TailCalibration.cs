namespace Aiops.Detection.Internal;

/// <summary>
/// Calibrates a statistic against the tail this series actually produces, so a series whose statistic is often large (bursty,
/// heavy-tailed counts) does not alarm more often than a quiet one.
/// </summary>
/// <remarks>
/// Peaks over threshold (Pickands 1975; Siffer et al. 2017, "Anomaly detection in streams with extreme value theory"): values
/// above a threshold are excesses; their tail is a generalised Pareto distribution, fitted by the method of moments on decayed
/// sums, so the state is four numbers and forgets with a memory of about 10,000 points. A prior worth 400 points assumes the
/// statistic follows its nominal law (the caller's <see cref="TailPrior"/>), so a new series starts from the nominal tail and moves
/// to its measured one as evidence accumulates. The shape is clamped to [0, 0.45]: never a finite end point that noise could
/// pass, and moments that exist. Moments are not robust: one extreme value dominates the sum of squares for the whole memory,
/// so a caller can have values beyond a level learned censored (<see cref="Observe(double, double, double, in TailPrior, double, double)"/>).
/// Not thread-safe; a mutable struct held in a field.
/// </remarks>
internal partial struct TailCalibration
{
    /// <summary>The factor each observation multiplies the sums by: a memory of about 10,000 points.</summary>
    public const double Decay = 1 - (1.0 / 10_000);
    private const double PriorPoints = 400;

    /// <summary>The largest shape fitted: the heaviest tail any calibration admits (a Pareto tail of index 1 / 0.45 ≈ 2.2).</summary>
    public const double MaxShape = 0.45;

    private static readonly double MaxTailSurprise = -Math.Log(1e-300);

    // The surprise of a tail seen once in the memory: a rarer one cannot be measured from it.
    private static readonly double MemorySurprise = -Math.Log(1 - Decay);

    private double _points;
    private double _exceedances;
    private double _excessSum;
    private double _excessSquares;

    /// <summary>Gets the decayed count of values above the threshold.</summary>
    public readonly double Exceedances => _exceedances;

    /// <summary>The calibrated tail probability of <paramref name="statistic"/> (before it is observed), in (0, 1].</summary>
    public readonly double TailProbability(double statistic, in TailPrior prior)
    {
        var rate = ((PriorPoints * prior.Rate) + _exceedances) / (PriorPoints + _points);
        if (statistic <= prior.Threshold)
        {
            // Below the threshold only the order matters: from 1 at the floor up to the exceedance rate at the threshold.
            return Math.Pow(rate, Math.Max(statistic - prior.Floor, 0) / (prior.Threshold - prior.Floor));
        }

        var (shape, scale) = Fit(prior);
        var excess = statistic - prior.Threshold;
        var tail = shape < 1e-6 ? Math.Exp(-excess / scale) : Math.Pow(1 + (shape * excess / scale), -1 / shape);
        return Math.Max(rate * tail, 1e-300);
    }

    /// <summary>
    /// −ln of <see cref="TailProbability"/>, at most ln(1e300): the surprise read straight from the fitted tail, without
    /// a power and a logarithm that cancel (the ensemble reads every member twice per point through it).
    /// </summary>
    public readonly double TailSurprise(double statistic, in TailPrior prior) => TailSurprise(statistic, prior, 1, _exceedances);

    /// <summary>
    /// <see cref="TailSurprise(double, in TailPrior)"/> of one kind of the values only (one side of normal): the fitted tail beyond
    /// the threshold (from all values), but the exceedance rate of that kind, from its decayed count
    /// <paramref name="kindExceedances"/> and the prior's share <paramref name="kindShare"/> of the nominal exceedances.
    /// </summary>
    public readonly double TailSurprise(double statistic, in TailPrior prior, double kindShare, double kindExceedances)
    {
        var rateSurprise = RateSurprise(prior, kindShare, kindExceedances);
        if (statistic <= prior.Threshold)
        {
            return rateSurprise * (Math.Max(statistic - prior.Floor, 0) / (prior.Threshold - prior.Floor));
        }

        var (shape, scale) = Fit(prior);
        var excess = statistic - prior.Threshold;
        var tail = shape < 1e-6 ? excess / scale : Math.Log(1 + (shape * excess / scale)) / shape;
        return Math.Min(rateSurprise + tail, MaxTailSurprise);
    }

    /// <summary>
    /// The surprise beyond which a value is learned censored (<see cref="ObserveBeyond"/>): the level at which the caller flags,
    /// <paramref name="flagSurprise"/>, or the rarest tail the memory can measure (ln 10,000) when that is higher. A point the
    /// caller calls an anomaly, or one rarer than the memory can measure, tells the tail only that it got that far.
    /// </summary>
    public static double CensorLevel(double flagSurprise) => Math.Max(flagSurprise, MemorySurprise);

    /// <summary>
    /// Learns one value of the statistic whose calibrated <paramref name="surprise"/> (of the kind with
    /// <paramref name="kindShare"/> and <paramref name="kindExceedances"/>) was just read: in full up to
    /// <paramref name="censorLevel"/>, censored beyond it (<see cref="ObserveBeyond"/>).
    /// </summary>
    public void Observe(double statistic, double surprise, double censorLevel, in TailPrior prior, double kindShare, double kindExceedances)
    {
        if (surprise > censorLevel)
        {
            ObserveBeyond(censorLevel, prior, kindShare, kindExceedances);
        }
        else
        {
            Observe(statistic, prior);
        }
    }

    /// <summary>Learns one value of the statistic (after it was judged, so a point is never compared with itself).</summary>
    public void Observe(double statistic, in TailPrior prior)
    {
        Forget();
        if (statistic > prior.Threshold)
        {
            var excess = statistic - prior.Threshold;
            _exceedances++;
            _excessSum += excess;
            _excessSquares += excess * excess;
        }
    }

    /// <summary>
    /// Learns a value known only to lie beyond the one whose surprise (of the kind with <paramref name="kindShare"/> and
    /// <paramref name="kindExceedances"/>) is <paramref name="surprise"/>: a censored value. It adds what the fitted tail expects
    /// beyond that point (the mean and mean square of a generalised Pareto excess beyond it), not the value itself, so one
    /// extreme cannot reshape the tail for the whole memory, while a tail that passes the point often still grows, and one that
    /// is as fitted learns what it would have learned from its values (in expectation).
    /// </summary>
    private void ObserveBeyond(double surprise, in TailPrior prior, double kindShare, double kindExceedances)
    {
        var (shape, scale) = Fit(prior);
        var rateSurprise = RateSurprise(prior, kindShare, kindExceedances);

        // The censoring point as an excess, and the generalised Pareto excess beyond it: scale + shape · point, mean
        // scale' / (1 − shape), mean square 2 scale'² / ((1 − shape)(1 − 2 shape)).
        var tail = Math.Max(surprise - rateSurprise, 0);
        var point = shape < 1e-6 ? tail * scale : scale * (Math.Exp(shape * tail) - 1) / shape;
        var beyond = (scale + (shape * point)) / (1 - shape);
        var beyondSquare = 2 * (scale + (shape * point)) * beyond / (1 - (2 * shape));
        Forget();
        _exceedances++;
        _excessSum += point + beyond;
        _excessSquares += (point * point) + (2 * point * beyond) + beyondSquare;
    }

    // The share of points above the threshold, of one kind, as a surprise.
    private readonly double RateSurprise(in TailPrior prior, double kindShare, double kindExceedances) =>
        -Math.Log(((kindShare * PriorPoints * prior.Rate) + kindExceedances) / (PriorPoints + _points));

    // The generalised Pareto tail beyond the threshold, by the method of moments on the prior and the decayed sums. When the
    // shape is clamped the scale keeps its moment formula, so the fitted mean excess no longer equals the measured one: larger
    // at shape 0 (a lighter tail read wider: conservative), up to a tenth smaller at 0.45.
    private readonly (double Shape, double Scale) Fit(in TailPrior prior)
    {
        var priorExceedances = PriorPoints * prior.Rate;
        var exceedances = priorExceedances + _exceedances;
        var mean = ((priorExceedances * prior.MeanExcess) + _excessSum) / exceedances;
        var variance = Math.Max((((priorExceedances * prior.SecondMoment) + _excessSquares) / exceedances) - (mean * mean), 1e-12);
        var ratio = mean * mean / variance;
        return (Math.Clamp(0.5 * (1 - ratio), 0, MaxShape), 0.5 * mean * (1 + ratio));
    }

    /// <summary>A nonnegative decayed weight after one more observation of memory (see <see cref="Weights.Decay"/>).</summary>
    public static double Forget(double weight) => Weights.Decay(weight, Decay);

    private void Forget()
    {
        _points = (_points * Decay) + 1;
        _exceedances = Forget(_exceedances);
        _excessSum = Forget(_excessSum);
        _excessSquares = Forget(_excessSquares);
    }
}

/// <summary>The nominal law of a statistic, as <see cref="TailCalibration"/> needs it.</summary>
/// <param name="Floor">The statistic's smallest meaningful value (tail probability 1).</param>
/// <param name="Threshold">The level above which values are excesses.</param>
/// <param name="Rate">The nominal share of values above the threshold.</param>
/// <param name="MeanExcess">The nominal mean excess over the threshold.</param>
/// <param name="SecondMoment">The nominal mean squared excess over the threshold.</param>
internal readonly record struct TailPrior(double Floor, double Threshold, double Rate, double MeanExcess, double SecondMoment)
{
    /// <summary>A one-sided standard normal z: excesses over 2 (2.3 % of values), mean 0.373, mean square 0.254.</summary>
    public static readonly TailPrior NormalZ = new(0, 2, 0.02275, 0.3732, 0.2536);

    /// <summary>Surprise (−ln of a calibrated tail probability, Exp(1)): excesses over 3 (5 %), mean 1, mean square 2.</summary>
    public static readonly TailPrior Surprise = new(0, 3, 0.04979, 1, 2);
}
