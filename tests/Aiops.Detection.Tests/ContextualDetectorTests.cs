using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Aiops.Detection.Tests;

public sealed class ContextualDetectorTests : IDisposable
{
    private readonly TestMeterFactory _meterFactory = new();

    public void Dispose() => _meterFactory.Dispose();

    /// <summary>A saw-tooth of period 6 between 0 and 50: every context of up to three points repeats each period.</summary>
    private static double[] Pattern(int length) => [.. Enumerable.Range(0, length).Select(i => 10.0 * (i % 6))];

    [Fact]
    public void Update_RepeatedPattern_StopsSurprising()
    {
        var detector = new ContextualDetector();
        var scores = TestSeries.Run(detector, Pattern(1200));

        var early = scores.Skip(80).Take(30).Where(s => s.Status == PointStatus.Scored).Average(s => s.RawScore);
        var late = scores.Skip(1100).Average(s => s.RawScore);

        Assert.All(scores.Skip(1100), s => Assert.Equal(PointStatus.Scored, s.Status));
        Assert.True(late < 0.1, $"late surprise {late}");
        Assert.True(late < early / 5, $"early {early}, late {late}");
    }

    [Fact]
    public void Update_NewContextOfKnownValues_Surprises()
    {
        var values = Pattern(1200);
        // 20 then 40 then 0: every value is in range and seen a hundred times, but 20 has always been followed by 30.
        values[1100] = 20;
        values[1101] = 40;
        values[1102] = 0;
        var scores = TestSeries.Run(new ContextualDetector(), values);

        var usual = scores.Skip(1000).Take(100).Max(s => s.RawScore);
        var broken = scores.Skip(1100).Take(3).Max(s => s.RawScore);

        Assert.True(broken > usual + 1, $"usual {usual}, broken {broken}");
        Assert.True(scores[1101].Probability > 0.9, $"probability {scores[1101].Probability}");
    }

    [Fact]
    public void Update_ValueOutsideTheLearnedRange_MostSurprisingPoint()
    {
        var values = TestSeries.Noise(1500, 1);
        values[1300] = 130;
        var scores = TestSeries.Run(new ContextualDetector(), values);

        var spike = scores[1300].RawScore;

        Assert.True(spike > scores.Skip(200).Where((_, i) => i + 200 != 1300).Max(s => s.RawScore), $"spike {spike}");
    }

    [Fact]
    public void Update_LevelThatPersists_ReframedAndLearned()
    {
        var values = TestSeries.Noise(3000, 1);
        for (var i = 1500; i < values.Length; i++)
        {
            values[i] += 40;
        }

        var scores = TestSeries.Run(new CalibratedDetector(new ContextualDetector()), values);

        Assert.Contains(scores.Skip(1500).Take(10), s => s.IsAnomaly);
        Assert.DoesNotContain(scores.Skip(2000), s => s.IsAnomaly);
    }

    [Fact]
    public void Update_LoneDepartureFromAConstant_NotFlaggedButASustainedOneIs()
    {
        // A range set from 0s has no width: the first 1 of an error count was read as a million ranges beyond it and flagged.
        // By rank it is the first departure in about 600 points; a level that leaves the constant and stays is rarer.
        var lone = TestSeries.ZerosThenOnes(800, at: 600, count: 1);
        var sustained = TestSeries.ZerosThenOnes(800, at: 600, count: 20);

        var loneScores = TestSeries.Run(new CalibratedDetector(new ContextualDetector()), lone);
        var sustainedScores = TestSeries.Run(new CalibratedDetector(new ContextualDetector()), sustained);

        Assert.DoesNotContain(loneScores, s => s.IsAnomaly);
        Assert.DoesNotContain(sustainedScores.Take(600), s => s.IsAnomaly);
        Assert.Contains(sustainedScores.Skip(600).Take(5), s => s.IsAnomaly);
    }

    [Fact]
    public void Update_BadInput_SkippedCountedAndStateUnchanged()
    {
        var telemetry = new DetectionTelemetry(_meterFactory);
        using var skipped = new MetricCollector<long>(_meterFactory, DetectionTelemetry.MeterName, "aiops.detection.points.skipped");
        var values = TestSeries.Sine(600, 48, 10, 1);
        var clean = TestSeries.Run(new ContextualDetector(), values);
        var dirty = new ContextualDetector(new ContextualOptions { Telemetry = telemetry });
        var scores = new List<AnomalyScore>();

        for (var i = 0; i < values.Length; i++)
        {
            if (i == 300)
            {
                Assert.Equal(PointStatus.SkippedNonFinite, dirty.Update(TestSeries.At(i), double.NaN).Status);
                Assert.Equal(PointStatus.SkippedOutOfOrder, dirty.Update(TestSeries.At(i - 5), 1e9).Status);
            }

            scores.Add(dirty.Update(TestSeries.At(i), values[i]));
            if (i == 400)
            {
                Assert.Equal(PointStatus.SkippedDuplicate, dirty.Update(TestSeries.At(i), 1e9).Status);
            }
        }

        Assert.Equal(clean, scores);
        Assert.Equal(3, skipped.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public void Update_SteadyState_AllocatesNothing()
    {
        var detector = new CalibratedDetector(new ContextualDetector());
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
        var detector = new ContextualDetector();
        var before = detector.StateSizeBytes;
        TestSeries.Run(detector, TestSeries.Noise(20_000, 5));

        Assert.Equal(before, detector.StateSizeBytes);
        Assert.InRange(before, 4 * 1024, 5 * 1024);
    }

    [Fact]
    public void Options_TableSlotsNotAPowerOfTwo_Throws()
    {
        var error = Assert.Throws<ValidationException>(() => new ContextualDetector(new ContextualOptions { TableSlots = 1000 }));

        Assert.Contains("TableSlots", error.Message, StringComparison.Ordinal);
    }
}
