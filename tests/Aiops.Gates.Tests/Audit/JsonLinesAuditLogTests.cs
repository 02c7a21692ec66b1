using System.ComponentModel.DataAnnotations;
using System.Text;
using System.Text.Json;
using Aiops.Gates.Serialization;

namespace Aiops.Gates.Tests.Audit;

public sealed class JsonLinesAuditLogTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "aiops-audit-" + Guid.NewGuid().ToString("N"));

    private string FilePath => Path.Combine(_directory, "audit.jsonl");

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task AppendAsync_EveryEntryType_ReopenedLogReadsThemBackInOrder()
    {
        var entries = AuditSamples.EveryType();
        await using (var log = await OpenAsync())
        {
            foreach (var entry in entries)
            {
                await log.AppendAsync(entry);
            }

            Assert.Equal(entries.Count, log.AppendedCount);
        }

        await using var reopened = await OpenAsync();
        var read = await ReadAllAsync(reopened);

        Assert.Equal(entries.Select(e => e.GetType()), read.Select(e => e.GetType()));
        Assert.Equal(entries.Select(AuditSamples.Json), read.Select(AuditSamples.Json));
        Assert.Equal(0, reopened.CorruptLinesSkipped);
    }

    [Fact]
    public async Task AppendAsync_Entry_IsOneLineAPersonAndJqCanRead()
    {
        await using (var log = await OpenAsync())
        {
            await log.AppendAsync(AuditSamples.Decision("dec-1"));
            await log.AppendAsync(AuditSamples.Approval("dec-1"));
        }

        var lines = await File.ReadAllLinesAsync(FilePath);

        Assert.Equal(2, lines.Length);
        Assert.StartsWith("{\"type\":\"decision\",\"decision\":{\"decisionId\":\"dec-1\"", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("{\"type\":\"approval\",", lines[1], StringComparison.Ordinal);
        Assert.EndsWith("\n", await File.ReadAllTextAsync(FilePath), StringComparison.Ordinal);
        using var document = JsonDocument.Parse(lines[1]);
        Assert.Equal("checked the dashboard \"checkout\"\nlooks safe", document.RootElement.GetProperty("approval").GetProperty("why").GetString());
    }

    [Fact]
    public async Task AppendAsync_ReadWhileOpen_SeesDurableEntries()
    {
        await using var log = await OpenAsync();
        await log.AppendAsync(AuditSamples.Decision("dec-1"));
        await log.AppendAsync(AuditSamples.Execution("dec-1"));

        var read = await ReadAllAsync(log);

        Assert.Equal(["dec-1", "dec-1"], read.Select(AuditSamples.DecisionId));
        Assert.IsType<ExecutionEntry>(read[1]);
    }

    [Fact]
    public async Task ReadAllAsync_EntriesAppendedDuringEnumeration_NotIncluded()
    {
        await using var log = await OpenAsync();
        await log.AppendAsync(AuditSamples.Decision("dec-1"));
        await log.AppendAsync(AuditSamples.Decision("dec-2"));

        var seen = new List<string>();
        await foreach (var entry in log.ReadAllAsync())
        {
            seen.Add(AuditSamples.DecisionId(entry));
            await log.AppendAsync(AuditSamples.Decision("dec-late-" + seen.Count));
        }

        Assert.Equal(["dec-1", "dec-2"], seen);
        Assert.Equal(4, (await ReadAllAsync(log)).Count);
    }

    [Fact]
    public async Task OpenAsync_TornLastLine_SkipsAndCountsItAndNextAppendStartsOnANewLine()
    {
        var complete = AuditSamples.Json(AuditSamples.Decision("dec-1"));
        var torn = AuditSamples.Json(AuditSamples.Decision("dec-2"))[..100];
        Directory.CreateDirectory(_directory);
        await File.WriteAllTextAsync(FilePath, complete + "\n" + torn);

        await using (var log = await OpenAsync())
        {
            var read = await ReadAllAsync(log);

            Assert.Equal(["dec-1"], read.Select(AuditSamples.DecisionId));
            Assert.Equal(1, log.CorruptLinesSkipped);
            await log.AppendAsync(AuditSamples.Decision("dec-3"));
        }

        Assert.Equal([complete, torn, AuditSamples.Json(AuditSamples.Decision("dec-3"))], await File.ReadAllLinesAsync(FilePath));
        await using var reopened = await OpenAsync();
        Assert.Equal(["dec-1", "dec-3"], (await ReadAllAsync(reopened)).Select(AuditSamples.DecisionId));
        Assert.Equal(1, reopened.CorruptLinesSkipped);
    }

    [Fact]
    public async Task OpenAsync_CompleteLastLineWithoutNewline_ReadsItAndTerminatesIt()
    {
        Directory.CreateDirectory(_directory);
        await File.WriteAllTextAsync(FilePath, AuditSamples.Json(AuditSamples.Approval("dec-1")));

        await using var log = await OpenAsync();
        await log.AppendAsync(AuditSamples.Approval("dec-2"));

        Assert.Equal(["dec-1", "dec-2"], (await ReadAllAsync(log)).Select(AuditSamples.DecisionId));
        Assert.Equal(0, log.CorruptLinesSkipped);
    }

    [Fact]
    public async Task ReadAllAsync_GarbageLines_SkippedAndCountedOnceBlankLinesIgnored()
    {
        var valid = AuditSamples.Json(AuditSamples.Decision("dec-1"));
        string[] garbage =
        [
            "not json at all",
            "{}",
            "null",
            "[1,2,3]",
            """{"type":"rollback","decision":{}}""",
            """{"type":"decision"}""",
            """{"type":"decision","decision":null}""",
            valid.Replace("\"targets\":[\"checkout-1\"", "\"targets\":[null", StringComparison.Ordinal),
            valid.Replace("\"observed\":\"0.87\"", "\"observed\":null", StringComparison.Ordinal),
            valid.Replace("\"risk\":\"medium\"", "\"risk\":\"catastrophic\"", StringComparison.Ordinal),
            new string('\0', 64),
            valid[..^1],
        ];
        var content = new StringBuilder();
        content.Append('\uFEFF').Append(AuditSamples.Json(AuditSamples.Approval("dec-0"))).Append('\n');
        foreach (var line in garbage)
        {
            content.Append(line).Append('\n').Append(valid).Append("\r\n").Append("  \n");
        }

        Directory.CreateDirectory(_directory);
        await File.WriteAllTextAsync(FilePath, content.ToString(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));

        await using var log = await OpenAsync();
        var first = await ReadAllAsync(log);
        var second = await ReadAllAsync(log);

        Assert.Equal(1 + garbage.Length, first.Count);
        Assert.IsType<ApprovalEntry>(first[0]);
        Assert.All(first.Skip(1), e => Assert.Equal(valid, AuditSamples.Json(e)));
        Assert.Equal(first.Count, second.Count);
        Assert.Equal(garbage.Length, log.CorruptLinesSkipped);
    }

    [Fact]
    public async Task ReadAllAsync_ConcurrentReadersOverGarbage_CountEachLineOnce()
    {
        var valid = AuditSamples.Json(AuditSamples.Decision("dec-1"));
        Directory.CreateDirectory(_directory);
        await File.WriteAllLinesAsync(FilePath, Enumerable.Range(0, 500).SelectMany(i => new[] { valid, "garbage " + i }));

        await using var log = await OpenAsync();
        var counts = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () => (await ReadAllAsync(log)).Count)));

        Assert.All(counts, c => Assert.Equal(500, c));
        Assert.Equal(500, log.CorruptLinesSkipped);
    }

    [Fact]
    public async Task ReadAllAsync_LinesLongerThanTheReadBuffer_ReadWhole()
    {
        var d = AuditSamples.Decision("dec-big");
        var big = d with { Decision = d.Decision with { Proposal = d.Decision.Proposal with { Evidence = [new string('x', 300_000), new string('y', 5)] } } };
        await using var log = await OpenAsync();
        await log.AppendAsync(AuditSamples.Decision("dec-1"));
        await log.AppendAsync(big);
        await log.AppendAsync(AuditSamples.Decision("dec-2"));

        var read = await ReadAllAsync(log);

        Assert.Equal(["dec-1", "dec-big", "dec-2"], read.Select(AuditSamples.DecisionId));
        Assert.Equal(300_000, ((DecisionEntry)read[1]).Decision.Proposal.Evidence[0].Length);
    }

    [Fact]
    public async Task ReadAllAsync_LineLongerThanMaxLineLength_SkippedAndCounted()
    {
        Directory.CreateDirectory(_directory);
        await using (var file = File.Create(FilePath))
        {
            await file.WriteAsync(Encoding.UTF8.GetBytes(AuditSamples.Json(AuditSamples.Decision("dec-1")) + "\n"));
            var chunk = Encoding.ASCII.GetBytes(new string('z', 1024 * 1024));
            for (var i = 0; i < (JsonLinesAuditLog.MaxLineLength / chunk.Length) + 2; i++)
            {
                await file.WriteAsync(chunk);
            }

            await file.WriteAsync(Encoding.UTF8.GetBytes("\n" + AuditSamples.Json(AuditSamples.Decision("dec-2")) + "\n"));
        }

        await using var log = await OpenAsync();
        var read = await ReadAllAsync(log);

        Assert.Equal(["dec-1", "dec-2"], read.Select(AuditSamples.DecisionId));
        Assert.Equal(1, log.CorruptLinesSkipped);
    }

    [Fact]
    public async Task AppendAsync_ConcurrentAppenders_EveryEntryOnceInEachAppendersOrderInFewerCommits()
    {
        const int Appenders = 32;
        const int PerAppender = 40;
        await using var log = await OpenAsync();

        await Task.WhenAll(Enumerable.Range(0, Appenders).Select(a => Task.Run(async () =>
        {
            for (var i = 0; i < PerAppender; i++)
            {
                await log.AppendAsync(AuditSamples.Approval($"dec-{a}-{i:D3}"));
            }
        })));

        var ids = (await ReadAllAsync(log)).Select(AuditSamples.DecisionId).ToList();
        Assert.Equal(Appenders * PerAppender, ids.Count);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        for (var a = 0; a < Appenders; a++)
        {
            var prefix = $"dec-{a}-";
            var own = ids.Where(id => id.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            Assert.Equal(Enumerable.Range(0, PerAppender).Select(i => $"dec-{a}-{i:D3}"), own);
        }

        Assert.Equal(Appenders * PerAppender, log.AppendedCount);
        Assert.InRange(log.CommitCount, 1, log.AppendedCount);
    }

    [Fact]
    public async Task OpenAsync_FileHeldByAnotherLog_ThrowsIOExceptionUntilClosed()
    {
        var first = await OpenAsync();

        await Assert.ThrowsAsync<IOException>(() => OpenAsync());
        Assert.Throws<IOException>(() => JsonLinesAuditLog.Open(new JsonLinesAuditLogOptions { Path = FilePath }));
        Assert.ThrowsAny<IOException>(() => new FileStream(FilePath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite));

        await first.DisposeAsync();
        using var second = JsonLinesAuditLog.Open(new JsonLinesAuditLogOptions { Path = FilePath, FlushToDisk = false });
        await second.AppendAsync(AuditSamples.Approval("dec-1"));
        Assert.Single(await ReadAllAsync(second));
    }

    [Fact]
    public async Task OpenAsync_MissingDirectory_CreatesItAndAnEmptyFile()
    {
        await using var log = await JsonLinesAuditLog.OpenAsync(new JsonLinesAuditLogOptions { Path = Path.Combine(_directory, "a", "b", "audit.jsonl") });

        Assert.True(File.Exists(log.FilePath));
        Assert.Empty(await ReadAllAsync(log));
        Assert.Equal(0, new FileInfo(log.FilePath).Length);
    }

    [Fact]
    public async Task OpenAsync_InvalidOptions_Throw()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(() => JsonLinesAuditLog.OpenAsync(null!));
        var e = await Assert.ThrowsAsync<ValidationException>(() => JsonLinesAuditLog.OpenAsync(new JsonLinesAuditLogOptions()));
        Assert.Contains("JsonLinesAuditLogOptions.Path", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppendAsync_NullInsideEntry_ThrowsAndWritesNothing()
    {
        var valid = AuditSamples.Decision("dec-1");
        await using var log = await OpenAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => log.AppendAsync(valid with { Decision = valid.Decision with { Proposal = valid.Decision.Proposal with { Targets = ["a", null!] } } }).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => log.AppendAsync(valid with { Decision = valid.Decision with { Evaluations = [null!] } }).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => log.AppendAsync(new ApprovalEntry(null!)).AsTask());
        await Assert.ThrowsAsync<JsonException>(() => log.AppendAsync(valid with { Decision = valid.Decision with { DecisionId = null! } }).AsTask());
        await Assert.ThrowsAsync<ArgumentNullException>(() => log.AppendAsync(null!).AsTask());
        await log.AppendAsync(AuditSamples.Approval("dec-2"));

        Assert.Equal(["dec-2"], (await ReadAllAsync(log)).Select(AuditSamples.DecisionId));
        Assert.Equal(0, log.CorruptLinesSkipped);
    }

    [Fact]
    public async Task AppendAsync_UnknownEntryType_ThrowsNotSupported()
    {
        await using var log = await OpenAsync();

        await Assert.ThrowsAsync<NotSupportedException>(() => log.AppendAsync(new CustomEntry("x")).AsTask());
        Assert.Empty(await ReadAllAsync(log));
    }

    [Fact]
    public async Task AppendAsync_CancelledToken_ThrowsAndWritesNothing()
    {
        await using var log = await OpenAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => log.AppendAsync(AuditSamples.Approval("dec-1"), new CancellationToken(canceled: true)).AsTask());

        Assert.Empty(await ReadAllAsync(log));
        Assert.Equal(0, log.AppendedCount);
    }

    [Fact]
    public async Task AppendAsync_ManyCancelledWhileWaiting_EachEitherWrittenOrCancelled()
    {
        await using var log = await OpenAsync();
        using var cancel = new CancellationTokenSource();

        var tasks = Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            try
            {
                await log.AppendAsync(AuditSamples.Approval($"dec-{i}"), cancel.Token);
                return $"dec-{i}";
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        })).ToList();
        await cancel.CancelAsync();
        var acknowledged = (await Task.WhenAll(tasks)).OfType<string>().ToHashSet();

        var written = (await ReadAllAsync(log)).Select(AuditSamples.DecisionId).ToList();
        Assert.Equal(acknowledged.Order(), written.Order());
        Assert.Equal(acknowledged.Count, log.AppendedCount);
        await log.AppendAsync(AuditSamples.Approval("dec-after"));
        Assert.Equal(acknowledged.Count + 1, (await ReadAllAsync(log)).Count);
    }

    [Fact]
    public async Task Dispose_ThenAppendOrRead_ThrowsObjectDisposed()
    {
        var log = await OpenAsync();
        await log.AppendAsync(AuditSamples.Approval("dec-1"));

        log.Dispose();
        await log.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => log.AppendAsync(AuditSamples.Approval("dec-2")).AsTask());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => ReadAllAsync(log));
        Assert.Single(await File.ReadAllLinesAsync(FilePath));
    }

    [Fact]
    public async Task DisposeAsync_WhileAppendersWait_EachAppendWrittenOrDisposedNeverLost()
    {
        var log = await OpenAsync();
        var tasks = Enumerable.Range(0, 100).Select(i => Task.Run(async () =>
        {
            try
            {
                await log.AppendAsync(AuditSamples.Approval($"dec-{i}"));
                return $"dec-{i}";
            }
            catch (ObjectDisposedException)
            {
                return null;
            }
        })).ToList();
        await log.DisposeAsync();
        var acknowledged = (await Task.WhenAll(tasks)).OfType<string>().ToHashSet();

        await using var reopened = await OpenAsync();
        var written = (await ReadAllAsync(reopened)).Select(AuditSamples.DecisionId).ToList();
        Assert.Equal(acknowledged.Order(), written.Order());
    }

    private Task<JsonLinesAuditLog> OpenAsync() => JsonLinesAuditLog.OpenAsync(new JsonLinesAuditLogOptions { Path = FilePath });

    private static async Task<List<AuditEntry>> ReadAllAsync(JsonLinesAuditLog log)
    {
        var entries = new List<AuditEntry>();
        await foreach (var entry in log.ReadAllAsync())
        {
            entries.Add(entry);
        }

        return entries;
    }

    private sealed record CustomEntry(string Value) : AuditEntry;
}
