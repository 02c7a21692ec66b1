using System.Diagnostics;

namespace Aiops.Lab;

/// <summary>
/// The Prometheus and Alertmanager binaries of Debian's <c>prometheus</c> and <c>prometheus-alertmanager</c> packages,
/// installed with apt-get when they are missing and the runner may (root, apt-get present).
/// </summary>
internal sealed record Toolchain(string Prometheus, string Alertmanager)
{
    private static readonly string[] Packages = ["prometheus", "prometheus-alertmanager"];

    /// <summary>Finds the binaries, installing the packages first when allowed and needed.</summary>
    /// <exception cref="InvalidOperationException">They are missing and cannot be installed here; the message says how.</exception>
    public static async Task<Toolchain> EnsureAsync(bool install, TextWriter output, CancellationToken cancellationToken)
    {
        if (Find() is { } found)
        {
            return found;
        }

        var command = "apt-get update && apt-get install -y --no-install-recommends " + string.Join(' ', Packages);
        if (!install || Which("apt-get") is null || !IsRoot())
        {
            throw new InvalidOperationException(
                $"Prometheus and Alertmanager are not installed. Install them with `sudo sh -c '{command}'`, or run the lab without them: `--embedded`.");
        }

        output.WriteLine($"Installing Debian's {string.Join(" and ", Packages)} (apt-get, about 15 s)...");
        await RunAsync("apt-get", ["update", "-qq"], cancellationToken).ConfigureAwait(false);
        await RunAsync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", .. Packages], cancellationToken).ConfigureAwait(false);
        return Find() ?? throw new InvalidOperationException($"apt-get installed {string.Join(", ", Packages)} but the binaries are still not on PATH.");
    }

    private static Toolchain? Find() =>
        Which("prometheus") is { } prometheus && (Which("prometheus-alertmanager") ?? Which("alertmanager")) is { } alertmanager
            ? new Toolchain(prometheus, alertmanager)
            : null;

    private static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);

    private static bool IsRoot() => Environment.UserName == "root";

    private static async Task RunAsync(string fileName, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(fileName) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{fileName} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await stderr.ConfigureAwait(false)}{await stdout.ConfigureAwait(false)}");
        }
    }
}
