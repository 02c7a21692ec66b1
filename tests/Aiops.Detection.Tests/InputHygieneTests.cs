using Aiops.Detection.Internal;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Aiops.Detection.Tests;

public sealed class InputHygieneTests : IDisposable
{
    private readonly TestMeterFactory _meterFactory = new();

    /// <summary>The catalogue's detectors and the building blocks a user may wrap in a <see cref="CalibratedDetector"/>.</summary>
    public static TheoryData<string> Detectors =>
        [.. DetectorCatalog.Names, DetectorNames.RobustZScore, DetectorNames.Seasonal, DetectorNames.SpectralResidual];

    public void Dispose() => _meterFactory.Dispose();

    [Theory]
    [MemberData(nameof(Detectors))]
    public void Update_NonFiniteValues_SkippedAndCounted(string name)
    {
        var telemetry = new DetectionTelemetry(_meterFactory);
        using var skipped = new MetricCollector<long>(_meterFactory, DetectionTelemetry.MeterName, "aiops.detection.points.skipped");
        var detector = Create(name, telemetry);

        var nan = detector.Update(TestSeries.At(0), double.NaN);
        var inf = detector.Update(TestSeries.At(1), double.PositiveInfinity);
        var negInf = detector.Update(TestSeries.At(2), double.NegativeInfinity);
        var fine = detector.Update(TestSeries.At(3), 1);

        Assert.All([nan, inf, negInf], s => Assert.Equal(PointStatus.SkippedNonFinite, s.Status));
        Assert.All([nan, inf, negInf], s => Assert.Equal(0, s.Probability));
        Assert.False(fine.IsSkipped);
        Assert.Equal(3, skipped.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.All(skipped.GetMeasurementSnapshot(), m => Assert.Equal("non_finite", m.Tags["reason"]));
    }

    [Theory]
    [MemberData(nameof(Detectors))]
    public void Update_OutOfOrderAndDuplicateTimestamps_SkippedWithoutChangingState(string name)
    {
        var telemetry = new DetectionTelemetry(_meterFactory);
        using var skipped = new MetricCollector<long>(_meterFactory, DetectionTelemetry.MeterName, "aiops.detection.points.skipped");
        var clean = Create(name);
        var dirty = Create(name, telemetry);
        var values = TestSeries.Sine(1200, 48, 10, 1);
        values[1000] += 40;

        for (var i = 0; i < values.Length; i++)
        {
            var expected = clean.Update(TestSeries.At(i), values[i]);
            var actual = dirty.Update(TestSeries.At(i), values[i]);
            Assert.Equal(expected, actual);
            if (i > 0 && i % 100 == 0)
            {
                Assert.Equal(PointStatus.SkippedDuplicate, dirty.Update(TestSeries.At(i), 1e6).Status);
                Assert.Equal(PointStatus.SkippedOutOfOrder, dirty.Update(TestSeries.At(i - 1), -1e6).Status);
            }
        }

        var reasons = skipped.GetMeasurementSnapshot().Select(m => (string?)m.Tags["reason"]).ToList();
        Assert.Equal(11, reasons.Count(r => r == "duplicate"));
        Assert.Equal(11, reasons.Count(r => r == "out_of_order"));
    }

    [Fact]
    public void Update_GapInTimestamps_CountsMissingPoints()
    {
        var telemetry = new DetectionTelemetry(_meterFactory);
        using var gaps = new MetricCollector<long>(_meterFactory, DetectionTelemetry.MeterName, "aiops.detection.gap.points");
        var detector = new RobustZScoreDetector(new RobustZScoreOptions { Telemetry = telemetry });

        for (var i = 0; i < 10; i++)
        {
            detector.Update(TestSeries.At(i), i);
        }

        detector.Update(TestSeries.At(14), 14); // 10, 11, 12 and 13 are missing

        Assert.Equal(4, gaps.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public void Update_IrregularSteps_PointsPerWeekFromTheMeanStep()
    {
        // Steps of 1 s and 9 s in turn: 5 s on average, so 120,960 points a week (a geometric mean, 3 s, read 201,600).
        var detector = new WarmingUpDetector();
        var time = TestSeries.Start;
        for (var i = 0; i < 400; i++)
        {
            detector.Update(time += TimeSpan.FromSeconds(i % 2 == 0 ? 1 : 9), i);
        }

        Assert.Equal(120_960, detector.PointsPerWeekEstimate, 120_960 * 0.02);
    }

    [Fact]
    public void Update_HourLongGapAtOneSecondSteps_CountedAsAHundredSteps()
    {
        // An hour down is an outage, not the sampling: the step counts as 100 s, so the mean of the last 100 steps is about
        // 2 s (half the points a week) rather than 37 s, and it settles back to 1 s.
        var detector = new WarmingUpDetector();
        var time = TestSeries.Start;
        for (var i = 0; i < 200; i++)
        {
            detector.Update(time += TimeSpan.FromSeconds(1), i);
        }

        detector.Update(time += TimeSpan.FromHours(1), 0);
        var afterGap = detector.PointsPerWeekEstimate;
        for (var i = 0; i < 1_000; i++)
        {
            detector.Update(time += TimeSpan.FromSeconds(1), i);
        }

        Assert.Equal(604_800 / 1.99, afterGap, 604_800 * 0.01);
        Assert.Equal(604_800, detector.PointsPerWeekEstimate, 604_800 * 0.01);
    }

    [Theory]
    [MemberData(nameof(Detectors))]
    public void Update_ConstantSeries_NoNaNAndDepartureFlagged(string name)
    {
        var detector = Create(name);
        var scores = TestSeries.Run(detector, [.. Enumerable.Repeat(5.0, 1000)]);

        Assert.All(scores, s => Assert.False(double.IsNaN(s.Probability)));
        Assert.All(scores, s => Assert.False(s.IsAnomaly));
        // A sustained departure: spike detectors flag its first point, change-point detectors the burst of forecast errors
        // (SSA adapts to the new level within its window, so its martingale stops short of 0.99 here).
        var departure = Enumerable.Range(1000, 20).Max(i => detector.Update(TestSeries.At(i), 50).Probability);
        Assert.True(departure > 0.95, $"{name}: departure from a constant scored {departure}");
    }

    [Theory]
    [MemberData(nameof(Detectors))]
    public void Update_HugeFiniteValues_ScoresStayNumbers(string name)
    {
        var scores = TestSeries.Run(Create(name), HugeValuesThenNoise(spikeAt: -1));

        Assert.All(scores, s => Assert.True(s.Probability is >= 0 and <= 1 && !double.IsNaN(s.RawScore), $"{name}: {s}"));
    }

    [Fact]
    public void RobustZScore_HugeFiniteValuesThenNoise_PooledScaleReadsTheNoiseAgain()
    {
        // Values near 1e200 are finite, but their squares are not: a pooled scale that took one would stay infinite for good
        // and read every later point as z = 0 (the ensemble's robust member pools its scale over 1,000 windows).
        var detector = new RobustZScoreDetector(new RobustZScoreOptions { WindowSize = 32, ScaleMemory = 1_000 });

        var scores = TestSeries.Run(detector, HugeValuesThenNoise(spikeAt: 2_900));

        Assert.InRange(scores[2_900].RawScore, 30, 50); // 40σ of the noise
    }

    [Fact]
    public void Innovation_HugeFiniteValuesThenNoise_AutocorrelationStaysANumber()
    {
        // The innovation member's moments leave out a value whose square overflows; once infinite, φ would be NaN for good
        // and every innovation NaN.
        var detector = new InnovationDetector(new RobustZScoreOptions { WindowSize = 32, ScaleMemory = 1_000 });

        var scores = TestSeries.Run(detector, HugeValuesThenNoise(spikeAt: 2_900));

        Assert.InRange(detector.Phi, 0, 0.2); // the noise has no memory
        Assert.InRange(scores[2_900].RawScore, 30, 50);
    }

    // Noise of σ 5 around 100, but for 100 points of values up to ±5e199 from point 500 on, and a spike of 40σ.
    private static double[] HugeValuesThenNoise(int spikeAt)
    {
        var random = new Random(4);
        var values = new double[3_000];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = i is >= 500 and < 600 ? (random.NextDouble() - 0.5) * 1e200 : 100 + (5 * TestSeries.Gaussian(random));
        }

        if (spikeAt >= 0)
        {
            values[spikeAt] += 200;
        }

        return values;
    }

    [Theory]
    [MemberData(nameof(Detectors))]
    public void Reset_AfterUse_BehavesAsNew(string name)
    {
        var values = TestSeries.Sine(900, 48, 10, 1);
        var fresh = TestSeries.Run(Create(name), values);
        var reused = Create(name);
        TestSeries.Run(reused, TestSeries.Noise(700, 5, seed: 9));
        reused.Reset();

        Assert.Equal(fresh, TestSeries.Run(reused, values));
    }

    [Theory]
    [MemberData(nameof(Detectors))]
    public void Update_SteadyState_AllocatesNothing(string name)
    {
        var detector = Create(name);
        var values = TestSeries.Sine(12_000, 48, 10, 1);
        for (var i = 0; i < 2000; i++)
        {
            detector.Update(TestSeries.At(i), values[i]);
        }

        Action<int> step = i => detector.Update(TestSeries.At(i), values[i]);

        Assert.Equal(0, Allocations.During(2000, values.Length, step));
    }

    [Fact]
    public void Options_OutOfRange_ValidationNamesTheProperty()
    {
        var error = Assert.Throws<System.ComponentModel.DataAnnotations.ValidationException>(
            () => new RobustZScoreDetector(new RobustZScoreOptions { WindowSize = 1 }));

        Assert.Contains("RobustZScoreOptions.WindowSize", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Score_WholeSeries_EqualsStreaming()
    {
        var values = TestSeries.Sine(1500, 48, 10, 1);
        values[1200] = double.NaN;
        values[1300] += 50;
        var timestamps = Enumerable.Range(0, values.Length).Select(TestSeries.At).ToArray();

        var whole = SeriesScoring.Score(DetectorNames.Ensemble, timestamps, values);
        var streamed = TestSeries.Run(DetectorCatalog.Create(DetectorNames.Ensemble), values);

        Assert.Equal(streamed, whole);
        Assert.True(whole[1300].IsAnomaly);
    }

    [Theory]
    [InlineData(DetectorNames.RobustZScore)]
    [InlineData(DetectorNames.Seasonal)]
    [InlineData(DetectorNames.SpectralResidual)]
    [InlineData(DetectorNames.SsaChangePoint)]
    [InlineData(DetectorNames.Art)]
    public void Create_BuildingBlockName_NotInTheCatalogue(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => DetectorCatalog.Create(name));

        Assert.DoesNotContain(name, DetectorCatalog.Names);
        Assert.Contains(DetectorNames.Ensemble, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_Catalogue_OnlyDetectorsUsableAlone()
    {
        Assert.Equal([DetectorNames.Ensemble, DetectorNames.Contextual], DetectorCatalog.Names);
        Assert.IsType<CalibratedDetector>(DetectorCatalog.Create(DetectorNames.Contextual));
    }

    [Fact]
    public void Create_UnknownName_ListsKnownDetectors()
    {
        var error = Assert.Throws<ArgumentException>(() => DetectorCatalog.Create("nope"));

        Assert.Contains(DetectorNames.Ensemble, error.Message, StringComparison.Ordinal);
    }

    private static IAnomalyDetector Create(string name, DetectionTelemetry? telemetry = null)
    {
        var calibrated = new CalibratedOptions { Telemetry = telemetry };
        return name switch
        {
            DetectorNames.RobustZScore => new CalibratedDetector(new RobustZScoreDetector(new RobustZScoreOptions { Telemetry = telemetry }), calibrated),
            DetectorNames.Seasonal => new CalibratedDetector(new SeasonalDetector(new SeasonalOptions { Telemetry = telemetry }), calibrated),
            DetectorNames.SpectralResidual => new CalibratedDetector(new SpectralResidualDetector(new SpectralResidualOptions { Telemetry = telemetry }), calibrated),
            _ => DetectorCatalog.Create(name, new DetectorCatalogOptions { Telemetry = telemetry }),
        };
    }
}
