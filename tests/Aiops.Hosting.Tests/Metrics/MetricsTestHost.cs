using System.Diagnostics.CodeAnalysis;
using Aiops.Hosting.Health;
using Aiops.Hosting.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Aiops.Hosting.Tests.Metrics;

/// <summary>A real Kestrel on 127.0.0.1 (ephemeral port) with <c>AddAiops()</c>, the metrics and the health endpoints mapped.</summary>
internal sealed class MetricsTestHost : IAsyncDisposable
{
    private MetricsTestHost(WebApplication app, Uri address)
    {
        App = app;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public T Get<T>()
        where T : notnull => App.Services.GetRequiredService<T>();

    [SuppressMessage("Reliability", "CA2000", Justification = "The test host owns the application.")]
    public static async Task<MetricsTestHost> StartAsync(
        TimeProvider time,
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null)
    {
        var builder = Loopback.CreateBuilder(settings);
        builder.Services.AddSingleton(time);
        builder.Services.AddAiops();
        MetricsServiceCollectionExtensions.AddAiopsMetricsServices(builder.Services);
        HealthServiceCollectionExtensions.AddAiopsHealthServices(builder.Services);
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapAiopsMetrics();
        app.MapAiopsHealth();
        return new MetricsTestHost(app, await Loopback.StartAsync(app));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
