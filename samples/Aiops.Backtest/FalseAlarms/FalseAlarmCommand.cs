using System.CommandLine;
using Aiops.Detection;

namespace Aiops.Backtest.FalseAlarms;

/// <summary>Defines the <c>false-alarms</c> command: <c>false-alarms [--detector NAME]... [--series N] [--days D] [--step SECONDS]... [--kind KIND]... [--sampling regular|gaps|irregular] [--rate R] [--parallelism N]</c>.</summary>
internal static class FalseAlarmCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The <c>false-alarms</c> command, bound to <see cref="FalseAlarmReport"/>.</returns>
    public static Command Create()
    {
        var detectors = new Option<string[]>("--detector")
        {
            Description = $"Detector(s) to measure; default: {DetectorNames.Ensemble}.",
            AllowMultipleArgumentsPerToken = true,
        };
        var series = new Option<int>("--series")
        {
            Description = "Series per kind and step (10 kinds x 3 steps).",
            DefaultValueFactory = _ => FalseAlarmReport.DefaultSeriesPerCell,
        };
        var days = new Option<double>("--days")
        {
            Description = "Length of each series in days (default 2: 10 x 3 x 34 x 2 = 2,040 series-days).",
            DefaultValueFactory = _ => FalseAlarmReport.DefaultDays,
        };
        var steps = new Option<double[]>("--step")
        {
            Description = "Sampling interval(s) in seconds; default: 1, 10 and 60.",
            AllowMultipleArgumentsPerToken = true,
        };
        var kinds = new Option<HealthyKind[]>("--kind")
        {
            Description = $"Kind(s) of healthy series; default: the {HealthySeries.DefaultKinds.Length} kinds before {nameof(HealthyKind.ServiceLatency)}. Service kinds: {string.Join(", ", Enum.GetValues<HealthyKind>().Except(HealthySeries.DefaultKinds))}.",
            AllowMultipleArgumentsPerToken = true,
        };
        var sampling = SharedOptions.Sampling();
        var rate = SharedOptions.Rate();
        var parallelism = SharedOptions.Parallelism("series run");

        var command = new Command("false-alarms", "Counts false onsets per series per week on seeded healthy series (noise, heavy tails, bursty counts, daily pattern, random walk, irregular sampling, sparse counts, bursty daily counts, whole-number gauges; steps 1 s, 10 s, 60 s by default).")
        {
            detectors,
            series,
            days,
            steps,
            kinds,
            sampling,
            rate,
            parallelism,
        };
        command.SetAction(parseResult =>
        {
            var names = parseResult.GetValue(detectors) is { Length: > 0 } given ? given : [DetectorNames.Ensemble];
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            var unknown = names.Where(d => !BacktestDetectors.IsKnown(d)).ToList();
            var perCell = parseResult.GetValue(series);
            var length = parseResult.GetValue(days);
            var stepSeconds = parseResult.GetValue(steps) is { Length: > 0 } chosen ? chosen : [.. FalseAlarmReport.Steps.Select(s => s.TotalSeconds)];
            if (unknown.Count > 0 || perCell < 1 || !(length > 0) || !stepSeconds.All(s => s is >= 0.001 and <= 86_400 && s <= length * 86_400))
            {
                stderr.WriteLine(unknown.Count > 0
                    ? $"error: unknown detector(s) {string.Join(", ", unknown)}. Valid detectors: {BacktestDetectors.Valid}."
                    : "error: --series and --days must be positive, and --step between 0.001 and 86,400 seconds and at most --days.");
                return ExitCodes.UsageError;
            }

            var spacing = parseResult.GetValue(sampling);
            var configured = parseResult.GetValue(rate);
            foreach (var name in names)
            {
                var cells = FalseAlarmReport.Measure(() => BacktestDetectors.Create(name, configured), perCell, TimeSpan.FromDays(length), [.. stepSeconds.Select(TimeSpan.FromSeconds)], parseResult.GetValue(parallelism), spacing, parseResult.GetValue(kinds) is { Length: > 0 } chosenKinds ? chosenKinds : null);
                FalseAlarmReport.Write(stdout, spacing == Sampling.Regular ? name : $"{name}, {HealthySeries.Describe(spacing)}", cells, configured);
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
