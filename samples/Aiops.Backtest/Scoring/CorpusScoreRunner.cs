using System.Diagnostics;
using System.Globalization;
using Aiops.Backtest.Csv;
using Aiops.Detection;

namespace Aiops.Backtest.Scoring;

/// <summary>What the <c>score</c> command does.</summary>
/// <param name="DataDirectory">The directory searched recursively for <c>*.csv</c> series.</param>
/// <param name="OutputDirectory">Where the scored files are written, mirroring the relative paths.</param>
/// <param name="Detector">The catalogue name of the detector.</param>
/// <param name="Parallelism">How many files are scored at once.</param>
internal sealed record ScoreOptions(string DataDirectory, string OutputDirectory, string Detector, int Parallelism);

/// <summary>Scores every series of a directory tree, in parallel, and reports every failure at the end.</summary>
internal static class CorpusScoreRunner
{
    /// <summary>Runs the <c>score</c> command.</summary>
    /// <param name="options">What to score.</param>
    /// <param name="stderr">Where progress and errors are written.</param>
    /// <returns><see cref="ExitCodes.Success"/>, <see cref="ExitCodes.DataError"/> when a file failed (the others are still written),
    /// or <see cref="ExitCodes.UsageError"/> for an unknown detector or an output directory that would overwrite the input.</returns>
    public static int Run(ScoreOptions options, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stderr);
        stderr = TextWriter.Synchronized(stderr);

        if (!BacktestDetectors.IsKnown(options.Detector))
        {
            stderr.WriteLine($"error: unknown detector '{options.Detector}'. Valid detectors: {BacktestDetectors.Valid}.");
            return ExitCodes.UsageError;
        }

        if (CsvFiles.IsSameOrInside(options.DataDirectory, options.OutputDirectory))
        {
            stderr.WriteLine($"error: the output directory '{options.OutputDirectory}' contains the data directory; scoring would overwrite or re-read the input.");
            return ExitCodes.UsageError;
        }

        var files = CsvFiles.Find(options.DataDirectory, exclude: options.OutputDirectory);
        if (files.Count == 0)
        {
            stderr.WriteLine($"error: no *.csv files found under '{options.DataDirectory}'.");
            return ExitCodes.DataError;
        }

        var total = Stopwatch.StartNew();
        var failures = new string?[files.Count];
        var rowCounts = new int[files.Count];
        var done = 0;
        Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism }, i =>
        {
            var file = files[i];
            var watch = Stopwatch.StartNew();
            try
            {
                var outputPath = Path.Combine(options.OutputDirectory, file.RelativePath);
                Directory.CreateDirectory(Path.GetDirectoryName(outputPath)!);
                rowCounts[i] = SeriesScorer.ScoreFile(file.FullPath, outputPath, file.RelativePath, options.Detector);
                var n = Interlocked.Increment(ref done);
                stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{n}/{files.Count}] {file.RelativePath} {rowCounts[i]} rows {watch.Elapsed.TotalSeconds:0.0} s"));
            }
            catch (Exception ex) when (ex is CsvFormatException or IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                failures[i] = ex is CsvFormatException or InvalidOperationException ? ex.Message : $"{file.RelativePath}: {ex.Message}";
                var n = Interlocked.Increment(ref done);
                stderr.WriteLine($"[{n}/{files.Count}] {file.RelativePath} FAILED");
            }
        });

        var failed = failures.Where(f => f is not null).ToList();
        stderr.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Scored {files.Count - failed.Count} of {files.Count} files ({rowCounts.Sum()} rows) with '{options.Detector}' in {total.Elapsed.TotalSeconds:0.0} s into {options.OutputDirectory}"));
        if (failed.Count == 0)
        {
            return ExitCodes.Success;
        }

        stderr.WriteLine($"error: {failed.Count} file(s) failed:");
        foreach (var failure in failed)
        {
            stderr.WriteLine($"  {failure}");
        }

        return ExitCodes.DataError;
    }
}
