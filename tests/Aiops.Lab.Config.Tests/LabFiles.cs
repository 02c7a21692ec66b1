using System.Text.RegularExpressions;

namespace Aiops.Lab.Config.Tests;

/// <summary>The lab's configuration files and their rendering with sample ports.</summary>
internal static partial class LabFiles
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string LabDir => Path.Combine(RepoRoot, "samples", "lab");

    public static string RulesFile => Path.Combine(LabDir, "rules", "lab-alerts.yml");

    public static IReadOnlyList<string> RuleTestFiles => Directory.GetFiles(Path.Combine(LabDir, "rules", "tests"), "*.yml").Order(StringComparer.Ordinal).ToArray();

    /// <summary>The values the local lab uses (the runner substitutes its own ports).</summary>
    public static Dictionary<string, string> SampleValues(string rulesDir) => new(StringComparer.Ordinal)
    {
        ["APP_TARGET"] = "127.0.0.1:5090",
        ["EXPORTER_TARGET"] = "127.0.0.1:5091",
        ["RECEIVER_TARGET"] = "127.0.0.1:5092",
        ["ALERTMANAGER_TARGET"] = "127.0.0.1:9093",
        ["RULES_DIR"] = rulesDir,
        ["RECEIVER_URL"] = "http://127.0.0.1:5092/aiops/alertmanager",
        ["RECEIVER_TOKEN"] = "test-token",
    };

    /// <summary>The values of the docker compose rendering (samples/lab/compose, render.sh --compose).</summary>
    public static Dictionary<string, string> ComposeValues { get; } = new(StringComparer.Ordinal)
    {
        ["APP_TARGET"] = "app:8080",
        ["EXPORTER_TARGET"] = "exporter:8080",
        ["RECEIVER_TARGET"] = "receiver:8080",
        ["ALERTMANAGER_TARGET"] = "alertmanager:9093",
        ["RULES_DIR"] = "/etc/prometheus/rules",
        ["RECEIVER_URL"] = "http://receiver:8080/aiops/alertmanager",
        ["RECEIVER_TOKEN"] = "lab-receiver-token",
    };

    /// <summary>Replaces every <c>${NAME}</c> of <paramref name="values"/> in <paramref name="template"/>.</summary>
    public static string Render(string template, IReadOnlyDictionary<string, string> values) =>
        Placeholder().Replace(template, m => values.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value);

    /// <summary>The <c>${NAME}</c> placeholders left in <paramref name="text"/>.</summary>
    public static IReadOnlyList<string> Placeholders(string text) => Placeholder().Matches(text).Select(m => m.Groups[1].Value).Distinct().ToArray();

    /// <summary>Renders prometheus.yml and alertmanager.yml, with a copy of the rules, into a new temporary directory.</summary>
    public static TempDir RenderSample()
    {
        var dir = new TempDir();
        var rules = Path.Combine(dir.Path, "rules");
        Directory.CreateDirectory(rules);
        foreach (var file in Directory.GetFiles(Path.Combine(LabDir, "rules"), "*.yml"))
        {
            File.Copy(file, Path.Combine(rules, Path.GetFileName(file)));
        }

        var values = SampleValues(rules);
        foreach (var name in new[] { "prometheus.yml", "alertmanager.yml" })
        {
            File.WriteAllText(Path.Combine(dir.Path, name), Render(File.ReadAllText(Path.Combine(LabDir, name)), values));
        }

        return dir;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Aiops.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Aiops.sln above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"\$\{([A-Z][A-Z0-9_]*)\}")]
    private static partial Regex Placeholder();
}

/// <summary>A temporary directory, deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "aiops-lab-config-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
