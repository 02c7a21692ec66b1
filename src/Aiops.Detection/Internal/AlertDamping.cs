namespace Aiops.Detection.Internal;

/// <summary>
/// The refractory period after a flagged point: for the next points, a surprise no stronger than the flagged one is damped, so
/// one incident reads as one alert and not a storm; a stronger one gets through and restarts the period. Mutable struct; not
/// thread-safe.
/// </summary>
internal partial struct AlertDamping(int points, double factor)
{
    private int _remaining;
    private double _level;

    /// <summary>
    /// The surprise to judge: <paramref name="surprise"/> itself, or, inside the refractory period and no stronger than the
    /// flagged one, damped and at most the factor times <paramref name="flagSurprise"/> (the level from which a point is
    /// flagged), so it is not flagged again: halving alone left a large surprise above that level at coarse steps.
    /// </summary>
    public double Apply(double surprise, double flagSurprise)
    {
        if (_remaining > 0 && surprise <= _level)
        {
            _remaining--;
            return Math.Min(surprise, flagSurprise) * factor;
        }

        return surprise;
    }

    /// <summary>Opens (or restarts) the refractory period after a flagged point of surprise <paramref name="surprise"/>.</summary>
    public void Flagged(double surprise)
    {
        if (points > 0)
        {
            _remaining = points;
            _level = surprise;
        }
    }

    public void Clear()
    {
        _remaining = 0;
        _level = 0;
    }
}
