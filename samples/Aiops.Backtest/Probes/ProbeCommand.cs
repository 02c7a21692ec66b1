using System.CommandLine;
using System.Globalization;
using Aiops.Backtest.FalseAlarms;
using Aiops.Detection;

namespace Aiops.Backtest.Probes;

/// <summary>
/// Defines the <c>probe</c> command: how often one injected fault is flagged on a seeded healthy series (Gaussian noise by
/// default), and how many points are flagged before it.
/// <c>probe [--detector NAME]... [--base KIND] [--sampling regular|gaps|irregular] [--step SECONDS] [--at POINT] [--sigmas K] [--kind spike|shift|outage|flatline] [--series N] [--repeats N --every POINTS] [--rate R]</c>.
/// </summary>
internal static class ProbeCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The <c>probe</c> command.</returns>
    public static Command Create()
    {
        var detectors = new Option<string[]>("--detector") { Description = $"Detector(s); default: {DetectorNames.Ensemble}.", AllowMultipleArgumentsPerToken = true };
        var step = new Option<double>("--step") { Description = "Sampling interval in seconds.", DefaultValueFactory = _ => 300 };
        var at = new Option<int>("--at") { Description = "Index of the first faulty point (the fault lasts 30 points for a shift, 1 for a spike).", DefaultValueFactory = _ => 500 };
        var sigmas = new Option<double>("--sigmas") { Description = "Fault size in units of 5, the noise standard deviation of StationaryNoise, HeavyTailedNoise and IrregularSteps; on the other kinds the same absolute size (DailyPattern's noise σ is 3, RandomWalkLoad's point noise σ 2, WholeNumberGauge's 0.5).", DefaultValueFactory = _ => 6 };
        var kind = new Option<string>("--kind") { Description = "spike (one point), shift (a level change that stays), outage (0 for 12 points) or flatline (stuck at its value at --at).", DefaultValueFactory = _ => "spike" };
        var baseKind = new Option<HealthyKind>("--base") { Description = "The healthy series the fault is injected into (a false-alarms kind).", DefaultValueFactory = _ => HealthyKind.StationaryNoise };
        var series = new Option<int>("--series") { Description = "Seeded series per detector.", DefaultValueFactory = _ => 50 };
        var repeats = new Option<int>("--repeats") { Description = "How many times a spike or an outage recurs.", DefaultValueFactory = _ => 1 };
        var every = new Option<int>("--every") { Description = "Points between recurrences (at least 30).", DefaultValueFactory = _ => 1000 };
        var sampling = SharedOptions.Sampling();
        var rate = SharedOptions.Rate();
        var command = new Command("probe", "Injects one spike, level shift, outage or flat line into a seeded healthy series and counts how often a detector flags it, and its flags before it.")
        {
            detectors, baseKind, sampling, step, at, sigmas, kind, series, repeats, every, rate,
        };
        command.SetAction(parseResult =>
        {
            var names = parseResult.GetValue(detectors) is { Length: > 0 } given ? given : [DetectorNames.Ensemble];
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            var (seconds, index, size, shape, count) = (parseResult.GetValue(step), parseResult.GetValue(at), parseResult.GetValue(sigmas), parseResult.GetValue(kind), parseResult.GetValue(series));
            var (times, apart) = (parseResult.GetValue(repeats), parseResult.GetValue(every));
            var unknown = names.Where(d => !BacktestDetectors.IsKnown(d)).ToList();
            if (unknown.Count > 0 || !(seconds > 0) || index < 1 || count < 1 || !Enum.TryParse<FaultKind>(shape, ignoreCase: true, out var fault))
            {
                stderr.WriteLine(unknown.Count > 0
                    ? $"error: unknown detector(s) {string.Join(", ", unknown)}. Valid detectors: {BacktestDetectors.Valid}."
                    : "error: --step, --at and --series must be positive and --kind spike, shift, outage or flatline.");
                return ExitCodes.UsageError;
            }

            if (!CanRepeat(fault, times, apart))
            {
                stderr.WriteLine("error: --repeats must be positive; only a spike or an outage recurs, --every at least 30 points apart.");
                return ExitCodes.UsageError;
            }

            var healthy = parseResult.GetValue(baseKind);
            var spacing = parseResult.GetValue(sampling);
            var described = spacing == Sampling.Regular ? $"{healthy}" : $"{healthy} ({HealthySeries.Describe(spacing)})";
            foreach (var name in names)
            {
                var (detected, before) = MeasureRepeated(() => BacktestDetectors.Create(name, parseResult.GetValue(rate)), healthy, TimeSpan.FromSeconds(seconds), index, size, fault, count, times, apart, spacing);
                var what = fault switch { FaultKind.Outage => "outage (0 for 12 points)", FaultKind.Flatline => "flat line", _ => $"{shape} of {size}σ" };
                stdout.WriteLine(times == 1
                    ? string.Create(CultureInfo.InvariantCulture, $"{name}: {what} at point {index} of {described}, step {seconds} s: flagged in {detected[0]} of {count} series; {before} flags before it in all")
                    : string.Create(CultureInfo.InvariantCulture, $"{name}: {what} at point {index} of {described} and {times - 1} times more, {apart} points apart, step {seconds} s: flagged in {string.Join(" ", detected)} of {count} series (by occurrence); {before} flags before the first in all"));
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// Runs <paramref name="series"/> seeded series of the false-alarm report's <paramref name="kind"/> (seeds 500, 501, …) with
    /// the fault: a spike adds <paramref name="sigmas"/> × 5 (the noise's σ) to one point, a shift to every point from
    /// <paramref name="at"/> on; an outage sets 12 points to 0; a flat line holds every point from <paramref name="at"/> on at
    /// that point's value (a metric whose source froze).
    /// </summary>
    /// <returns>In how many series the fault was found (a flag in the 30 points from the spike, shift or flat line on, or during the outage), and the flags before it.</returns>
    public static (int Detected, int FlagsBefore) Measure(Func<IAnomalyDetector> create, HealthyKind kind, TimeSpan step, int at, double sigmas, FaultKind fault, int series)
    {
        var (detected, before) = MeasureRepeated(create, kind, step, at, sigmas, fault, series, repeats: 1, every: FoundWithin);
        return (detected[0], before);
    }

    /// <summary>
    /// As <see cref="Measure"/>, with a spike or an outage repeated <paramref name="repeats"/> times, <paramref name="every"/>
    /// points apart (at least 30): whether a detector keeps finding a fault that recurs, or learns it as the series' nature.
    /// </summary>
    /// <returns>Per occurrence, in how many series it was found; and the flags before the first.</returns>
    public static (int[] Detected, int FlagsBefore) MeasureRepeated(Func<IAnomalyDetector> create, HealthyKind kind, TimeSpan step, int at, double sigmas, FaultKind fault, int series, int repeats, int every, Sampling sampling = Sampling.Regular)
    {
        if (!CanRepeat(fault, repeats, every))
        {
            throw new ArgumentOutOfRangeException(nameof(repeats), "Only spikes and outages repeat, at least 30 points apart.");
        }

        var detected = new int[repeats];
        var before = 0;
        var window = fault == FaultKind.Outage ? OutagePoints : FoundWithin; // the flags that count as finding it
        for (var s = 0; s < series; s++)
        {
            var (timestamps, values) = HealthySeries.Generate(kind, step, step * (at + ((repeats - 1) * every) + FoundWithin), seed: 500 + s, sampling);
            var detector = create();
            var found = new bool[repeats];
            for (var i = 0; i < values.Length; i++)
            {
                var occurrence = i < at ? -1 : Math.Min((i - at) / every, repeats - 1);
                var offset = i - at - (occurrence * every); // points since this occurrence began
                var value = fault switch
                {
                    FaultKind.Spike when i >= at && offset == 0 => values[i] + (sigmas * 5),
                    FaultKind.Shift when i >= at => values[i] + (sigmas * 5),
                    FaultKind.Outage when i >= at && offset < OutagePoints => 0,
                    FaultKind.Flatline when i >= at => values[at],
                    _ => values[i],
                };
                if (detector.Update(timestamps[i], value).IsAnomaly)
                {
                    before += i < at ? 1 : 0;
                    found[Math.Max(occurrence, 0)] |= i >= at && offset < window;
                }
            }

            for (var k = 0; k < repeats; k++)
            {
                detected[k] += found[k] ? 1 : 0;
            }
        }

        return (detected, before);
    }

    private const int FoundWithin = 30;
    private const int OutagePoints = 12;

    // Once always; more often only a transient fault (a spike, an outage), whose windows do not overlap.
    private static bool CanRepeat(FaultKind fault, int repeats, int every) =>
        repeats == 1 || (repeats > 1 && fault is (FaultKind.Spike or FaultKind.Outage) && every >= FoundWithin);
}

/// <summary>The fault a probe injects.</summary>
internal enum FaultKind
{
    /// <summary>One point raised.</summary>
    Spike,

    /// <summary>A level change that stays.</summary>
    Shift,

    /// <summary>The metric reads 0 for 12 points (a service that stopped serving).</summary>
    Outage,

    /// <summary>The metric stays at its value at the fault's first point (a source that froze).</summary>
    Flatline,
}
