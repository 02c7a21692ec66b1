using System.Buffers;
using System.IO;

namespace Aiops.Detection.Tests;

public sealed class DetectorSnapshotTests
{
    private static readonly Dictionary<string, Func<IAnomalyDetector>> Detectors = new()
    {
        ["robust-zscore"] = () => new RobustZScoreDetector(),
        ["seasonal"] = () => new SeasonalDetector(),
        ["spectral-residual"] = () => new SpectralResidualDetector(),
        ["ssa-changepoint"] = () => new SsaChangePointDetector(),
        ["iid-spike"] = () => new IidSpikeDetector(),
        ["iid-changepoint"] = () => new IidChangePointDetector(),
        ["contextual-raw"] = () => new ContextualDetector(),
        ["art"] = () => new ArtDetector(),
        ["calibrated-art"] = () => new CalibratedDetector(new ArtDetector()),
        ["calibrated-robust"] = () => new CalibratedDetector(new RobustZScoreDetector()),
        ["catalogue-ensemble"] = () => DetectorCatalog.Create(DetectorNames.Ensemble),
        ["catalogue-contextual"] = () => DetectorCatalog.Create(DetectorNames.Contextual),
    };

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var name in Detectors.Keys)
        {
            // Before the first point, inside every warm-up, across the seasonal and SSA training, and in steady state.
            foreach (var n in new[] { 0, 7, 150, 650, 1700 })
            {
                data.Add(name, n);
            }
        }

        return data;
    }

    public static TheoryData<string> Names() => [.. Detectors.Keys];

    [Fact]
    public void Catalogue_EveryName_IsCoveredBySnapshotTests()
    {
        foreach (var name in DetectorCatalog.Names)
        {
            Assert.True(DetectorSnapshot.IsSupported(DetectorCatalog.Create(name)), name);
            Assert.Contains("catalogue-" + name, Detectors.Keys);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Restore_AfterNPoints_NextScoresAreBitwiseEqual(string name, int n)
    {
        const int M = 900;
        var (times, values) = Series(n + M);
        var original = Detectors[name]();
        Feed(original, times, values, 0, n);

        var snapshot = DetectorSnapshot.Save(original);
        var fresh = Detectors[name]();
        DetectorSnapshot.Restore(fresh, snapshot);

        // A detector that already learnt another series is overwritten completely.
        var used = Detectors[name]();
        var (otherTimes, otherValues) = Series(1200, seed: 9, level: 5_000);
        Feed(used, otherTimes, otherValues, 0, otherTimes.Length);
        DetectorSnapshot.Restore(used, snapshot);

        for (var i = n; i < n + M; i++)
        {
            var expected = original.Update(times[i], values[i]);
            AssertBitwiseEqual(expected, fresh.Update(times[i], values[i]), name, i);
            AssertBitwiseEqual(expected, used.Update(times[i], values[i]), name, i);
        }

        // And the state reached afterwards snapshots to the same bytes.
        Assert.Equal(DetectorSnapshot.Save(original), DetectorSnapshot.Save(fresh));
    }

    [Fact]
    public void Restore_SpectralResidualAcrossResynchronisation_ScoresBitwiseEqual()
    {
        // The sliding spectrum drifts between exact resynchronisations (every 4096 points): it is state, not a cache.
        var (times, values) = Series(9000);
        var original = new SpectralResidualDetector();
        Feed(original, times, values, 0, 4000);
        var fresh = new SpectralResidualDetector();
        DetectorSnapshot.Restore(fresh, DetectorSnapshot.Save(original));

        for (var i = 4000; i < 9000; i++)
        {
            AssertBitwiseEqual(original.Update(times[i], values[i]), fresh.Update(times[i], values[i]), "spectral-residual", i);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Restore_EveryTruncation_ThrowsInvalidDataException(string name)
    {
        var (times, values) = Series(700);
        var original = Detectors[name]();
        Feed(original, times, values, 0, values.Length);
        var snapshot = DetectorSnapshot.Save(original);

        for (var length = 0; length < snapshot.Length; length++)
        {
            var target = Detectors[name]();
            var error = Assert.Throws<InvalidDataException>(() => DetectorSnapshot.Restore(target, snapshot.AsSpan(0, length)));
            Assert.True(error.Message.Contains("truncated", StringComparison.Ordinal) || error.Message.Contains("not a detector snapshot", StringComparison.Ordinal), error.Message);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Restore_TrailingBytes_ThrowsInvalidDataException(string name)
    {
        var snapshot = DetectorSnapshot.Save(Detectors[name]());
        var longer = new byte[snapshot.Length + 1];
        snapshot.CopyTo(longer, 0);

        var error = Assert.Throws<InvalidDataException>(() => DetectorSnapshot.Restore(Detectors[name](), longer));
        Assert.Contains("left over", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_OtherDetectorsSnapshot_ThrowsAndLeavesDetectorUnchanged()
    {
        var (times, values) = Series(400);
        var ensemble = DetectorCatalog.Create(DetectorNames.Ensemble);
        Feed(ensemble, times, values, 0, values.Length);
        var before = DetectorSnapshot.Save(ensemble);
        var contextual = DetectorSnapshot.Save(DetectorCatalog.Create(DetectorNames.Contextual));

        var error = Assert.Throws<InvalidDataException>(() => DetectorSnapshot.Restore(ensemble, contextual));

        Assert.Contains("another kind of detector", error.Message, StringComparison.Ordinal);
        Assert.Contains("Calibrated", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, DetectorSnapshot.Save(ensemble));
    }

    [Fact]
    public void Restore_CalibratedAroundOtherInner_ThrowsInvalidDataException()
    {
        var snapshot = DetectorSnapshot.Save(new CalibratedDetector(new RobustZScoreDetector()));

        var error = Assert.Throws<InvalidDataException>(() => DetectorSnapshot.Restore(DetectorCatalog.Create(DetectorNames.Contextual), snapshot));

        Assert.Contains("RobustZScore", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_UnknownFormatVersion_ThrowsInvalidDataException()
    {
        var snapshot = DetectorSnapshot.Save(DetectorCatalog.Create(DetectorNames.Ensemble));
        snapshot[2] = DetectorSnapshot.FormatVersion + 1;

        var error = Assert.Throws<InvalidDataException>(() => DetectorSnapshot.Restore(DetectorCatalog.Create(DetectorNames.Ensemble), snapshot));

        Assert.Contains($"format version {DetectorSnapshot.FormatVersion + 1}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_NotASnapshot_ThrowsInvalidDataException()
    {
        var error = Assert.Throws<InvalidDataException>(() => DetectorSnapshot.Restore(new RobustZScoreDetector(), "{\"json\":1}"u8));

        Assert.Contains("not a detector snapshot", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_OtherOptions_ThrowsNamingTheOption()
    {
        var (times, values) = Series(100);
        var wide = new RobustZScoreDetector(new RobustZScoreOptions { WindowSize = 64 });
        Feed(wide, times, values, 0, values.Length);
        var narrow = new RobustZScoreDetector(new RobustZScoreOptions { WindowSize = 32 });
        Feed(narrow, times, values, 0, 50);

        var error = Assert.Throws<InvalidDataException>(() => DetectorSnapshot.Restore(narrow, DetectorSnapshot.Save(wide)));

        Assert.Contains("64", error.Message, StringComparison.Ordinal);
        Assert.Contains("32", error.Message, StringComparison.Ordinal);
        // A failure past the header resets the detector rather than leaving half a state.
        Assert.Equal(DetectorSnapshot.Save(new RobustZScoreDetector(new RobustZScoreOptions { WindowSize = 32 })), DetectorSnapshot.Save(narrow));
    }

    [Fact]
    public void Restore_ArtOtherVigilance_ThrowsAndResets()
    {
        var (times, values) = Series(700);
        var loose = new ArtDetector(new ArtOptions { Vigilance = 0.8 });
        Feed(loose, times, values, 0, values.Length);
        var tight = new ArtDetector();
        Feed(tight, times, values, 0, 400);

        var error = Assert.Throws<InvalidDataException>(() => DetectorSnapshot.Restore(tight, DetectorSnapshot.Save(loose)));

        Assert.Contains("vigilance", error.Message, StringComparison.Ordinal);
        Assert.Equal(DetectorSnapshot.Save(new ArtDetector()), DetectorSnapshot.Save(tight));
    }

    [Fact]
    public void Restore_CorruptCount_ThrowsInvalidDataException()
    {
        // Header (4) + sampling estimate (48) + window length (4), then the count.
        var error = RestorePatched(() => new RobustZScoreDetector(), 100, s => BitConverter.TryWriteBytes(s.AsSpan(56, 4), 1000));

        Assert.Contains("corrupt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_SeasonalWarmupStepNegative_ThrowsInvalidDataException()
    {
        // A negative step once put a warm-up point before the first and training threw IndexOutOfRangeException. Header (4)
        // + sampling estimate (48) + warm-up length (4) + warming flag (1) + count (4) + 100 values, then the steps.
        var error = RestorePatched(() => new SeasonalDetector(), 100, s => BitConverter.TryWriteBytes(s.AsSpan(61 + (100 * sizeof(double)) + (5 * sizeof(float)), 4), -1e12f));

        Assert.Contains("warm-up step", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_SeasonalStepZero_ThrowsInvalidDataException()
    {
        // The sampling step comes just before the error scale along the period.
        var error = RestorePatched(() => new SeasonalDetector(), 700, s => BitConverter.TryWriteBytes(s.AsSpan(s.Length - SeasonalScaleBytes(700) - sizeof(long), sizeof(long)), 0L));

        Assert.Contains("sampling step", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    [InlineData(1e6f)]
    public void Restore_SeasonalScaleFactorOutOfRange_ThrowsInvalidDataException(float factor)
    {
        // The scale: a count, a float per segment, two moments and a count of points; the first factor follows the count.
        var error = RestorePatched(() => new SeasonalDetector(), 700, s => BitConverter.TryWriteBytes(s.AsSpan(s.Length - SeasonalScaleBytes(700) + sizeof(int), sizeof(float)), factor));

        Assert.Contains("scale factor", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_EveryReadingAsTheLast_RestoredAndOneBeyondRefused()
    {
        // The snapshot ends with the reading that gave the last point its surprise; each reading must restore (the lagged
        // change-point member's two, added after the check was written, were refused: a grain could not resume mid-anomaly).
        var (times, values) = Series(700);
        var ensemble = new EnsembleDetector();
        Feed(ensemble, times, values, 0, values.Length);
        var snapshot = DetectorSnapshot.Save(ensemble);
        foreach (var reading in Enum.GetValues<EnsembleDetector.Reading>())
        {
            snapshot[^1] = (byte)reading;
            var restored = new EnsembleDetector();
            DetectorSnapshot.Restore(restored, snapshot);
            Assert.Equal(reading, restored.LastReading);
        }

        snapshot[^1] = (byte)(Enum.GetValues<EnsembleDetector.Reading>().Max() + 1);
        var error = Assert.Throws<InvalidDataException>(() => DetectorSnapshot.Restore(new EnsembleDetector(), snapshot));
        Assert.Contains("last reading", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_TrainedSeasonWithoutScaleSegments_ThrowsInvalidDataException()
    {
        // A trained period always has its segments: a count of 0 would silently turn the scale off for good.
        var error = RestorePatched(() => new SeasonalDetector(), 700, s => BitConverter.TryWriteBytes(s.AsSpan(s.Length - SeasonalScaleBytes(700), sizeof(int)), 0));

        Assert.Contains("do not fit its period", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Save_DetectorWithoutFormat_ThrowsNotSupported()
    {
        var custom = new WarmingUpDetector();

        Assert.False(DetectorSnapshot.IsSupported(custom));
        Assert.Throws<NotSupportedException>(() => DetectorSnapshot.Save(custom));
        Assert.Throws<NotSupportedException>(() => custom.WriteSnapshot(new ArrayBufferWriter<byte>()));
    }

    [Fact]
    public void Save_DefaultCatalogueDetectors_StayWithinStatedSizes()
    {
        // The sizes DetectorSnapshot's remarks and the README state (bytes per series in grain state).
        var (times, values) = Series(2000);
        var ensemble = DetectorCatalog.Create(DetectorNames.Ensemble);
        Feed(ensemble, times, values, 0, 300);
        var warming = DetectorSnapshot.Save(ensemble).Length;
        Feed(ensemble, times, values, 300, 2000);
        var trained = DetectorSnapshot.Save(ensemble).Length;
        var contextual = DetectorCatalog.Create(DetectorNames.Contextual);
        Feed(contextual, times, values, 0, 2000);

        Assert.InRange(warming, 2_500, 7_500);
        Assert.InRange(trained, 1_000, 4_200);
        Assert.InRange(DetectorSnapshot.Save(contextual).Length, 500, 4_000);
    }

    // The bytes of a seasonal detector's error scale along its period, once fed the first points of Series.
    private static int SeasonalScaleBytes(int points)
    {
        var (times, values) = Series(points);
        var detector = new SeasonalDetector();
        Feed(detector, times, values, 0, points);
        Assert.True(detector.Period > 1, "the series has a season");
        return sizeof(int) + (Math.Min(32, detector.Period) * sizeof(float)) + (2 * sizeof(double)) + sizeof(long);
    }

    // The error of restoring, into a fresh detector, the snapshot of one fed the first points of Series and then patched.
    private static InvalidDataException RestorePatched(Func<IAnomalyDetector> create, int points, Action<byte[]> patch)
    {
        var (times, values) = Series(points);
        var detector = create();
        Feed(detector, times, values, 0, values.Length);
        var snapshot = DetectorSnapshot.Save(detector);
        patch(snapshot);
        return Assert.Throws<InvalidDataException>(() => DetectorSnapshot.Restore(create(), snapshot));
    }

    private static void Feed(IAnomalyDetector detector, DateTimeOffset[] times, double[] values, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            detector.Update(times[i], values[i]);
        }
    }

    private static void AssertBitwiseEqual(AnomalyScore expected, AnomalyScore actual, string name, int i)
    {
        var context = $"{name} at point {i}";
        Assert.True(expected.Status == actual.Status, $"{context}: status {expected.Status} vs {actual.Status}");
        Assert.True(expected.IsAnomaly == actual.IsAnomaly, $"{context}: flag");
        Assert.True(expected.Timestamp == actual.Timestamp, $"{context}: timestamp");
        foreach (var (a, b, field) in new[]
        {
            (expected.Value, actual.Value, "value"),
            (expected.Probability, actual.Probability, "probability"),
            (expected.RawScore, actual.RawScore, "raw score"),
            (expected.Expected, actual.Expected, "expected"),
            (expected.Lower, actual.Lower, "lower"),
            (expected.Upper, actual.Upper, "upper"),
        })
        {
            Assert.True(BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(b), $"{context}: {field} {a:R} vs {b:R}");
        }
    }

    /// <summary>A daily-seasonal series with noise, spikes, a level shift, irregular steps, gaps and a few bad points.</summary>
    private static (DateTimeOffset[] Times, double[] Values) Series(int length, int seed = 3, double level = 100)
    {
        var random = new Random(seed);
        var times = new DateTimeOffset[length];
        var values = new double[length];
        var t = TestSeries.Start;
        for (var i = 0; i < length; i++)
        {
            t = t.AddSeconds(i % 97 == 0 ? 600 : 60 + random.Next(0, 3));
            times[i] = t;
            // A 48-minute cycle in time (the gaps every 97 points do not shift it): about 47 steps of the median 61 s.
            var v = level + (10 * Math.Sin(2 * Math.PI * (t - TestSeries.Start).TotalMinutes / 48)) + TestSeries.Gaussian(random) + (i > length * 2 / 3 ? 15 : 0);
            values[i] = i % 211 == 0 ? v + 40 : i % 503 == 0 ? double.NaN : v;

            // Stuck for 11 points every 331 (points 642–652 hold the snapshot at 650 in the middle of a run of repeats).
            if (i % 331 >= 320)
            {
                values[i] = values[i - 1];
            }
        }

        return (times, values);
    }
}
