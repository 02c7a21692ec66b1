// The child process of the audit log's crash test (tests/Aiops.Gates.Tests/Audit/CrashDurabilityTests.cs).
//
// Usage: dotnet Aiops.Gates.CrashHost.dll <audit file> [--writers N] [--no-fsync] [--exit-on-stdin-eof]
//
// Opens a JsonLinesAuditLog on the file, prints "READY", then runs N concurrent writers (default 1). Each loops forever: builds a
// DecisionEntry for a made-up proposal with a sequence number, awaits AppendAsync, and only then prints "ACK <decisionId>" and
// flushes stdout. Decision ids are "dec-<writer>-<sequence, 9 digits>". It runs until it is killed; the test kills it with
// SIGKILL and checks that every acknowledged id is in the file. With --exit-on-stdin-eof it also exits when its stdin closes,
// so that it cannot outlive a test process that died without killing it.
using System.Globalization;
using Aiops.Gates;

if (args.Length < 1 || args[0].StartsWith('-'))
{
    await Console.Error.WriteLineAsync("usage: Aiops.Gates.CrashHost <audit file> [--writers N] [--no-fsync] [--exit-on-stdin-eof]");
    return 2;
}

var writers = 1;
var flushToDisk = true;
var exitOnStdinEof = false;
for (var i = 1; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--writers" when i + 1 < args.Length:
            writers = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--no-fsync":
            flushToDisk = false;
            break;
        case "--exit-on-stdin-eof":
            exitOnStdinEof = true;
            break;
        default:
            await Console.Error.WriteLineAsync($"unknown argument: {args[i]}");
            return 2;
    }
}

if (exitOnStdinEof)
{
    _ = Task.Run(() =>
    {
        while (Console.In.ReadLine() is not null)
        {
        }

        Environment.Exit(3);
    });
}

await using var log = await JsonLinesAuditLog.OpenAsync(new JsonLinesAuditLogOptions { Path = args[0], FlushToDisk = flushToDisk });
var stdout = Console.Out; // Synchronised: concurrent writers print whole lines.
stdout.WriteLine("READY");
stdout.Flush();

await Task.WhenAll(Enumerable.Range(1, writers).Select(writer => Task.Run(() => WriteForeverAsync(writer))));
return 0;

async Task WriteForeverAsync(int writer)
{
    for (long sequence = 1; ; sequence++)
    {
        var decisionId = string.Create(CultureInfo.InvariantCulture, $"dec-{writer}-{sequence:D9}");
        await log.AppendAsync(new DecisionEntry(NewDecision(decisionId, sequence)));

        // Only now is the decision durable: acknowledge it.
        stdout.WriteLine("ACK " + decisionId);
        stdout.Flush();
    }
}

static Decision NewDecision(string decisionId, long sequence)
{
    var now = DateTimeOffset.UtcNow;
    var proposal = new RemediationProposal(
        ActionId: "restart-pod",
        Targets: [$"checkout-{sequence % 7}", $"checkout-{(sequence + 1) % 7}"],
        Risk: (RiskClass)(sequence % 4),
        EpisodeId: $"ep-{sequence / 10}",
        Confidence: 0.5 + (sequence % 50 / 100.0),
        IdempotencyKey: $"group-{sequence}/restart-pod",
        ProposedAt: now)
    {
        Evidence = ["p99 latency 4.2x baseline on checkout", "deploy checkout@v2.3.1 12 minutes earlier"],
        Labels = new Dictionary<string, string> { ["service"] = "checkout", ["severity"] = "critical" },
        FleetSize = 12,
    };
    GateEvaluation[] evaluations =
    [
        new("confidence", GateVerdict.Allow, "confidence above 0.5", new Dictionary<string, string> { ["threshold"] = "0.5" }, TimeSpan.FromTicks(1200)),
        new("risk-ceiling", sequence % 4 >= 2 ? GateVerdict.RequireApproval : GateVerdict.Allow, "risk within ceiling", null, TimeSpan.FromTicks(300)),
        new("blast-radius", GateVerdict.Allow, "2 of 12 targets", new Dictionary<string, string> { ["targets"] = "2", ["fleet"] = "12" }, TimeSpan.FromTicks(450)),
    ];
    var verdict = evaluations.Select(e => e.Verdict).Aggregate(GateDecision.Strictest);
    return new Decision(decisionId, proposal, evaluations, verdict, now, DryRun: false);
}
