namespace Aiops.Detection.Internal;

/// <summary>Finds the dominant period of a series from its autocorrelation function.</summary>
internal static class PeriodDetector
{
    /// <summary>
    /// Returns the shortest lag in [<paramref name="minPeriod"/>, <paramref name="maxPeriod"/>] whose autocorrelation is a
    /// local maximum, once the autocorrelation has first fallen to zero, within 1 / √n of the highest such maximum, or 1 when
    /// no peak reaches <paramref name="threshold"/> (no seasonality). The series is linearly detrended first so a trend does not pass for a
    /// long period. A <see cref="double.NaN"/> is a step without a point (a series sampled on a clock, with gaps): it is
    /// left out of the trend and of every product, and each lag's autocorrelation is the mean over the pairs it has.
    /// Allocates two scratch arrays; call it once per series.
    /// </summary>
    public static int Detect(ReadOnlySpan<double> series, int minPeriod, int maxPeriod, double threshold)
    {
        var n = series.Length;
        maxPeriod = Math.Min(maxPeriod, n / 2);
        if (maxPeriod < minPeriod || n < 8)
        {
            return 1;
        }

        var x = Centred(series, out var variance);
        if (variance == 0)
        {
            return 1;
        }

        // The autocorrelation at every lag from minPeriod - 1 to maxPeriod + 1, and its local peaks once it has first fallen to
        // zero. Before that, its local peaks are noise on the slope of a slow cycle, whose period lies beyond (half a cycle
        // into a season the series is unlike itself): on a daily cycle of bursty counts at 5-minute steps the highest of
        // them passed a day's peak, a season of a few steps, so the level chased every change
        // (`Seasonal_DailyCycleOfBurstyCounts_FindsTheDayNotAShortLag`).
        var acf = new double[maxPeriod - minPeriod + 3];
        for (var lag = minPeriod - 1; lag <= maxPeriod + 1; lag++)
        {
            acf[lag - minPeriod + 1] = Autocorrelation(x, lag, variance);
        }

        // Peaks count from the first lag after the autocorrelation has fallen to zero.
        var start = 1;
        while (start < acf.Length - 1 && !(acf[start - 1] <= 0))
        {
            start++;
        }

        var bestAcf = threshold;
        for (var i = start; i < acf.Length - 1; i++)
        {
            if (IsPeak(i))
            {
                bestAcf = Math.Max(bestAcf, acf[i]);
            }
        }

        // A season repeats at every multiple of its period, with peaks as high as its own but for noise: the shortest peak
        // within the autocorrelation's standard error (1 / √n) of the highest is the season, not the multiple that noise
        // happened to lift (a 48-step sine was read as a season of 288 steps, each phase learned six times as slowly).
        var margin = 1 / Math.Sqrt(n);
        for (var i = start; i < acf.Length - 1 && bestAcf > threshold; i++)
        {
            if (IsPeak(i) && acf[i] > threshold && acf[i] >= bestAcf - margin)
            {
                return i + minPeriod - 1;
            }
        }

        return 1;

        bool IsPeak(int i) => acf[i] >= acf[i - 1] && acf[i] >= acf[i + 1];
    }

    /// <summary>The autocorrelation of the detrended series at one lag (NaN steps left out, as in <see cref="Detect"/>).</summary>
    public static double AutocorrelationAt(ReadOnlySpan<double> series, int lag)
    {
        var x = Centred(series, out var variance);
        return variance == 0 ? 0 : Autocorrelation(x, lag, variance);
    }

    // The detrended series and its variance over the points present; 0 for a series without variation.
    private static double[] Centred(ReadOnlySpan<double> series, out double variance)
    {
        var x = Detrend(series, out var present);
        double squares = 0;
        foreach (var v in x)
        {
            if (!double.IsNaN(v))
            {
                squares += v * v;
            }
        }

        variance = squares <= 1e-12 * present ? 0 : squares / present;
        return x;
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
        var pairs = 0;
        for (var i = lag; i < n; i++)
        {
            var product = x[i] * x[i - lag];
            if (!double.IsNaN(product))
            {
                sum += product;
                pairs++;
            }
        }

        // Normalised by the number of pairs so long lags are not penalised for having fewer of them.
        return pairs == 0 ? 0 : sum / pairs / variance;
    }

    private static double[] Detrend(ReadOnlySpan<double> series, out int present)
    {
        var n = series.Length;
        double meanT = 0, meanY = 0;
        present = 0;
        for (var i = 0; i < n; i++)
        {
            if (!double.IsNaN(series[i]))
            {
                meanT += i;
                meanY += series[i];
                present++;
            }
        }

        meanT /= present;
        meanY /= present;
        double sxy = 0, sxx = 0;
        for (var i = 0; i < n; i++)
        {
            if (!double.IsNaN(series[i]))
            {
                sxy += (i - meanT) * (series[i] - meanY);
                sxx += (i - meanT) * (i - meanT);
            }
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
