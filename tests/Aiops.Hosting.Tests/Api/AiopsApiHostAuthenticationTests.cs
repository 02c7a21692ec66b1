using System.Net;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Aiops.Gates;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Aiops.Hosting.Tests.Api;

/// <summary>A host with authentication of its own: its user approves, and its policy wins over the default one.</summary>
public sealed class AiopsApiHostAuthenticationTests
{
    [Fact]
    public async Task Approve_HostSingleScheme_RecordsAuthenticatedNameNotBy()
    {
        var (engine, log, _) = ApiFixtures.Engine();
        await using var host = await ApiTestHost.StartAsync(configure: s =>
        {
            s.AddSingleton(engine);
            s.AddAuthentication().AddScheme<AuthenticationSchemeOptions, HeaderUserHandler>("HeaderUser", null);
        });
        var decision = await engine.DecideAsync(ApiFixtures.Proposal("k1"));

        using var anonymous = await PostAsync(host, decision.DecisionId, user: null);
        using var response = await PostAsync(host, decision.DecisionId, user: "bob");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("bob", Assert.Single(log.Entries.OfType<ApprovalEntry>()).Approval.By);
    }

    [Fact]
    public async Task Approve_HostPolicyDenies_403()
    {
        var (engine, log, _) = ApiFixtures.Engine();
        await using var host = await ApiTestHost.StartAsync(configure: s =>
        {
            s.AddSingleton(engine);
            s.AddAuthentication("HeaderUser").AddScheme<AuthenticationSchemeOptions, HeaderUserHandler>("HeaderUser", null);
            s.AddAuthorization(o => o.AddPolicy(AiopsApiOptions.ApprovalPolicy, p => p.RequireRole("oncall")));
        });
        var decision = await engine.DecideAsync(ApiFixtures.Proposal("k1"));

        using var response = await PostAsync(host, decision.DecisionId, user: "bob");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(log.Entries.OfType<ApprovalEntry>());
    }

    private static async Task<HttpResponseMessage> PostAsync(ApiTestHost host, string decisionId, string? user)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/aiops/api/approvals/{decisionId}/approve", UriKind.Relative))
        {
            Content = new StringContent("""{"by":"someone-else","why":"fix"}""", Encoding.UTF8, "application/json"),
        };
        if (user is not null)
        {
            request.Headers.Add("X-Test-User", user);
        }

        return await host.Client.SendAsync(request);
    }

    /// <summary>Authenticates the user named by the <c>X-Test-User</c> header.</summary>
    private sealed class HeaderUserHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (Request.Headers["X-Test-User"] is not [{ Length: > 0 } name])
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], Scheme.Name);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
        }
    }
}
