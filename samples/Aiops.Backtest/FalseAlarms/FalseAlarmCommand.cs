using System.CommandLine;
using Aiops.Detection;

namespace Aiops.Backtest.FalseAlarms;

/// <summary>Defines the <c>false-alarms</c> command: <c>false-alarms [--detector NAME]... [--series N] [--days D] [--parallelism N]</c>.</summary>
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
            Description = "Series per kind and step (7 kinds x 3 steps).",
            DefaultValueFactory = _ => FalseAlarmReport.DefaultSeriesPerCell,
        };
        var days = new Option<double>("--days")
        {
            Description = "Length of each series in days (default 2: 7 x 3 x 34 x 2 = 1,428 series-days).",
            DefaultValueFactory = _ => FalseAlarmReport.DefaultDays,
        };
        var parallelism = SharedOptions.Parallelism("series run");

        var command = new Command("false-alarms", "Counts false onsets per series per week on seeded healthy series (noise, heavy tails, bursty counts, daily pattern, random walk, irregular sampling, sparse counts; steps 1 s, 10 s, 60 s).")
        {
            detectors,
            series,
            days,
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
            if (unknown.Count > 0 || perCell < 1 || !(length > 0))
            {
                stderr.WriteLine(unknown.Count > 0
                    ? $"error: unknown detector(s) {string.Join(", ", unknown)}. Valid detectors: {BacktestDetectors.Valid}."
                    : "error: --series and --days must be positive.");
                return ExitCodes.UsageError;
            }

            foreach (var name in names)
            {
                var cells = FalseAlarmReport.Measure(() => BacktestDetectors.Create(name), perCell, TimeSpan.FromDays(length), FalseAlarmReport.Steps, parseResult.GetValue(parallelism));
                FalseAlarmReport.Write(stdout, name, cells);
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
