namespace Aiops.Detection.Internal;

/// <summary>Decayed weights (counts and sums that forget geometrically).</summary>
internal static class Weights
{
    // A decayed weight below this is flushed to 0: it is e^-230 of one observation.
    private const double Negligible = 1e-100;

    /// <summary>
    /// <paramref name="weight"/> (a count, or a sum of either sign) times <paramref name="factor"/> (in (0, 1)), and 0 once
    /// negligible in magnitude (metrics' values are never near 1e-100). A weight
    /// that stops being fed would otherwise settle among the subnormal doubles, where the product rounds back to the weight
    /// and every multiplication costs tens of times as much: a series that ran for months (about 7 million points since a
    /// count was last fed, at a memory of 10,000 points) became two to three times as slow per point.
    /// </summary>
    public static double Decay(double weight, double factor) => Flush(weight * factor);

    /// <summary>
    /// <paramref name="weight"/>, or 0 once it is negligible (in magnitude: a decayed sum may be negative): for a running
    /// mean that can settle towards 0 (its input stays 0), which would otherwise end among the subnormal doubles as a decayed
    /// weight does (see <see cref="Decay"/>).
    /// </summary>
    public static double Flush(double weight) => Math.Abs(weight) < Negligible ? 0 : weight;
}
