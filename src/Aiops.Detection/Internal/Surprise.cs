namespace Aiops.Detection.Internal;

/// <summary>Surprise: −ln of a tail probability, in nats; the scale on which tails are calibrated and compared.</summary>
internal static class Surprise
{
    /// <summary>ln 2: the surprise spent on reading either side of a two-sided event (a side of normal, a record's end).</summary>
    public const double Ln2 = 0.6931471805599453;

    /// <summary>−ln(1 − probability) of a detector's anomaly probability; finite (at most ≈ 690) even when the probability is 1.</summary>
    public static double FromProbability(double probability) => -Math.Log(Math.Max(1 - probability, 1e-300));

    /// <summary>−ln Q(z) for a standard normal z, by Q itself up to z = 8 and by its asymptotic expansion beyond, where Q underflows.</summary>
    public static double FromUpperZ(double z) => z <= 8
        ? -Math.Log(Calibration.UpperTail(z))
        : (0.5 * z * z) + Math.Log(z * 2.5066282746310002) + Math.Log(1 + (1 / (z * z))); // Mills' ratio, first correction
}
