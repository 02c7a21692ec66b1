using System.Globalization;
using Aiops.Backtest.Csv;
using Aiops.Backtest.Nab;
using Aiops.Detection;

namespace Aiops.Backtest.CrossValidation;

/// <summary>What the <c>cv</c> command does.</summary>
/// <param name="DataDirectory">The NAB <c>data</c> directory: one folder per category, <c>*.csv</c> series in each.</param>
/// <param name="LabelsFile">The NAB windows file (<c>combined_windows.json</c>).</param>
/// <param name="ProfilesFile">A NAB <c>profiles.json</c>, or <see langword="null"/> for the published profiles.</param>
/// <param name="Detectors">The catalogue names of the detectors to evaluate.</param>
/// <param name="Parallelism">How many files are scored at once.</param>
internal sealed record CrossValidationOptions(string DataDirectory, string LabelsFile, string? ProfilesFile, IReadOnlyList<string> Detectors, int Parallelism);

/// <summary>One detector's cross-validated result under one profile.</summary>
/// <param name="Profile">The profile.</param>
/// <param name="InSample">NAB's own protocol: the best threshold for the whole corpus, chosen on the scored files themselves.</param>
/// <param name="CrossValidated">Leave-one-category-out: each category scored at the threshold that was best on the other categories.</param>
/// <param name="Default">The detector's own flag (<see cref="AnomalyScore.IsAnomaly"/>) at its default sensitivity; nothing chosen on the data.</param>
/// <param name="Folds">Per held-out category: the threshold chosen on the others and the held-out files' score at it.</param>
internal sealed record CrossValidatedProfile(NabProfile Profile, NabProfileScore InSample, NabProfileScore CrossValidated, NabProfileScore Default, IReadOnlyList<CrossValidationFold> Folds);

/// <summary>One fold: the held-out category, the threshold chosen on the other categories, and the held-out score at it.</summary>
/// <param name="Category">The held-out category.</param>
/// <param name="Threshold">The threshold that was best on the other categories.</param>
/// <param name="HeldOut">The held-out category's score at that threshold (its normalised score is NaN when it has no window).</param>
internal sealed record CrossValidationFold(string Category, double Threshold, NabProfileScore HeldOut);

/// <summary>
/// Leave-one-category-out cross-validation with the NAB scorer: for each category, the detection threshold is chosen on the
/// other categories (NAB's best-threshold sweep) and the held-out category is scored at it; the held-out detections of all folds
/// are then pooled and scored together, so the cross-validated figure is on the same files and windows as the in-sample one.
/// </summary>
/// <remarks>
/// The detectors have no constants fitted per fold: their defaults are fixed in code, so the threshold is the only value the
/// protocol chooses. The probationary period, weights and normalisation are NAB's (see <see cref="NabScorer"/>).
/// </remarks>
internal static class CrossValidationRunner
{
    /// <summary>Runs the <c>cv</c> command.</summary>
    /// <param name="options">What to evaluate.</param>
    /// <param name="stdout">Where the tables are written.</param>
    /// <param name="stderr">Where progress and errors are written.</param>
    /// <returns>An exit code (<see cref="ExitCodes"/>).</returns>
    public static int Run(CrossValidationOptions options, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);

        var unknown = options.Detectors.Where(d => !BacktestDetectors.IsKnown(d)).ToList();
        if (unknown.Count > 0)
        {
            stderr.WriteLine($"error: unknown detector(s) {string.Join(", ", unknown)}. Valid detectors: {BacktestDetectors.Valid}.");
            return ExitCodes.UsageError;
        }

        try
        {
            var labels = NabLabels.Load(options.LabelsFile);
            var profiles = options.ProfilesFile is null ? NabProfiles.Default : NabProfiles.Load(options.ProfilesFile);
            var files = CsvFiles.Find(options.DataDirectory).Where(f => labels.ContainsKey(f.RelativePath)).ToList();
            if (files.Select(Category).Distinct(StringComparer.Ordinal).Count() < 2)
            {
                stderr.WriteLine($"error: cross-validation needs labelled files in at least two category folders under '{options.DataDirectory}'.");
                return ExitCodes.DataError;
            }

            var inputs = files.Select(f => (f, Rows: SeriesCsv.Read(f.FullPath, f.RelativePath).ToArray())).ToArray();
            foreach (var detector in options.Detectors)
            {
                var scored = new (NabSeries Probability, NabSeries Flag)[inputs.Length];
                Parallel.For(0, inputs.Length, new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism }, i =>
                {
                    var (file, rows) = inputs[i];
                    scored[i] = ScoreSeries(detector, file.RelativePath, rows, labels[file.RelativePath]);
                });

                var results = profiles.Select(p => Evaluate(p, scored)).ToList();
                Write(stdout, detector, scored.Length, results);
            }

            return ExitCodes.Success;
        }
        catch (Exception ex) when (ex is InvalidDataException or CsvFormatException or IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"error: {ex.Message}");
            return ExitCodes.DataError;
        }
    }

    /// <summary>Cross-validates one profile over scored files (probability and default flag per row).</summary>
    /// <param name="profile">The cost profile.</param>
    /// <param name="scored">Per file: the probabilities, and the detector's own 0/1 flags.</param>
    /// <returns>In-sample, cross-validated and default-sensitivity scores, with the folds.</returns>
    public static CrossValidatedProfile Evaluate(NabProfile profile, IReadOnlyList<(NabSeries Probability, NabSeries Flag)> scored)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(scored);
        var probabilities = scored.Select(s => s.Probability).ToList();
        var inSample = NabScorer.Create(probabilities).ScoreBestThreshold(profile);
        var byDefault = NabScorer.Create([.. scored.Select(s => s.Flag)]).ScoreAtThreshold(profile, 1.0);

        var pooled = new List<NabSeries>(probabilities.Count);
        var folds = new List<CrossValidationFold>();
        foreach (var category in probabilities.Select(s => Category(s.Key)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var train = probabilities.Where(s => Category(s.Key) != category).ToList();
            var test = probabilities.Where(s => Category(s.Key) == category).ToList();
            var threshold = NabScorer.Create(train).ScoreBestThreshold(profile).Threshold;
            folds.Add(new CrossValidationFold(category, threshold, NabScorer.Create(test).ScoreAtThreshold(profile, threshold)));

            // The held-out files keep only their detections at the fold's threshold, so one pooled sweep at 1 scores every fold alike.
            pooled.AddRange(test.Select(s => s with { Scores = [.. s.Scores.Select(x => x >= threshold ? 1.0 : 0.0)] }));
        }

        var crossValidated = NabScorer.Create(pooled).ScoreAtThreshold(profile, 1.0);
        return new CrossValidatedProfile(profile, inSample, crossValidated, byDefault, folds);
    }

    private static (NabSeries Probability, NabSeries Flag) ScoreSeries(string detectorName, string key, SeriesRow[] rows, IReadOnlyList<LabelWindow> windows)
    {
        var detector = BacktestDetectors.Create(detectorName);
        Priming.PrimeIfAsked(detector, [.. rows.Select(r => r.Value)]);
        var probabilities = new double[rows.Length];
        var flags = new double[rows.Length];
        var timestamps = new DateTime[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            var score = detector.Update(rows[i].Timestamp, rows[i].Value);
            probabilities[i] = score.Probability;
            flags[i] = score.IsAnomaly ? 1 : 0;
            timestamps[i] = rows[i].Timestamp.UtcDateTime;
        }

        return (new NabSeries(key, timestamps, probabilities, windows), new NabSeries(key, timestamps, flags, windows));
    }

    private static string Category(CsvFile file) => Category(file.RelativePath);

    private static string Category(string key) => key[..Math.Max(0, key.IndexOf('/', StringComparison.Ordinal))];

    private static void Write(TextWriter writer, string detector, int files, IReadOnlyList<CrossValidatedProfile> results)
    {
        var c = CultureInfo.InvariantCulture;
        writer.WriteLine(string.Create(c, $"== {detector}: {files} files, leave-one-category-out"));
        writer.WriteLine(string.Create(c, $"{"profile",-20} {"in-sample",10} {"cross-val",10} {"default",10}   {"TP/FP in-sample",16} {"TP/FP cv",10} {"TP/FP default",14}"));
        foreach (var r in results)
        {
            writer.WriteLine(string.Create(
                c,
                $"{r.Profile.Name,-20} {r.InSample.NormalizedScore,10:F1} {r.CrossValidated.NormalizedScore,10:F1} {r.Default.NormalizedScore,10:F1}   {Counts(r.InSample),16} {Counts(r.CrossValidated),10} {Counts(r.Default),14}"));
        }

        var standard = results[0];
        writer.WriteLine(string.Create(c, $"folds ({standard.Profile.Name}): held-out category, threshold chosen on the others, held-out score (TP/FP)"));
        foreach (var fold in standard.Folds)
        {
            var score = double.IsNaN(fold.HeldOut.NormalizedScore) ? "n/a" : fold.HeldOut.NormalizedScore.ToString("F1", c);
            writer.WriteLine(string.Create(c, $"  {fold.Category,-24} {fold.Threshold.ToString("R", c),-22} {score,7} ({Counts(fold.HeldOut)})"));
        }

        writer.WriteLine();
    }

    private static string Counts(NabProfileScore score) => string.Create(CultureInfo.InvariantCulture, $"{score.TruePositives}/{score.FalsePositives}");
}
