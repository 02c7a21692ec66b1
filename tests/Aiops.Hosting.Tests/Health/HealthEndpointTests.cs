using System.Net;
using System.Text.Json;
using Aiops.Correlation;
using Aiops.Detection;
using Aiops.Hosting.Metrics;
using Aiops.Hosting.Tests.Metrics;
using Aiops.Hosting.Tests.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Aiops.Hosting.Tests.Health;

public sealed class HealthEndpointTests
{
    [Fact]
    public async Task GetHealth_PipelineRunningAndSamplesArriving_ReturnsHealthy()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        await using var host = await MetricsTestHost.StartAsync(time);
        await FeedAsync(host, time);

        var (status, body) = await GetHealthAsync(host);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        var checks = body.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("pipeline").GetProperty("status").GetString());
        Assert.Equal("Healthy", checks.GetProperty("source-freshness").GetProperty("status").GetString());
        Assert.Equal("Healthy", checks.GetProperty("store-writable").GetProperty("status").GetString());
        Assert.Equal(0, checks.GetProperty("pipeline").GetProperty("data").GetProperty("samples_queued").GetInt32());
    }

    [Fact]
    public async Task GetHealth_NoSampleForThreeIntervals_ReturnsDegraded()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        await using var host = await MetricsTestHost.StartAsync(time, new Dictionary<string, string?>
        {
            ["Aiops:Health:SourceInterval"] = "00:00:10",
            ["Aiops:Health:StaleAfterIntervals"] = "3",
        });
        await FeedAsync(host, time);
        time.Advance(TimeSpan.FromSeconds(29));
        var (_, fresh) = await GetHealthAsync(host);
        Assert.Equal("Healthy", fresh.GetProperty("checks").GetProperty("source-freshness").GetProperty("status").GetString());

        time.Advance(TimeSpan.FromSeconds(2));
        var (status, body) = await GetHealthAsync(host);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Degraded", body.GetProperty("status").GetString());
        var freshness = body.GetProperty("checks").GetProperty("source-freshness");
        Assert.Equal("Degraded", freshness.GetProperty("status").GetString());
        Assert.Equal(30, freshness.GetProperty("data").GetProperty("stale_after_seconds").GetDouble());
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("pipeline").GetProperty("status").GetString());
    }

    [Fact]
    public async Task GetHealth_NoSampleSinceStart_DegradedAfterThreshold()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        await using var host = await MetricsTestHost.StartAsync(time);
        Assert.Equal("Healthy", (await GetHealthAsync(host)).Body.GetProperty("status").GetString());

        time.Advance(TimeSpan.FromMinutes(3.5));

        var (_, body) = await GetHealthAsync(host);
        Assert.Equal("Degraded", body.GetProperty("checks").GetProperty("source-freshness").GetProperty("status").GetString());
        Assert.Equal("never", body.GetProperty("checks").GetProperty("source-freshness").GetProperty("data").GetProperty("last_sample_at").GetString());
    }

    [Fact]
    public async Task GetHealth_StagesNotRunning_ReturnsUnhealthy503()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        await using var host = await MetricsTestHost.StartAsync(time, services: static s => s.RemoveAll<IHostedService>());

        var (status, body) = await GetHealthAsync(host);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", body.GetProperty("checks").GetProperty("pipeline").GetProperty("status").GetString());
    }

    [Fact]
    public async Task GetHealth_FileStoreInWritableDirectory_StoreWritableHealthy()
    {
        var directory = Directory.CreateTempSubdirectory("aiops-health-");
        try
        {
            var time = new FakeTimeProvider(PipelineTestHost.Start);
            await using (var host = await MetricsTestHost.StartAsync(time, services: s =>
                s.AddSingleton<IEpisodeStore>(_ => FileEpisodeStore.Open(new FileEpisodeStoreOptions { Path = directory.FullName }))))
            {
                var (_, body) = await GetHealthAsync(host);
                var store = body.GetProperty("checks").GetProperty("store-writable");
                Assert.Equal("Healthy", store.GetProperty("status").GetString());
                Assert.Equal(nameof(FileEpisodeStore), store.GetProperty("data").GetProperty("store").GetString());
            }

            Assert.DoesNotContain(directory.GetFiles(), f => f.Name.StartsWith(".aiops-health-", StringComparison.Ordinal));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task GetHealth_StoreHangs_StoreWritableUnhealthy503()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        await using var host = await MetricsTestHost.StartAsync(
            time,
            new Dictionary<string, string?> { ["Aiops:Health:StoreTimeout"] = "00:00:00.100" },
            static s => s.AddSingleton<IEpisodeStore, HangingStore>());

        var (status, body) = await GetHealthAsync(host);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", body.GetProperty("checks").GetProperty("store-writable").GetProperty("status").GetString());
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("pipeline").GetProperty("status").GetString());
    }

    private static async Task FeedAsync(MetricsTestHost host, FakeTimeProvider time)
    {
        var writer = host.Get<AiopsPipelineWriter>();
        Assert.True(writer.TryWriteSample(new MetricSample(new SeriesKey("fed"), time.GetUtcNow(), 1)));
        var activity = host.Get<PipelineActivity>();
        Assert.True(await PipelineTestHost.WaitUntilAsync(() => activity.LastSampleAt is not null));
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> GetHealthAsync(MetricsTestHost host)
    {
        using var response = await host.Client.GetAsync(new Uri("/aiops/health", UriKind.Relative));
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, document.RootElement.Clone());
    }

    private sealed class HangingStore : IEpisodeStore
    {
        public ValueTask SaveAsync(Episode episode, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask<Episode?> GetAsync(string id, CancellationToken cancellationToken = default) => ValueTask.FromResult<Episode?>(null);

        public async ValueTask<IReadOnlyList<Episode>> ListAsync(EpisodeQuery? query = null, CancellationToken cancellationToken = default)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return [];
        }
    }
}
