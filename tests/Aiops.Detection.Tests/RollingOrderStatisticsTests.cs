using Aiops.Detection.Internal;

namespace Aiops.Detection.Tests;

public class RollingOrderStatisticsTests
{
    [Theory]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(64)]
    public void MedianAndMad_RandomStream_MatchBruteForce(int capacity)
    {
        var window = new RollingOrderStatistics(capacity);
        var random = new Random(capacity);
        var recent = new List<double>();
        for (var i = 0; i < 1000; i++)
        {
            // Few distinct values, so ties are exercised.
            var value = Math.Round(TestSeries.Gaussian(random) * 3);
            window.Add(value);
            recent.Add(value);
            if (recent.Count > capacity)
            {
                recent.RemoveAt(0);
            }

            var median = Median(recent);
            Assert.Equal(median, window.Median(), 12);
            Assert.Equal(Median(recent.Select(v => Math.Abs(v - median)).ToList()), window.MedianAbsoluteDeviation(median), 12);
            Assert.Equal(recent.Count(v => v < value), window.CountBelow(value));
            Assert.Equal(recent.Count(v => v <= value), window.CountAtMost(value));
            Assert.Equal(value, window.Newest);
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        var c = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[c] : (sorted[c - 1] + sorted[c]) / 2;
    }
}
