namespace Aiops.Backtest;

/// <summary>
/// For measurement only: a detector that can be told, before its first point, what NAB's harness tells every detector in
/// advance (the whole file's minimum, maximum and number of rows). Aiops' detectors are causal and never are; the backtest's
/// scoring loops call <see cref="Prime"/> on a detector that implements this, so that the look-ahead NAB's published
/// detectors enjoy can be measured (<c>artime-oracle</c> against <c>artime</c>, <c>contextual-oracle</c> against
/// <c>contextual</c>).
/// </summary>
internal interface IPrimedDetector
{
    /// <summary>Gives the detector the file's range and length; called once, before the first point.</summary>
    /// <param name="min">The smallest finite value of the file.</param>
    /// <param name="max">The largest finite value of the file.</param>
    /// <param name="length">The number of rows of the file.</param>
    void Prime(double min, double max, int length);
}

/// <summary>Primes a detector with a file's range and length when it is an <see cref="IPrimedDetector"/>.</summary>
internal static class Priming
{
    /// <summary>Calls <see cref="IPrimedDetector.Prime"/> with the finite values' range and the row count, if the detector takes it.</summary>
    /// <param name="detector">The new detector.</param>
    /// <param name="values">Every value of the file, in order.</param>
    public static void PrimeIfAsked(object detector, IReadOnlyList<double> values)
    {
        if (detector is not IPrimedDetector primed)
        {
            return;
        }

        var min = double.PositiveInfinity;
        var max = double.NegativeInfinity;
        foreach (var v in values)
        {
            if (double.IsFinite(v))
            {
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
        }

        primed.Prime(double.IsFinite(min) ? min : 0, double.IsFinite(max) ? max : 0, values.Count);
    }
}
