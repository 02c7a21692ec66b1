namespace Aiops.Detection.Internal;

/// <summary>
/// Arithmetic on finite values near ±<see cref="double.MaxValue"/> whose plain form overflows. Each helper computes the plain
/// form first and returns it whenever it is finite, so ordinary values give bit-identical results; only an overflow takes the
/// scale-safe path.
/// </summary>
internal static class Overflow
{
    /// <summary>The midpoint of two finite values: 0.5 · (a + b), computed as 0.5·a + 0.5·b only when the sum overflows.</summary>
    public static double Midpoint(double a, double b)
    {
        var sum = a + b;
        return double.IsFinite(sum) ? 0.5 * sum : (0.5 * a) + (0.5 * b);
    }

    /// <summary>
    /// (a − b) / d for finite values, computed as (a/2 − b/2) / (d/2) only when the difference overflows (a range wider than
    /// half the double line): the same quotient, of halves.
    /// </summary>
    public static double DifferenceOver(double a, double b, double d)
    {
        var difference = a - b;
        return double.IsFinite(difference) ? difference / d : ((0.5 * a) - (0.5 * b)) / (0.5 * d);
    }
}
