namespace Aiops.Backtest.FalseAlarms;

/// <summary>The kinds of healthy (anomaly-free) series the false-alarm report generates.</summary>
internal enum HealthyKind
{
    /// <summary>Gaussian noise around a constant level.</summary>
    StationaryNoise,

    /// <summary>Student-t noise with 3 degrees of freedom: frequent large but harmless excursions.</summary>
    HeavyTailedNoise,

    /// <summary>Poisson request counts where 2 % of points are bursts at four times the base rate.</summary>
    BurstyCounts,

    /// <summary>A daily sine (peak-to-trough 60 % of the mean) plus Gaussian noise.</summary>
    DailyPattern,

    /// <summary>Load that wanders: a positive random walk (mean-reverting over about a day) plus noise.</summary>
    RandomWalkLoad,

    /// <summary>
    /// Gaussian noise sampled irregularly, as sensors behind a lossy link are: each step is log-normal around the nominal one
    /// (σ 0.5 in log), 1 % of them a gap of 20 to 120 steps; scaled so the mean step is the nominal one.
    /// </summary>
    IrregularSteps,

    /// <summary>Error counts that are mostly zero: 0.5 % of points are 1, a fifth of those 2, a third of those 3.</summary>
    SparseCounts,

    /// <summary>
    /// Request counts on a daily cycle (a rate of 50 ± 25) with heavy-tailed bursts, as social-media volume: 1 % of points start a
    /// burst of 1 to 6 points whose rate is multiplied by a Pareto variable of index 2 (median 1.4, one in a hundred above 10).
    /// </summary>
    SeasonalBursts,

    /// <summary>
    /// A gauge reported in whole numbers whose noise is half a unit, as thread, connection or queue counts: 60 ± 0.5 rounded,
    /// so 59, 60 or 61 but for a 58 or a 62 one point in 370.
    /// </summary>
    WholeNumberGauge,

    /// <summary>A daily pattern reported in whole numbers, as a CPU percentage without decimals: 10 ± 3 a day, noise 0.7, rounded.</summary>
    WholeNumberDailyPattern,

    /// <summary>
    /// A service's p95 latency in milliseconds: log-normal around 120 (σ 0.15 in log) on a daily cycle of ±20 %, and 0.5 % of
    /// points start a slow spell (a pause) of 1 to 3 points at 2 to 4 times the latency. Not in the default report.
    /// </summary>
    ServiceLatency,

    /// <summary>A CPU percentage: 35 ± 12 on a daily cycle plus autocorrelated noise (AR(1), φ 0.8, σ 2), within [0, 100], one decimal. Not in the default report.</summary>
    CpuPercent,

    /// <summary>
    /// An error ratio: failed requests over requests, with about 200 ± 100 requests a point on a daily cycle and 0.2 % of them
    /// failing, so mostly 0 and now and then 1 / 150 or 2 / 250. Not in the default report.
    /// </summary>
    ErrorRatio,

    /// <summary>
    /// A managed heap: it grows by 200 over two hours (at least 20 points), with noise 0.5 a point, and is collected back to
    /// 500 ± 10; the drop is healthy and regular. Not in the default report.
    /// </summary>
    MemorySawtooth,

    /// <summary>
    /// A work queue's depth: 2 % of points bring a batch of 5 to 24 items, 3 are drained a point, and 30 % of points see one
    /// more item in flight; whole numbers, mostly 0 or 1. Not in the default report.
    /// </summary>
    QueueDepth,
}

/// <summary>How the points of a healthy series are spaced in time (<see cref="HealthyKind.IrregularSteps"/> keeps its own).</summary>
internal enum Sampling
{
    /// <summary>One point every step.</summary>
    Regular,

    /// <summary>
    /// One point every step, but 1 % of the steps are gaps of 20 to 120 steps, as a scrape target that is down for hours at
    /// a time or a sensor behind a link that drops out.
    /// </summary>
    Gaps,

    /// <summary>The steps of <see cref="HealthyKind.IrregularSteps"/>: log-normal around the step (σ 0.5 in log) and 1 % gaps.</summary>
    Irregular,
}

/// <summary>
/// Seeded generator of healthy series: values depend only on the kind, the step, the seed and the point index, and a daily
/// cycle on the point's time (the same thing on regular sampling; with gaps, the cycle follows the clock as real data does).
/// </summary>
internal static class HealthySeries
{
    /// <summary>How <paramref name="sampling"/> is named in a report line: "gaps sampling".</summary>
    /// <param name="sampling">The sampling.</param>
    /// <returns>The name.</returns>
    public static string Describe(Sampling sampling) => $"{sampling.ToString().ToLowerInvariant()} sampling";

    /// <summary>
    /// The kinds of the default report (the protocol and the kinds added while the ensemble was built), every kind
    /// before <see cref="HealthyKind.ServiceLatency"/>; the service kinds after it were added later, to measure on metrics the
    /// detectors were not built on, and are chosen by name.
    /// </summary>
    public static readonly HealthyKind[] DefaultKinds = [.. Enum.GetValues<HealthyKind>().Where(k => k < HealthyKind.ServiceLatency)];

    /// <summary>Generates one series.</summary>
    /// <param name="kind">What the series looks like.</param>
    /// <param name="step">The sampling interval.</param>
    /// <param name="length">How long the series lasts.</param>
    /// <param name="seed">The random seed.</param>
    /// <param name="sampling">How the points are spaced; the values drawn are the same for every sampling (another generator
    /// draws the steps).</param>
    /// <returns>Timestamps and values.</returns>
    public static (DateTimeOffset[] Timestamps, double[] Values) Generate(HealthyKind kind, TimeSpan step, TimeSpan length, int seed, Sampling sampling = Sampling.Regular)
    {
        var random = new Random(seed);
        var clock = new Random(~seed);
        var count = (int)(length.Ticks / step.Ticks);
        var timestamps = new DateTimeOffset[count];
        var values = new double[count];
        var start = new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);
        var walk = 0.0;
        var stepsPerDay = TimeSpan.FromDays(1).Ticks / (double)step.Ticks;
        var reversion = 1 / stepsPerDay;
        var walkSigma = Math.Sqrt(2 * reversion) * 20; // stationary σ of the walk: 20 around a level of 100
        var time = start;
        var (burstLeft, burst) = (0, 1.0);
        var (spellLeft, spell) = (0, 1.0);
        var carried = 0.0; // what one point hands the next: the CPU's autocorrelated noise, or the queue's depth
        var heap = 500.0;
        var collectEvery = Math.Max(20, TimeSpan.FromHours(2).Ticks / step.Ticks);
        for (var i = 0; i < count; i++)
        {
            if (kind == HealthyKind.SeasonalBursts && burstLeft == 0 && random.NextDouble() < 0.01)
            {
                (burstLeft, burst) = (1 + random.Next(6), 1 / Math.Sqrt(1 - random.NextDouble())); // Pareto of index 2 by inversion
            }

            var multiplier = burstLeft > 0 ? burst : 1;
            burstLeft = Math.Max(0, burstLeft - 1);

            timestamps[i] = kind == HealthyKind.IrregularSteps ? (time += IrregularStep(random, step))
                : sampling == Sampling.Regular ? start + (step * i)
                : i == 0 ? start
                : (time += sampling == Sampling.Gaps ? step * (clock.NextDouble() < 0.01 ? 20 + clock.Next(101) : 1) : IrregularStep(clock, step));
            var cycle = sampling == Sampling.Regular ? 2 * Math.PI * i / stepsPerDay : 2 * Math.PI * (timestamps[i] - start).Ticks / TimeSpan.TicksPerDay;
            values[i] = kind switch
            {
                HealthyKind.StationaryNoise => 100 + (5 * Gaussian(random)),
                HealthyKind.HeavyTailedNoise => 100 + (5 * StudentT3(random)),
                HealthyKind.BurstyCounts => Poisson(random, random.NextDouble() < 0.02 ? 40 : 10),
                HealthyKind.DailyPattern => 100 * (1 + (0.3 * Math.Sin(cycle))) + (3 * Gaussian(random)),
                HealthyKind.IrregularSteps => 100 + (5 * Gaussian(random)),
                HealthyKind.SparseCounts => random.NextDouble() < 0.005 ? 1 + (random.NextDouble() < 0.2 ? 1 + (random.NextDouble() < 0.3 ? 1 : 0) : 0) : 0,
                HealthyKind.SeasonalBursts => Poisson(random, 50 * (1 + (0.5 * Math.Sin(cycle))) * multiplier),
                HealthyKind.WholeNumberGauge => Math.Round(60 + (0.5 * Gaussian(random))),
                HealthyKind.WholeNumberDailyPattern => Math.Round((10 * (1 + (0.3 * Math.Sin(cycle)))) + (0.7 * Gaussian(random))),
                HealthyKind.ServiceLatency => Latency(random, cycle, ref spellLeft, ref spell),
                HealthyKind.CpuPercent => Math.Round(Math.Clamp(35 + (12 * Math.Sin(cycle)) + (carried = (0.8 * carried) + (2 * Gaussian(random))), 0, 100), 1),
                HealthyKind.ErrorRatio => ErrorRatio(random, cycle),
                HealthyKind.MemorySawtooth => heap = i % collectEvery == 0 ? 500 + (10 * Gaussian(random)) : heap + (200.0 / collectEvery) + (0.5 * Gaussian(random)),
                HealthyKind.QueueDepth => Math.Round((carried = Math.Max(0, carried + (random.NextDouble() < 0.02 ? 5 + random.Next(20) : 0) - 3)) + (random.NextDouble() < 0.3 ? 1 : 0)),
                _ => 100 + (walk = (walk * (1 - reversion)) + (walkSigma * Gaussian(random))) + (2 * Gaussian(random)),
            };
        }

        return (timestamps, values);
    }

    private static double Latency(Random random, double cycle, ref int spellLeft, ref double spell)
    {
        if (spellLeft == 0 && random.NextDouble() < 0.005)
        {
            (spellLeft, spell) = (1 + random.Next(3), 2 + (2 * random.NextDouble()));
        }

        var factor = spellLeft > 0 ? spell : 1;
        spellLeft = Math.Max(0, spellLeft - 1);
        return 120 * Math.Exp((0.15 * Gaussian(random)) + (0.2 * Math.Sin(cycle))) * factor;
    }

    private static double ErrorRatio(Random random, double cycle)
    {
        var rate = 200 * (1 + (0.5 * Math.Sin(cycle)));
        var requests = Math.Max(0, Math.Round(rate + (Math.Sqrt(rate) * Gaussian(random)))); // Poisson, by its normal approximation
        return requests == 0 ? 0 : Poisson(random, requests * 0.002) / requests;
    }

    // Log-normal jitter (mean e^(σ²/2) = 1.133) times a gap factor (mean 1 + 0.01 × 69 = 1.69), divided by both means.
    private static TimeSpan IrregularStep(Random random, TimeSpan step)
    {
        var jitter = Math.Exp(0.5 * Gaussian(random));
        var gap = random.NextDouble() < 0.01 ? 20 + (100 * random.NextDouble()) : 1;
        return TimeSpan.FromTicks(Math.Max(1, (long)(step.Ticks * jitter * gap / (1.133 * 1.69))));
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static double StudentT3(Random random)
    {
        var z = Gaussian(random);
        var chi = 0.0;
        for (var k = 0; k < 3; k++)
        {
            var g = Gaussian(random);
            chi += g * g;
        }

        return z / Math.Sqrt(chi / 3);
    }

    private static double Poisson(Random random, double mean)
    {
        if (mean > 500)
        {
            // The normal approximation: Knuth's method takes mean steps and underflows past about 745 (a large burst's rate).
            return Math.Max(0, Math.Round(mean + (Math.Sqrt(mean) * Gaussian(random))));
        }

        // Knuth's method.
        var limit = Math.Exp(-mean);
        var k = 0;
        for (var p = random.NextDouble(); p > limit; p *= random.NextDouble())
        {
            k++;
        }

        return k;
    }
}
