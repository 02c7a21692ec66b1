using System.ComponentModel;
using System.Diagnostics;

namespace Aiops.Lab.Config.Tests;

/// <summary>The result of a command line tool.</summary>
internal sealed record ToolResult(string Command, int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"$ {Command}\nexit code {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>Runs command line tools (promtool, amtool, docker-compose) with a timeout.</summary>
internal static class Tool
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>True when <paramref name="name"/> is an executable on PATH.</summary>
    public static bool Exists(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, name)));

    public static async Task<ToolResult> RunAsync(string file, IEnumerable<string> args, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? LabFiles.RepoRoot,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var command = file + " " + string.Join(' ', start.ArgumentList);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException(
                $"Cannot run '{file}' ({ex.Message}). Install it: apt-get install -y --no-install-recommends prometheus prometheus-alertmanager docker-compose (.ci/run does).", ex);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(Timeout);
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"'{command}' did not finish within {Timeout.TotalSeconds} s.");
            }

            return new ToolResult(command, process.ExitCode, await stdout, await stderr);
        }
    }

    /// <summary>Asserts exit code 0, showing the command's output otherwise.</summary>
    public static void AssertSuccess(ToolResult result) => Assert.True(result.ExitCode == 0, result.ToString());
}

/// <summary>A fact skipped (with the reason) when a command line tool is not installed.</summary>
public sealed class FactRequiringToolAttribute : FactAttribute
{
    public FactRequiringToolAttribute(string tool, string package)
    {
        if (!Tool.Exists(tool))
        {
            Skip = $"'{tool}' is not installed: apt-get install -y --no-install-recommends {package} (.ci/run installs it).";
        }
    }
}
