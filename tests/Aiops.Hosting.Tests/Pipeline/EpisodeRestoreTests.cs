using Aiops.Correlation;
using Aiops.Hosting.Alertmanager;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Aiops.Hosting.Tests.Pipeline;

public sealed class EpisodeRestoreTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("aiops-restore-");

    [Fact]
    public async Task StartAsync_StoredFiringEpisodeWithLastSeenAtMaxValue_StartsAndResumesItAsSeenNow()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var now = time.GetUtcNow();
        var alert = new AlertSignal("fp-1", "HighErrorRate", now.AddMinutes(-5), new Dictionary<string, string> { ["service"] = "api" }, AlertStatus.Firing, null, null, new Dictionary<string, string>());
        // Parseable JSON, valid ids and fields; only lastSeen is at the end of the calendar.
        var hostile = new Episode(
            "ep-000001", EpisodeState.Firing, now.AddMinutes(-5), now, ["api"],
            [new EpisodeMember(alert, "api", now.AddMinutes(-5), DateTimeOffset.MaxValue, 0, 1, true)],
            [], [], 1, null);
        await using (var writing = FileEpisodeStore.Open(new FileEpisodeStoreOptions { Path = _directory.FullName }))
        {
            await writing.SaveAsync(hostile);
        }

        await using var store = FileEpisodeStore.Open(new FileEpisodeStoreOptions { Path = _directory.FullName });
        Assert.Single(await store.ListAsync()); // the store reads it back: it is not a corrupt line
        var correlator = new Correlator(new CorrelatorOptions(), null, null, time);
        var service = new EpisodeRestoreService(store, correlator, new ResolvedAlertMemory(time), NullLogger<EpisodeRestoreService>.Instance);

        await service.StartAsync(CancellationToken.None); // threw (an un-representable DateTime) and stopped the host

        // Resumed as if last seen now: it stays firing while its alert is fresh, then goes stale and resolves like any other.
        Assert.Equal(1, correlator.OpenCount);
        time.Advance(new CorrelatorOptions().AlertStaleAfter + TimeSpan.FromMinutes(1));
        correlator.Tick();
        time.Advance(new CorrelatorOptions().ResolveAfter + TimeSpan.FromMinutes(1));
        correlator.Tick();
        Assert.Equal(0, correlator.OpenCount);
    }

    public void Dispose() => _directory.Delete(recursive: true);
}
