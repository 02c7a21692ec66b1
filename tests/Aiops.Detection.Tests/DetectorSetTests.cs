using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Aiops.Detection.Tests;

public sealed class DetectorSetTests : IDisposable
{
    private readonly TestMeterFactory _meterFactory = new();
    private readonly FakeTimeProvider _time = new(TestSeries.Start);

    // A building block (not selectable by name) that judges a series after a few points, unlike the ensemble's warm-up.
    private static IAnomalyDetector RobustZScore(SeriesKey key) => new CalibratedDetector(new RobustZScoreDetector());

    public void Dispose() => _meterFactory.Dispose();

    [Fact]
    public void SeriesKey_SameLabelsInAnyOrder_AreEqualAndFormatCanonically()
    {
        var a = new SeriesKey("http_requests_total", [new("job", "api"), new("code", "500")]);
        var b = new SeriesKey("http_requests_total", [new("code", "500"), new("job", "api")]);
        var c = new SeriesKey("http_requests_total", [new("code", "200"), new("job", "api")]);

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, c);
        Assert.Equal("http_requests_total{code=\"500\",job=\"api\"}", a.ToString());
    }

    [Fact]
    public void SeriesKey_RepeatedLabel_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => new SeriesKey("m", [new("job", "a"), new("job", "b")]));

        Assert.Contains("'job' twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SeriesKey_LabelWithNullValue_ThrowsNamingLabel()
    {
        var error = Assert.Throws<ArgumentException>(() => new SeriesKey("m", [new("job", null!)]));

        Assert.Contains("'job' with a null value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SeriesKey_LabelWithNullName_Throws()
    {
        Assert.Throws<ArgumentException>(() => new SeriesKey("m", [new(null!, "a")]));
    }

    [Fact]
    public void SeriesKey_LabelNameImitatingTwoLabels_HasItsOwnCanonicalText()
    {
        // The text is the series' fingerprint (Signals.Fingerprint, the score board's lookups): a label name holding `="`
        // and `,` used to format exactly as two labels.
        var twoLabels = new SeriesKey("m", [new("a", "1"), new("b", "2")]);
        var oneLabel = new SeriesKey("m", [new("a=\"1\",b", "2")]);

        Assert.NotEqual(twoLabels, oneLabel);
        Assert.Equal("m{a=\"1\",b=\"2\"}", twoLabels.ToString());
        Assert.Equal("m{\"a=\\\"1\\\",b\"=\"2\"}", oneLabel.ToString());
    }

    [Fact]
    public void SeriesKey_PrometheusAndOpenTelemetryNames_FormatAsIs()
    {
        var key = new SeriesKey("http.server.request.duration", [new("http.request.method", "GET"), new("job:rate5m", "a"), new("k8s-pod", "p"), new("Code_2", "x\"y\\")]);

        Assert.Equal("http.server.request.duration{Code_2=\"x\\\"y\\\\\",http.request.method=\"GET\",job:rate5m=\"a\",k8s-pod=\"p\"}", key.ToString());
    }

    [Fact]
    public void SeriesKey_MetricEndingInBraceWithoutLabels_DiffersFromThatMetricsLabels()
    {
        // A query expression may name a series (a Prometheus query without a Name): it is written as is.
        var expression = new SeriesKey("m{a=\"1\"}");
        var labelled = new SeriesKey("m", [new("a", "1")]);
        var query = new SeriesKey("sum(rate(x{job=\"api\"}[5m]))");

        Assert.Equal("m{a=\"1\"}{}", expression.ToString());
        Assert.Equal("m{a=\"1\"}", labelled.ToString());
        Assert.Equal("sum(rate(x{job=\"api\"}[5m]))", query.ToString());
    }

    [Fact]
    public void SeriesKey_ManyKeysOfSeparatorCharacters_SameTextOnlyWhenEqual()
    {
        // Names and values drawn from the characters the text is built of: two keys share a text only when they are equal.
        const string Alphabet = "a1{}=\",\\ .";
        var random = new Random(11);
        string Draw(int max) => new([.. Enumerable.Range(0, random.Next(1, max + 1)).Select(_ => Alphabet[random.Next(Alphabet.Length)])]);
        var byText = new Dictionary<string, SeriesKey>(StringComparer.Ordinal);
        for (var i = 0; i < 20_000; i++)
        {
            var labels = Enumerable.Range(0, random.Next(0, 3)).Select(_ => new KeyValuePair<string, string>(Draw(3), random.Next(4) == 0 ? string.Empty : Draw(3)))
                .DistinctBy(l => l.Key, StringComparer.Ordinal)
                .ToArray();
            var key = new SeriesKey(Draw(4), labels);
            if (byText.TryGetValue(key.ToString(), out var seen))
            {
                Assert.True(seen.Equals(key), $"{key} is the text of two unequal keys");
            }
            else
            {
                byText.Add(key.ToString(), key);
            }
        }

        Assert.InRange(byText.Count, 5_000, 20_000);
    }

    [Fact]
    public void TryUpdate_TwoSeries_KeepIndependentState()
    {
        var set = new DetectorSet(factory: RobustZScore, timeProvider: _time);
        var quiet = new SeriesKey("latency", [new("instance", "a")]);
        var loud = new SeriesKey("latency", [new("instance", "b")]);

        for (var i = 0; i < 100; i++)
        {
            set.TryUpdate(quiet, TestSeries.At(i), 10 + (i % 3), out _);
            set.TryUpdate(loud, TestSeries.At(i), 1000 + (100 * (i % 3)), out _);
        }

        Assert.True(set.TryUpdate(quiet, TestSeries.At(100), 300, out var quietScore));
        Assert.True(set.TryUpdate(loud, TestSeries.At(100), 1100, out var loudScore));
        Assert.True(quietScore.IsAnomaly);
        Assert.False(loudScore.IsAnomaly);
        Assert.Equal(2, set.Count);
    }

    [Fact]
    public void TryUpdate_IdleLongerThanTimeout_SeriesEvictedAndCounted()
    {
        using var evicted = new MetricCollector<long>(_meterFactory, DetectionTelemetry.MeterName, "aiops.detection.series.evicted");
        var set = new DetectorSet(
            new DetectorSetOptions { IdleTimeout = TimeSpan.FromMinutes(10), Telemetry = new DetectionTelemetry(_meterFactory) },
            timeProvider: _time);
        var idle = new SeriesKey("idle");
        var busy = new SeriesKey("busy");
        set.TryUpdate(idle, TestSeries.At(0), 1, out _);

        for (var i = 1; i <= 12; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            set.TryUpdate(busy, TestSeries.At(i), 1, out _);
        }

        Assert.False(set.TryGetInfo(idle, out _));
        Assert.True(set.TryGetInfo(busy, out var info));
        Assert.Equal(12, info.Points);
        Assert.Equal(1, evicted.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public void TryUpdate_Full_RejectsNewSeriesAndKeepsOld()
    {
        using var rejected = new MetricCollector<long>(_meterFactory, DetectionTelemetry.MeterName, "aiops.detection.series.rejected");
        var set = new DetectorSet(new DetectorSetOptions { MaxSeries = 2, Telemetry = new DetectionTelemetry(_meterFactory) }, timeProvider: _time);

        Assert.True(set.TryUpdate(new SeriesKey("a"), TestSeries.At(0), 1, out _));
        Assert.True(set.TryUpdate(new SeriesKey("b"), TestSeries.At(0), 1, out _));
        Assert.False(set.TryUpdate(new SeriesKey("c"), TestSeries.At(0), 1, out _));
        Assert.True(set.TryUpdate(new SeriesKey("a"), TestSeries.At(1), 1, out _));

        Assert.Equal(2, set.Count);
        Assert.Equal(1, rejected.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public async Task TryUpdate_NewSeriesWhileAnotherTakesTheLastSlot_RefusedAndCapHeld()
    {
        // "a" takes the last slot and is still being created when "b" comes: both passed the capacity check before either was
        // added, and the set held two series with room for one.
        using var creating = new ManualResetEventSlim();
        using var proceed = new ManualResetEventSlim();
        var set = new DetectorSet(
            new DetectorSetOptions { MaxSeries = 1 },
            key =>
            {
                if (key.Metric == "a")
                {
                    creating.Set();
                    Assert.True(proceed.Wait(TimeSpan.FromSeconds(30)));
                }

                return new RobustZScoreDetector();
            },
            _time);

        var a = Task.Run(() => set.TryUpdate(new SeriesKey("a"), TestSeries.At(0), 1, out _));
        Assert.True(creating.Wait(TimeSpan.FromSeconds(30)));
        var b = set.TryUpdate(new SeriesKey("b"), TestSeries.At(0), 1, out _);
        proceed.Set();

        Assert.True(await a);
        Assert.False(b);
        Assert.Equal(1, set.Count);
    }

    [Fact]
    public async Task TryUpdate_SameNewSeriesFromTwoThreadsAtTheLastSlot_BothScoredByOneDetector()
    {
        // The series' entry holds the slot from its first point on: a second point of it, while its detector is created,
        // waits for that detector rather than being refused for want of a slot.
        using var creating = new ManualResetEventSlim();
        using var proceed = new ManualResetEventSlim();
        var created = 0;
        var set = new DetectorSet(
            new DetectorSetOptions { MaxSeries = 1 },
            _ =>
            {
                if (Interlocked.Increment(ref created) == 1)
                {
                    creating.Set();
                    Assert.True(proceed.Wait(TimeSpan.FromSeconds(30)));
                }

                return new RobustZScoreDetector();
            },
            _time);
        var key = new SeriesKey("a");

        var first = Task.Run(() => set.TryUpdate(key, TestSeries.At(0), 1, out _));
        Assert.True(creating.Wait(TimeSpan.FromSeconds(30)));
        var second = Task.Run(() => set.TryUpdate(key, TestSeries.At(1), 1, out _));
        proceed.Set();

        Assert.True(await first);
        Assert.True(await second);
        Assert.Equal(1, created);
        Assert.True(set.TryGetInfo(key, out var info));
        Assert.Equal(2, info.Points);
    }

    [Fact]
    public void TryUpdate_FactoryThrows_SlotGivenBack()
    {
        var set = new DetectorSet(
            new DetectorSetOptions { MaxSeries = 1 },
            key => key.Metric == "bad" ? throw new InvalidOperationException("no detector") : new RobustZScoreDetector(),
            _time);

        Assert.Throws<InvalidOperationException>(() => set.TryUpdate(new SeriesKey("bad"), TestSeries.At(0), 1, out _));

        Assert.Equal(0, set.Count);
        Assert.True(set.TryUpdate(new SeriesKey("good"), TestSeries.At(0), 1, out _));
        Assert.Equal(1, set.Count);
    }

    [Fact]
    public void TryUpdate_EntryEvictedWhileAnUpdateWaitsForIt_PointGoesToTheSeriesNewEntry()
    {
        // An update that looked the series up, then waited for its lock while the series was evicted as idle, used to score the
        // point on the evicted detector (lost with it); it now looks the series up again. The test holds the entry's lock, as an
        // update in progress would, lets an update of the series wait for it, and evicts meanwhile.
        var set = new DetectorSet(new DetectorSetOptions { IdleTimeout = TimeSpan.FromMinutes(10) }, RobustZScore, _time);
        var key = new SeriesKey("cpu");
        var then = _time.GetUtcNow().UtcTicks;
        var entry = set.TryUpdate(key, TestSeries.At(0), 1, then, out _)!;
        _time.Advance(TimeSpan.FromMinutes(20));

        DetectorSet.SeriesEntry? updated = null;
        var waiting = new Thread(() => updated = set.TryUpdate(key, TestSeries.At(1), 1, then, out _));
        lock (entry)
        {
            waiting.Start();
            SpinWait.SpinUntil(() => (waiting.ThreadState & ThreadState.WaitSleepJoin) != 0, TimeSpan.FromSeconds(30));
            Assert.Equal(1, set.EvictIdle());
            Assert.Equal(0, set.Count);
        }

        waiting.Join();
        Assert.NotNull(updated);
        Assert.NotSame(entry, updated);
        Assert.Equal(1, updated.Points);
        Assert.Equal(1, entry.Points);
        Assert.Equal(1, set.Count);
    }

    [Fact]
    public void Snapshot_AfterWarmup_ReportsStateSizeWithinBudget()
    {
        var set = new DetectorSet(timeProvider: _time);
        var key = new SeriesKey("cpu");
        var values = TestSeries.Sine(2000, 288, 10, 1);
        for (var i = 0; i < values.Length; i++)
        {
            set.TryUpdate(key, TestSeries.At(i), values[i], out _);
        }

        var info = Assert.Single(set.Snapshot());
        Assert.Equal(DetectorNames.Ensemble, info.Detector);
        Assert.InRange(info.StateSizeBytes, 1000, 8 * 1024);
    }

    [Fact]
    public void TryUpdate_CallerClock_TagLivesAndIsEvictedWithTheSeries()
    {
        var set = new DetectorSet(new DetectorSetOptions { IdleTimeout = TimeSpan.FromMinutes(10) }, RobustZScore, _time);
        var key = new SeriesKey("cpu");
        var now = _time.GetUtcNow().UtcTicks;

        var entry = set.TryUpdate(key, TestSeries.At(0), 1, now, out var score);
        Assert.NotNull(entry);
        Assert.Equal(PointStatus.WarmingUp, score.Status);
        entry.Tag = "state";
        Assert.Same(entry, set.TryUpdate(key, TestSeries.At(1), 1, now + TimeSpan.TicksPerMinute, out _));
        Assert.Equal("state", entry.Tag);
        Assert.True(set.TryGetInfo(key, out var info));
        Assert.Equal(new DateTimeOffset(now + TimeSpan.TicksPerMinute, TimeSpan.Zero), info.LastSeen); // the caller's clock

        var later = now + TimeSpan.FromMinutes(20).Ticks;
        var other = set.TryUpdate(new SeriesKey("other"), TestSeries.At(0), 1, later, out _);
        Assert.NotNull(other);
        Assert.False(set.TryGetInfo(key, out _));
        var fresh = set.TryUpdate(key, TestSeries.At(2), 1, later, out _);
        Assert.NotSame(entry, fresh);
        Assert.Null(fresh!.Tag);
    }

    [Fact]
    public void TryUpdate_CallerClockSetFull_ReturnsNull()
    {
        var set = new DetectorSet(new DetectorSetOptions { MaxSeries = 1 }, timeProvider: _time);
        var now = _time.GetUtcNow().UtcTicks;

        Assert.NotNull(set.TryUpdate(new SeriesKey("a"), TestSeries.At(0), 1, now, out _));
        Assert.Null(set.TryUpdate(new SeriesKey("b"), TestSeries.At(0), 1, now, out var score));
        Assert.Equal(default, score);
    }

    [Fact]
    public void TryUpdate_HigherFalseAlarmsPerWeek_CatalogueDetectorFlagsMore()
    {
        // The same noise through the default sensitivity (one false onset a week) and through 10,000 a week: the set's
        // option reaches the catalogue detector it creates.
        var values = TestSeries.Noise(3_000, 5, seed: 7);
        var key = new SeriesKey("latency_seconds", [new("job", "api")]);
        int Flags(double rate)
        {
            var set = new DetectorSet(new DetectorSetOptions { FalseAlarmsPerWeek = rate, Telemetry = new DetectionTelemetry(_meterFactory) }, timeProvider: _time);
            var flags = 0;
            for (var i = 0; i < values.Length; i++)
            {
                Assert.True(set.TryUpdate(key, TestSeries.At(i), values[i], out var score));
                flags += score.IsAnomaly ? 1 : 0;
            }

            return flags;
        }

        var quiet = Flags(1);
        var sensitive = Flags(10_000);

        Assert.InRange(quiet, 0, 2);
        Assert.True(sensitive > quiet + 10, $"{sensitive} flags at 10,000 a week against {quiet} at 1");
    }

    [Fact]
    public void Create_FalseAlarmsPerWeekOutOfRange_ValidationExceptionNamesIt()
    {
        var error = Assert.Throws<ValidationException>(() => DetectorCatalog.Create(DetectorNames.Ensemble, new DetectorCatalogOptions { FalseAlarmsPerWeek = 0 }));

        Assert.Contains(nameof(DetectorCatalogOptions.FalseAlarmsPerWeek), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryUpdate_EnsembleWarm_AllocatesNothing()
    {
        var set = new DetectorSet(timeProvider: _time);
        var keys = Enumerable.Range(0, 8).Select(i => new SeriesKey("cpu", [new("i", "x" + i)])).ToArray();
        var values = TestSeries.Sine(3_000, 288, 10, 1);
        for (var i = 0; i < 1_000 * keys.Length; i++)
        {
            set.TryUpdate(keys[i % keys.Length], TestSeries.At(i / keys.Length), values[i / keys.Length], out _);
        }

        Action<int> step = i => set.TryUpdate(keys[i % keys.Length], TestSeries.At(i / keys.Length), values[i / keys.Length], out _);

        Assert.Equal(0, Allocations.During(1_000 * keys.Length, 3_000 * keys.Length, step));
    }

    [Fact]
    public void Constructor_UnknownDetector_Throws()
    {
        Assert.Throws<ArgumentException>(() => new DetectorSet(new DetectorSetOptions { Detector = "nope" }));
    }
}
