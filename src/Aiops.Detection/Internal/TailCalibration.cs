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
/// pass, and moments that exist. Not thread-safe; a mutable struct held in a field.
/// </remarks>
internal partial struct TailCalibration
{
    /// <summary>The factor each observation multiplies the sums by: a memory of about 10,000 points.</summary>
    public const double Decay = 1 - (1.0 / 10_000);
    private const double PriorPoints = 400;

    /// <summary>The largest shape fitted: the heaviest tail any calibration admits (a Pareto tail of index 1 / 0.45 ≈ 2.2).</summary>
    public const double MaxShape = 0.45;

    private static readonly double MaxTailSurprise = -Math.Log(1e-300);

    private double _points;
    private double _exceedances;
    private double _excessSum;
    private double _excessSquares;

    /// <summary>Gets the decayed count of values above the threshold.</summary>
    public readonly double Exceedances => _exceedances;

    /// <summary>The calibrated tail probability of <paramref name="statistic"/> (before it is observed), in (0, 1].</summary>
    public readonly double TailProbability(double statistic, in TailPrior prior)
    {
        var priorExceedances = PriorPoints * prior.Rate;
        var exceedances = priorExceedances + _exceedances;
        var rate = exceedances / (PriorPoints + _points);
        if (statistic <= prior.Threshold)
        {
            // Below the threshold only the order matters: from 1 at the floor up to the exceedance rate at the threshold.
            return Math.Pow(rate, Math.Max(statistic - prior.Floor, 0) / (prior.Threshold - prior.Floor));
        }

        var mean = ((priorExceedances * prior.MeanExcess) + _excessSum) / exceedances;
        var variance = Math.Max((((priorExceedances * prior.SecondMoment) + _excessSquares) / exceedances) - (mean * mean), 1e-12);
        var ratio = mean * mean / variance;
        var shape = Math.Clamp(0.5 * (1 - ratio), 0, MaxShape);
        var scale = 0.5 * mean * (1 + ratio);
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
        var priorExceedances = PriorPoints * prior.Rate;
        var exceedances = priorExceedances + _exceedances;
        var rateSurprise = -Math.Log(((kindShare * priorExceedances) + kindExceedances) / (PriorPoints + _points));
        if (statistic <= prior.Threshold)
        {
            return rateSurprise * (Math.Max(statistic - prior.Floor, 0) / (prior.Threshold - prior.Floor));
        }

        var mean = ((priorExceedances * prior.MeanExcess) + _excessSum) / exceedances;
        var variance = Math.Max((((priorExceedances * prior.SecondMoment) + _excessSquares) / exceedances) - (mean * mean), 1e-12);
        var ratio = mean * mean / variance;
        var shape = Math.Clamp(0.5 * (1 - ratio), 0, MaxShape);
        var scale = 0.5 * mean * (1 + ratio);
        var excess = statistic - prior.Threshold;
        var tail = shape < 1e-6 ? excess / scale : Math.Log(1 + (shape * excess / scale)) / shape;
        return Math.Min(rateSurprise + tail, MaxTailSurprise);
    }

    /// <summary>Learns one value of the statistic (after it was judged, so a point is never compared with itself).</summary>
    public void Observe(double statistic, in TailPrior prior)
    {
        _points = (_points * Decay) + 1;
        _exceedances *= Decay;
        _excessSum *= Decay;
        _excessSquares *= Decay;
        if (statistic > prior.Threshold)
        {
            var excess = statistic - prior.Threshold;
            _exceedances++;
            _excessSum += excess;
            _excessSquares += excess * excess;
        }
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
