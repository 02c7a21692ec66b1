namespace Aiops.Detection.Internal;

/// <summary>Finds the dominant period of a series from its autocorrelation function.</summary>
internal static class PeriodDetector
{
    /// <summary>
    /// Returns the lag in [<paramref name="minPeriod"/>, <paramref name="maxPeriod"/>] whose autocorrelation is the highest
    /// local maximum, or 1 when no peak reaches <paramref name="threshold"/> (no seasonality). The series is linearly
    /// detrended first so a trend does not pass for a long period. Allocates one scratch array; call it once per series.
    /// </summary>
    public static int Detect(ReadOnlySpan<double> series, int minPeriod, int maxPeriod, double threshold)
    {
        var n = series.Length;
        maxPeriod = Math.Min(maxPeriod, n / 2);
        if (maxPeriod < minPeriod || n < 8)
        {
            return 1;
        }

        var x = Detrend(series);
        double variance = 0;
        foreach (var v in x)
        {
            variance += v * v;
        }

        if (variance <= 1e-12 * n)
        {
            return 1;
        }

        var best = 1;
        var bestAcf = threshold;
        double previous = Autocorrelation(x, minPeriod - 1, variance), current = Autocorrelation(x, minPeriod, variance);
        for (var lag = minPeriod; lag <= maxPeriod; lag++)
        {
            var next = Autocorrelation(x, lag + 1, variance);
            if (current >= previous && current >= next && current > bestAcf)
            {
                best = lag;
                bestAcf = current;
            }

            previous = current;
            current = next;
        }

        return best;
    }

    private static double Autocorrelation(double[] x, int lag, double variance)
    {
        if (lag <= 0)
        {
            return 1;
        }

        var n = x.Length;
        if (lag >= n)
        {
            return 0;
        }

        double sum = 0;
        for (var i = lag; i < n; i++)
        {
            sum += x[i] * x[i - lag];
        }

        // Normalised by the number of pairs so long lags are not penalised for having fewer of them.
        return sum / (n - lag) / (variance / n);
    }

    private static double[] Detrend(ReadOnlySpan<double> series)
    {
        var n = series.Length;
        double meanT = (n - 1) / 2.0, meanY = 0;
        foreach (var v in series)
        {
            meanY += v;
        }

        meanY /= n;
        double sxy = 0, sxx = 0;
        for (var i = 0; i < n; i++)
        {
            sxy += (i - meanT) * (series[i] - meanY);
            sxx += (i - meanT) * (i - meanT);
        }

        var slope = sxx > 0 ? sxy / sxx : 0;
        var result = new double[n];
        for (var i = 0; i < n; i++)
        {
            result[i] = series[i] - meanY - (slope * (i - meanT));
        }

        return result;
    }
}
