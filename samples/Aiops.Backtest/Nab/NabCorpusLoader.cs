using Aiops.Backtest.Csv;

namespace Aiops.Backtest.Nab;

/// <summary>The result files found for NAB scoring, with what was skipped and what failed.</summary>
/// <param name="Series">The files that map to a label key, in key order.</param>
/// <param name="Warnings">Files that map to no label key, and label keys without a result file.</param>
/// <param name="Errors">Files that could not be read (file and line named), or two files mapping to one key.</param>
internal sealed record NabCorpus(IReadOnlyList<NabSeries> Series, IReadOnlyList<string> Warnings, IReadOnlyList<string> Errors);

/// <summary>Finds the result files of a detector under a directory and reads them for <see cref="NabScorer"/>.</summary>
internal static class NabCorpusLoader
{
    /// <summary>Loads every <c>*.csv</c> under <paramref name="resultsDirectory"/> that maps to a label key (see <see cref="ResultKeyMapper"/>).</summary>
    /// <param name="resultsDirectory">The directory searched recursively.</param>
    /// <param name="labels">The windows per label key.</param>
    /// <param name="detectorName">The detector prefix of the file names, or <see langword="null"/>.</param>
    /// <returns>The loaded corpus; problems are reported in it, not thrown.</returns>
    public static NabCorpus Load(string resultsDirectory, IReadOnlyDictionary<string, IReadOnlyList<LabelWindow>> labels, string? detectorName)
    {
        ArgumentNullException.ThrowIfNull(resultsDirectory);
        ArgumentNullException.ThrowIfNull(labels);

        var labelKeys = labels.Keys.ToHashSet(StringComparer.Ordinal);
        var warnings = new List<string>();
        var errors = new List<string>();
        var mapped = new List<(string Key, CsvFile File)>();
        foreach (var file in CsvFiles.Find(resultsDirectory))
        {
            var category = Path.GetFileName(Path.GetDirectoryName(file.FullPath)) ?? string.Empty;
            if (ResultKeyMapper.TryMap(category, Path.GetFileName(file.FullPath), labelKeys, detectorName, out var key))
            {
                mapped.Add((key, file));
            }
            else
            {
                warnings.Add($"{file.RelativePath}: no label key matches; file ignored.");
            }
        }

        foreach (var duplicate in mapped.GroupBy(m => m.Key, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add($"{string.Join(" and ", duplicate.Select(d => d.File.RelativePath))} all map to '{duplicate.Key}'.");
        }

        foreach (var missing in labelKeys.Except(mapped.Select(m => m.Key)).Order(StringComparer.Ordinal))
        {
            warnings.Add($"{missing}: labeled but no result file found; not scored.");
        }

        var ordered = mapped.OrderBy(m => m.Key, StringComparer.Ordinal).ToArray();
        var series = new NabSeries?[ordered.Length];
        var readErrors = new string?[ordered.Length];
        Parallel.For(0, ordered.Length, i =>
        {
            var (key, file) = ordered[i];
            try
            {
                var result = ResultCsv.Read(file.FullPath, file.RelativePath);
                series[i] = new NabSeries(key, result.Timestamps, result.Scores, labels[key]);
            }
            catch (Exception ex) when (ex is CsvFormatException or IOException or UnauthorizedAccessException)
            {
                readErrors[i] = ex is CsvFormatException ? ex.Message : $"{file.RelativePath}: {ex.Message}";
            }
        });

        errors.AddRange(readErrors.OfType<string>());
        return new NabCorpus([.. series.OfType<NabSeries>()], warnings, errors);
    }
}
