using System.Diagnostics.Metrics;
using Aiops.Detection.Tracking;

namespace Aiops.Detection.Tests;

/// <summary>
/// Values anywhere in the finite range of a double, up to ±<see cref="double.MaxValue"/>: no detector throws, scores NaN or
/// stays blind for good, and the guards that make it so (the scale-safe paths, the relearning) keep their state across a
/// snapshot and are counted.
/// </summary>
public sealed class ExtremeValueGuardTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var detector in Detectors.Keys)
        {
            foreach (var series in SeriesKinds.Keys)
            {
                data.Add(detector, series);
            }
        }

        return data;
    }

    private static readonly Dictionary<string, Func<IAnomalyDetector>> Detectors = new()
    {
        ["ensemble"] = () => DetectorCatalog.Create(DetectorNames.Ensemble),
        ["contextual"] = () => DetectorCatalog.Create(DetectorNames.Contextual),
        [DetectorNames.RobustZScore] = () => new RobustZScoreDetector(),
        [DetectorNames.Seasonal] = () => new SeasonalDetector(),
        [DetectorNames.SpectralResidual] = () => new SpectralResidualDetector(),
        [DetectorNames.SsaChangePoint] = () => new SsaChangePointDetector(),
        [DetectorNames.IidSpike] = () => new IidSpikeDetector(),
        [DetectorNames.IidChangePoint] = () => new IidChangePointDetector(),
        [DetectorNames.Art] = () => new ArtDetector(),
    };

    private static readonly Dictionary<string, Func<double[]>> SeriesKinds = new()
    {
        // A daily-ish sine near the top of the range: every sum of two values, and most window sums, overflow.
        ["sine-at-1e306"] = () => Array.ConvertAll(TestSeries.Sine(3_000, 48, 10, 1), v => v * 1e306),

        // Values of either sign near ±double.MaxValue: even their differences overflow.
        ["both-signs-near-max"] = () => TestSeries.Draw(3_000, 5, r => (r.Next(2) == 0 ? -1 : 1) * double.MaxValue * (1 - (1e-3 * r.NextDouble()))),

        // Ordinary noise, a stretch near double.MaxValue, then ordinary noise again.
        ["ordinary-max-ordinary"] = () => TestSeries.Draw(6_000, 7, r => 100 + TestSeries.Gaussian(r)) is var v
            ? [.. v[..1_000], .. Array.ConvertAll(v[1_000..1_700], x => x * 1.7e306), .. v[1_700..]]
            : [],
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Update_ValuesNearMaxValue_NeverThrowsNorScoresNaN(string detector, string series)
    {
        var values = SeriesKinds[series]();

        var scores = TestSeries.Run(Detectors[detector](), values);

        Assert.DoesNotContain(scores, s => double.IsNaN(s.RawScore) || !double.IsFinite(s.Probability));
        if (series == "ordinary-max-ordinary")
        {
            Assert.Contains(scores[^500..], s => s.Status == PointStatus.Scored);
        }
    }

    [Fact]
    public void Restore_SeasonBeyondFloatRange_NextScoresAreBitwiseEqual()
    {
        var values = Array.ConvertAll(TestSeries.Sine(2_000, 48, 10, 1), v => v * 1e40);
        var original = new SeasonalDetector();
        TestSeries.Run(original, values[..1_500]);

        var restored = new SeasonalDetector();
        DetectorSnapshot.Restore(restored, DetectorSnapshot.Save(original));

        for (var i = 1_500; i < values.Length; i++)
        {
            var expected = original.Update(TestSeries.At(i), values[i]);
            var actual = restored.Update(TestSeries.At(i), values[i]);
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected.RawScore), BitConverter.DoubleToInt64Bits(actual.RawScore));
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected.Expected), BitConverter.DoubleToInt64Bits(actual.Expected));
        }
    }

    [Fact]
    public void SsaChangePoint_SeriesAt1e200_TrainsAndScores()
    {
        var scores = TestSeries.Run(new SsaChangePointDetector(), Array.ConvertAll(TestSeries.Sine(1_000, 48, 10, 1), v => v * 1e200));

        Assert.Contains(scores, s => s.Status == PointStatus.Scored);
        Assert.DoesNotContain(scores, s => double.IsNaN(s.RawScore) || (s.Status == PointStatus.Scored && double.IsNaN(s.Expected)));
    }

    [Fact]
    public void Update_CoreScoresNaN_StateClearedCountedAndWarmingUp()
    {
        using var meterFactory = new TestMeterFactory();
        var telemetry = new DetectionTelemetry(meterFactory);
        long relearned = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == meterFactory && instrument.Name == "aiops.detection.relearned")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, measurement, _, _) => relearned += measurement);
        listener.Start();
        var detector = new NaNScoringDetector(telemetry);

        var first = detector.Update(TestSeries.At(0), 1);
        var second = detector.Update(TestSeries.At(1), 2);

        Assert.Equal(PointStatus.WarmingUp, first.Status);
        Assert.Equal(PointStatus.Scored, second.Status);
        Assert.Equal(1, detector.Resets);
        Assert.Equal(1, relearned);
    }

    /// <summary>Scores a NaN raw score on its first point, and 1 once reset: for the base class's last-resort guard.</summary>
    private sealed class NaNScoringDetector(DetectionTelemetry telemetry) : AnomalyDetector("nan-scoring", new RobustZScoreOptions { Telemetry = telemetry })
    {
        private bool _scoredOnce;

        public int Resets { get; private set; }

        public override int StateSizeBytes => 0;

        protected override AnomalyScore UpdateCore(DateTimeOffset timestamp, double value)
        {
            var raw = _scoredOnce || Resets > 0 ? 1 : double.NaN;
            _scoredOnce = true;
            return AnomalyScore.Scored(timestamp, value, 0.5, raw, 0.9);
        }

        protected override void ResetCore()
        {
            Resets++;
            _scoredOnce = false;
        }
    }

    private sealed class TestMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, this);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            foreach (var meter in _meters)
            {
                meter.Dispose();
            }
        }
    }
}
