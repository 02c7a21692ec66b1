namespace Aiops.Backtest.Nab;

/// <summary>
/// Maps a result file to its label key (<c>category/name.csv</c>): the category is the file's folder, the name is the file name,
/// without a <c>&lt;detector&gt;_</c> prefix when one is given (NAB names results <c>numenta_art_daily_no_noise.csv</c>) or when
/// the name as it stands is not a label key.
/// </summary>
internal static class ResultKeyMapper
{
    /// <summary>Finds the label key of a result file.</summary>
    /// <param name="category">The name of the folder that holds the file.</param>
    /// <param name="fileName">The file name, e.g. <c>numenta_nyc_taxi.csv</c>.</param>
    /// <param name="labelKeys">The known label keys.</param>
    /// <param name="detectorName">The detector prefix to strip, or <see langword="null"/>.</param>
    /// <param name="key">The label key found.</param>
    /// <returns><see langword="true"/> when a label key matches.</returns>
    public static bool TryMap(string category, string fileName, IReadOnlySet<string> labelKeys, string? detectorName, out string key)
    {
        ArgumentNullException.ThrowIfNull(category);
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(labelKeys);

        foreach (var name in CandidateNames(fileName, detectorName))
        {
            key = $"{category}/{name}";
            if (labelKeys.Contains(key))
            {
                return true;
            }
        }

        key = string.Empty;
        return false;
    }

    private static IEnumerable<string> CandidateNames(string fileName, string? detectorName)
    {
        if (!string.IsNullOrEmpty(detectorName) && fileName.StartsWith(detectorName + "_", StringComparison.Ordinal))
        {
            yield return fileName[(detectorName.Length + 1)..];
        }

        yield return fileName;

        // An unknown prefix: try every '_' from the left (detector names may contain '_').
        for (var underscore = fileName.IndexOf('_', StringComparison.Ordinal); underscore >= 0; underscore = fileName.IndexOf('_', underscore + 1))
        {
            yield return fileName[(underscore + 1)..];
        }
    }
}
