namespace Aiops.Detection.Internal;

/// <summary>
/// A statistic calibrated on each side of normal with a tail of its own: each side keeps the values of the points on its side
/// (0 for a point on the other), read with half the nominal exceedance rate and a Bonferroni correction of ln 2 (the side is
/// chosen after seeing the point). Unlike <see cref="SidedCalibration"/>, the shape is not shared: the ensemble's windows of
/// surprises use it, where a run of moderate surprises below normal must not be read against the heavy tail of bursts above it
/// (with a shared shape, an hour-long outage of bursty counts was found 9 times in 30). Side 0 is a statistic without a side:
/// one two-sided calibration, kept in the up side. Mutable struct; not thread-safe.
/// </summary>
internal partial struct SidedTails
{
    private TailCalibration _up;
    private TailCalibration _down;

    /// <summary>
    /// The calibrated surprise of <paramref name="statistic"/> on <paramref name="side"/> (+1, −1, or 0 without a side), read
    /// against <paramref name="prior"/> (the two-sided nominal law), before it is observed.
    /// </summary>
    public readonly double Surprise(double statistic, int side, in TailPrior prior) => side switch
    {
        0 => _up.TailSurprise(statistic, prior),
        > 0 => Math.Max(0, _up.TailSurprise(statistic, prior with { Rate = 0.5 * prior.Rate }) - Internal.Surprise.Ln2),
        _ => Math.Max(0, _down.TailSurprise(statistic, prior with { Rate = 0.5 * prior.Rate }) - Internal.Surprise.Ln2),
    };

    /// <summary>Learns one value of the statistic on its side (the other side learns a 0).</summary>
    public void Observe(double statistic, int side, in TailPrior prior)
    {
        _up.Observe(side >= 0 ? statistic : 0, prior);
        if (side != 0)
        {
            _down.Observe(side < 0 ? statistic : 0, prior);
        }
    }
}
