using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Aiops.Hosting.Tests.Security;

public sealed class WebhookAuthenticationTests
{
    private const string Payload = """{"version":"4","groupKey":"g","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"Forged","service":"api"},"startsAt":"2026-01-01T00:00:00Z"}]}""";

    [Fact]
    public async Task Start_WebhookWithEmptyBasicCredentials_RefusesOrRejectsEmptyCredentials()
    {
        var builder = Loopback.CreateBuilder(new Dictionary<string, string?>
        {
            ["Aiops:Alertmanager:BasicAuthUser"] = "",
            ["Aiops:Alertmanager:BasicAuthPassword"] = "",
        });
        builder.Services.AddAiops();
        await using var app = builder.Build();
        app.MapAiopsAlertmanager();

        // Secure by default: empty user and password are no authentication, yet the start-up check counts them as configured.
        var error = await Record.ExceptionAsync(() => app.StartAsync());
        if (error is not null)
        {
            return;
        }

        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
        using var forged = await PostAsync(client, new AuthenticationHeaderValue("Basic", "Og==")); // ":" — guessable by anyone
        await app.StopAsync();
        Assert.Fail($"The host started in Production with empty basic credentials; a post with 'Basic Og==' got {(int)forged.StatusCode}.");
    }

    [Fact]
    public async Task Start_WebhookUnderOpenReadPolicy_Refuses()
    {
        var builder = Loopback.CreateBuilder(new Dictionary<string, string?> { ["Aiops:Api:ApprovalToken"] = "approver" });
        builder.Services.AddAiops();
        await using var app = builder.Build();
        app.MapAiopsAlertmanager().RequireAuthorization(AiopsApiOptions.ReadPolicy); // AiopsRead admits anyone by default

        var error = await Record.ExceptionAsync(() => app.StartAsync());
        if (error is not null)
        {
            return;
        }

        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
        using var anonymous = await PostAsync(client, null);
        await app.StopAsync();
        Assert.Fail($"The host started in Production with an anonymous-admitting policy on the webhook; an anonymous post got {(int)anonymous.StatusCode}.");
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, AuthenticationHeaderValue? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/aiops/alertmanager", UriKind.Relative))
        {
            Content = new StringContent(Payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = authorization;
        return await client.SendAsync(request);
    }
}
