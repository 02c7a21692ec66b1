using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Aiops.Gates.Tests.Audit;

/// <summary>
/// kill -9 loses no acknowledged decision: a real child process (tests/Aiops.Gates.CrashHost) appends decisions and prints
/// <c>ACK &lt;id&gt;</c> only after each append completed; the test kills it with SIGKILL mid-stream, reopens the file and
/// requires every acknowledged id in it.
/// </summary>
public sealed partial class CrashDurabilityTests(ITestOutputHelper output) : IDisposable
{
    private const int AcknowledgementsBeforeKill = 200;
    private const int KillAnywayAfter = 100_000;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(60);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "aiops-audit-crash-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Kill9_WhileAppending_EveryAcknowledgedDecisionIsInTheLog(int writers)
    {
        var host = await CrashHostBinary.LocateAsync(output.WriteLine);
        Directory.CreateDirectory(_directory);
        var file = Path.Combine(_directory, "audit.jsonl");

        var (acknowledged, exitCode) = await RunAndKillAsync(host, file, writers);

        output.WriteLine($"{writers} writer(s): {acknowledged.Count} acknowledged before the kill was reaped, exit code {exitCode}, file {new FileInfo(file).Length} bytes");
        await using var log = await JsonLinesAuditLog.OpenAsync(new JsonLinesAuditLogOptions { Path = file });
        var logged = new List<string>();
        await foreach (var entry in log.ReadAllAsync())
        {
            logged.Add(Assert.IsType<DecisionEntry>(entry).Decision.DecisionId);
        }

        output.WriteLine($"log: {logged.Count} decisions, {log.CorruptLinesSkipped} corrupt line(s) skipped");
        var loggedSet = logged.ToHashSet(StringComparer.Ordinal);
        var missing = acknowledged.Where(id => !loggedSet.Contains(id)).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {acknowledged.Count} acknowledged decisions are missing from the log, e.g. {string.Join(", ", missing.Take(5))}");
        Assert.Equal(logged.Count, loggedSet.Count);
        Assert.InRange(log.CorruptLinesSkipped, 0, 1); // At most the line torn by the kill.

        // Each writer appends in sequence, so its entries in the log are exactly 1..n with no hole.
        foreach (var group in logged.Select(Parse).GroupBy(d => d.Writer))
        {
            var sequences = group.Select(d => d.Sequence).ToList();
            Assert.Equal(Enumerable.Range(1, sequences.Count).Select(i => (long)i), sequences);
        }

        // After the crash the log appends on a fresh line and reads back whole.
        await log.AppendAsync(AuditSamples.Approval("after-crash"));
        var last = default(AuditEntry);
        await foreach (var entry in log.ReadAllAsync())
        {
            last = entry;
        }

        Assert.Equal("after-crash", AuditSamples.DecisionId(last!));
    }

    /// <summary>Starts the host, collects acknowledgements until there are enough, kills it with SIGKILL, then collects what it printed before dying.</summary>
    private async Task<(HashSet<string> Acknowledged, int ExitCode)> RunAndKillAsync(string host, string file, int writers)
    {
        var start = new ProcessStartInfo(CrashHostBinary.DotnetHost)
        {
            RedirectStandardInput = true, // Never written: the host exits when it closes, should this process die without killing it.
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { host, file, "--writers", writers.ToString(CultureInfo.InvariantCulture), "--exit-on-stdin-eof" })
        {
            start.ArgumentList.Add(argument);
        }

        var acknowledged = new HashSet<string>(StringComparer.Ordinal);
        var errors = new StringBuilder();
        using var timeout = new CancellationTokenSource(Budget);
        using var process = new Process { StartInfo = start };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (errors)
            {
                errors.AppendLine(e.Data);
            }
        };
        var started = false;
        try
        {
            started = process.Start();
            process.BeginErrorReadLine();
            var stdout = process.StandardOutput;
            while (true)
            {
                var read = stdout.ReadLineAsync(timeout.Token);
                if (acknowledged.Count >= AcknowledgementsBeforeKill && (!read.IsCompleted || acknowledged.Count >= KillAnywayAfter))
                {
                    // Caught up with the host's output, so the host is not blocked writing to a full pipe but appending: kill it.
                    process.Kill(entireProcessTree: true); // SIGKILL on Unix.
                    await process.WaitForExitAsync(timeout.Token);

                    // Acknowledgements printed before the kill may still be in the pipe: they count too.
                    for (var line = await read; line is not null; line = await stdout.ReadLineAsync(timeout.Token))
                    {
                        Collect(line, acknowledged);
                    }

                    break;
                }

                if (await read is not { } next)
                {
                    await process.WaitForExitAsync(timeout.Token);
                    Assert.Fail($"The crash host exited by itself ({process.ExitCode}) after {acknowledged.Count} acknowledgements: {Errors()}");
                    break;
                }

                Collect(next, acknowledged);
            }

            return (acknowledged, process.ExitCode);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            Assert.Fail($"The crash test did not finish within {Budget.TotalSeconds} s ({acknowledged.Count} acknowledgements): {Errors()}");
            throw;
        }
        finally
        {
            if (started && !process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }

        string Errors()
        {
            lock (errors)
            {
                return errors.ToString();
            }
        }
    }

    private static void Collect(string line, HashSet<string> acknowledged)
    {
        // Only whole lines: a line cut by the kill does not match the fixed-width id.
        var match = AcknowledgementPattern().Match(line);
        if (match.Success)
        {
            acknowledged.Add(match.Groups[1].Value);
        }
    }

    private static (int Writer, long Sequence) Parse(string decisionId)
    {
        var match = DecisionIdPattern().Match(decisionId);
        Assert.True(match.Success, decisionId);
        return (int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^ACK (dec-\d+-\d{9})$")]
    private static partial Regex AcknowledgementPattern();

    [GeneratedRegex(@"^dec-(\d+)-(\d{9})$")]
    private static partial Regex DecisionIdPattern();
}
