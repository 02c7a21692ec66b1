using System.CommandLine;
using Aiops.Detection;

namespace Aiops.Backtest.CrossValidation;

/// <summary>Defines the <c>cv</c> command: <c>cv --data DIR --labels FILE [--profiles FILE] [--detector NAME]... [--parallelism N]</c>.</summary>
internal static class CrossValidationCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The <c>cv</c> command, bound to <see cref="CrossValidationRunner"/>.</returns>
    public static Command Create()
    {
        var data = new Option<DirectoryInfo>("--data")
        {
            Description = "NAB data directory: one folder per category (the unit held out), *.csv series (timestamp,value) in each.",
            Required = true,
        }.AcceptExistingOnly();
        var labels = new Option<FileInfo>("--labels")
        {
            Description = "NAB window labels (combined_windows.json); only labelled files are used.",
            Required = true,
        }.AcceptExistingOnly();
        var profiles = new Option<FileInfo>("--profiles")
        {
            Description = "NAB profiles.json; default: standard, reward_low_FP_rate, reward_low_FN_rate.",
        }.AcceptExistingOnly();
        var detectors = new Option<string[]>("--detector")
        {
            Description = $"Detector(s) to evaluate; default: every catalogue name ({string.Join(", ", DetectorCatalog.Names)}). Valid: {BacktestDetectors.Valid}.",
            AllowMultipleArgumentsPerToken = true,
        };
        var parallelism = SharedOptions.Parallelism("files are scored");

        var command = new Command(
            "cv",
            "Leave-one-category-out cross-validation: the threshold is chosen on the other categories, each category is scored at it; prints in-sample, cross-validated and default-sensitivity NAB scores.")
        {
            data,
            labels,
            profiles,
            detectors,
            parallelism,
        };
        command.SetAction(parseResult => CrossValidationRunner.Run(
            new CrossValidationOptions(
                parseResult.GetRequiredValue(data).FullName,
                parseResult.GetRequiredValue(labels).FullName,
                parseResult.GetValue(profiles)?.FullName,
                parseResult.GetValue(detectors) is { Length: > 0 } names ? names : DetectorCatalog.Names,
                parseResult.GetValue(parallelism)),
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error));
        return command;
    }
}
