using System.Diagnostics.CodeAnalysis;
using Aiops.Hosting.Health;
using Aiops.Hosting.Tests.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Aiops.Hosting.Tests.Sources;

public sealed class PrometheusOutageTests
{
    [Fact]
    public async Task PollOnce_ServerDownThenBack_OneWarningPerStateChangeNoStackTracesHealthFollows()
    {
        var up = false;
        var (prometheus, address) = await StartPrometheusAsync(() => up
            ? Results.Text("""{"status":"success","data":{"resultType":"matrix","result":[]}}""", "application/json")
            : Results.StatusCode(StatusCodes.Status503ServiceUnavailable));
        await using var _ = prometheus;
        var logs = new FakeLogCollector();
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var host = BuildHost(time, address, logs);
        var source = host.Services.GetServices<IHostedService>().OfType<PrometheusSource>().Single();
        var health = host.Services.GetRequiredService<DependencyHealth>();

        for (var i = 0; i < 5; i++)
        {
            await source.PollOnceAsync(CancellationToken.None);
            time.Advance(TimeSpan.FromSeconds(15));
        }

        var failing = Assert.Single(health.Snapshot());
        Assert.Contains("HTTP 503", failing.Value.Reason, StringComparison.Ordinal);
        up = true;
        await source.PollOnceAsync(CancellationToken.None);

        var records = logs.GetSnapshot();
        Assert.Single(records, r => r.Id.Id == 5120 && r.Level == LogLevel.Warning);
        Assert.Equal(4, records.Count(r => r.Id.Id == 5121 && r.Level == LogLevel.Debug));
        Assert.Single(records, r => r.Id.Id == 5122 && r.Level == LogLevel.Information);
        Assert.DoesNotContain(records, r => r.Level >= LogLevel.Warning && (r.Exception is not null || r.Category == "Polly"));
        Assert.Empty(health.Snapshot());
    }

    [Fact]
    public async Task PollOnce_BaseAddressWithCredentialsServerDown_SecretNeitherInHealthNorInLogs()
    {
        var (prometheus, address) = await StartPrometheusAsync(() => Results.StatusCode(StatusCodes.Status503ServiceUnavailable));
        await using var _ = prometheus;
        var logs = new FakeLogCollector();
        using var host = BuildHost(new FakeTimeProvider(PipelineTestHost.Start), new UriBuilder(address) { UserName = "aiops", Password = "s3cret-pw" }.Uri, logs);
        var source = host.Services.GetServices<IHostedService>().OfType<PrometheusSource>().Single();

        await source.PollOnceAsync(CancellationToken.None);

        var failing = Assert.Single(host.Services.GetRequiredService<DependencyHealth>().Snapshot());
        Assert.Contains(address.Authority, failing.Key, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pw", failing.Key + failing.Value.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.GetSnapshot(), r => r.Message.Contains("s3cret-pw", StringComparison.Ordinal));
    }

    // A fake Prometheus on a free loopback port whose query_range answers with the handler.
    [SuppressMessage("Reliability", "CA2000", Justification = "The caller disposes the application.")]
    private static async Task<(WebApplication App, Uri Address)> StartPrometheusAsync(Func<IResult> answer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var prometheus = builder.Build();
        prometheus.MapGet("/api/v1/query_range", answer);
        await prometheus.StartAsync();
        return (prometheus, new Uri(prometheus.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()));
    }

    private static IHost BuildHost(FakeTimeProvider time, Uri address, FakeLogCollector logs) =>
        PipelineTestHost.Build(
            time,
            b => b.AddPrometheusSource(o =>
            {
                o.BaseAddress = address;
                o.Queries.Add(new PrometheusQuery { Expr = "up" });
                o.PollInterval = TimeSpan.FromHours(1);
                o.RetryDelay = TimeSpan.FromMilliseconds(10);
            }),
            services: s => s.AddLogging(l => l.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(logs))),
            pipeline: false);
}
