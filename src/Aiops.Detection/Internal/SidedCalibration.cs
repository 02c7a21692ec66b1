namespace Aiops.Detection.Internal;

/// <summary>
/// A surprise calibrated with the rate of each side of normal apart: a series' tail is seldom symmetric (request counts burst
/// upwards and never below zero), and one calibration for both sides lets the bursts make an outage, which lies on the side
/// that has been quiet, look common. The tail's shape and scale are fitted from both sides' excesses together (half as many
/// excesses per side fitted their shape so noisily that a 6σ spike one day into a 1-second series was found 29 times in 50
/// instead of 35); how often each side passes the threshold is counted apart. A point is read on its side, after a Bonferroni
/// correction of ln 2 (the side is chosen after seeing the point), so a symmetric series reads as with one calibration. Side 0
/// is a statistic without a side: one two-sided calibration. Mutable struct; not thread-safe.
/// </summary>
internal partial struct SidedCalibration
{
    private TailCalibration _both;
    private double _upExceedances; // decayed as the calibration's sums; the down side's are the rest

    /// <summary>
    /// The calibrated surprise of <paramref name="statistic"/> on <paramref name="side"/> (+1 above normal, −1 below, 0 when the
    /// statistic has no side), read against <paramref name="prior"/> (the two-sided nominal law), before it is observed.
    /// </summary>
    public readonly double Surprise(double statistic, int side, in TailPrior prior)
    {
        if (side == 0)
        {
            return _both.TailSurprise(statistic, prior);
        }

        var sideExceedances = side > 0 ? _upExceedances : _both.Exceedances - _upExceedances;
        return Math.Max(0, _both.TailSurprise(statistic, prior, 0.5, sideExceedances) - Internal.Surprise.Ln2);
    }

    /// <summary>
    /// Learns one value of the statistic on its side, whose <see cref="Surprise"/> was <paramref name="surprise"/>: censored
    /// beyond <paramref name="censorLevel"/> (see <see cref="TailCalibration.CensorLevel"/>).
    /// </summary>
    public void Observe(double statistic, int side, in TailPrior prior, double surprise, double censorLevel)
    {
        if (side == 0)
        {
            _both.Observe(statistic, surprise, censorLevel, prior, 1, _both.Exceedances);
        }
        else
        {
            // The side's surprise was read after the correction of ln 2; the tail is read before it.
            var sideExceedances = side > 0 ? _upExceedances : _both.Exceedances - _upExceedances;
            _both.Observe(statistic, surprise + Internal.Surprise.Ln2, censorLevel + Internal.Surprise.Ln2, prior, 0.5, sideExceedances);
        }

        _upExceedances = TailCalibration.Forget(_upExceedances) + (side > 0 && statistic > prior.Threshold ? 1 : 0);
    }
}
