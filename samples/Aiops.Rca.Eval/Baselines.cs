namespace Aiops.Rca.Eval;

/// <summary>A location and a scale of a baseline window; a value's deviation is (x − Center) / Scale.</summary>
/// <param name="Center">The median (robust) or mean.</param>
/// <param name="Scale">The interquartile range (robust) or standard deviation; 1 when the baseline has no spread.</param>
internal readonly record struct Baseline(double Center, double Scale)
{
    /// <summary>The signed deviation of <paramref name="value"/> from the baseline, in scales.</summary>
    public double Deviation(double value) => (value - Center) / Scale;

    /// <summary>
    /// The median and interquartile range of <paramref name="values"/> (linear interpolation between order statistics, as
    /// scikit-learn's <c>RobustScaler</c> used by BARO); a scale of 0 becomes 1, as there.
    /// </summary>
    public static Baseline Robust(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty)
        {
            return new Baseline(0, 1);
        }

        var sorted = values.ToArray();
        Array.Sort(sorted);
        var iqr = Quantile(sorted, 0.75) - Quantile(sorted, 0.25);
        return new Baseline(Quantile(sorted, 0.5), iqr > 0 ? iqr : 1);
    }

    /// <summary>The mean and (population) standard deviation of <paramref name="values"/>; a scale of 0 becomes 1.</summary>
    public static Baseline Gaussian(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty)
        {
            return new Baseline(0, 1);
        }

        var mean = 0.0;
        foreach (var v in values)
        {
            mean += v;
        }

        mean /= values.Length;
        var variance = 0.0;
        foreach (var v in values)
        {
            variance += (v - mean) * (v - mean);
        }

        var std = Math.Sqrt(variance / values.Length);
        return new Baseline(mean, std > 0 ? std : 1);
    }

    /// <summary>The q-quantile of sorted values, interpolating linearly between order statistics.</summary>
    public static double Quantile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + ((position - low) * (sorted[high] - sorted[low]));
    }
}

/// <summary>
/// The metric-based RCA baselines of RCAEval (Pham et al., ASE'24), both told the true onset: every series is scaled by its
/// statistics before the onset, each service scores the largest scaled value (with its sign, as the published code's
/// <c>max(z)</c>) any of its series reaches after the onset, and services are ranked by that score.
/// </summary>
internal static class Baselines
{
    /// <summary>BARO's root-cause step (Pham et al., FSE'24): median and interquartile range before the onset.</summary>
    public static IReadOnlyList<string> Baro(CaseData data, int onset) => Rank(data, onset, robust: true);

    /// <summary>N-Sigma: mean and standard deviation before the onset.</summary>
    public static IReadOnlyList<string> NSigma(CaseData data, int onset) => Rank(data, onset, robust: false);

    /// <summary>Every series with its BARO score (the largest signed robust deviation after the onset), highest first.</summary>
    public static IReadOnlyList<(SeriesData Series, double Score, int At)> BaroSeries(CaseData data, int onset) => Scores(data, onset, robust: true);

    private static List<string> Rank(CaseData data, int onset, bool robust)
    {
        var ranking = new List<string>();
        foreach (var (series, _, _) in Scores(data, onset, robust))
        {
            if (!ranking.Contains(series.Service))
            {
                ranking.Add(series.Service);
            }
        }

        return ranking;
    }

    private static List<(SeriesData Series, double Score, int At)> Scores(CaseData data, int onset, bool robust)
    {
        ArgumentNullException.ThrowIfNull(data);
        var scores = new List<(SeriesData, double, int)>(data.Series.Count);
        foreach (var series in data.Series)
        {
            // A missing sample (NaN, in a recorded case) is left out of the statistics: one would make the mean NaN, and every
            // deviation with it, so the series would never score.
            double[] before = [.. series.Values.Take(onset).Where(double.IsFinite)];
            var baseline = robust ? Baseline.Robust(before) : Baseline.Gaussian(before);
            // The largest scaled value with its sign, as BARO's and RCAEval's code take max(z): a series that only falls after
            // the onset scores low, not by its size.
            var (score, at) = (double.NegativeInfinity, onset);
            for (var t = onset; t < series.Values.Length; t++)
            {
                var deviation = baseline.Deviation(series.Values[t]);
                if (deviation > score)
                {
                    (score, at) = (deviation, t);
                }
            }

            scores.Add((series, score, at));
        }

        // Ties (equal scores) keep the service order stable by name, then metric.
        return [.. scores.OrderByDescending(s => s.Item2).ThenBy(s => s.Item1.Service, StringComparer.Ordinal).ThenBy(s => s.Item1.Metric, StringComparer.Ordinal)];
    }
}

/// <summary>The RCAEval accuracy metrics over a set of cases.</summary>
internal static class RcaMetrics
{
    /// <summary>Whether <paramref name="truth"/> is among the first <paramref name="k"/> of <paramref name="ranking"/>.</summary>
    public static bool HitAt(IReadOnlyList<string> ranking, string truth, int k)
    {
        ArgumentNullException.ThrowIfNull(ranking);
        for (var i = 0; i < Math.Min(k, ranking.Count); i++)
        {
            if (string.Equals(ranking[i], truth, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>AC@k: the share of cases whose root cause is in the top k.</summary>
    public static double AccuracyAt(IReadOnlyList<(IReadOnlyList<string> Ranking, string Truth)> cases, int k)
    {
        ArgumentNullException.ThrowIfNull(cases);
        return cases.Count == 0 ? 0 : cases.Count(c => HitAt(c.Ranking, c.Truth, k)) / (double)cases.Count;
    }

    /// <summary>Avg@k: the mean of AC@1 … AC@k.</summary>
    public static double AverageAt(IReadOnlyList<(IReadOnlyList<string> Ranking, string Truth)> cases, int k)
    {
        var sum = 0.0;
        for (var j = 1; j <= k; j++)
        {
            sum += AccuracyAt(cases, j);
        }

        return sum / k;
    }

    /// <summary>The expected Avg@k of a random order of <paramref name="services"/> services: mean over j ≤ k of min(j, n) / n.</summary>
    public static double RandomAverageAt(int services, int k)
    {
        var sum = 0.0;
        for (var j = 1; j <= k; j++)
        {
            sum += Math.Min(j, services) / (double)services;
        }

        return sum / k;
    }
}
