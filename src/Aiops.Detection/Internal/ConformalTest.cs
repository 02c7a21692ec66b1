namespace Aiops.Detection.Internal;

/// <summary>
/// Conformal p-values of a statistic against its own recent history, and a restarting power martingale over them.
/// This is the machinery ML.NET documents for its IID and SSA detectors: a small p-value is a spike; a run of small
/// p-values grows the martingale, which is a change point. The p-value is rank-based (ties, the point itself among them,
/// count half: a mid-p value), so for exchangeable data it is uniform but for its smallest values, which come up to twice as
/// often as their value; with the convex betting function of a power martingale that keeps the martingale a supermartingale,
/// so by Ville's inequality it still exceeds 1/α with probability at most α, and 1 - 1/M stays an honest change probability.
/// </summary>
internal sealed partial class ConformalTest
{
    private readonly RollingOrderStatistics _history;
    private readonly double _logEpsilon;
    private readonly double _epsilonMinusOne;
    private readonly AnomalySide _side;
    private readonly bool _mixture;
    private double _logMartingale;

    public ConformalTest(int historyLength, double epsilon, AnomalySide side, MartingaleKind martingale = MartingaleKind.Power)
    {
        _mixture = martingale == MartingaleKind.Mixture;
        _history = new RollingOrderStatistics(historyLength);
        _logEpsilon = Math.Log(epsilon);
        _epsilonMinusOne = epsilon - 1;
        _side = side;
    }

    public int Count => _history.Count;

    public double LogMartingale => _logMartingale;

    public int StateSizeBytes => _history.StateSizeBytes + 32;

    /// <summary>The conformal p-value of <paramref name="x"/> against the history (which does not yet contain it).</summary>
    public double PValue(double x)
    {
        var n = _history.Count;
        var below = _history.CountBelow(x);
        var atMost = _history.CountAtMost(x);
        var ties = atMost - below;
        var upper = (n - atMost + (0.5 * (ties + 1))) / (n + 1.0);
        var lower = (below + (0.5 * (ties + 1))) / (n + 1.0);
        return _side switch
        {
            AnomalySide.Up => upper,
            AnomalySide.Down => lower,
            _ => Math.Min(1, 2 * Math.Min(upper, lower)),
        };
    }

    /// <summary>
    /// Bets on <paramref name="pValue"/> with the power martingale ε·p^(ε-1), or its mixture over ε in [0, 1], and restarts at 1
    /// when wealth falls below 1 (CUSUM form).
    /// </summary>
    public double Bet(double pValue)
    {
        if (_mixture)
        {
            // ∫₀¹ ε·p^(ε-1) dε in closed form; its limit at p = 1 is 1/2.
            var lnp = Math.Log(pValue);
            var bet = Math.Abs(lnp) < 1e-9 ? 0.5 : ((pValue * (lnp - 1)) + 1) / (pValue * lnp * lnp);
            _logMartingale = Math.Max(0, _logMartingale + Math.Log(bet));
            return _logMartingale;
        }


        _logMartingale = Math.Max(0, _logMartingale + _logEpsilon + (_epsilonMinusOne * Math.Log(pValue)));
        return _logMartingale;
    }

    public void Observe(double x) => _history.Add(x);

    public double Quantile(double q) => _history.Quantile(q);

    public double Median() => _history.Median();

    public void Clear()
    {
        _history.Clear();
        _logMartingale = 0;
    }
}
