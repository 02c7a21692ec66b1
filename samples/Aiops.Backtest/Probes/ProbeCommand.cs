using System.CommandLine;
using System.Globalization;
using Aiops.Backtest.FalseAlarms;
using Aiops.Detection;

namespace Aiops.Backtest.Probes;

/// <summary>
/// Defines the <c>probe</c> command: how often one injected fault is flagged on a seeded healthy series (Gaussian noise by
/// default), and how many points are flagged before it.
/// <c>probe [--detector NAME]... [--base KIND] [--step SECONDS] [--at POINT] [--sigmas K] [--kind spike|shift|outage|flatline] [--series N]</c>.
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
        var sigmas = new Option<double>("--sigmas") { Description = "Fault size in noise standard deviations.", DefaultValueFactory = _ => 6 };
        var kind = new Option<string>("--kind") { Description = "spike (one point), shift (a level change that stays), outage (0 for 12 points) or flatline (stuck at its value at --at).", DefaultValueFactory = _ => "spike" };
        var baseKind = new Option<HealthyKind>("--base") { Description = "The healthy series the fault is injected into (a false-alarms kind).", DefaultValueFactory = _ => HealthyKind.StationaryNoise };
        var series = new Option<int>("--series") { Description = "Seeded series per detector.", DefaultValueFactory = _ => 50 };
        var command = new Command("probe", "Injects one spike, level shift, outage or flat line into a seeded healthy series and counts how often a detector flags it, and its flags before it.")
        {
            detectors, baseKind, step, at, sigmas, kind, series,
        };
        command.SetAction(parseResult =>
        {
            var names = parseResult.GetValue(detectors) is { Length: > 0 } given ? given : [DetectorNames.Ensemble];
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            var (seconds, index, size, shape, count) = (parseResult.GetValue(step), parseResult.GetValue(at), parseResult.GetValue(sigmas), parseResult.GetValue(kind), parseResult.GetValue(series));
            var unknown = names.Where(d => !BacktestDetectors.IsKnown(d)).ToList();
            if (unknown.Count > 0 || !(seconds > 0) || index < 1 || count < 1 || !Enum.TryParse<FaultKind>(shape, ignoreCase: true, out var fault))
            {
                stderr.WriteLine(unknown.Count > 0
                    ? $"error: unknown detector(s) {string.Join(", ", unknown)}. Valid detectors: {BacktestDetectors.Valid}."
                    : "error: --step, --at and --series must be positive and --kind spike, shift, outage or flatline.");
                return ExitCodes.UsageError;
            }

            var healthy = parseResult.GetValue(baseKind);
            foreach (var name in names)
            {
                var (detected, before) = Measure(() => BacktestDetectors.Create(name), healthy, TimeSpan.FromSeconds(seconds), index, size, fault, count);
                var what = fault switch { FaultKind.Outage => "outage (0 for 12 points)", FaultKind.Flatline => "flat line", _ => $"{shape} of {size}σ" };
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {what} at point {index} of {healthy}, step {seconds} s: flagged in {detected} of {count} series; {before} flags before it in all"));
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
        var (detected, before) = (0, 0);
        var last = fault == FaultKind.Outage ? at + OutagePoints - 1 : at + 29; // the flags that count as finding it
        for (var s = 0; s < series; s++)
        {
            var (timestamps, values) = HealthySeries.Generate(kind, step, step * (at + 30), seed: 500 + s);
            var detector = create();
            var hit = false;
            for (var i = 0; i < values.Length; i++)
            {
                var value = fault switch
                {
                    FaultKind.Spike when i == at => values[i] + (sigmas * 5),
                    FaultKind.Shift when i >= at => values[i] + (sigmas * 5),
                    FaultKind.Outage when i >= at && i <= last => 0,
                    FaultKind.Flatline when i >= at => values[at],
                    _ => values[i],
                };
                if (detector.Update(timestamps[i], value).IsAnomaly)
                {
                    (hit, before) = i < at ? (hit, before + 1) : (hit || i <= last, before);
                }
            }

            detected += hit ? 1 : 0;
        }

        return (detected, before);
    }

    private const int OutagePoints = 12;
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
