namespace Aiops.Detection.Internal;

/// <summary>Maps raw statistics to probabilities.</summary>
internal static class Calibration
{
    /// <summary>P(|Z| &lt; z) for a standard normal Z: the two-sided confidence that z is not noise.</summary>
    public static double TwoSidedConfidence(double z) => Erf(Math.Abs(z) * 0.7071067811865476);

    /// <summary>
    /// The smallest usable σ near <paramref name="center"/>: keeps constant series from dividing by zero, and stays above
    /// single-precision rounding (6e-8 relative) of state kept as float.
    /// </summary>
    public static double ScaleFloor(double center) => 1e-6 * Math.Max(1, Math.Abs(center));

    /// <summary>
    /// Scores a value against a Gaussian residual model: probability from z, band = expected ± bandZ·σ. On data of a
    /// <paramref name="resolution"/> (the step between the values the series can take; 0 when continuous), z is
    /// continuity-corrected (Yates): a value read as x stands for any value within half a step of it, so an error is read as
    /// half a step smaller.
    /// </summary>
    public static AnomalyScore GaussianScore(DateTimeOffset timestamp, double value, double expected, double sigma, double bandZ, double threshold, double resolution)
    {
        var error = value - expected;
        var z = Math.CopySign(Math.Max(Math.Abs(error) - (0.5 * resolution), 0), error) / sigma;
        return AnomalyScore.Scored(timestamp, value, TwoSidedConfidence(z), z, threshold, expected, expected - (bandZ * sigma), expected + (bandZ * sigma));
    }

    /// <summary>The z with P(|Z| &lt; z) = confidence (confidence clamped below 1 - 1e-12).</summary>
    public static double ZForConfidence(double confidence) =>
        Math.Sqrt(2) * MathNet.Numerics.SpecialFunctions.ErfInv(Math.Min(confidence, 1 - 1e-12));

    /// <summary>Q(z) = P(Z &gt; z) for a standard normal Z, with small relative error even far in the tail (z ≥ 0).</summary>
    public static double UpperTail(double z) => z < 0 ? 1 - UpperTail(-z) : 0.5 * Erfc(z * 0.7071067811865476);

    /// <summary>erfc(x) for x ≥ 0 with fractional error &lt; 1.2e-7 (Numerical Recipes' Chebyshev fit).</summary>
    public static double Erfc(double x)
    {
        var t = 1.0 / (1.0 + (0.5 * x));
        var poly = -1.26551223 + (t * (1.00002368 + (t * (0.37409196 + (t * (0.09678418 + (t * (-0.18628806
            + (t * (0.27886807 + (t * (-1.13520398 + (t * (1.48851587 + (t * (-0.82215223 + (t * 0.17087277)))))))))))))))));
        return t * Math.Exp(-(x * x) + poly);
    }

    /// <summary>erf with |error| &lt; 1.2e-7 (Numerical Recipes' erfc Chebyshev fit); no allocation, no tables.</summary>
    /// <remarks>
    /// Same fit as <see cref="Erfc"/>, evaluated for latency, since it sits on every scored point: the polynomial by
    /// Estrin's scheme with fused multiply-adds and the exponential inline (<see cref="ExpNonPositive"/>); the result agrees
    /// with the Horner and <see cref="Math.Exp"/> evaluation to a few units in the last place.
    /// </remarks>
    public static double Erf(double x)
    {
        var z = Math.Abs(x);
        var t = 1.0 / (1.0 + (0.5 * z));
        var t2 = t * t;
        var t4 = t2 * t2;
        var p01 = Math.FusedMultiplyAdd(t, 1.00002368, -1.26551223);
        var p23 = Math.FusedMultiplyAdd(t, 0.09678418, 0.37409196);
        var p45 = Math.FusedMultiplyAdd(t, 0.27886807, -0.18628806);
        var p67 = Math.FusedMultiplyAdd(t, 1.48851587, -1.13520398);
        var p89 = Math.FusedMultiplyAdd(t, 0.17087277, -0.82215223);
        var p03 = Math.FusedMultiplyAdd(t2, p23, p01);
        var p47 = Math.FusedMultiplyAdd(t2, p67, p45);
        var poly = Math.FusedMultiplyAdd(t4 * t4, p89, Math.FusedMultiplyAdd(t4, p47, p03));
        var r = t * ExpNonPositive(-(z * z) + poly);
        return x >= 0 ? 1 - r : r - 1;
    }

    /// <summary>
    /// e^x to about one ulp for x ≤ 0 (also fine up to 709), 0 below -708 where e^x leaves the normal range:
    /// x = k·ln 2 + r with |r| ≤ ln 2 / 2 (Cody-Waite), e^r by its degree-13 Taylor polynomial (truncation &lt; 5e-18), times 2^k.
    /// Unlike <see cref="Math.Exp"/> it is inlined, which matters on the per-point path.
    /// </summary>
    private static double ExpNonPositive(double x)
    {
        if (x < -708)
        {
            return 0;
        }

        const double Log2E = 1.4426950408889634;
        const double Ln2Hi = 6.93147180369123816490e-01; // ln 2 with the low 32 bits clear, so k·Ln2Hi is exact
        const double Ln2Lo = 1.90821492927058770002e-10;
        var k = Math.Round(x * Log2E);
        var r = Math.FusedMultiplyAdd(-k, Ln2Lo, Math.FusedMultiplyAdd(-k, Ln2Hi, x));
        var r2 = r * r;
        var r4 = r2 * r2;
        var r8 = r4 * r4;
        var p01 = 1.0 + r;
        var p23 = Math.FusedMultiplyAdd(r, 1.0 / 6, 1.0 / 2);
        var p45 = Math.FusedMultiplyAdd(r, 1.0 / 120, 1.0 / 24);
        var p67 = Math.FusedMultiplyAdd(r, 1.0 / 5040, 1.0 / 720);
        var p89 = Math.FusedMultiplyAdd(r, 1.0 / 362880, 1.0 / 40320);
        var p1011 = Math.FusedMultiplyAdd(r, 1.0 / 39916800, 1.0 / 3628800);
        var p1213 = Math.FusedMultiplyAdd(r, 1.0 / 6227020800, 1.0 / 479001600);
        var p03 = Math.FusedMultiplyAdd(r2, p23, p01);
        var p47 = Math.FusedMultiplyAdd(r2, p67, p45);
        var p811 = Math.FusedMultiplyAdd(r2, p1011, p89);
        var p07 = Math.FusedMultiplyAdd(r4, p47, p03);
        var p813 = Math.FusedMultiplyAdd(r4, p1213, p811);
        var er = Math.FusedMultiplyAdd(r8, p813, p07);
        return er * BitConverter.Int64BitsToDouble((long)(k + 1023) << 52);
    }
}
