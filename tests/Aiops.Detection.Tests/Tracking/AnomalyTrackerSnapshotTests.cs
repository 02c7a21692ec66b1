using System.Buffers;
using System.IO;
using Aiops.Detection.Tracking;

namespace Aiops.Detection.Tests.Tracking;

public sealed class AnomalyTrackerSnapshotTests
{
    private const double Strict = 0.99999;

    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Everything an anomaly signal is made of, and the baseline behind it, after one point.</summary>
    private readonly record struct Seen(
        AnomalyTransition Transition,
        bool IsAnomalous,
        DateTimeOffset Onset,
        DateTimeOffset? EndedAt,
        AnomalyEndReason EndReason,
        DateTimeOffset? ReturningSince,
        double Severity,
        double PeakSeverity,
        double PeakProbability,
        double BaselineMedian,
        double BaselineScale,
        double Lower,
        double Upper,
        int BaselineCount);

    [Theory]
    [InlineData(300)] // normal, baseline full
    [InlineData(601)] // an onset being confirmed
    [InlineData(700)] // mid-anomaly, the detector adapted
    [InlineData(1215)] // back in the band, waiting out ReturnFor
    [InlineData(1500)] // after the recovery, the frozen band still gating onsets
    public void RestoreSnapshot_LevelShiftCutAnywhere_SameTransitionsAndSignalsAfterwards(int cut)
    {
        var noise = new Random(7);
        var detector = new RobustZScoreDetector(new RobustZScoreOptions { WindowSize = 120, Threshold = Strict });
        var scores = Enumerable.Range(0, 2400)
            .Select(s => detector.Update(T0.AddSeconds(s), 100 + (2 * Gaussian(noise)) + (s is >= 600 and < 1200 ? 60 : 0)))
            .ToArray();

        var (seen, transitions) = CompareAfterRestore(new AnomalyTrackerOptions { ReturnFor = TimeSpan.FromSeconds(30) }, scores, cut);

        Assert.Equal(2400 - cut, seen);
        Assert.Equal(cut <= 602 ? 2 : cut <= 1230 ? 1 : 0, transitions); // the onset (reported at 602) and the end (at 1230) after the cut
    }

    [Theory]
    [InlineData(640)]
    [InlineData(1000)]
    public void RestoreSnapshot_HeldNewLevel_SameNewNormalEndAndBaselineAfterwards(int cut)
    {
        var noise = new Random(3);
        var detector = new RobustZScoreDetector(new RobustZScoreOptions { WindowSize = 120, Threshold = Strict });
        var scores = Enumerable.Range(0, 3000)
            .Select(s => detector.Update(T0.AddSeconds(s), 100 + (2 * Gaussian(noise)) + (s >= 600 ? 40 : 0)))
            .ToArray();

        var options = new AnomalyTrackerOptions { NewNormalAfter = TimeSpan.FromMinutes(10) };
        var (_, transitions) = CompareAfterRestore(options, scores, cut);

        Assert.True(transitions >= 1, "the new level should end the anomaly as a new normal after the cut");
    }

    [Theory]
    [InlineData(900)]
    [InlineData(1250)]
    public void RestoreSnapshot_RareEventCountRise_SameCountAnomalyAfterwards(int cut)
    {
        // Errors at 0.2 a point, then 2 a point from 1,200 on: the windowed count test starts the anomaly.
        var random = new Random(11);
        var detector = new RobustZScoreDetector();
        var scores = Enumerable.Range(0, 1800)
            .Select(s => detector.Update(T0.AddSeconds(10 * s), Poisson(random, s is >= 1200 and < 1400 ? 2 : 0.2)))
            .ToArray();

        var (_, transitions) = CompareAfterRestore(new AnomalyTrackerOptions(), scores, cut);

        Assert.True(transitions >= 1, "the count rise should start an anomaly after the cut");
    }

    [Fact]
    public void RestoreSnapshot_OtherOptions_ThrowsInvalidDataAndResets()
    {
        var tracker = Trained(new AnomalyTrackerOptions());
        var other = Trained(new AnomalyTrackerOptions { EnterDeviation = 4 });

        var error = Assert.Throws<InvalidDataException>(() => other.RestoreSnapshot(Save(tracker)));

        Assert.Contains("other options", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, other.BaselineCount);
        Assert.False(other.IsAnomalous);
    }

    [Fact]
    public void RestoreSnapshot_EveryTruncationAndTrailingByte_ThrowsInvalidData()
    {
        var bytes = Save(Trained(new AnomalyTrackerOptions()));
        for (var length = 0; length < bytes.Length; length++)
        {
            var tracker = new AnomalyTracker();
            Assert.Throws<InvalidDataException>(() => tracker.RestoreSnapshot(bytes.AsSpan(0, length)));
        }

        Assert.Throws<InvalidDataException>(() => new AnomalyTracker().RestoreSnapshot([.. bytes, 0]));
    }

    [Fact]
    public void RestoreSnapshot_DetectorSnapshotOrOtherVersion_ThrowsAndLeavesTrackerUnchanged()
    {
        var tracker = Trained(new AnomalyTrackerOptions());
        var before = Save(tracker);
        var detector = new RobustZScoreDetector();
        detector.Update(T0, 1);
        var versioned = (byte[])before.Clone();
        versioned[2] = AnomalyTracker.SnapshotFormatVersion + 1;

        var kind = Assert.Throws<InvalidDataException>(() => tracker.RestoreSnapshot(DetectorSnapshot.Save(detector)));
        var version = Assert.Throws<InvalidDataException>(() => tracker.RestoreSnapshot(versioned));

        Assert.Contains("not of an anomaly tracker", kind.Message, StringComparison.Ordinal);
        Assert.Contains("format version", version.Message, StringComparison.Ordinal);
        Assert.Equal(before, Save(tracker));
    }

    [Fact]
    public void WriteSnapshot_FullBaselineDefaultOptions_StaysWithinStatedSize()
    {
        var bytes = Save(Trained(new AnomalyTrackerOptions()));

        Assert.InRange(bytes.Length, 2048, 3200); // 256 baseline values, 32 count points and the scalars: about 3.1 KB
    }

    /// <summary>
    /// Feeds every score to one tracker; feeds a second the scores before <paramref name="cut"/>, restores a third from its
    /// snapshot, and feeds both the rest: every point after the cut must give the same transition and signal state, and the
    /// two end with equal snapshots.
    /// </summary>
    [Fact]
    public void RestoreSnapshot_SustainMedianNaN_ThrowsInvalidData()
    {
        // Restored, the next sustained-run check took Math.Sign of NaN (ArithmeticException) at every point.
        var (_, snapshot, options) = LevelShiftSnapshot(300);
        var tracker = new AnomalyTracker(options);
        tracker.RestoreSnapshot(snapshot);

        // The header and options (68 bytes), the baseline ring (count + values), the empty new-level ring (4), four doubles (32), the
        // candidate score (62), candidate median, scale, side, counts (28), armed left, median, scale, side (24), sustain
        // refresh (4): then the sustain median.
        var offset = 68 + 4 + (8 * tracker.BaselineCount) + 4 + 32 + 62 + 28 + 24 + 4;
        Assert.InRange(BitConverter.ToDouble(snapshot, offset), 90, 110); // the layout is as described
        BitConverter.TryWriteBytes(snapshot.AsSpan(offset, 8), double.NaN);

        var error = Assert.Throws<InvalidDataException>(() => new AnomalyTracker(options).RestoreSnapshot(snapshot));

        Assert.Contains("sustained run's baseline", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, -1L)] // _inBandSinceTicks: the end's time was built from it (ArgumentOutOfRangeException)
    [InlineData(0, long.MaxValue)]
    [InlineData(17, -1L)] // _insideRunTicks
    [InlineData(-8, -1L)] // _lastFlagTicks, just before: the new-normal test subtracted it
    public void RestoreSnapshot_TimeOutOfRange_ThrowsInvalidData(int fromInBandSince, long ticks)
    {
        // Back in the band at 1,215 and waiting out ReturnFor: the tail is _inBandSinceTicks (8), _inBand (1), _backBits (8),
        // _insideRunTicks (8), IsAnomalous (1), three times with their flags (12 + 1 + 12 + 1 + 1 + 12) and seven doubles (56).
        var (_, snapshot, options) = LevelShiftSnapshot(1215);
        var inBandSince = snapshot.Length - (56 + 12 + 1 + 1 + 12 + 1 + 12 + 1 + 8 + 8 + 1 + 8);
        Assert.Equal(1, snapshot[inBandSince + 8]); // _inBand: the layout is as described
        BitConverter.TryWriteBytes(snapshot.AsSpan(inBandSince + fromInBandSince, 8), ticks);

        var error = Assert.Throws<InvalidDataException>(() => new AnomalyTracker(options).RestoreSnapshot(snapshot));

        Assert.Contains("time", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(1.5)]
    [InlineData(-0.5)]
    public void RestoreSnapshot_PeakProbabilityOutOfRange_ThrowsInvalidData(double probability)
    {
        var (_, snapshot, options) = LevelShiftSnapshot(700);
        BitConverter.TryWriteBytes(snapshot.AsSpan(snapshot.Length - 8, 8), probability);

        var error = Assert.Throws<InvalidDataException>(() => new AnomalyTracker(options).RestoreSnapshot(snapshot));

        Assert.Contains("peak probability", error.Message, StringComparison.Ordinal);
    }

    // A tracker of one point a second, shifted by 60 (30 σ) from second 600 to 1,200, saved after cut points.
    private static (AnomalyScore[] Scores, byte[] Snapshot, AnomalyTrackerOptions Options) LevelShiftSnapshot(int cut)
    {
        var noise = new Random(7);
        var detector = new RobustZScoreDetector(new RobustZScoreOptions { WindowSize = 120, Threshold = Strict });
        var scores = Enumerable.Range(0, 2400)
            .Select(s => detector.Update(T0.AddSeconds(s), 100 + (2 * Gaussian(noise)) + (s is >= 600 and < 1200 ? 60 : 0)))
            .ToArray();
        var options = new AnomalyTrackerOptions { ReturnFor = TimeSpan.FromSeconds(30) };
        var tracker = new AnomalyTracker(options);
        for (var i = 0; i < cut; i++)
        {
            tracker.Update(scores[i]);
        }

        return (scores, Save(tracker), options);
    }

    private static (int Seen, int Transitions) CompareAfterRestore(AnomalyTrackerOptions options, AnomalyScore[] scores, int cut)
    {
        var original = new AnomalyTracker(options);
        for (var i = 0; i < cut; i++)
        {
            original.Update(scores[i]);
        }

        var restored = new AnomalyTracker(options);
        restored.RestoreSnapshot(Save(original));
        Assert.Equal(Save(original), Save(restored));
        var seen = 0;
        var transitions = 0;
        for (var i = cut; i < scores.Length; i++)
        {
            var expected = Observe(original, original.Update(scores[i]));
            var actual = Observe(restored, restored.Update(scores[i]));
            Assert.Equal(expected, actual);
            seen++;
            transitions += expected.Transition == AnomalyTransition.None ? 0 : 1;
        }

        Assert.Equal(Save(original), Save(restored));
        return (seen, transitions);
    }

    private static Seen Observe(AnomalyTracker t, AnomalyTransition transition) => new(
        transition, t.IsAnomalous, t.Onset, t.EndedAt, t.EndReason, t.ReturningSince, t.Severity, t.PeakSeverity, t.PeakProbability,
        t.BaselineMedian, t.BaselineScale, t.Lower, t.Upper, t.BaselineCount);

    private static AnomalyTracker Trained(AnomalyTrackerOptions options)
    {
        var noise = new Random(5);
        var detector = new RobustZScoreDetector();
        var tracker = new AnomalyTracker(options);
        for (var s = 0; s < 400; s++)
        {
            tracker.Update(detector.Update(T0.AddSeconds(s), 100 + (2 * Gaussian(noise))));
        }

        return tracker;
    }

    private static byte[] Save(AnomalyTracker tracker)
    {
        var buffer = new ArrayBufferWriter<byte>();
        tracker.WriteSnapshot(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static int Poisson(Random random, double rate)
    {
        var limit = Math.Exp(-rate);
        var k = 0;
        for (var p = random.NextDouble(); p > limit; p *= random.NextDouble())
        {
            k++;
        }

        return k;
    }
}
