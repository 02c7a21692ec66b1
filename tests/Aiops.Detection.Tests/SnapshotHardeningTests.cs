using System.Buffers;
using System.IO;
using Aiops.Detection.Tracking;

namespace Aiops.Detection.Tests;

/// <summary>
/// A snapshot restored from any bytes either restores a detector (or tracker) that keeps working or throws
/// <see cref="InvalidDataException"/>: never one that throws later, never flags again, skips every later point, or cannot be saved.
/// </summary>
public sealed class SnapshotHardeningTests
{
    // Header: magic, version, kind (4); then _lastTicks (8), _smallestStep (8), _meanStep (8), _pointsPerWeek (8),
    // _log10PointsPerWeek (8), _steps (8).
    private const int LastTicksOffset = 4;
    private const int SmallestStepOffset = 12;
    private const int MeanStepOffset = 20;
    private const int PointsPerWeekOffset = 28;
    private const int Log10PointsPerWeekOffset = 36;
    private const int StepsOffset = 44;

    private static readonly Dictionary<string, Func<IAnomalyDetector>> Detectors = new()
    {
        ["robust-zscore"] = () => new RobustZScoreDetector(),
        ["catalogue-ensemble"] = () => DetectorCatalog.Create(DetectorNames.Ensemble),
        ["catalogue-contextual"] = () => DetectorCatalog.Create(DetectorNames.Contextual),
        ["calibrated-art"] = () => new CalibratedDetector(new ArtDetector()),
    };

    public static TheoryData<string> Names() => [.. Detectors.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public void Restore_HeaderSmallestStepZero_ThrowsInvalidData(string name)
    {
        // Restored, the next point's gap check divided by it.
        var snapshot = Trained(name, 700, out _, out _);
        BitConverter.TryWriteBytes(snapshot.AsSpan(SmallestStepOffset, 8), 0L);

        var error = Assert.Throws<InvalidDataException>(() => DetectorSnapshot.Restore(Detectors[name](), snapshot));

        Assert.Contains("sampling interval", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("catalogue-ensemble", MeanStepOffset, double.NaN)]
    [InlineData("catalogue-contextual", MeanStepOffset, double.PositiveInfinity)]
    [InlineData("catalogue-ensemble", MeanStepOffset, -60.0)]
    [InlineData("catalogue-ensemble", PointsPerWeekOffset, double.NaN)]
    [InlineData("catalogue-contextual", PointsPerWeekOffset, 1e9)] // not what the mean step gives
    [InlineData("catalogue-ensemble", Log10PointsPerWeekOffset, double.NaN)]
    [InlineData("catalogue-ensemble", Log10PointsPerWeekOffset, 9.0)]
    public void Restore_HeaderRateFieldOutOfDomain_ThrowsInvalidData(string name, int offset, double value)
    {
        // Restored, a NaN or wrong rate reads every point's tail at NaN or another rate: such a detector never flagged again.
        var snapshot = Trained(name, 700, out _, out _);
        BitConverter.TryWriteBytes(snapshot.AsSpan(offset, 8), value);

        Assert.Throws<InvalidDataException>(() => DetectorSnapshot.Restore(Detectors[name](), snapshot));
    }

    [Theory]
    [InlineData(LastTicksOffset, long.MaxValue)] // later than any DateTimeOffset: every later point skipped as out of order
    [InlineData(LastTicksOffset, -1L)]
    [InlineData(StepsOffset, -1L)]
    [InlineData(StepsOffset, 0L)] // no step, yet a smallest and a mean one
    [InlineData(SmallestStepOffset, long.MaxValue)] // no step, yet counted steps
    public void Restore_HeaderTicksOrStepsOutOfDomain_ThrowsInvalidData(int offset, long value)
    {
        var snapshot = Trained("robust-zscore", 700, out _, out _);
        BitConverter.TryWriteBytes(snapshot.AsSpan(offset, 8), value);

        Assert.Throws<InvalidDataException>(() => DetectorSnapshot.Restore(new RobustZScoreDetector(), snapshot));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Restore_FewPoints_RestoresTheHeaderSentinels(int points)
    {
        // Before the first point the last time is "none"; before the second there is no step: both restore.
        var snapshot = Trained("robust-zscore", points, out var times, out var values);
        var restored = new RobustZScoreDetector();
        DetectorSnapshot.Restore(restored, snapshot);

        Assert.Equal(snapshot, DetectorSnapshot.Save(restored));
        Assert.False(restored.Update(times[points], values[points]).IsSkipped);
    }

    [Fact]
    public void Restore_ArtPointCountAtMaximum_ThrowsInvalidData()
    {
        // Header (52), the window, downsampling, categories and warm-up shapes (16), the vigilance (4), then the point count:
        // at long.MaxValue it overflowed to negative at the next point, and the detector could no longer be saved.
        var snapshot = Trained("art", 700, out _, out _);
        BitConverter.TryWriteBytes(snapshot.AsSpan(72, 8), long.MaxValue);

        var error = Assert.Throws<InvalidDataException>(() => DetectorSnapshot.Restore(new ArtDetector(), snapshot));

        Assert.Contains("ART point count", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_ArtPointCountOffTheRingPosition_ThrowsInvalidData()
    {
        var snapshot = Trained("art", 700, out _, out _);
        BitConverter.TryWriteBytes(snapshot.AsSpan(72, 8), 701L);

        var error = Assert.Throws<InvalidDataException>(() => DetectorSnapshot.Restore(new ArtDetector(), snapshot));

        Assert.Contains("does not follow", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Restore_BytesOverwrittenAnywhere_ThrowsInvalidDataOrKeepsWorking(string name)
    {
        var snapshot = Trained(name, 700, out var times, out var values);
        foreach (var (offset, pattern) in Overwrites(snapshot.Length))
        {
            var bytes = Overwritten(snapshot, offset, pattern);
            var detector = Detectors[name]();
            if (Restored(() => DetectorSnapshot.Restore(detector, bytes), name, offset, pattern))
            {
                AssertKeepsWorking(name, offset, pattern, () =>
                {
                    for (var i = 700; i < 1000; i++)
                    {
                        var score = detector.Update(times[i], values[i]);
                        Assert.True(
                            score.Probability is >= 0 and <= 1,
                            $"{name}, {Pattern(pattern)} at byte {offset}: probability {score.Probability} at point {i}");
                    }

                    Restorable(() => DetectorSnapshot.Restore(Detectors[name](), DetectorSnapshot.Save(detector)));
                });
            }
        }
    }

    [Theory]
    [InlineData(700)] // during an anomaly
    [InlineData(1215)] // back in the band, waiting out ReturnFor
    public void RestoreSnapshot_TrackerBytesOverwrittenAnywhere_ThrowsInvalidDataOrKeepsWorking(int cut)
    {
        var (scores, snapshot, options) = TrackerSnapshot(cut);
        foreach (var (offset, pattern) in Overwrites(snapshot.Length))
        {
            var bytes = Overwritten(snapshot, offset, pattern);
            var tracker = new AnomalyTracker(options);
            if (Restored(() => tracker.RestoreSnapshot(bytes), "tracker", offset, pattern))
            {
                AssertKeepsWorking("tracker", offset, pattern, () =>
                {
                    for (var i = cut; i < cut + 300; i++)
                    {
                        tracker.Update(scores[i]);
                        Assert.True(
                            tracker.PeakProbability is >= 0 and <= 1,
                            $"tracker, {Pattern(pattern)} at byte {offset}: peak probability {tracker.PeakProbability} at point {i}");
                    }

                    var buffer = new ArrayBufferWriter<byte>();
                    tracker.WriteSnapshot(buffer);
                    Restorable(() => new AnomalyTracker(options).RestoreSnapshot(buffer.WrittenSpan));
                });
            }
        }
    }

    // 8 bytes overwritten with NaN, -1, 0 and long.MaxValue at every 8-byte field of the header (and the tracker's options) and at
    // 400 other offsets, drawn once (aligned or not), so every config runs in well under a second.
    private static IEnumerable<(int Offset, long Pattern)> Overwrites(int length)
    {
        long[] patterns = [BitConverter.DoubleToInt64Bits(double.NaN), -1L, 0L, long.MaxValue];
        var random = new Random(17);
        var offsets = Enumerable.Range(0, 7).Select(k => 4 + (8 * k))
            .Concat(Enumerable.Range(0, 400).Select(_ => random.Next(4, length - 8)))
            .Distinct();
        foreach (var offset in offsets)
        {
            foreach (var pattern in patterns)
            {
                yield return (offset, pattern);
            }
        }
    }

    private static byte[] Overwritten(byte[] snapshot, int offset, long pattern)
    {
        var bytes = (byte[])snapshot.Clone();
        BitConverter.TryWriteBytes(bytes.AsSpan(offset, 8), pattern);
        return bytes;
    }

    // Whether the restore was accepted; a refusal must be an InvalidDataException.
    private static bool Restored(Action restore, string name, int offset, long pattern)
    {
        var error = Record.Exception(restore);
        Assert.True(error is null or InvalidDataException, $"{name}, {Pattern(pattern)} at byte {offset}: the restore threw {error}");
        return error is null;
    }

    private static void AssertKeepsWorking(string name, int offset, long pattern, Action use)
    {
        var error = Record.Exception(use);
        Assert.True(error is null, $"{name}, {Pattern(pattern)} at byte {offset}: restored, then failed: {error}");
    }

    // A state reached after a restore snapshots to bytes that restore, or that are refused as corrupt (a value near
    // ±double.MaxValue written in may overflow an estimate to a non-finite one, as such values fed in do): never another error.
    private static void Restorable(Action restore)
    {
        var error = Record.Exception(restore);
        Assert.True(error is null or InvalidDataException, $"its snapshot's restore threw {error}");
    }

    private static string Pattern(long pattern) => pattern switch
    {
        -1L => "-1",
        0L => "0",
        long.MaxValue => "long.MaxValue",
        _ => "NaN",
    };

    private static (AnomalyScore[] Scores, byte[] Snapshot, AnomalyTrackerOptions Options) TrackerSnapshot(int cut)
    {
        var t0 = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var noise = new Random(7);
        var detector = new RobustZScoreDetector(new RobustZScoreOptions { WindowSize = 120, Threshold = 0.99999 });
        var scores = Enumerable.Range(0, 2400)
            .Select(s => detector.Update(t0.AddSeconds(s), Math.Round(100 + (2 * TestSeries.Gaussian(noise)) + (s is >= 600 and < 1200 ? 60 : 0))))
            .ToArray();
        var options = new AnomalyTrackerOptions { ReturnFor = TimeSpan.FromSeconds(30) };
        var tracker = new AnomalyTracker(options);
        for (var i = 0; i < cut; i++)
        {
            tracker.Update(scores[i]);
        }

        var buffer = new ArrayBufferWriter<byte>();
        tracker.WriteSnapshot(buffer);
        return (scores, buffer.WrittenSpan.ToArray(), options);
    }

    private static byte[] Trained(string name, int points, out DateTimeOffset[] times, out double[] values)
    {
        var detector = name == "art" ? new ArtDetector() : Detectors[name]();
        var random = new Random(5);
        times = new DateTimeOffset[points + 300];
        values = new double[points + 300];
        for (var i = 0; i < times.Length; i++)
        {
            times[i] = TestSeries.Start.AddMinutes(i);
            values[i] = 100 + (10 * Math.Sin(i * 2 * Math.PI / 48)) + TestSeries.Gaussian(random);
        }

        for (var i = 0; i < points; i++)
        {
            detector.Update(times[i], values[i]);
        }

        return DetectorSnapshot.Save(detector);
    }
}
