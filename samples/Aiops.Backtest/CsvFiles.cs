namespace Aiops.Backtest;

/// <summary>A CSV file found under a root directory.</summary>
/// <param name="FullPath">The absolute path.</param>
/// <param name="RelativePath">The path relative to the root, with <c>/</c> separators (as shown to the user).</param>
internal sealed record CsvFile(string FullPath, string RelativePath);

/// <summary>Finds <c>*.csv</c> files below a directory in a deterministic (ordinal, by relative path) order.</summary>
internal static class CsvFiles
{
    /// <summary>Lists every <c>*.csv</c> file below <paramref name="root"/>, recursively.</summary>
    /// <param name="root">The directory to search.</param>
    /// <param name="exclude">A directory whose files are left out (e.g. an output directory inside the input), or <see langword="null"/>.</param>
    /// <returns>The files, sorted by relative path.</returns>
    public static IReadOnlyList<CsvFile> Find(string root, string? exclude = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        var rootFull = Path.GetFullPath(root);
        var excludeFull = exclude is null ? null : Path.TrimEndingDirectorySeparator(Path.GetFullPath(exclude)) + Path.DirectorySeparatorChar;
        return [.. Directory.EnumerateFiles(rootFull, "*.csv", SearchOption.AllDirectories)
            .Where(f => excludeFull is null || !f.StartsWith(excludeFull, StringComparison.Ordinal))
            .Select(f => new CsvFile(f, Path.GetRelativePath(rootFull, f).Replace(Path.DirectorySeparatorChar, '/')))
            .OrderBy(f => f.RelativePath, StringComparer.Ordinal)];
    }

    /// <summary>Returns whether <paramref name="inner"/> is <paramref name="outer"/> or lies below it.</summary>
    /// <param name="inner">The possibly nested directory.</param>
    /// <param name="outer">The enclosing directory.</param>
    /// <returns><see langword="true"/> when <paramref name="inner"/> is inside or equal to <paramref name="outer"/>.</returns>
    public static bool IsSameOrInside(string inner, string outer)
    {
        var innerFull = Path.TrimEndingDirectorySeparator(Path.GetFullPath(inner)) + Path.DirectorySeparatorChar;
        var outerFull = Path.TrimEndingDirectorySeparator(Path.GetFullPath(outer)) + Path.DirectorySeparatorChar;
        return innerFull.StartsWith(outerFull, StringComparison.Ordinal);
    }
}
