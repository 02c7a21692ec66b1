namespace Aiops.Backtest.Nab;

/// <summary>What the <c>nab</c> command does.</summary>
/// <param name="ResultsDirectory">The directory of result files (<c>timestamp,value,anomaly_score</c>), searched recursively.</param>
/// <param name="LabelsFile">The NAB windows file (<c>combined_windows.json</c>).</param>
/// <param name="ProfilesFile">A NAB <c>profiles.json</c>, or <see langword="null"/> for the published profiles.</param>
/// <param name="DetectorName">The detector prefix of result file names, or <see langword="null"/>.</param>
/// <param name="JsonFile">Where to write the report as JSON, or <see langword="null"/>.</param>
internal sealed record NabOptions(string ResultsDirectory, string LabelsFile, string? ProfilesFile, string? DetectorName, string? JsonFile);

/// <summary>Loads labels, profiles and results, scores them with <see cref="NabScorer"/> and prints the report.</summary>
internal static class NabRunner
{
    /// <summary>Runs the <c>nab</c> command.</summary>
    /// <param name="options">What to score.</param>
    /// <param name="stdout">Where the table is written.</param>
    /// <param name="stderr">Where warnings and errors are written.</param>
    /// <returns><see cref="ExitCodes.Success"/>, or <see cref="ExitCodes.DataError"/> when a file could not be read or nothing matched.</returns>
    public static int Run(NabOptions options, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);

        try
        {
            var report = Score(options, stderr);
            if (report is null)
            {
                return ExitCodes.DataError;
            }

            report.WriteTable(stdout);
            if (options.JsonFile is not null)
            {
                report.WriteJson(options.JsonFile);
                stderr.WriteLine($"Wrote {options.JsonFile}");
            }

            return ExitCodes.Success;
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"error: {ex.Message}");
            return ExitCodes.DataError;
        }
    }

    /// <summary>Loads and scores the corpus; returns <see langword="null"/> after reporting errors on <paramref name="stderr"/>.</summary>
    /// <param name="options">What to score.</param>
    /// <param name="stderr">Where warnings and errors are written.</param>
    /// <returns>The report, or <see langword="null"/> when the corpus could not be scored.</returns>
    /// <exception cref="InvalidDataException">The labels or profiles file is malformed, or a window matches no row.</exception>
    public static NabReport? Score(NabOptions options, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stderr);

        var labels = NabLabels.Load(options.LabelsFile);
        var profiles = options.ProfilesFile is null ? NabProfiles.Default : NabProfiles.Load(options.ProfilesFile);
        var corpus = NabCorpusLoader.Load(options.ResultsDirectory, labels, options.DetectorName);
        foreach (var warning in corpus.Warnings)
        {
            stderr.WriteLine($"warning: {warning}");
        }

        if (corpus.Errors.Count > 0)
        {
            stderr.WriteLine($"error: {corpus.Errors.Count} result file problem(s); the corpus was not scored:");
            foreach (var error in corpus.Errors)
            {
                stderr.WriteLine($"  {error}");
            }

            return null;
        }

        if (corpus.Series.Count == 0)
        {
            stderr.WriteLine($"error: no result file under '{options.ResultsDirectory}' maps to a key of '{options.LabelsFile}'.");
            return null;
        }

        var scorer = NabScorer.Create(corpus.Series);
        return new NabReport(
            options.DetectorName ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(options.ResultsDirectory)),
            options.ResultsDirectory,
            options.LabelsFile,
            scorer.SeriesCount,
            scorer.WindowCount,
            NabScorer.DefaultProbationPercent,
            [.. profiles.Select(scorer.ScoreBestThreshold)]);
    }
}
