using System.Buffers;
using Aiops.Detection.Internal;

namespace Aiops.Detection.Tests;

public class RollingOrderStatisticsTests
{
    [Theory]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(64)]
    [InlineData(600)] // past the SIMD counting limit: binary searches
    public void MedianAndMad_RandomStream_MatchBruteForce(int capacity)
    {
        var window = new RollingOrderStatistics(capacity);
        var random = new Random(capacity);
        var recent = new List<double>();
        for (var i = 0; i < 1000; i++)
        {
            // Few distinct values, so ties are exercised.
            var value = Math.Round(TestSeries.Gaussian(random) * 3);
            var evicted = window.Add(value);
            recent.Add(value);
            if (recent.Count > capacity)
            {
                Assert.Equal(recent[0], evicted);
                recent.RemoveAt(0);
            }
            else
            {
                Assert.True(double.IsNaN(evicted));
            }

            var median = Median(recent);
            Assert.Equal(median, window.Median(), 12);
            Assert.Equal(Median(recent.Select(v => Math.Abs(v - median)).ToList()), window.MedianAbsoluteDeviation(median), 12);
            Assert.Equal(recent.Count(v => v < value), window.CountBelow(value));
            Assert.Equal(recent.Count(v => v <= value), window.CountAtMost(value));
            Assert.Equal(value, window.Newest);
        }
    }

    [Theory]
    [InlineData(7, 3)] // not yet full
    [InlineData(7, 25)] // full, the oldest value mid-ring
    [InlineData(300, 1000)] // 2-byte indexes
    public void Snapshot_MidStreamWithTies_RestoredWindowEvictsAndRanksAsTheOriginal(int capacity, int points)
    {
        var original = new RollingOrderStatistics(capacity);
        var random = new Random(points);
        for (var i = 0; i < points; i++)
        {
            original.Add(Math.Round(TestSeries.Gaussian(random)));
        }

        var restored = new RollingOrderStatistics(capacity);
        var bytes = Write(original);
        var reader = new SnapshotReader(bytes);
        restored.Read(ref reader, finiteValues: true);
        Assert.Equal(original.Newest, restored.Newest);
        for (var i = 0; i < 2 * capacity; i++)
        {
            var value = Math.Round(TestSeries.Gaussian(random));
            Assert.Equal(original.Add(value), restored.Add(value));
            Assert.Equal(original.Median(), restored.Median());
            Assert.Equal(original.CountBelow(value), restored.CountBelow(value));
        }

        Assert.Equal(Write(original), Write(restored));
    }

    [Fact]
    public void Read_SortedOrderNamesASlotTwice_ThrowsInvalidDataException()
    {
        var window = new RollingOrderStatistics(4);
        foreach (var value in new[] { 3.0, 1, 2 })
        {
            window.Add(value);
        }

        var bytes = Write(window);
        bytes[^1] = bytes[^2]; // the largest value's index repeats the one before it

        var restored = new RollingOrderStatistics(4);
        var error = Assert.Throws<InvalidDataException>(() =>
        {
            var reader = new SnapshotReader(bytes);
            restored.Read(ref reader, finiteValues: true);
        });
        Assert.Contains("window slot", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.NaN, true)]
    [InlineData(double.NaN, false)]
    [InlineData(double.PositiveInfinity, true)]
    public void Read_ValueNaNOrInfinityInAWindowOfPoints_ThrowsInvalidDataException(double value, bool finiteValues)
    {
        // NaN passed the sortedness check (every comparison with it is false), and then broke the window's order.
        var window = new RollingOrderStatistics(4);
        foreach (var x in new[] { 3.0, 1, 2 })
        {
            window.Add(x);
        }

        var bytes = Write(window);
        BitConverter.TryWriteBytes(bytes.AsSpan(8, sizeof(double)), value); // the oldest value, 3: the last in sorted order

        var restored = new RollingOrderStatistics(4);
        var error = Assert.Throws<InvalidDataException>(() =>
        {
            var reader = new SnapshotReader(bytes);
            restored.Read(ref reader, finiteValues);
        });
        Assert.Contains("not sorted", error.Message, StringComparison.Ordinal);
    }

    private static byte[] Write(RollingOrderStatistics window)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new SnapshotWriter(buffer);
        window.Write(ref writer);
        return buffer.WrittenSpan.ToArray();
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        var c = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[c] : (sorted[c - 1] + sorted[c]) / 2;
    }
}
