using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace Aiops.Gates.Tests.Audit;

/// <summary>
/// Finds the built crash host (tests/Aiops.Gates.CrashHost) for the configuration and target framework of this test assembly,
/// and builds it with <c>dotnet build</c> when it is missing, older than its sources, or was built against a different
/// Aiops.Gates than the one under test (a test run that built only this project). A solution build (<c>dotnet test Aiops.sln</c>)
/// normally leaves it up to date.
/// </summary>
internal static class CrashHostBinary
{
    private const string ProjectName = "Aiops.Gates.CrashHost";
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(3);
    private static readonly SemaphoreSlim Lock = new(1, 1);
    private static string? s_path;

    /// <summary>Gets the path of the dotnet host that runs the crash host's dll.</summary>
    public static string DotnetHost
    {
        get
        {
            var self = Environment.ProcessPath;
            if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet")
            {
                return self;
            }

            var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
        }
    }

    /// <summary>Returns the path of an up-to-date Aiops.Gates.CrashHost.dll, building it first if needed.</summary>
    public static async Task<string> LocateAsync(Action<string> log)
    {
        await Lock.WaitAsync();
        try
        {
            if (s_path is not null)
            {
                return s_path;
            }

            var baseDirectory = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            var targetFramework = Path.GetFileName(baseDirectory);
            var configuration = typeof(CrashHostBinary).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
            var project = Path.Combine(FindRepositoryRoot(baseDirectory), "tests", ProjectName);
            var output = Path.Combine(project, "bin", configuration, targetFramework);
            var dll = Path.Combine(output, ProjectName + ".dll");

            if (!IsUpToDate(project, output, baseDirectory))
            {
                log($"building {ProjectName} ({configuration}): {(File.Exists(dll) ? "out of date" : "not built")}");
                await BuildAsync(Path.Combine(project, ProjectName + ".csproj"), configuration);
                if (!File.Exists(dll))
                {
                    throw new FileNotFoundException($"dotnet build did not produce {dll}.", dll);
                }
            }

            return s_path = dll;
        }
        finally
        {
            Lock.Release();
        }
    }

    /// <summary>Whether the host exists, is newer than its sources, and carries the same Aiops.Gates.dll as this test run.</summary>
    private static bool IsUpToDate(string project, string output, string baseDirectory)
    {
        var host = new FileInfo(Path.Combine(output, ProjectName + ".dll"));
        var hostLibrary = Path.Combine(output, "Aiops.Gates.dll");
        if (!host.Exists || !File.Exists(Path.Combine(output, ProjectName + ".runtimeconfig.json")) || !File.Exists(hostLibrary))
        {
            return false;
        }

        var sources = Directory.EnumerateFiles(project, "*", SearchOption.TopDirectoryOnly);
        if (sources.Any(source => File.GetLastWriteTimeUtc(source) > host.LastWriteTimeUtc))
        {
            return false;
        }

        return File.ReadAllBytes(hostLibrary).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(baseDirectory, "Aiops.Gates.dll")));
    }

    private static string FindRepositoryRoot(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Aiops.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No Aiops.sln above {start}.");
    }

    private static async Task BuildAsync(string projectFile, string configuration)
    {
        var start = new ProcessStartInfo(DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "build", projectFile, "-c", configuration, "-nologo", "-v:q", "--disable-build-servers", "-p:SkipPublicApi=true" })
        {
            start.ArgumentList.Add(argument);
        }

        // Variables the outer dotnet test / MSBuild set for its own children would point this build at the wrong MSBuild.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        using var process = new Process { StartInfo = start };
        var text = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(text, e.Data);
        process.ErrorDataReceived += (_, e) => Append(text, e.Data);
        process.Start();
        try
        {
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var timeout = new CancellationTokenSource(BuildTimeout);
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet build {projectFile} failed ({process.ExitCode}):{Environment.NewLine}{Read(text)}");
        }
    }

    private static void Append(StringBuilder text, string? line)
    {
        if (line is not null)
        {
            lock (text)
            {
                text.AppendLine(line);
            }
        }
    }

    private static string Read(StringBuilder text)
    {
        lock (text)
        {
            return text.ToString();
        }
    }
}
