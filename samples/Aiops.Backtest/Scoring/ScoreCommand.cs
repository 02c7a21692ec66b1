using System.CommandLine;
using Aiops.Detection;

namespace Aiops.Backtest.Scoring;

/// <summary>Defines the <c>score</c> command: <c>score --data DIR --out DIR [--detector NAME] [--parallelism N]</c>.</summary>
internal static class ScoreCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The <c>score</c> command, bound to <see cref="CorpusScoreRunner"/>.</returns>
    public static Command Create()
    {
        var data = new Option<DirectoryInfo>("--data")
        {
            Description = "Directory searched recursively for *.csv series with the header 'timestamp,value'.",
            Required = true,
        }.AcceptExistingOnly();
        var output = new Option<DirectoryInfo>("--out")
        {
            Description = "Directory the scored files are written to, at the same relative paths, with the header 'timestamp,value,anomaly_score'.",
            Required = true,
        };
        var detector = new Option<string>("--detector")
        {
            Description = $"Name of the detector: {BacktestDetectors.Valid}.",
            DefaultValueFactory = _ => DetectorNames.Ensemble,
        };
        var parallelism = SharedOptions.Parallelism("files are scored");

        var command = new Command("score", "Scores every series under --data with a fresh detector per file, causally, row by row.")
        {
            data,
            output,
            detector,
            parallelism,
        };
        command.SetAction(parseResult => CorpusScoreRunner.Run(
            new ScoreOptions(
                parseResult.GetRequiredValue(data).FullName,
                parseResult.GetRequiredValue(output).FullName,
                parseResult.GetRequiredValue(detector),
                parseResult.GetValue(parallelism)),
            parseResult.InvocationConfiguration.Error));
        return command;
    }
}
