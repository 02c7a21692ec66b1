using System.CommandLine;

namespace Aiops.Backtest.Nab;

/// <summary>Defines the <c>nab</c> command: <c>nab --results DIR --labels FILE [--profiles FILE] [--detector-name NAME] [--json FILE]</c>.</summary>
internal static class NabCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The <c>nab</c> command, bound to <see cref="NabRunner"/>.</returns>
    public static Command Create()
    {
        var results = new Option<DirectoryInfo>("--results")
        {
            Description = "Directory of result files (header timestamp,value,anomaly_score), one folder per NAB category, searched recursively.",
            Required = true,
        }.AcceptExistingOnly();
        var labels = new Option<FileInfo>("--labels")
        {
            Description = "NAB window labels, e.g. combined_windows.json: {\"category/name.csv\": [[start, end], ...]}.",
            Required = true,
        }.AcceptExistingOnly();
        var profiles = new Option<FileInfo>("--profiles")
        {
            Description = "NAB profiles.json with the cost matrices; default: standard, reward_low_FP_rate, reward_low_FN_rate.",
        }.AcceptExistingOnly();
        var detectorName = new Option<string>("--detector-name")
        {
            Description = "Detector prefix of result file names (<detector>_<name>.csv), stripped to find the label key.",
        };
        var json = new Option<FileInfo>("--json")
        {
            Description = "Also write the scores, with a per-file breakdown, to this JSON file.",
        };

        var command = new Command("nab", "Scores result files against NAB windows with the NAB method, at the best corpus threshold per profile.")
        {
            results,
            labels,
            profiles,
            detectorName,
            json,
        };
        command.SetAction(parseResult => NabRunner.Run(
            new NabOptions(
                parseResult.GetRequiredValue(results).FullName,
                parseResult.GetRequiredValue(labels).FullName,
                parseResult.GetValue(profiles)?.FullName,
                parseResult.GetValue(detectorName),
                parseResult.GetValue(json)?.FullName),
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error));
        return command;
    }
}
