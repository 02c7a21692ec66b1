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

    /// <summary>Scores a value against a Gaussian residual model: probability from z, band = expected ± bandZ·σ.</summary>
    public static AnomalyScore GaussianScore(DateTimeOffset timestamp, double value, double expected, double sigma, double bandZ, double threshold)
    {
        var z = (value - expected) / sigma;
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
    public static double Erf(double x)
    {
        var z = Math.Abs(x);
        var t = 1.0 / (1.0 + (0.5 * z));
        var poly = -1.26551223 + (t * (1.00002368 + (t * (0.37409196 + (t * (0.09678418 + (t * (-0.18628806
            + (t * (0.27886807 + (t * (-1.13520398 + (t * (1.48851587 + (t * (-0.82215223 + (t * 0.17087277)))))))))))))))));
        var r = t * Math.Exp(-(z * z) + poly);
        return x >= 0 ? 1 - r : r - 1;
    }
}
