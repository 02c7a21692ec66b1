namespace Aiops.Detection.Internal;

/// <summary>
/// How rare a run of departures from a series that has been constant is, by rank alone. A constant has no scale, so how far a
/// departure goes says nothing (a z-score divides by a floor, a range has no width); but among n + k exchangeable points, the
/// chance that the k newest are the k largest or the k smallest is 2 / C(n + k, k). A lone departure thus reads
/// ln((n + 1) / 2), not a week's rarity (mostly-zero error counts had their first error flagged), and a level that leaves
/// the constant and stays grows by ln((n + k) / k) per point, so it is flagged within a few points. Mutable struct; not
/// thread-safe.
/// </summary>
internal partial struct ConstantDeparture
{
    private int _length;
    private double _surprise;

    /// <summary>Extends the run by one point after <paramref name="lnN"/> = ln(n + 1) constant points; returns −ln 1 / C(n + k, k).</summary>
    public double Extend(double lnN)
    {
        _length++;
        _surprise += lnN - Math.Log(_length);
        return Math.Max(0, _surprise - Surprise.Ln2);
    }

    /// <summary>Ends the run: the point was not a departure from a constant.</summary>
    public void End()
    {
        _length = 0;
        _surprise = 0;
    }
}
