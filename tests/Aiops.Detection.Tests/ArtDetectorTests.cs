using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Aiops.Detection.Tests;

public sealed class ArtDetectorTests : IDisposable
{
    private readonly TestMeterFactory _meterFactory = new();

    public void Dispose() => _meterFactory.Dispose();

    /// <summary>A saw-tooth of period 6 between 0 and 50: every window of 8 points is one of six shapes.</summary>
    private static double[] Pattern(int length) => [.. Enumerable.Range(0, length).Select(i => 10.0 * (i % 6))];

    [Fact]
    public void Update_RepeatedShape_LearnedAndQuiet()
    {
        var scores = TestSeries.Run(new ArtDetector(), Pattern(2000));

        Assert.All(scores.Skip(400), s => Assert.Equal(PointStatus.Scored, s.Status));
        Assert.All(scores.Skip(400), s => Assert.Equal(0, s.RawScore));
    }

    [Fact]
    public void Update_RepeatedShapeCalibrated_NeverFlagged()
    {
        var scores = TestSeries.Run(new CalibratedDetector(new ArtDetector()), Pattern(3000));

        Assert.DoesNotContain(scores, s => s.IsAnomaly);
    }

    [Fact]
    public void Update_NewShapeOfKnownValues_Surprises()
    {
        var values = Pattern(2000);
        // 0, 50, 0, 50: every value is in range and seen hundreds of times, but never in this order.
        for (var i = 1800; i < 1804; i++)
        {
            values[i] = i % 2 == 0 ? 0 : 50;
        }

        var scores = TestSeries.Run(new CalibratedDetector(new ArtDetector()), values);

        Assert.Contains(scores.Skip(1800).Take(4), s => s.IsAnomaly);
        Assert.DoesNotContain(scores.Take(1800), s => s.IsAnomaly);
    }

    [Fact]
    public void Update_Spike_FirstWindowHoldingItIsFlagged()
    {
        var values = TestSeries.Noise(1500, 1);
        values[1300] = 130;
        var raw = TestSeries.Run(new ArtDetector(), values);
        var calibrated = TestSeries.Run(new CalibratedDetector(new ArtDetector()), values);

        // The spike stays in the window for 8 points; each of those windows is far from every learned shape.
        var spike = raw.Skip(1300).Take(8).Min(s => s.RawScore);
        var usual = raw.Skip(300).Take(1000).Max(s => s.RawScore);

        Assert.True(spike > usual, $"spike windows {spike}, usual {usual}");
        Assert.True(calibrated[1300].IsAnomaly);
        Assert.DoesNotContain(calibrated.Skip(1301).Take(50), s => s.IsAnomaly);
    }

    [Fact]
    public void Update_LevelThatPersists_ReportedThenLearned()
    {
        var values = TestSeries.Noise(4000, 1);
        for (var i = 2000; i < values.Length; i++)
        {
            values[i] += 40;
        }

        var scores = TestSeries.Run(new CalibratedDetector(new ArtDetector()), values);

        Assert.Contains(scores.Skip(2000).Take(10), s => s.IsAnomaly);
        Assert.DoesNotContain(scores.Skip(2500), s => s.IsAnomaly);
    }

    [Fact]
    public void Update_BadInput_SkippedCountedAndStateUnchanged()
    {
        var telemetry = new DetectionTelemetry(_meterFactory);
        using var skipped = new MetricCollector<long>(_meterFactory, DetectionTelemetry.MeterName, "aiops.detection.points.skipped");
        var values = TestSeries.Sine(800, 48, 10, 1);
        var clean = TestSeries.Run(new ArtDetector(), values);
        var dirty = new ArtDetector(new ArtOptions { Telemetry = telemetry });
        var scores = new List<AnomalyScore>();

        for (var i = 0; i < values.Length; i++)
        {
            if (i == 400)
            {
                Assert.Equal(PointStatus.SkippedNonFinite, dirty.Update(TestSeries.At(i), double.NaN).Status);
                Assert.Equal(PointStatus.SkippedOutOfOrder, dirty.Update(TestSeries.At(i - 5), 1e9).Status);
            }

            scores.Add(dirty.Update(TestSeries.At(i), values[i]));
            if (i == 500)
            {
                Assert.Equal(PointStatus.SkippedDuplicate, dirty.Update(TestSeries.At(i), 1e9).Status);
            }
        }

        Assert.Equal(clean, scores);
        Assert.Equal(3, skipped.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public void Update_GapInTimestamps_CountedAndScoredAsAdjacent()
    {
        var telemetry = new DetectionTelemetry(_meterFactory);
        using var gaps = new MetricCollector<long>(_meterFactory, DetectionTelemetry.MeterName, "aiops.detection.gap.points");
        var values = Pattern(1000);
        var adjacent = TestSeries.Run(new ArtDetector(), values);
        var gapped = new ArtDetector(new ArtOptions { Telemetry = telemetry });

        // From point 600 on, every timestamp is 4 steps later: one gap, then the same values, adjacent.
        var scores = values.Select((v, i) => gapped.Update(TestSeries.At(i < 600 ? i : i + 4), v)).ToArray();

        // Points 600 to 603 are missing: one gap of four points. (The base class also reports −1 on a series' second point,
        // 2 · long.MaxValue overflowing in its gap test; not this detector's code.)
        Assert.Contains(gaps.GetMeasurementSnapshot(), m => m.Value == 4);
        Assert.Equal(adjacent.Select(s => s.RawScore), scores.Select(s => s.RawScore));
    }

    [Fact]
    public void Reset_AfterASeries_ScoresLikeANewDetector()
    {
        var values = TestSeries.Sine(1000, 48, 10, 1);
        var detector = new ArtDetector();
        TestSeries.Run(detector, TestSeries.Noise(700, 5, seed: 2));
        detector.Reset();

        Assert.Equal(TestSeries.Run(new ArtDetector(), values), TestSeries.Run(detector, values));
    }

    [Fact]
    public void Update_SteadyState_AllocatesNothing()
    {
        var detector = new CalibratedDetector(new ArtDetector());
        var values = TestSeries.Noise(12_000, 3);
        for (var i = 0; i < 2000; i++)
        {
            detector.Update(TestSeries.At(i), values[i]);
        }

        Assert.Equal(0, Allocations.During(2000, values.Length, i => detector.Update(TestSeries.At(i), values[i])));
    }

    [Fact]
    public void StateSizeBytes_Defaults_BoundedWhateverTheSeries()
    {
        var detector = new ArtDetector();
        var before = detector.StateSizeBytes;
        TestSeries.Run(detector, TestSeries.Noise(20_000, 5));

        Assert.Equal(before, detector.StateSizeBytes);
        Assert.InRange(before, 2 * 1024, 4 * 1024);
    }

    [Fact]
    public void Options_VigilanceAboveOne_Throws()
    {
        var error = Assert.Throws<ValidationException>(() => new ArtDetector(new ArtOptions { Vigilance = 1.5 }));

        Assert.Contains("Vigilance", error.Message, StringComparison.Ordinal);
    }
}
