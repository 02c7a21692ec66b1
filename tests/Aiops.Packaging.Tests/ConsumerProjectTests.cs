using System.Globalization;

namespace Aiops.Packaging.Tests;

/// <summary>
/// The README's "Quick start: NuGet", run for real: pack the four packages into a local feed, create a fresh web project
/// with a nuget.config naming that feed, add Aiops.Hosting with <c>dotnet add package</c>, call <c>AddAiops()</c> and build; a badly named prometheus-net counter
/// gets AIOPS001 (once, although every Aiops package carries the analyzers), the conventional name builds clean.
/// </summary>
public sealed class ConsumerProjectTests
{
    /// <summary>The commands of the quick start; the test uses its own package version instead of <see cref="ReadmeVersion"/>.</summary>
    internal static readonly string[] Commands =
    [
        "dotnet new web -o MyService",
        "cd MyService",
        "dotnet new nugetconfig",
        "dotnet nuget add source ~/aiops-feed --name aiops-local --configfile nuget.config",
        "dotnet add package Aiops.Hosting --version 0.1.0",
        "dotnet build",
    ];

    /// <summary>The quick start's local feed step (the test packs the same four projects into its own feed, with its own version).</summary>
    internal const string PackCommand = "for p in Detection Correlation Gates Hosting; do dotnet pack src/Aiops.$p -c Release -o ~/aiops-feed; done";

    /// <summary>The quick start's Program.cs.</summary>
    internal const string GoodProgram = """
        using Prometheus;

        var builder = WebApplication.CreateBuilder(args);
        builder.AddAiops();

        var requests = Metrics.CreateCounter("requests_total", "Requests handled.");

        var app = builder.Build();
        app.MapGet("/", () =>
        {
            requests.Inc();
            return "Hello World!";
        });
        app.Run();

        """;

    internal const string ReadmeVersion = "0.1.0";

    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task DotnetAddPackage_FreshWebProject_ReportsAiops001OnceThenBuildsClean()
    {
        // A version no earlier run used, so a cached package of an older build is never restored instead of this one.
        var version = string.Create(CultureInfo.InvariantCulture, $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}");
        var root = Directory.CreateTempSubdirectory("aiops-consumer-").FullName;
        try
        {
            var feed = Path.Combine(root, "feed");
            foreach (var project in new[] { "Aiops.Detection", "Aiops.Correlation", "Aiops.Gates", "Aiops.Hosting" })
            {
                var csproj = Path.Combine(DotnetCli.RepoRoot, "src", project, project + ".csproj");
                await RunOkAsync(root, "pack", csproj, "-c", DotnetCli.Configuration, "--no-build", "-p:Version=" + version, "-o", feed);
                Assert.True(File.Exists(Path.Combine(feed, $"{project}.{version}.nupkg")), $"{project} was not packed.");
            }

            // The quick start's commands, with this run's feed and version.
            await RunOkAsync(root, "new", "web", "-o", "MyService");
            var service = Path.Combine(root, "MyService");
            await RunOkAsync(service, "new", "nugetconfig");
            await RunOkAsync(service, "nuget", "add", "source", feed, "--name", "aiops-local", "--configfile", "nuget.config");
            await RunOkAsync(service, "add", "package", "Aiops.Hosting", "--version", version);

            var programPath = Path.Combine(service, "Program.cs");
            var badProgram = GoodProgram.Replace("\"requests_total\"", "\"RequestCount\"", StringComparison.Ordinal);
            await File.WriteAllTextAsync(programPath, badProgram);
            // The file logger lists each warning once (the console repeats them), so a duplicated analyzer would show.
            var warningsLog = Path.Combine(root, "warnings.log");
            var (exitCode, output) = await DotnetCli.RunAsync(service, StepTimeout, "build", "-nodeReuse:false", $"-flp:WarningsOnly;NoSummary;LogFile={warningsLog}");
            Assert.True(exitCode == 0, output);
            var lines = badProgram.Split('\n');
            var line = Array.FindIndex(lines, l => l.Contains("\"RequestCount\"", StringComparison.Ordinal));
            var column = lines[line].IndexOf("\"RequestCount\"", StringComparison.Ordinal);
            var expected = string.Create(CultureInfo.InvariantCulture, $"Program.cs({line + 1},{column + 1}): warning AIOPS001: Prometheus name 'RequestCount'");
            var reported = File.ReadAllLines(warningsLog).Where(l => l.Contains("AIOPS", StringComparison.Ordinal)).ToList();
            Assert.True(reported.Count == 1 && reported[0].Contains(expected, StringComparison.Ordinal), $"Expected one '{expected}' in:\n{output}");

            await File.WriteAllTextAsync(programPath, GoodProgram);
            (exitCode, output) = await DotnetCli.RunAsync(service, StepTimeout, "build", "-nodeReuse:false", "-warnaserror");
            Assert.True(exitCode == 0, output);
            Assert.DoesNotContain("AIOPS", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
            RemoveCachedPackages(version);
        }
    }

    [Fact]
    public void Readme_QuickStartNuGet_IsWhatTheConsumerTestDoes()
    {
        var readme = File.ReadAllText(Path.Combine(DotnetCli.RepoRoot, "README.md")).ReplaceLineEndings("\n");
        var start = readme.IndexOf("## Quick start: NuGet", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no '## Quick start: NuGet' section.");
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = end < 0 ? readme[start..] : readme[start..end];
        Assert.Contains("```bash\n" + PackCommand + "\n```", section, StringComparison.Ordinal);
        Assert.Contains("```bash\n" + string.Join('\n', Commands) + "\n```", section, StringComparison.Ordinal);
        Assert.Contains("```csharp\n" + GoodProgram.ReplaceLineEndings("\n") + "```", section, StringComparison.Ordinal);
    }

    private static async Task RunOkAsync(string directory, params string[] arguments)
    {
        var (exitCode, output) = await DotnetCli.RunAsync(directory, StepTimeout, arguments);
        Assert.True(exitCode == 0, $"dotnet {string.Join(' ', arguments)} failed ({exitCode}):\n{output}");
    }

    /// <summary>Removes this run's packages from the global packages folder; other versions are left alone.</summary>
    private static void RemoveCachedPackages(string version)
    {
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in new[] { "aiops.detection", "aiops.correlation", "aiops.gates", "aiops.hosting" })
        {
            var folder = Path.Combine(cache, id, version);
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}
