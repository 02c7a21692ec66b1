using System.Net;
using System.Text;
using Aiops.Correlation;

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
