using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Aiops.Hosting.Api;

/// <summary>
/// The built-in approval scheme: <c>Authorization: Bearer &lt;token&gt;</c> with <see cref="AiopsApiOptions.ApprovalToken"/>,
/// compared in constant time (hashes of both, so neither content nor length leaks). No token configured: no result.
/// </summary>
internal sealed class ApprovalTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptionsMonitor<AiopsApiOptions> api)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The name of a caller authenticated by the token.</summary>
    public const string TokenUserName = "approval-token";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = api.CurrentValue.ApprovalToken;
        if (string.IsNullOrEmpty(token))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var header = Request.Headers.Authorization;
        if (header.Count != 1 || header[0] is not { } value)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var span = value.AsSpan().Trim();
        var space = span.IndexOf(' ');
        if (space <= 0 || !span[..space].Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!Secrets.Matches(Secrets.Hash(token), span[(space + 1)..].Trim()))
        {
            return Task.FromResult(AuthenticateResult.Fail("Invalid approval token."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, TokenUserName)], Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }
}
