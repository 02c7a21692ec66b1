using System.ComponentModel.DataAnnotations;
using System.Numerics;
using Aiops.Detection.Internal;

namespace Aiops.Detection.Tests;

public sealed class SpectralResidualDetectorTests
{
    private static readonly DateTimeOffset Start = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Update_SineWithNoiseAndOneSpike_SpikeHasTheHighestProbability()
    {
        const int spikeAt = 300;
        var series = NoisySine(500, seed: 11);
        series[spikeAt] += 3;
        var detector = new SpectralResidualDetector();

        var scores = Feed(detector, series);

        var spike = scores[spikeAt];
        Assert.Equal(PointStatus.Scored, spike.Status);
        Assert.True(spike.IsAnomaly, $"spike probability {spike.Probability}");
        Assert.True(spike.Probability >= 0.999, $"spike probability {spike.Probability}");
        for (var i = 0; i < scores.Length; i++)
        {
            if (i != spikeAt && !scores[i].IsWarmingUp)
            {
                Assert.True(scores[i].Probability <= spike.Probability, $"point {i}: {scores[i].Probability} > spike {spike.Probability}");
            }
        }
    }

    [Theory]
    [InlineData(64)]
    [InlineData(32)]
    [InlineData(17)]
    public void Update_UntilTheWindowIsFull_ReportsWarmingUp(int windowSize)
    {
        var detector = new SpectralResidualDetector(new SpectralResidualOptions { WindowSize = windowSize });

        var scores = Feed(detector, NoisySine(windowSize + 10, seed: 3));

        for (var i = 0; i < windowSize - 1; i++)
        {
            Assert.True(scores[i].IsWarmingUp, $"point {i}");
            Assert.Equal(0, scores[i].Probability);
        }

        for (var i = windowSize - 1; i < scores.Length; i++)
        {
            Assert.Equal(PointStatus.Scored, scores[i].Status);
        }
    }

    [Fact]
    public void Update_ConstantSeries_LowProbabilitiesWithoutNaNThenFlagsASpike()
    {
        var series = Enumerable.Repeat(42.5, 200).ToArray();
        series[150] = 43.5;
        var detector = new SpectralResidualDetector();

        var scores = Feed(detector, series);

        for (var i = 63; i < 150; i++)
        {
            Assert.False(double.IsNaN(scores[i].RawScore), $"point {i}");
            Assert.True(scores[i].Probability < 0.01, $"point {i}: {scores[i].Probability}");
            Assert.False(scores[i].IsAnomaly);
        }

        Assert.True(scores[150].IsAnomaly, $"spike probability {scores[150].Probability}");
        Assert.All(scores, s => Assert.False(double.IsNaN(s.RawScore) || double.IsNaN(s.Probability)));
    }

    [Fact]
    public void Update_AllZeroSeries_ProbabilityZeroWithoutNaN()
    {
        var scores = Feed(new SpectralResidualDetector(), new double[100]);

        Assert.All(scores.Skip(63), s =>
        {
            Assert.Equal(PointStatus.Scored, s.Status);
            Assert.False(double.IsNaN(s.RawScore));
            Assert.True(s.Probability < 1e-6);
        });
    }

    [Fact]
    public void Update_SeriesSharingAPrefix_PrefixScoresDoNotDependOnLaterPoints()
    {
        const int prefix = 300;
        var first = NoisySine(400, seed: 5);
        var second = (double[])first.Clone();
        var random = new Random(99);
        for (var i = prefix; i < second.Length; i++)
        {
            second[i] = (random.NextDouble() * 100) - 50;
        }

        second[prefix] = 1e6;

        var a = Feed(new SpectralResidualDetector(), first);
        var b = Feed(new SpectralResidualDetector(), second);

        for (var i = 0; i < prefix; i++)
        {
            Assert.Equal(a[i].Status, b[i].Status);
            Assert.Equal(a[i].RawScore, b[i].RawScore);
            Assert.Equal(a[i].Probability, b[i].Probability);
        }

        Assert.NotEqual(a[prefix].RawScore, b[prefix].RawScore); // the series do differ from here on
    }

    [Fact]
    public void Update_SteadyState_AllocatesNothing()
    {
        var series = NoisySine(15_000, seed: 8);
        var detector = new SpectralResidualDetector();
        for (var i = 0; i < 5_000; i++)
        {
            detector.Update(Start.AddSeconds(i), series[i]);
        }

        Action<int> step = i => detector.Update(Start.AddSeconds(i), series[i]);

        Assert.Equal(0, Allocations.During(5_000, 15_000, step));
    }

    [Fact]
    public void Update_OffsetAndScaledSeries_SameProbabilities()
    {
        var series = NoisySine(300, seed: 21);
        series[200] += 2;
        var shifted = series.Select(x => (250 * x) - 1e4).ToArray();

        var a = Feed(new SpectralResidualDetector(), series);
        var b = Feed(new SpectralResidualDetector(), shifted);

        for (var i = 63; i < series.Length; i++)
        {
            Assert.Equal(a[i].Probability, b[i].Probability, 1e-4);
        }
    }

    [Fact]
    public void Update_Always_HasNoExpectedValueOrBand()
    {
        var scores = Feed(new SpectralResidualDetector(), NoisySine(100, seed: 2));

        Assert.All(scores, s =>
        {
            Assert.True(double.IsNaN(s.Expected));
            Assert.False(s.HasBand);
        });
    }

    [Fact]
    public void Reset_AfterPoints_ScoresLikeANewDetector()
    {
        var series = NoisySine(200, seed: 4);
        var detector = new SpectralResidualDetector();
        Feed(detector, NoisySine(150, seed: 9));

        detector.Reset();
        var again = Feed(detector, series);
        var fresh = Feed(new SpectralResidualDetector(), series);

        for (var i = 0; i < series.Length; i++)
        {
            Assert.Equal(fresh[i].Status, again[i].Status);
            Assert.Equal(fresh[i].Probability, again[i].Probability);
        }
    }

    [Fact]
    public void Constructor_WindowSizeOutOfRange_Throws()
    {
        var exception = Assert.Throws<ValidationException>(() => new SpectralResidualDetector(new SpectralResidualOptions { WindowSize = 8 }));

        Assert.Contains(nameof(SpectralResidualOptions.WindowSize), exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StateSizeBytes_LargerWindow_GrowsWithTheWindow()
    {
        var small = new SpectralResidualDetector(new SpectralResidualOptions { WindowSize = 32 });
        var large = new SpectralResidualDetector(new SpectralResidualOptions { WindowSize = 256 });

        Assert.True(small.StateSizeBytes > 32 * sizeof(double) * 8, $"{small.StateSizeBytes}");
        Assert.True(large.StateSizeBytes > small.StateSizeBytes * 4, $"{large.StateSizeBytes} vs {small.StateSizeBytes}");
    }

    [Theory]
    [InlineData(64, 5)]
    [InlineData(64, 0)]
    [InlineData(20, 4)]
    [InlineData(33, 7)]
    public void Push_SlidingSpectrum_MatchesADirectSpectralResidual(int windowSize, int lookahead)
    {
        var random = new Random(7);
        var series = new double[SrSaliency.ResyncInterval + 300];
        for (var i = 0; i < series.Length; i++)
        {
            series[i] = 100 + (3 * Math.Sin(i * 0.3)) + random.NextDouble() + (i % 97 == 0 ? 10 : 0);
        }

        var saliency = new SrSaliency(windowSize, lookahead, gradientPoints: 5);
        for (var i = 0; i < series.Length; i++)
        {
            var actual = saliency.Push(series[i]);
            if (i < windowSize - 1)
            {
                Assert.True(double.IsNaN(actual));
            }
            else if (i == windowSize - 1 || i % 211 == 0 || Math.Abs(i - SrSaliency.ResyncInterval - windowSize) < 3)
            {
                var expected = DirectNormalisedSaliency(series.AsSpan(i - windowSize + 1, windowSize), lookahead, 5);
                Assert.Equal(expected, actual, 1e-5);
            }
        }
    }

    /// <summary>The textbook computation: full complex DFT of the frame, log amplitude, centred average, full inverse.</summary>
    private static double DirectNormalisedSaliency(ReadOnlySpan<double> window, int lookahead, int m)
    {
        int w = window.Length, n = w + lookahead;
        var frame = new double[n];
        window.CopyTo(frame);
        if (lookahead > 0)
        {
            // x̂_{n+1} from the m + 1 points before the newest: x_{n-m} + (m + 1)·mean_i (x_{n-1} - x_{n-1-i}) / i.
            double g = 0;
            for (var i = 1; i <= m; i++)
            {
                g += (window[w - 2] - window[w - 2 - i]) / i;
            }

            var estimate = window[w - 1 - m] + (g / m * (m + 1));
            Array.Fill(frame, estimate, w, lookahead);
        }

        var spectrum = new Complex[n];
        for (var k = 0; k < n; k++)
        {
            for (var j = 0; j < n; j++)
            {
                spectrum[k] += frame[j] * Complex.Exp(new Complex(0, -2 * Math.PI * j * k / n));
            }
        }

        var power = spectrum.Select(c => c.Magnitude * c.Magnitude).ToArray();
        var floor = Math.Max(1e-20 * power.Max(), 1e-300);
        var logAmplitude = power.Select(p => 0.5 * Math.Log(Math.Max(p, floor))).ToArray();
        logAmplitude[0] = logAmplitude[1]; // the DC bin is left out
        var residual = new Complex[n];
        for (var k = 1; k < n; k++)
        {
            var average = (logAmplitude[(k - 1 + n) % n] + logAmplitude[k] + logAmplitude[(k + 1) % n]) / 3;
            residual[k] = power[k] > floor ? spectrum[k] * Math.Exp(-average) : Complex.Zero;
        }

        var map = new double[n];
        for (var t = 0; t < n; t++)
        {
            var sum = Complex.Zero;
            for (var k = 0; k < n; k++)
            {
                sum += residual[k] * Complex.Exp(new Complex(0, 2 * Math.PI * k * t / n));
            }

            map[t] = sum.Real / n;
        }

        var rms = Math.Sqrt(map.Average(s => s * s));
        return rms > 0 ? Math.Abs(map[w - 1]) / rms : 0;
    }

    private static double[] NoisySine(int length, int seed)
    {
        var random = new Random(seed);
        var series = new double[length];
        for (var i = 0; i < length; i++)
        {
            var gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            series[i] = 10 + Math.Sin(2 * Math.PI * i / 24) + (0.1 * gaussian);
        }

        return series;
    }

    private static AnomalyScore[] Feed(AnomalyDetector detector, double[] series)
    {
        var scores = new AnomalyScore[series.Length];
        for (var i = 0; i < series.Length; i++)
        {
            scores[i] = detector.Update(Start.AddSeconds(i), series[i]);
        }

        return scores;
    }
}
