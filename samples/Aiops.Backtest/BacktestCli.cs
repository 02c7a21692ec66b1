using System.CommandLine;
using System.CommandLine.Invocation;
using Aiops.Backtest.CrossValidation;
using Aiops.Backtest.FalseAlarms;
using Aiops.Backtest.Nab;
using Aiops.Backtest.Scoring;

namespace Aiops.Backtest;

/// <summary>The command line of the backtest tool: <c>score</c> runs a detector over NAB-format series, <c>nab</c> scores its output.</summary>
internal static class BacktestCli
{
    /// <summary>Parses <paramref name="args"/> and runs the selected command.</summary>
    /// <param name="args">The command-line arguments, without the program name.</param>
    /// <param name="stdout">Where results (tables) are written.</param>
    /// <param name="stderr">Where progress, warnings and errors are written.</param>
    /// <returns>The process exit code (see <see cref="ExitCodes"/>).</returns>
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);

        var root = new RootCommand("Backtests Aiops detectors on NAB-format series and scores them with the NAB method.")
        {
            ScoreCommand.Create(),
            NabCommand.Create(),
            CrossValidationCommand.Create(),
            FalseAlarmCommand.Create(),
            Probes.ProbeCommand.Create(),
        };

        var parseResult = root.Parse(args);
        var configuration = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
        if (parseResult.Action is ParseErrorAction)
        {
            foreach (var error in parseResult.Errors)
            {
                stderr.WriteLine($"error: {error.Message}");
            }

            stderr.WriteLine("Run with --help for usage.");
            return ExitCodes.UsageError;
        }

        return parseResult.Invoke(configuration);
    }
}
