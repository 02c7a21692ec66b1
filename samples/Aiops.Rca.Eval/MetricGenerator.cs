using Aiops.Correlation;

namespace Aiops.Rca.Eval;

/// <summary>
/// Generates the raw per-second metrics of a case from a queueing-flavoured model of the call graph, not from the shape any
/// detector or ranker expects.
/// </summary>
/// <remarks>
/// <para><b>Traffic.</b> External requests reach the entry point at a base rate (100–300/s) with a slow diurnal drift
/// (±5–20 % over a 2-hour period), brief benign bursts (×1.3–1.8 for 2–10 s, about one per 4 minutes) and, for a surge, a
/// ×2–4 rise over 20 s. Each service's expected rate is the sum of its callers' rates times their calls per request; the
/// observed count is Poisson with a log-normal overdispersion (σ 0.05) and rare heavy-tailed bursts (one point in 2,000 scaled by a Pareto factor, α 3).</para>
/// <para><b>Saturation.</b> A service's CPU (percent of one core) is its observed requests times its CPU cost (sized so the
/// base load uses 10–40 %), plus background, GC pauses and a hog's extra load; its own latency grows as 1 / (1 − u) with
/// utilisation u (capped at 0.95, and past it requests also fail). Memory is a GC sawtooth (5–15 % of the base, a cycle of
/// 30–120 s) plus noise, plus a leak's growth.</para>
/// <para><b>Latency and errors propagate to callers.</b> A service's p95 is its own latency plus its callees' p95 weighted by
/// calls per request, computed callees first, with log-normal noise that grows as the rate falls. Its error ratio is its own
/// plus 70 % of each callee's (the rest are retried or degraded gracefully); errors per second are Poisson on that.</para>
/// <para><b>Benign events</b> in every run: GC pauses on any service (about one per 20 minutes each: own latency ×1.5–3 and
/// +30 % CPU for 1–2 s), entry bursts, a slow spell on a random service (about one per 30 minutes: own latency ×1.3–2 for
/// 5–20 s) and, in a quarter of the runs, a deploy on a service other than the target that changes nothing.</para>
/// <para>The fault starts at 600–660 s and lasts to the end (300 s later). Deterministic for a seed.</para>
/// </remarks>
internal static class MetricGenerator
{
    /// <summary>The first possible onset, in seconds.</summary>
    public const int NormalSeconds = 600;

    /// <summary>How long the fault runs before the case ends, in seconds.</summary>
    public const int FaultSeconds = 300;

    private const double PropagatedErrorShare = 0.7;

    /// <summary>Generates a case's data.</summary>
    public static CaseData Generate(RcaCase @case)
    {
        ArgumentNullException.ThrowIfNull(@case);
        var topology = @case.Topology;
        var rng = new Random(@case.Seed);
        var onset = NormalSeconds + rng.Next(0, 61);
        var length = onset + FaultSeconds;
        var start = new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero).AddMinutes(rng.Next(0, 600));
        var services = topology.Services;
        var n = services.Count;
        var index = services.Select((s, i) => (s, i)).ToDictionary(p => p.s, p => p.i, StringComparer.Ordinal);
        var callersFirst = topology.CallersFirst.Select(s => index[s]).ToArray();
        var callees = services.Select(s => topology.CalleesOf(s).Select(e => (index[e.Callee], e.CallsPerRequest)).ToArray()).ToArray();
        var callers = services.Select(s => topology.CallersOf(s).Select(e => (index[e.Caller], e.CallsPerRequest)).ToArray()).ToArray();
        var entry = index[topology.Entry];

        // The system's parameters.
        var baseRate = 100 + (200 * rng.NextDouble());
        var expected = new double[n];
        foreach (var s in callersFirst)
        {
            expected[s] = s == entry ? baseRate : callers[s].Sum(c => expected[c.Item1] * c.Item2);
        }

        var ownSeconds = new double[n];
        var cpuPerRequest = new double[n];
        var memoryBase = new double[n];
        var gcPeriod = new double[n];
        var gcGrowth = new double[n];
        var gcPhase = new double[n];
        var errorBase = new double[n];
        for (var s = 0; s < n; s++)
        {
            ownSeconds[s] = services[s].Contains("redis", StringComparison.Ordinal) ? 0.0005 + (0.0015 * rng.NextDouble()) : 0.002 + (0.038 * rng.NextDouble());
            cpuPerRequest[s] = (0.1 + (0.3 * rng.NextDouble())) / Math.Max(expected[s], 1);
            memoryBase[s] = 100 + (900 * rng.NextDouble());
            gcPeriod[s] = 30 + (90 * rng.NextDouble());
            gcGrowth[s] = 0.05 + (0.1 * rng.NextDouble());
            gcPhase[s] = rng.NextDouble();
            errorBase[s] = 0.0005 + (0.0025 * rng.NextDouble());
        }

        var drift = 0.05 + (0.15 * rng.NextDouble());
        var driftPhase = 2 * Math.PI * rng.NextDouble();

        // Benign events.
        var benign = new List<(string, string, int, int)>();
        var entryBoost = Ones(length);
        foreach (var (at, duration) in Events(rng, length, 240, 2, 10))
        {
            benign.Add(("burst", services[entry], at, duration));
            var factor = 1.3 + (0.5 * rng.NextDouble());
            Apply(entryBoost, at, duration, factor);
        }

        var ownFactor = new double[n][];
        var extraCpu = new double[n][];
        for (var s = 0; s < n; s++)
        {
            ownFactor[s] = Ones(length);
            extraCpu[s] = new double[length];
            foreach (var (at, duration) in Events(rng, length, 1200, 1, 2))
            {
                benign.Add(("gc", services[s], at, duration));
                Apply(ownFactor[s], at, duration, 1.5 + (1.5 * rng.NextDouble()));
                for (var t = at; t < Math.Min(length, at + duration); t++)
                {
                    extraCpu[s][t] += 0.3;
                }
            }
        }

        foreach (var (at, duration) in Events(rng, length, 1800, 5, 20))
        {
            var slow = rng.Next(n);
            benign.Add(("slow", services[slow], at, duration));
            Apply(ownFactor[slow], at, duration, 1.3 + (0.7 * rng.NextDouble()));
        }

        var changes = new List<(int, ChangeSignal)>();
        var target = @case.Target is null ? -1 : index[@case.Target];
        if (rng.NextDouble() < 0.25)
        {
            var other = rng.Next(n);
            if (other != target)
            {
                var at = 60 + rng.Next(0, onset - 120);
                benign.Add(("deploy", services[other], at, 0));
                changes.Add((at, Deploy(services[other], start.AddSeconds(at), $"deploy {services[other]} v1.{rng.Next(2, 9)}.{rng.Next(0, 20)} (benign)")));
            }
        }

        // The fault.
        var addedOwn = new double[n];
        var ownMultiplier = Ones(n);
        var addedError = new double[n];
        var addedCpu = new double[n];
        var retry = Ones(n);
        var leakPerSecond = 0.0;
        var surge = 1.0;
        var fault = @case.Fault;
        switch (fault)
        {
            case FaultKind.CpuHog:
                addedCpu[target] = 0.3 + (0.3 * rng.NextDouble());
                break;
            case FaultKind.MemoryLeak:
                leakPerSecond = memoryBase[target] * (0.3 + (0.7 * rng.NextDouble())) / FaultSeconds;
                break;
            case FaultKind.Latency:
                addedOwn[target] = 0.05 + (0.2 * rng.NextDouble());
                break;
            case FaultKind.PacketLoss:
                var loss = 0.05 + (0.25 * rng.NextDouble());
                addedOwn[target] = 0.2 * Math.Min(1, 4 * loss);
                addedError[target] = 0.5 * loss * loss;
                retry[target] = 1 + loss;
                break;
            case FaultKind.TrafficSurge:
                surge = 2 + (2 * rng.NextDouble());
                break;
            case FaultKind.BadDeploy:
                addedError[target] = 0.02 + (0.18 * rng.NextDouble());
                ownMultiplier[target] = 1 + (0.5 * rng.NextDouble());
                addedCpu[target] = 0.1 * rng.NextDouble();
                changes.Add((onset, Deploy(services[target], start.AddSeconds(onset), $"deploy {services[target]} v2.{rng.Next(0, 9)}.0")));
                break;
        }

        var names = topology.Names;
        var requests = Arrays(n, length);
        var errors = Arrays(n, length);
        var latency = Arrays(n, length);
        var cpu = Arrays(n, length);
        var memory = Arrays(n, length);
        var rate = new double[n];
        var count = new double[n];
        var own = new double[n];
        var ratio = new double[n];
        var total = new double[n];
        for (var t = 0; t < length; t++)
        {
            var faulty = fault != FaultKind.None && t >= onset;
            var surgeNow = faulty && fault == FaultKind.TrafficSurge ? 1 + ((surge - 1) * Math.Min(1, (t - onset + 1) / 20.0)) : 1;
            var external = baseRate * (1 + (drift * Math.Sin(driftPhase + (2 * Math.PI * t / 7200)))) * entryBoost[t] * surgeNow;

            // Callers first: how much work reaches each service.
            foreach (var s in callersFirst)
            {
                rate[s] = s == entry ? external : 0;
                foreach (var (caller, calls) in callers[s])
                {
                    rate[s] += count[caller] * calls;
                }

                if (faulty)
                {
                    rate[s] *= retry[s];
                }

                count[s] = Count(rng, rate[s]);
                var hog = faulty ? addedCpu[s] : 0;
                var leak = faulty && s == target ? leakPerSecond * (t - onset) : 0;
                var leakShare = leak / memoryBase[s];
                var gcThrash = Math.Max(0, leakShare - 0.5);
                var u = 0.02 + (count[s] * cpuPerRequest[s]) + extraCpu[s][t] + hog + (0.3 * gcThrash);
                cpu[s][t] = Math.Max(0, (100 * Math.Min(u, 1)) + (1.0 * Gaussian(rng)));
                var queueing = 1 / (1 - Math.Min(u, 0.95));
                var overload = Math.Max(0, u - 0.9);
                own[s] = (ownSeconds[s] * ownFactor[s][t] * queueing * (1 + overload) * (faulty ? ownMultiplier[s] : 1) * (1 + gcThrash)) + (faulty ? addedOwn[s] : 0);
                ratio[s] = errorBase[s] + (faulty ? addedError[s] : 0) + (0.5 * overload);
                var sawtooth = gcGrowth[s] * (((t / gcPeriod[s]) + gcPhase[s]) % 1.0);
                memory[s][t] = (memoryBase[s] * (1 + sawtooth)) + leak + (0.005 * memoryBase[s] * Gaussian(rng));
            }

            // Callees first: what each service's callers see.
            for (var i = callersFirst.Length - 1; i >= 0; i--)
            {
                var s = callersFirst[i];
                var p95 = own[s];
                var ok = 1 - Math.Min(ratio[s], 1);
                foreach (var (callee, calls) in callees[s])
                {
                    p95 += calls * total[callee];
                    ok *= Math.Pow(1 - (PropagatedErrorShare * ratio[callee]), calls);
                }

                total[s] = p95;
                ratio[s] = 1 - ok;
                requests[s][t] = count[s];
                errors[s][t] = Count(rng, count[s] * Math.Min(ratio[s], 1));
                var sigma = 0.05 + (0.5 / Math.Sqrt(count[s] + 1));
                latency[s][t] = p95 * Math.Exp(sigma * Gaussian(rng));
            }
        }

        var series = new List<SeriesData>(5 * n);
        for (var s = 0; s < n; s++)
        {
            series.Add(new SeriesData(services[s], names.Requests, requests[s]));
            series.Add(new SeriesData(services[s], names.Errors, errors[s]));
            series.Add(new SeriesData(services[s], names.Latency, latency[s]));
            series.Add(new SeriesData(services[s], names.Cpu, cpu[s]));
            series.Add(new SeriesData(services[s], names.Memory, memory[s]));
        }

        changes.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return new CaseData(@case, start, length, onset, series, changes) { Events = benign };
    }

    private static ChangeSignal Deploy(string service, DateTimeOffset at, string title) =>
        new($"change:{service}:{at.ToUnixTimeSeconds()}", title, at, new Dictionary<string, string>(StringComparer.Ordinal) { ["service"] = service }, ChangeKind.Deploy);

    private static double[] Ones(int length)
    {
        var array = new double[length];
        Array.Fill(array, 1.0);
        return array;
    }

    private static double[][] Arrays(int n, int length)
    {
        var arrays = new double[n][];
        for (var i = 0; i < n; i++)
        {
            arrays[i] = new double[length];
        }

        return arrays;
    }

    private static void Apply(double[] factors, int at, int duration, double factor)
    {
        for (var t = at; t < Math.Min(factors.Length, at + duration); t++)
        {
            factors[t] *= factor;
        }
    }

    /// <summary>A Poisson process of events (mean gap <paramref name="meanGap"/> s), each lasting a whole number of seconds in [min, max].</summary>
    private static List<(int At, int Duration)> Events(Random rng, int length, double meanGap, int min, int max)
    {
        var events = new List<(int, int)>();
        var t = -meanGap * Math.Log(1 - rng.NextDouble());
        while (t < length)
        {
            events.Add(((int)t, rng.Next(min, max + 1)));
            t += -meanGap * Math.Log(1 - rng.NextDouble());
        }

        return events;
    }

    /// <summary>An observed count: Poisson with log-normal overdispersion and rare Pareto bursts (heavy tail).</summary>
    private static double Count(Random rng, double mean)
    {
        if (mean <= 0)
        {
            return 0;
        }

        var m = mean * Math.Exp((0.05 * Gaussian(rng)) - 0.00125);
        if (rng.NextDouble() < 0.0005)
        {
            m *= Math.Pow(1 - rng.NextDouble(), -1 / 3.0); // Pareto(α = 3) ≥ 1
        }

        return Poisson(rng, m);
    }

    private static double Poisson(Random rng, double mean)
    {
        if (mean > 30)
        {
            return Math.Max(0, Math.Round(mean + (Math.Sqrt(mean) * Gaussian(rng))));
        }

        var limit = Math.Exp(-mean);
        var k = 0;
        var p = rng.NextDouble();
        while (p > limit)
        {
            k++;
            p *= rng.NextDouble();
        }

        return k;
    }

    private static double Gaussian(Random rng)
    {
        var u1 = 1 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
