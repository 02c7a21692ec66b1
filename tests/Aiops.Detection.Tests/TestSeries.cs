namespace Aiops.Detection.Tests;

/// <summary>Deterministic synthetic series for detector tests.</summary>
internal static class TestSeries
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static DateTimeOffset At(int i) => Start.AddMinutes(5 * i);

    /// <summary>A sine of the given period and amplitude on a level of 100, plus Gaussian noise of σ = noise.</summary>
    public static double[] Sine(int length, int period, double amplitude, double noise, int seed = 1)
    {
        var random = new Random(seed);
        var values = new double[length];
        for (var i = 0; i < length; i++)
        {
            values[i] = 100 + (amplitude * Math.Sin(2 * Math.PI * i / period)) + (noise * Gaussian(random));
        }

        return values;
    }

    public static double[] Noise(int length, double sigma, int seed = 1) => Sine(length, 10, 0, sigma, seed);

    /// <summary>Zeros (an error count at rest) but for 1s at points [at, at + count).</summary>
    public static double[] ZerosThenOnes(int length, int at, int count)
    {
        var values = new double[length];
        Array.Fill(values, 1, at, count);
        return values;
    }

    public static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>Student's t with 3 degrees of freedom: heavy-tailed noise of unit scale.</summary>
    public static double StudentT3(Random random)
    {
        var chiSquare = 0.0;
        for (var k = 0; k < 3; k++)
        {
            var g = Gaussian(random);
            chiSquare += g * g;
        }

        return Gaussian(random) / Math.Sqrt(chiSquare / 3);
    }

    /// <summary><paramref name="length"/> values drawn one after another by <paramref name="next"/> from a generator seeded with <paramref name="seed"/>.</summary>
    public static double[] Draw(int length, int seed, Func<Random, double> next)
    {
        var random = new Random(seed);
        var values = new double[length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = next(random);
        }

        return values;
    }

    /// <summary>
    /// A heap collected every 24 points (two hours at 5-minute steps): it restarts near 500 with noise of 10 and climbs 200 until
    /// the next collection with noise of 0.5 a point.
    /// </summary>
    public static double[] HeapSawtooth(int length, int seed)
    {
        var random = new Random(seed);
        var values = new double[length];
        var heap = 500.0;
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = heap = i % 24 == 0 ? 500 + (10 * Gaussian(random)) : heap + (200.0 / 24) + (0.5 * Gaussian(random));
        }

        return values;
    }

    /// <summary>Scores the values at 5-minute steps from <see cref="Start"/>.</summary>
    public static AnomalyScore[] Run(IAnomalyDetector detector, double[] values) => Run(detector, values, TimeSpan.FromMinutes(5));

    /// <summary>Scores the values at the given step from <see cref="Start"/>.</summary>
    public static AnomalyScore[] Run(IAnomalyDetector detector, double[] values, TimeSpan step)
    {
        var scores = new AnomalyScore[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            scores[i] = detector.Update(Start + (step * i), values[i]);
        }

        return scores;
    }

    /// <summary>The highest probability among scored points in [from, to), excluding the given index.</summary>
    public static double MaxProbability(AnomalyScore[] scores, int from, int to, int except = -1)
    {
        var max = 0.0;
        for (var i = from; i < to; i++)
        {
            if (i != except)
            {
                max = Math.Max(max, scores[i].Probability);
            }
        }

        return max;
    }
}
