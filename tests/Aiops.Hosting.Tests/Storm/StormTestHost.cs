using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Aiops.Correlation;
using Aiops.Gates;
using Aiops.Gates.Actions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Aiops.Hosting.Tests.Storm;

/// <summary>
/// A real host (Kestrel on 127.0.0.1, the whole pipeline, a fake clock) with one rule: restart the incident's service.
/// Alerts arrive through the webhook like Alertmanager sends them, retried on 503 like Alertmanager does.
/// </summary>
internal sealed class StormTestHost : IAsyncDisposable
{
    public const string Token = "storm-test-token";
    public const string IncidentService = "checkout";

    private StormTestHost(WebApplication app, Uri address, FakeTimeProvider time)
    {
        App = app;
        Time = time;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    }

    public WebApplication App { get; }

    public FakeTimeProvider Time { get; }

    public HttpClient Client { get; }

    public Correlator Correlator => App.Services.GetRequiredService<Correlator>();

    public DecisionEngine Engine => App.Services.GetRequiredService<DecisionEngine>();

    [SuppressMessage("Reliability", "CA2000", Justification = "The host owns the application.")]
    public static async Task<StormTestHost> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var time = new FakeTimeProvider(Pipeline.PipelineTestHost.Start);
        var config = new Dictionary<string, string?>
        {
            ["Aiops:Alertmanager:BearerToken"] = Token,
            ["Aiops:Correlation:PendingFor"] = "00:00:05",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        var builder = Loopback.CreateBuilder(config);
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddAiops(aiops => aiops
            .AddAction(new SimulatedAction("restart", RiskClass.Low))
            .ConfigureRemediation(o => o.Rules.Add(new RemediationRule { Action = "restart", Entities = [IncidentService] })));
        var app = builder.Build();
        app.MapAiopsAlertmanager();
        return new StormTestHost(app, await Loopback.StartAsync(app), time);
    }

    /// <summary>Posts one notification, retrying while the webhook answers 503 (as Alertmanager does).</summary>
    public Task PostAsync(string groupKey, IEnumerable<(string Fingerprint, string Name, string Service)> alerts) =>
        PostBodyAsync(Payload(groupKey, alerts, Time.GetUtcNow()));

    /// <summary>Posts one notification body, retrying while the webhook answers 503 (as Alertmanager does).</summary>
    public async Task PostBodyAsync(string body)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await Client.PostAsync(new Uri("/aiops/alertmanager", UriKind.Relative), content);
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt > 200)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                return;
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Advances the clock a second at a time until <paramref name="condition"/> holds, at most <paramref name="seconds"/> steps.</summary>
    public async Task<bool> AdvanceUntilAsync(Func<bool> condition, int seconds = 60)
    {
        for (var i = 0; i < seconds; i++)
        {
            if (await Pipeline.PipelineTestHost.WaitUntilAsync(condition, 0.5))
            {
                return true;
            }

            Time.Advance(TimeSpan.FromSeconds(1));
        }

        return await Pipeline.PipelineTestHost.WaitUntilAsync(condition, 30);
    }

    public async Task<List<DecisionEntry>> DecisionsAsync() =>
        await Engine.AuditLog.ReadAllAsync().OfType<DecisionEntry>().ToListAsync();

    public static string Payload(string groupKey, IEnumerable<(string Fingerprint, string Name, string Service)> alerts, DateTimeOffset startsAt, string status = "firing", DateTimeOffset? endsAt = null)
    {
        var json = new StringBuilder();
        json.Append(CultureInfo.InvariantCulture, $$"""{"version":"4","groupKey":"{{groupKey}}","status":"{{status}}","receiver":"aiops","alerts":[""");
        var first = true;
        foreach (var (fingerprint, name, service) in alerts)
        {
            json.Append(first ? string.Empty : ",");
            json.Append(CultureInfo.InvariantCulture, $$"""{"status":"{{status}}","labels":{"alertname":"{{name}}","service":"{{service}}"},"annotations":{},"startsAt":"{{startsAt:O}}","endsAt":"{{endsAt ?? DateTimeOffset.MinValue:O}}","fingerprint":"{{fingerprint}}"}""");
            first = false;
        }

        return json.Append("]}").ToString();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
