using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using System.Diagnostics.CodeAnalysis;
using Aiops.Correlation;
using Aiops.Hosting;
using Aiops.Hosting.Alertmanager;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Aiops.Hosting.Tests.Alertmanager;

/// <summary>A real Kestrel on 127.0.0.1 (ephemeral port) with <c>AddAiops()</c> and the webhook mapped.</summary>
internal sealed class AlertmanagerTestHost : IAsyncDisposable
{
    private AlertmanagerTestHost(WebApplication app, Uri address)
    {
        App = app;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public AiopsPipelineWriter Writer => App.Services.GetRequiredService<AiopsPipelineWriter>();

    public static async Task<AlertmanagerTestHost> StartAsync(IDictionary<string, string?>? settings = null, TimeProvider? time = null)
    {
        var app = Build(settings, time);
        return new AlertmanagerTestHost(app, await Loopback.StartAsync(app));
    }

    [SuppressMessage("Reliability", "CA2000", Justification = "The host owns the application.")]
    public static WebApplication Build(IDictionary<string, string?>? settings = null, TimeProvider? time = null)
    {
        // Most tests post anonymously on purpose (the Development-only opt-out); those about credentials configure them.
        var (config, environment) = AnonymousDevelopment.Unless(settings, "Aiops:Alertmanager:BearerToken", "Aiops:Alertmanager:BasicAuthUser");
        var builder = Loopback.CreateBuilder(config, environment);
        builder.Services.AddAiops();
        // These tests read what the endpoint wrote straight from the signal channel, so the stages must not consume it.
        builder.Services.RemoveAll<IHostedService>();
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        var app = builder.Build();
        app.MapAiopsAlertmanager();
        return app;
    }

    public List<Signal> DrainSignals()
    {
        var signals = new List<Signal>();
        while (Writer.Signals.Reader.TryRead(out var signal))
        {
            signals.Add(signal);
        }

        return signals;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

/// <summary>The recorded Alertmanager 0.25 payloads in <c>../shared/data/alertmanager</c>, next to the repository.</summary>
internal static class RecordedPayloads
{
    public static readonly string? Directory = Locate();

    public static string Firing => File.ReadAllText(Path.Combine(Directory!, "webhook-v4-firing.json"));

    public static string Resolved => File.ReadAllText(Path.Combine(Directory!, "webhook-v4-resolved.json"));

    private static string? Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Aiops.sln")))
            {
                var data = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", "alertmanager"));
                return File.Exists(Path.Combine(data, "webhook-v4-firing.json")) && File.Exists(Path.Combine(data, "webhook-v4-resolved.json")) ? data : null;
            }
        }

        return null;
    }
}

/// <summary>A fact that is skipped, saying why, when the recorded payloads are not next to the repository.</summary>
internal sealed class RecordedPayloadFactAttribute : FactAttribute
{
    public RecordedPayloadFactAttribute()
    {
        if (RecordedPayloads.Directory is null)
        {
            Skip = "Recorded Alertmanager payloads not found: expected ../shared/data/alertmanager/webhook-v4-{firing,resolved}.json next to the directory containing Aiops.sln.";
        }
    }
}
