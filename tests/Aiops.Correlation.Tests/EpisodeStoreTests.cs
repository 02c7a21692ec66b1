using System.ComponentModel.DataAnnotations;
using System.Text;
using System.Text.Json;
using Aiops.Correlation.Serialization;

namespace Aiops.Correlation.Tests;

public sealed class EpisodeStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "aiops-episode-store-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    // ---- InMemoryEpisodeStore ----

    [Fact]
    public async Task SaveAsync_NewEpisode_GetReturnsIt()
    {
        var store = new InMemoryEpisodeStore();
        var episode = NewEpisode("ep-1", EpisodeState.Pending, 0, "api");

        await store.SaveAsync(episode);

        Assert.Same(episode, await store.GetAsync("ep-1"));
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public async Task SaveAsync_SameId_ReplacesSnapshot()
    {
        var store = new InMemoryEpisodeStore();
        await store.SaveAsync(NewEpisode("ep-1", EpisodeState.Pending, 0, "api"));
        var later = NewEpisode("ep-1", EpisodeState.Firing, 5, "api", "db");

        await store.SaveAsync(later);

        Assert.Same(later, await store.GetAsync("ep-1"));
        Assert.Single(await store.ListAsync());
    }

    [Fact]
    public async Task GetAsync_UnknownId_ReturnsNull()
    {
        var store = new InMemoryEpisodeStore();
        await store.SaveAsync(NewEpisode("ep-1", EpisodeState.Pending, 0, "api"));

        Assert.Null(await store.GetAsync("ep-2"));
    }

    [Fact]
    public async Task ListAsync_NoQuery_NewestFirstTiesByIdDescending()
    {
        var store = new InMemoryEpisodeStore();
        await store.SaveAsync(NewEpisode("ep-1", EpisodeState.Firing, 1, "api"));
        await store.SaveAsync(NewEpisode("ep-3", EpisodeState.Firing, 3, "api"));
        await store.SaveAsync(NewEpisode("ep-2a", EpisodeState.Firing, 2, "api"));
        await store.SaveAsync(NewEpisode("ep-2b", EpisodeState.Resolved, 2, "api"));

        var listed = await store.ListAsync();

        Assert.Equal(["ep-3", "ep-2b", "ep-2a", "ep-1"], listed.Select(e => e.Id));
    }

    [Fact]
    public async Task ListAsync_StateFilter_ReturnsOnlyThatState()
    {
        var store = await StoreWithMixedEpisodesAsync();

        var firing = await store.ListAsync(new EpisodeQuery(State: EpisodeState.Firing));

        Assert.Equal(["ep-4", "ep-2"], firing.Select(e => e.Id));
    }

    [Fact]
    public async Task ListAsync_EntityFilter_ReturnsEpisodesInvolvingIt()
    {
        var store = await StoreWithMixedEpisodesAsync();

        var db = await store.ListAsync(new EpisodeQuery(Entity: "db"));

        Assert.Equal(["ep-4", "ep-3"], db.Select(e => e.Id));
        Assert.Empty(await store.ListAsync(new EpisodeQuery(Entity: "DB")));
    }

    [Fact]
    public async Task ListAsync_SinceFilter_IsInclusive()
    {
        var store = await StoreWithMixedEpisodesAsync();

        var recent = await store.ListAsync(new EpisodeQuery(Since: T0.AddMinutes(2)));

        Assert.Equal(["ep-4", "ep-3", "ep-2"], recent.Select(e => e.Id));
    }

    [Fact]
    public async Task ListAsync_Limit_KeepsNewest()
    {
        var store = await StoreWithMixedEpisodesAsync();

        Assert.Equal(["ep-4", "ep-3"], (await store.ListAsync(new EpisodeQuery(Limit: 2))).Select(e => e.Id));
        Assert.Empty(await store.ListAsync(new EpisodeQuery(Limit: 0)));
        Assert.Equal(4, (await store.ListAsync(new EpisodeQuery(Limit: 10))).Count);
    }

    [Fact]
    public async Task ListAsync_AllFiltersTogether_EveryFilterMustMatch()
    {
        var store = await StoreWithMixedEpisodesAsync();
        await store.SaveAsync(NewEpisode("ep-5", EpisodeState.Firing, 0, "db"));
        await store.SaveAsync(NewEpisode("ep-6", EpisodeState.Firing, 6, "db"));

        var result = await store.ListAsync(new EpisodeQuery(EpisodeState.Firing, "db", T0.AddMinutes(1), 1));

        Assert.Equal(["ep-6"], result.Select(e => e.Id));
    }

    [Fact]
    public async Task ListAsync_NegativeLimit_Throws()
    {
        var store = new InMemoryEpisodeStore();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.ListAsync(new EpisodeQuery(Limit: -1)));
    }

    [Fact]
    public void Constructor_NegativeMaxClosed_ThrowsValidationException()
    {
        var error = Assert.Throws<ValidationException>(() => new InMemoryEpisodeStore(new InMemoryEpisodeStoreOptions { MaxClosedEpisodes = -1 }));
        Assert.Contains("MaxClosedEpisodes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SaveAsync_MoreClosedThanMax_EvictsOldestByUpdatedAtThenId()
    {
        var store = new InMemoryEpisodeStore(new InMemoryEpisodeStoreOptions { MaxClosedEpisodes = 3 });
        await store.SaveAsync(NewEpisode("ep-b", EpisodeState.Resolved, 1, "api"));
        await store.SaveAsync(NewEpisode("ep-a", EpisodeState.Inactive, 1, "api"));
        await store.SaveAsync(NewEpisode("ep-old", EpisodeState.Resolved, 0, "api"));
        await store.SaveAsync(NewEpisode("ep-new", EpisodeState.Resolved, 9, "api"));

        Assert.Null(await store.GetAsync("ep-old"));
        Assert.Equal(1, store.EvictedCount);

        await store.SaveAsync(NewEpisode("ep-newer", EpisodeState.Resolved, 10, "api"));

        Assert.Null(await store.GetAsync("ep-a"));
        Assert.NotNull(await store.GetAsync("ep-b"));
        Assert.Equal(2, store.EvictedCount);
        Assert.Equal(3, store.ClosedCount);
    }

    [Fact]
    public async Task SaveAsync_ManyOpenEpisodes_NeverEvictsOpen()
    {
        var store = new InMemoryEpisodeStore(new InMemoryEpisodeStoreOptions { MaxClosedEpisodes = 2 });
        for (var i = 0; i < 50; i++)
        {
            await store.SaveAsync(NewEpisode($"open-{i:D2}", i % 2 == 0 ? EpisodeState.Pending : EpisodeState.Firing, i, "api"));
        }

        for (var i = 0; i < 10; i++)
        {
            await store.SaveAsync(NewEpisode($"closed-{i:D2}", EpisodeState.Resolved, 100 + i, "api"));
        }

        Assert.Equal(52, store.Count);
        Assert.Equal(50, (await store.ListAsync()).Count(e => e.Id.StartsWith("open-", StringComparison.Ordinal)));
        Assert.Equal(["closed-09", "closed-08"], (await store.ListAsync(new EpisodeQuery(State: EpisodeState.Resolved))).Select(e => e.Id));
        Assert.Equal(8, store.EvictedCount);
    }

    [Fact]
    public async Task SaveAsync_MergedEpisodeInOpenState_CountsAsClosed()
    {
        var store = new InMemoryEpisodeStore(new InMemoryEpisodeStoreOptions { MaxClosedEpisodes = 1 });
        await store.SaveAsync(NewEpisode("ep-merged", EpisodeState.Firing, 0, "api") with { MergedInto = "ep-x" });
        await store.SaveAsync(NewEpisode("ep-resolved", EpisodeState.Resolved, 1, "api"));

        Assert.Null(await store.GetAsync("ep-merged"));
        Assert.Equal(1, store.EvictedCount);
    }

    [Fact]
    public async Task SaveAsync_ReopenedEpisode_LeavesClosedHistory()
    {
        var store = new InMemoryEpisodeStore(new InMemoryEpisodeStoreOptions { MaxClosedEpisodes = 2 });
        await store.SaveAsync(NewEpisode("ep-1", EpisodeState.Resolved, 0, "api"));
        Assert.Equal(1, store.ClosedCount);

        await store.SaveAsync(NewEpisode("ep-1", EpisodeState.Firing, 1, "api"));
        Assert.Equal(0, store.ClosedCount);
        for (var i = 0; i < 5; i++)
        {
            await store.SaveAsync(NewEpisode($"ep-closed-{i}", EpisodeState.Resolved, 10 + i, "api"));
        }

        Assert.Equal(EpisodeState.Firing, (await store.GetAsync("ep-1"))!.State);
        Assert.Equal(3, store.EvictedCount);
    }

    [Fact]
    public async Task SaveAsync_ClosedAgainLater_UsesItsNewUpdatedAtForEviction()
    {
        var store = new InMemoryEpisodeStore(new InMemoryEpisodeStoreOptions { MaxClosedEpisodes = 2 });
        await store.SaveAsync(NewEpisode("ep-1", EpisodeState.Resolved, 0, "api"));
        await store.SaveAsync(NewEpisode("ep-2", EpisodeState.Resolved, 1, "api"));
        await store.SaveAsync(NewEpisode("ep-1", EpisodeState.Resolved, 2, "api"));

        await store.SaveAsync(NewEpisode("ep-3", EpisodeState.Resolved, 3, "api"));

        Assert.Null(await store.GetAsync("ep-2"));
        Assert.NotNull(await store.GetAsync("ep-1"));
        Assert.Equal(2, store.ClosedCount);
    }

    [Fact]
    public async Task SaveAsync_ConcurrentWriters_KeepsEveryEpisode()
    {
        var store = new InMemoryEpisodeStore();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 500; i++)
            {
                await store.SaveAsync(NewEpisode($"ep-{w}-{i}", EpisodeState.Firing, i, "api"));
            }
        })));

        Assert.Equal(4000, store.Count);
    }

    [Fact]
    public async Task SaveAsync_CanceledToken_DoesNotSave()
    {
        var store = new InMemoryEpisodeStore();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await store.SaveAsync(NewEpisode("ep-1", EpisodeState.Firing, 0, "api"), new CancellationToken(canceled: true)));

        Assert.Equal(0, store.Count);
    }

    // ---- FileEpisodeStore ----

    [Fact]
    public async Task OpenAsync_AfterSaveAndDispose_ReturnsSameEpisodes()
    {
        var episodes = new[]
        {
            EpisodeJsonTests.RichEpisode(),
            NewEpisode("ep-2", EpisodeState.Pending, 3, "api"),
            NewEpisode("ep-3", EpisodeState.Resolved, 4, "db"),
        };
        await using (var store = await FileEpisodeStore.OpenAsync(Options()))
        {
            await store.SaveAsync(NewEpisode("ep-2", EpisodeState.Pending, 1, "api"));
            foreach (var episode in episodes)
            {
                await store.SaveAsync(episode);
            }
        }

        await using var reopened = await FileEpisodeStore.OpenAsync(Options());

        Assert.Equal(3, reopened.Count);
        Assert.Equal(0, reopened.CorruptLinesSkipped);
        Assert.Equal(4, reopened.LineCount);
        foreach (var episode in episodes)
        {
            Assert.Equal(Json(episode), Json((await reopened.GetAsync(episode.Id))!));
        }

        Assert.Equal(
            (await new InMemoryEpisodeStore().SaveAllAsync(episodes)).Select(e => e.Id),
            (await reopened.ListAsync()).Select(e => e.Id));
    }

    [Fact]
    public async Task Open_Synchronous_ReplaysLikeOpenAsync()
    {
        using (var store = FileEpisodeStore.Open(Options()))
        {
            await store.SaveAsync(NewEpisode("ep-1", EpisodeState.Firing, 0, "api"));
        }

        await File.AppendAllTextAsync(FilePath, "torn");
        using var reopened = FileEpisodeStore.Open(Options());

        Assert.Equal(EpisodeState.Firing, (await reopened.GetAsync("ep-1"))!.State);
        Assert.Equal(1, reopened.CorruptLinesSkipped);
    }

    [Fact]
    public async Task SaveAsync_LineIsInFileBeforeCompletion()
    {
        await using var store = await FileEpisodeStore.OpenAsync(Options(flushToDisk: true));

        var episode = NewEpisode("ep-1", EpisodeState.Firing, 0, "api");

        await store.SaveAsync(episode);

        // The store holds the file exclusively, so look at its size without opening it.
        Assert.Equal(Encoding.UTF8.GetByteCount(Json(episode) + "\n"), new FileInfo(store.FilePath).Length);
    }

    [Fact]
    public async Task OpenAsync_TornTrailingLine_SkipsItAndCountsIt()
    {
        await SaveAndCloseAsync(NewEpisode("ep-1", EpisodeState.Firing, 0, "api"), NewEpisode("ep-2", EpisodeState.Firing, 1, "api"));
        var whole = Json(NewEpisode("ep-3", EpisodeState.Firing, 2, "api"));
        await File.AppendAllTextAsync(FilePath, whole[..(whole.Length / 2)]);

        await using (var store = await FileEpisodeStore.OpenAsync(Options()))
        {
            Assert.Equal(1, store.CorruptLinesSkipped);
            Assert.Equal(2, store.Count);
            Assert.Null(await store.GetAsync("ep-3"));

            // The next append starts on a line of its own instead of extending the torn one.
            await store.SaveAsync(NewEpisode("ep-4", EpisodeState.Firing, 3, "api"));
        }

        await using var reopened = await FileEpisodeStore.OpenAsync(Options());
        Assert.Equal(1, reopened.CorruptLinesSkipped);
        Assert.Equal(["ep-4", "ep-2", "ep-1"], (await reopened.ListAsync()).Select(e => e.Id));
    }

    [Fact]
    public async Task OpenAsync_GarbageLines_SkipsThemAndKeepsTheRest()
    {
        await SaveAndCloseAsync(NewEpisode("ep-1", EpisodeState.Firing, 0, "api"));
        await File.AppendAllTextAsync(FilePath, "this is not json\n");
        await File.AppendAllTextAsync(FilePath, "{\"id\":\"ep-9\"}\n");
        await File.AppendAllTextAsync(FilePath, "\n");
        await File.AppendAllTextAsync(FilePath, "[1,2,3]\n");
        using (var stream = new FileStream(FilePath, FileMode.Append))
        {
            stream.Write([0xFF, 0xFE, 0x00, 0x7B, 0x22, (byte)'\n']);
        }

        await File.AppendAllTextAsync(FilePath, Json(NewEpisode("ep-2", EpisodeState.Firing, 1, "api")) + "\n");

        await using var store = await FileEpisodeStore.OpenAsync(Options());

        Assert.Equal(4, store.CorruptLinesSkipped);
        Assert.Equal(["ep-2", "ep-1"], (await store.ListAsync()).Select(e => e.Id));
    }

    [Fact]
    public async Task OpenAsync_LatestLinePerId_Wins()
    {
        await SaveAndCloseAsync(
            NewEpisode("ep-1", EpisodeState.Pending, 0, "api"),
            NewEpisode("ep-1", EpisodeState.Firing, 1, "api"),
            NewEpisode("ep-1", EpisodeState.Resolved, 2, "api"));

        await using var store = await FileEpisodeStore.OpenAsync(Options());

        Assert.Equal(EpisodeState.Resolved, (await store.GetAsync("ep-1"))!.State);
    }

    [Fact]
    public async Task OpenAsync_MoreClosedThanMax_AppliesBoundedHistory()
    {
        await SaveAndCloseAsync([.. Enumerable.Range(0, 5).Select(i => NewEpisode($"ep-{i}", EpisodeState.Resolved, i, "api")), NewEpisode("ep-open", EpisodeState.Firing, 0, "api")]);

        await using var store = await FileEpisodeStore.OpenAsync(Options(maxClosed: 2));

        Assert.Equal(["ep-4", "ep-3", "ep-open"], (await store.ListAsync()).Select(e => e.Id));
        Assert.Equal(3, store.EvictedCount);
    }

    [Fact]
    public async Task SaveAsync_FileOutgrowsCompactionFactor_CompactsToLatestSnapshots()
    {
        var options = Options();
        await using (var store = await FileEpisodeStore.OpenAsync(options))
        {
            for (var i = 0; i < 1_200; i++)
            {
                await store.SaveAsync(NewEpisode($"ep-{i % 10}", EpisodeState.Firing, i, "api"));
            }

            Assert.Equal(1, store.CompactionCount);
            Assert.True(store.LineCount < 1_000, $"{store.LineCount} lines after compaction");
            Assert.True(new FileInfo(store.FilePath).Length < 1_000 * Encoding.UTF8.GetByteCount(Json(NewEpisode("ep-1", EpisodeState.Firing, 1_000, "api"))));
        }

        Assert.True(File.ReadAllLines(FilePath).Length < 1_000);
        Assert.False(File.Exists(FilePath + ".compacting"));
        await using var reopened = await FileEpisodeStore.OpenAsync(options);
        Assert.Equal(10, reopened.Count);
        for (var k = 0; k < 10; k++)
        {
            var latest = 1_190 + k;
            Assert.Equal(T0.AddMinutes(latest), (await reopened.GetAsync($"ep-{k}"))!.UpdatedAt);
        }
    }

    [Fact]
    public async Task SaveAsync_BelowMinimumLines_DoesNotCompact()
    {
        await using var store = await FileEpisodeStore.OpenAsync(Options());
        for (var i = 0; i < 999; i++)
        {
            await store.SaveAsync(NewEpisode("ep-1", EpisodeState.Firing, i, "api"));
        }

        Assert.Equal(0, store.CompactionCount);
        Assert.Equal(999, store.LineCount);
    }

    [Fact]
    public async Task CompactAsync_DropsEvictedAndCorruptLines()
    {
        await SaveAndCloseAsync([.. Enumerable.Range(0, 5).Select(i => NewEpisode($"ep-{i}", EpisodeState.Resolved, i, "api"))]);
        await File.AppendAllTextAsync(FilePath, "garbage\n");
        await using (var store = await FileEpisodeStore.OpenAsync(Options(maxClosed: 2)))
        {
            await store.CompactAsync();

            Assert.Equal(2, store.LineCount);
        }

        var lines = File.ReadAllLines(FilePath);
        Assert.Equal(["ep-3", "ep-4"], lines.Select(l => JsonSerializer.Deserialize(l, CorrelationJson.Episode)!.Id));
    }

    [Fact]
    public async Task OpenAsync_OversizedFile_CompactsOnOpen()
    {
        var lines = Enumerable.Range(0, 1_000).Select(i => Json(NewEpisode("ep-1", EpisodeState.Firing, i, "api")));
        Directory.CreateDirectory(_directory);
        await File.WriteAllLinesAsync(FilePath, lines);
        await File.WriteAllTextAsync(FilePath + ".compacting", "left over by a crash");

        await using (var store = await FileEpisodeStore.OpenAsync(Options()))
        {
            Assert.Equal(1, store.CompactionCount);
            Assert.Equal(1, store.LineCount);
            Assert.Equal(T0.AddMinutes(999), (await store.GetAsync("ep-1"))!.UpdatedAt);
        }

        Assert.Single(File.ReadAllLines(FilePath));
        Assert.False(File.Exists(FilePath + ".compacting"));
    }

    [Fact]
    public async Task SaveAsync_ConcurrentWriters_LosesNothing()
    {
        const int writers = 8;
        const int perWriter = 100;
        await using (var store = await FileEpisodeStore.OpenAsync(Options()))
        {
            await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
            {
                for (var i = 0; i < perWriter; i++)
                {
                    await store.SaveAsync(NewEpisode($"ep-{w}-{i}", EpisodeState.Firing, i, $"svc-{w}"));
                }
            })));

            Assert.Equal(writers * perWriter, store.Count);
        }

        Assert.Equal(writers * perWriter, File.ReadAllLines(FilePath).Length);
        await using var reopened = await FileEpisodeStore.OpenAsync(Options());
        Assert.Equal(writers * perWriter, reopened.Count);
        Assert.Equal(0, reopened.CorruptLinesSkipped);
        for (var w = 0; w < writers; w++)
        {
            Assert.Equal(perWriter, (await reopened.ListAsync(new EpisodeQuery(Entity: $"svc-{w}"))).Count);
        }
    }

    [Fact]
    public async Task SaveAsync_AfterDispose_ThrowsObjectDisposed()
    {
        var store = await FileEpisodeStore.OpenAsync(Options());
        await store.SaveAsync(NewEpisode("ep-1", EpisodeState.Firing, 0, "api"));
        await store.DisposeAsync();
        store.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.SaveAsync(NewEpisode("ep-2", EpisodeState.Firing, 1, "api")));
        Assert.NotNull(await store.GetAsync("ep-1"));
    }

    [Fact]
    public async Task OpenAsync_SecondStoreOnSameDirectory_ThrowsIOException()
    {
        await using var first = await FileEpisodeStore.OpenAsync(Options());

        await Assert.ThrowsAsync<IOException>(() => FileEpisodeStore.OpenAsync(Options()));
    }

    [Fact]
    public async Task OpenAsync_MissingPath_ThrowsValidationException()
    {
        var error = await Assert.ThrowsAsync<ValidationException>(() => FileEpisodeStore.OpenAsync(new FileEpisodeStoreOptions()));

        Assert.Contains("Path", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_CompactionFactorBelowTwo_ThrowsValidationException()
    {
        var options = Options();
        options.CompactionFactor = 1;

        await Assert.ThrowsAsync<ValidationException>(() => FileEpisodeStore.OpenAsync(options));
    }

    [Fact]
    public async Task OpenAsync_FileWithByteOrderMark_ReadsFirstLine()
    {
        Directory.CreateDirectory(_directory);
        await File.WriteAllTextAsync(FilePath, Json(NewEpisode("ep-1", EpisodeState.Firing, 0, "api")) + "\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        await using var store = await FileEpisodeStore.OpenAsync(Options());

        Assert.NotNull(await store.GetAsync("ep-1"));
        Assert.Equal(0, store.CorruptLinesSkipped);
    }

    [Fact]
    public async Task OpenAsync_LineLongerThanReadBuffer_IsRead()
    {
        var labels = Enumerable.Range(0, 5_000).ToDictionary(i => $"label-{i}", i => new string('x', 40));
        var big = NewEpisode("ep-big", EpisodeState.Firing, 0, "api") with
        {
            Members = [new EpisodeMember(new ChangeSignal("c", "deploy", T0, labels, ChangeKind.Deploy), "api", T0, T0, 0, 0, true)],
        };
        await SaveAndCloseAsync(big, NewEpisode("ep-small", EpisodeState.Firing, 1, "api"));
        Assert.True(new FileInfo(FilePath).Length > 200_000);

        await using var store = await FileEpisodeStore.OpenAsync(Options());

        Assert.Equal(Json(big), Json((await store.GetAsync("ep-big"))!));
        Assert.NotNull(await store.GetAsync("ep-small"));
    }

    private string FilePath => Path.Combine(_directory, FileEpisodeStore.FileName);

    private FileEpisodeStoreOptions Options(bool flushToDisk = false, int maxClosed = 1_000) =>
        new() { Path = _directory, FlushToDisk = flushToDisk, MaxClosedEpisodes = maxClosed };

    private async Task SaveAndCloseAsync(params Episode[] episodes)
    {
        await using var store = await FileEpisodeStore.OpenAsync(Options());
        foreach (var episode in episodes)
        {
            await store.SaveAsync(episode);
        }
    }

    private static string Json(Episode episode) => JsonSerializer.Serialize(episode, CorrelationJson.Episode);

    private static async Task<InMemoryEpisodeStore> StoreWithMixedEpisodesAsync()
    {
        var store = new InMemoryEpisodeStore();
        await store.SaveAsync(NewEpisode("ep-1", EpisodeState.Pending, 1, "api"));
        await store.SaveAsync(NewEpisode("ep-2", EpisodeState.Firing, 2, "api", "web"));
        await store.SaveAsync(NewEpisode("ep-3", EpisodeState.Resolved, 3, "db"));
        await store.SaveAsync(NewEpisode("ep-4", EpisodeState.Firing, 4, "api", "db"));
        return store;
    }

    internal static Episode NewEpisode(string id, EpisodeState state, int updatedMinute, params string[] entities)
    {
        var labels = new Dictionary<string, string> { ["service"] = entities[0] };
        var signal = new AnomalySignal($"{id}-fp", "http_requests_total", T0, labels, 0.99, Direction.Up, 4.5);
        return new Episode(
            id,
            state,
            T0,
            T0.AddMinutes(updatedMinute),
            entities,
            [new EpisodeMember(signal, entities[0], T0, T0.AddMinutes(updatedMinute), 0, 0.99, state is EpisodeState.Pending or EpisodeState.Firing)],
            [],
            [new StateTransition(T0, null, EpisodeState.Pending, "first signal")],
            1,
            null);
    }
}

internal static class EpisodeStoreTestExtensions
{
    /// <summary>Saves every episode and lists them back: the order a store must reproduce.</summary>
    public static async Task<IReadOnlyList<Episode>> SaveAllAsync(this InMemoryEpisodeStore store, IEnumerable<Episode> episodes)
    {
        foreach (var episode in episodes)
        {
            await store.SaveAsync(episode);
        }

        return await store.ListAsync();
    }
}
