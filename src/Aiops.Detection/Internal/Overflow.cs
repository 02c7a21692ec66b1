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
    /// The midpoint of two finite values as (a + b) / 2, computed as a / 2 + b / 2 only when the sum overflows (the same value
    /// as <see cref="Midpoint"/> bit for bit where both are finite, kept separate so callers keep their own expression).
    /// </summary>
    public static double HalfSum(double a, double b)
    {
        var sum = a + b;
        return double.IsFinite(sum) ? sum / 2 : (a / 2) + (b / 2);
    }
}
