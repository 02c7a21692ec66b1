using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Aiops.Hosting.Tests.Security;

public sealed class EndpointSecurityTests
{
    private const string Payload = """{"version":"4","groupKey":"g","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"Forged","service":"api"},"startsAt":"2026-01-01T00:00:00Z"}]}""";

    [Fact]
    public async Task Start_WebhookWithoutCredentials_RefusesNamingTheSettings()
    {
        await using var app = Build(new Dictionary<string, string?>(), map: static app => app.MapAiopsAlertmanager());

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());

        Assert.Contains("/aiops/alertmanager", error.Message, StringComparison.Ordinal);
        Assert.Contains("Aiops:Alertmanager:BearerToken", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ApprovalsWithoutAnyAuthentication_RefusesNamingTheSetting()
    {
        await using var app = Build(new Dictionary<string, string?>(), map: static app => app.MapAiopsApi());

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());

        Assert.Contains("/aiops/api/approvals/{decisionId}/approve", error.Message, StringComparison.Ordinal);
        Assert.Contains("Aiops:Api:ApprovalToken", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_AllowAnonymousOutsideDevelopment_Refuses()
    {
        await using var app = Build(new Dictionary<string, string?> { ["Aiops:AllowAnonymous"] = "true" }, map: static app => app.MapAiopsAlertmanager());

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());

        Assert.Contains("only in the Development environment", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_AllowAnonymousInDevelopment_StartsWarnsAndAcceptsAnonymousAlerts()
    {
        var logs = new FakeLogCollector();
        await using var app = Build(
            new Dictionary<string, string?> { ["Aiops:AllowAnonymous"] = "true" },
            map: static app => app.MapAiopsAlertmanager(),
            environment: "Development",
            logs: logs);
        var client = await StartAsync(app);

        using var response = await PostAsync(client, null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var warning = Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 5140);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("/aiops/alertmanager", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WebhookUnderHostAuthorization_StartsWithoutOwnCredentials()
    {
        await using var app = Build(
            new Dictionary<string, string?> { ["Aiops:Api:ApprovalToken"] = "approver" },
            map: static app => app.MapAiopsAlertmanager().RequireAuthorization(AiopsApiOptions.ApprovalPolicy));
        var client = await StartAsync(app);

        using var anonymous = await PostAsync(client, null);
        using var authenticated = await PostAsync(client, "approver");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, authenticated.StatusCode);
    }

    [Fact]
    public async Task Reads_RequireAuthenticatedReads_401WithoutCredentialsAnd200WithToken()
    {
        await using var app = Build(
            new Dictionary<string, string?> { ["Aiops:Api:ApprovalToken"] = "approver", ["Aiops:Api:RequireAuthenticatedReads"] = "true" },
            map: static app => app.MapAiopsApi());
        var client = await StartAsync(app);

        using var anonymous = await client.GetAsync(new Uri("/aiops/api/episodes", UriKind.Relative));
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/aiops/api/episodes", UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "approver");
        using var authenticated = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, authenticated.StatusCode);
    }

    [Fact]
    public async Task Reads_ByDefault_OpenWithoutCredentials()
    {
        await using var app = Build(new Dictionary<string, string?> { ["Aiops:Api:ApprovalToken"] = "approver" }, map: static app => app.MapAiopsApi());
        var client = await StartAsync(app);

        using var anonymous = await client.GetAsync(new Uri("/aiops/api/episodes", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
    }

    private static WebApplication Build(Dictionary<string, string?> settings, Action<WebApplication> map, string? environment = null, FakeLogCollector? logs = null)
    {
        var builder = Loopback.CreateBuilder(settings, environment);
        if (logs is not null)
        {
            builder.Logging.AddProvider(new FakeLoggerProvider(logs));
        }

        builder.Services.AddAiops();
        var app = builder.Build();
        map(app);
        return app;
    }

    private static async Task<HttpClient> StartAsync(WebApplication app)
    {
        var client = new HttpClient { BaseAddress = await Loopback.StartAsync(app), Timeout = TimeSpan.FromSeconds(30) };
        app.Lifetime.ApplicationStopping.Register(client.Dispose);
        return client;
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/aiops/alertmanager", UriKind.Relative))
        {
            Content = new StringContent(Payload, Encoding.UTF8, "application/json"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await client.SendAsync(request);
    }
}
