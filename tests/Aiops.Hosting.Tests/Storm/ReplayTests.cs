using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using Aiops.Correlation;
using Aiops.Detection.Tracking;
using Aiops.Hosting.Alertmanager;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Aiops.Hosting.Tests.Storm;

public sealed class ReplayTests
{
    private static readonly Dictionary<string, string?> FastLifecycle = new()
    {
        ["Aiops:Correlation:ResolveAfter"] = "00:00:10",
        ["Aiops:Correlation:ReopenWindow"] = "00:00:30",
    };

    [Fact]
    public async Task Webhook_FiringReplayOfResolvedAlertUnderNewGroupKey_OpensAndReopensNothing()
    {
        await using var host = await StormTestHost.StartAsync(FastLifecycle);
        var startsAt = host.Time.GetUtcNow();
        (string, string, string)[] alert = [("a1", "HighErrorRate", "api")];
        var firing = StormTestHost.Payload("g1", alert, startsAt);

        await host.PostBodyAsync(firing);
        Assert.True(await host.AdvanceUntilAsync(() => host.Correlator.Snapshot().Any(e => e.State == EpisodeState.Firing)));
        await host.PostBodyAsync(StormTestHost.Payload("g1", alert, startsAt, "resolved", host.Time.GetUtcNow()));
        Assert.True(await host.AdvanceUntilAsync(() => host.Correlator.Snapshot().All(e => e.State == EpisodeState.Resolved)));
        var ended = Assert.Single(host.Correlator.Snapshot()).Id;

        // Within the reopen window: the replay does not reopen the episode.
        await host.PostBodyAsync(firing.Replace("\"g1\"", "\"g2\"", StringComparison.Ordinal));
        host.Time.Advance(TimeSpan.FromSeconds(6));
        Assert.False(await Pipeline.PipelineTestHost.WaitUntilAsync(() => host.Correlator.OpenCount > 0, 1));

        // After the episode is forgotten: the replay does not open a new one.
        Assert.True(await host.AdvanceUntilAsync(() => host.Correlator.Snapshot().Count == 0, 60));
        await host.PostBodyAsync(firing.Replace("\"g1\"", "\"g3\"", StringComparison.Ordinal));
        host.Time.Advance(TimeSpan.FromSeconds(6));
        Assert.False(await Pipeline.PipelineTestHost.WaitUntilAsync(() => host.Correlator.Snapshot().Count > 0, 1));

        // The same alert firing again for real (a new startsAt) does open an episode.
        await host.PostBodyAsync(StormTestHost.Payload("g4", alert, host.Time.GetUtcNow()));
        Assert.True(await host.AdvanceUntilAsync(() => host.Correlator.Snapshot().Any(e => e.State == EpisodeState.Firing && e.Id != ended)));
    }

    [Fact]
    public async Task Webhook_ReplayOfAlertResolvedBeforeARestart_OpensNothingAndIsCounted()
    {
        var directory = Path.Combine(Path.GetTempPath(), "aiops-hosting-replay-" + Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string?>(FastLifecycle) { ["Aiops:EpisodeStorePath"] = directory };
        (string, string, string)[] alert = [("a1", "HighErrorRate", "api")];
        try
        {
            string firing;
            string ended;
            await using (var first = await StormTestHost.StartAsync(settings))
            {
                var startsAt = first.Time.GetUtcNow();
                firing = StormTestHost.Payload("g1", alert, startsAt);
                await first.PostBodyAsync(firing);
                Assert.True(await first.AdvanceUntilAsync(() => first.Correlator.Snapshot().Any(e => e.State == EpisodeState.Firing)));
                await first.PostBodyAsync(StormTestHost.Payload("g1", alert, startsAt, "resolved", first.Time.GetUtcNow()));
                Assert.True(await first.AdvanceUntilAsync(() => first.Correlator.Snapshot().All(e => e.State == EpisodeState.Resolved)));
                ended = Assert.Single(first.Correlator.Snapshot()).Id;
                Assert.True(await StoredAsync(first, episodes => episodes.Any(e => e.Id == ended && e.State == EpisodeState.Resolved)));
            }

            // A new process on the same store: its webhook never saw the resolve, the restored episode tells it.
            await using var second = await StormTestHost.StartAsync(settings);
            using var replays = new MetricCollector<long>(second.App.Services.GetRequiredService<IMeterFactory>(), HostingTelemetry.MeterName, "aiops.hosting.alertmanager.replays");
            second.Time.Advance(TimeSpan.FromMinutes(1));
            await second.PostBodyAsync(firing.Replace("\"g1\"", "\"g2\"", StringComparison.Ordinal));
            second.Time.Advance(TimeSpan.FromSeconds(6));

            Assert.False(await Pipeline.PipelineTestHost.WaitUntilAsync(() => second.Correlator.OpenCount > 0, 1));
            Assert.Equal(1, replays.GetMeasurementSnapshot().Sum(m => m.Value));
            Assert.True(await StoredAsync(second, episodes => episodes.Count == 1 && episodes[0].Id == ended && episodes[0].State == EpisodeState.Resolved));
            Assert.Empty(await second.DecisionsAsync());
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    [Fact]
    public void ResolvedAlertMemory_Seed_RemembersResolvedAlertsWithinTheWindowOnly()
    {
        var time = new FakeTimeProvider(Pipeline.PipelineTestHost.Start);
        var memory = new ResolvedAlertMemory(time);
        var now = time.GetUtcNow();
        var resolved = Alert("resolved", now.AddHours(-2));
        var stale = Alert("stale", now.AddHours(-2));
        var old = Alert("old", now.AddDays(-3));
        var anomaly = new AnomalySignal("anomaly", "rps", now.AddHours(-2), new Dictionary<string, string>(), 1, Direction.Up, 5, now.AddHours(-1), AnomalyEndReason.Recovered);
        var episode = new Episode(
            "ep-000001",
            EpisodeState.Resolved,
            now.AddDays(-3),
            now.AddHours(-1),
            ["api"],
            [
                Member(resolved, now.AddHours(-1), ResolvedAlertMemory.AlertResolvedReason),
                Member(stale, now.AddHours(-1), "no notification for 5 min"),
                Member(old, now.AddDays(-2), ResolvedAlertMemory.AlertResolvedReason),
                Member(anomaly, now.AddHours(-1), "recovered"),
            ],
            [],
            [],
            4,
            null);

        var seeded = memory.Seed([episode]);

        Assert.Equal(1, seeded);
        Assert.True(memory.IsReplay(resolved));
        Assert.False(memory.IsReplay(stale));
        Assert.False(memory.IsReplay(old));
        Assert.False(memory.IsReplay(resolved with { Onset = now })); // the same alert firing again is not a replay
        time.Advance(TimeSpan.FromDays(1));
        Assert.False(memory.IsReplay(resolved)); // a day after its end
    }

    private static AlertSignal Alert(string fingerprint, DateTimeOffset startsAt) =>
        new(fingerprint, "HighErrorRate", startsAt, new Dictionary<string, string> { ["service"] = "api" }, AlertStatus.Firing, null, null, new Dictionary<string, string>());

    private static EpisodeMember Member(Signal signal, DateTimeOffset endedAt, string reason) =>
        new(signal, "api", signal.Onset, endedAt, 0, 1, IsActive: false, endedAt, reason);

    private static async Task<bool> StoredAsync(StormTestHost host, Func<IReadOnlyList<Episode>, bool> condition)
    {
        var store = host.App.Services.GetRequiredService<IEpisodeStore>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition(await store.ListAsync(null)))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }

    [Fact]
    public async Task Webhook_StartsAtOutOfRange_400NamingTheFieldWithoutInternalTypeNames()
    {
        await using var host = await StormTestHost.StartAsync();

        var future = await PostAsync(host, StormTestHost.Payload("g", [("a1", "X", "api"), ("a2", "Y", "api")], new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero)));
        var zero = await PostAsync(host, StormTestHost.Payload("g", [("a1", "X", "api")], DateTimeOffset.MinValue));
        var wrongType = await PostAsync(host, """{"version":"4","groupKey":"g","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"X"},"startsAt":12}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, future.Status);
        Assert.Contains("alerts[0].startsAt is 9999-12-31T23:59:59Z, more than a day ahead", future.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, zero.Status);
        Assert.Contains("alerts[0].startsAt is 0001-01-01T00:00:00Z, before 2000", zero.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.Status);
        Assert.Contains("alerts[0].startsAt", wrongType.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("Aiops.", wrongType.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", wrongType.Body, StringComparison.Ordinal);
    }

    private static async Task<(HttpStatusCode Status, string Body)> PostAsync(StormTestHost host, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await host.Client.PostAsync(new Uri("/aiops/alertmanager", UriKind.Relative), content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
