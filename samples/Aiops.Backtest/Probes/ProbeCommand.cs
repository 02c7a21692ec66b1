using System.CommandLine;
using System.Globalization;
using Aiops.Backtest.FalseAlarms;
using Aiops.Detection;

namespace Aiops.Backtest.Probes;

/// <summary>
/// Defines the <c>probe</c> command: how often one injected fault is flagged on seeded Gaussian noise, and how many points are
/// flagged before it. <c>probe [--detector NAME]... [--step SECONDS] [--at POINT] [--sigmas K] [--kind spike|shift] [--series N]</c>.
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
        var kind = new Option<string>("--kind") { Description = "spike (one point) or shift (a level change that stays).", DefaultValueFactory = _ => "spike" };
        var series = new Option<int>("--series") { Description = "Seeded series per detector.", DefaultValueFactory = _ => 50 };
        var command = new Command("probe", "Injects one spike or level shift into seeded Gaussian noise and counts how often a detector flags it, and its flags before it.")
        {
            detectors, step, at, sigmas, kind, series,
        };
        command.SetAction(parseResult =>
        {
            var names = parseResult.GetValue(detectors) is { Length: > 0 } given ? given : [DetectorNames.Ensemble];
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            var (seconds, index, size, shape, count) = (parseResult.GetValue(step), parseResult.GetValue(at), parseResult.GetValue(sigmas), parseResult.GetValue(kind), parseResult.GetValue(series));
            var unknown = names.Where(d => !BacktestDetectors.IsKnown(d)).ToList();
            if (unknown.Count > 0 || !(seconds > 0) || index < 1 || count < 1 || shape is not ("spike" or "shift"))
            {
                stderr.WriteLine(unknown.Count > 0
                    ? $"error: unknown detector(s) {string.Join(", ", unknown)}. Valid detectors: {BacktestDetectors.Valid}."
                    : "error: --step, --at and --series must be positive and --kind spike or shift.");
                return ExitCodes.UsageError;
            }

            foreach (var name in names)
            {
                var (detected, before) = Measure(() => BacktestDetectors.Create(name), TimeSpan.FromSeconds(seconds), index, size, shape == "shift", count);
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {shape} of {size}σ at point {index}, step {seconds} s: flagged in {detected} of {count} series; {before} flags before it in all"));
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// Runs <paramref name="series"/> seeded series of the false-alarm report's stationary noise (σ 5 around 100; seeds 500, 501,
    /// …) with the fault added.
    /// </summary>
    /// <returns>In how many series a point of the fault was flagged (the spike, or the shift's first 30 points), and the flags before it.</returns>
    public static (int Detected, int FlagsBefore) Measure(Func<IAnomalyDetector> create, TimeSpan step, int at, double sigmas, bool shift, int series)
    {
        var (detected, before) = (0, 0);
        for (var s = 0; s < series; s++)
        {
            var (timestamps, values) = HealthySeries.Generate(HealthyKind.StationaryNoise, step, step * (at + 30), seed: 500 + s);
            var detector = create();
            var hit = false;
            for (var i = 0; i < values.Length; i++)
            {
                var fault = (shift ? i >= at : i == at) ? sigmas * 5 : 0;
                if (detector.Update(timestamps[i], values[i] + fault).IsAnomaly)
                {
                    (hit, before) = i >= at ? (true, before) : (hit, before + 1);
                }
            }

            detected += hit ? 1 : 0;
        }

        return (detected, before);
    }
}
