using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace Aiops.Packaging.Tests;

/// <summary>Runs the dotnet CLI as a user would: no telemetry or logo, no build servers left behind, a timeout that kills the tree.</summary>
internal static class DotnetCli
{
    /// <summary>Gets the repository root this test assembly was built from.</summary>
    public static string RepoRoot { get; } = Metadata("AiopsRepoRoot");

    /// <summary>Gets the configuration this test assembly (and so the packed projects) was built in.</summary>
    public static string Configuration { get; } = Metadata("AiopsConfiguration");

    /// <summary>Runs <c>dotnet</c> with the arguments in a folder.</summary>
    /// <param name="workingDirectory">Where to run.</param>
    /// <param name="timeout">How long it may take; then the process tree is killed and the run fails.</param>
    /// <param name="arguments">The arguments.</param>
    /// <returns>The exit code and the combined output.</returns>
    public static async Task<(int ExitCode, string Output)> RunAsync(string workingDirectory, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The test host runs inside an MSBuild/VSTest session whose variables would steer the child build; a user has none.
        foreach (var name in start.Environment.Keys.ToList())
        {
            if (name.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
                || name.Equals("MSBuildExtensionsPath", StringComparison.OrdinalIgnoreCase) || name.Equals("MSBuildSDKsPath", StringComparison.OrdinalIgnoreCase))
            {
                start.Environment.Remove(name);
            }
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";

        using var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        var gate = new Lock();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (gate) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (gate) { output.AppendLine(e.Data); } } };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            lock (gate)
            {
                throw new TimeoutException($"dotnet {string.Join(' ', arguments)} took longer than {timeout}:\n{output}");
            }
        }

        process.WaitForExit(); // flushes the redirected output
        lock (gate)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    private static string Metadata(string key) =>
        typeof(DotnetCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"Assembly metadata {key} is missing.");
}
