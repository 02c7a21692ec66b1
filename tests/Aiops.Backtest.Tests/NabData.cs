namespace Aiops.Backtest.Tests;

/// <summary>Locates the shared NAB folder: <c>&lt;repo&gt;/../shared/data/nab</c>.</summary>
internal static class NabData
{
    public static string Root { get; } = Locate();

    public static bool Exists => Directory.Exists(Root);

    public static string Labels => Path.Combine(Root, "labels", "combined_windows.json");

    public static string Profiles => Path.Combine(Root, "profiles.json");

    public static string Data => Path.Combine(Root, "data");

    public static string ReferenceResults(string detector) => Path.Combine(Root, "reference-results", detector);

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Aiops.sln")))
            {
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", "nab"));
            }
        }

        return Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "shared", "data", "nab"));
    }
}

/// <summary>A fact that is skipped, saying why, when the shared NAB folder is absent.</summary>
internal sealed class NabDataFactAttribute : FactAttribute
{
    public NabDataFactAttribute()
    {
        if (!NabData.Exists)
        {
            Skip = $"The shared NAB data folder was not found at {NabData.Root}.";
        }
    }
}

/// <summary>A theory that is skipped, saying why, when the shared NAB folder is absent.</summary>
internal sealed class NabDataTheoryAttribute : TheoryAttribute
{
    public NabDataTheoryAttribute()
    {
        if (!NabData.Exists)
        {
            Skip = $"The shared NAB data folder was not found at {NabData.Root}.";
        }
    }
}
