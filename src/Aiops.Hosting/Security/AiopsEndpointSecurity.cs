using Aiops.Hosting.Api;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Aiops.Hosting.Security;

/// <summary>The kinds of endpoint that change state, each authenticated its own way.</summary>
internal enum AiopsWriteEndpoint
{
    /// <summary>The Alertmanager webhook: its own bearer or basic credentials, or the host's authorization on the endpoint.</summary>
    Webhook,

    /// <summary>Approve and reject: the approval policy (the approval token or a host scheme).</summary>
    Approval,
}

/// <summary>Endpoint metadata that marks an Aiops endpoint that changes state.</summary>
/// <param name="Kind">Which kind.</param>
internal sealed record AiopsWriteEndpointMetadata(AiopsWriteEndpoint Kind);

/// <summary>
/// Refuses to start a web host whose Aiops write endpoints accept anonymous callers, unless the host opted out with
/// <see cref="AiopsOptions.AllowAnonymous"/> in the Development environment (then each open endpoint is logged as a warning).
/// Runs once the request pipeline is built, so it sees every endpoint with the conventions of its groups, and fails the
/// start before the server listens.
/// </summary>
internal sealed partial class AiopsEndpointSecurityFilter(
    IOptions<AiopsOptions> options,
    IOptionsMonitor<AiopsApiOptions> api,
    IAuthenticationSchemeProvider schemes,
    IAuthorizationPolicyProvider policies,
    IHostEnvironment environment,
    ILogger<AiopsEndpointSecurityFilter> logger) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        next(app);
        Check(app.ApplicationServices.GetService<EndpointDataSource>()?.Endpoints ?? []);
    };

    /// <summary>Checks the endpoints; throws when one is open and anonymous access was not allowed.</summary>
    /// <exception cref="InvalidOperationException">An endpoint is open, or <see cref="AiopsOptions.AllowAnonymous"/> is set outside Development.</exception>
    internal void Check(IReadOnlyList<Endpoint> endpoints)
    {
        var allowAnonymous = options.Value.AllowAnonymous;
        if (allowAnonymous && !environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                $"Aiops:AllowAnonymous is set, but it is honoured only in the Development environment (this is '{environment.EnvironmentName}'). Configure authentication for the write endpoints instead (see the README's Security section).");
        }

        var open = new List<(AiopsWriteEndpoint Kind, string Problem)>();
        foreach (var endpoint in endpoints)
        {
            if (endpoint.Metadata.GetMetadata<AiopsWriteEndpointMetadata>() is not { } write)
            {
                continue;
            }

            var problem = write.Kind switch
            {
                AiopsWriteEndpoint.Webhook when !HasOwnCredentials(options.Value.Alertmanager) && !RequiresMoreThanAssertions(endpoint) =>
                    "set Aiops:Alertmanager:BearerToken (or BasicAuthUser and BasicAuthPassword), or add RequireAuthorization() with a policy that authenticates the caller to the endpoint (a policy of assertions alone, such as the open read policy, admits anyone)",
                AiopsWriteEndpoint.Approval when !CanAuthenticateApprovers() =>
                    "set Aiops:Api:ApprovalToken, or register an authentication scheme of your own",
                _ => null,
            };
            if (problem is not null)
            {
                open.Add((write.Kind, $"{Describe(endpoint)}: {problem}"));
            }
        }

        if (open.Count == 0)
        {
            return;
        }

        if (!allowAnonymous)
        {
            throw new InvalidOperationException(
                "Aiops write endpoints have no authentication configured, so anyone who can reach them could post alerts or approve actions: "
                + string.Join("; ", open.Select(static o => o.Problem))
                + ". For local development only, Aiops:AllowAnonymous=true in the Development environment accepts anonymous alerts (approvals stay authenticated).");
        }

        foreach (var (kind, problem) in open)
        {
            if (kind == AiopsWriteEndpoint.Webhook)
            {
                AnonymousAllowed(logger, problem);
            }
            else
            {
                NobodyCanApprove(logger, problem);
            }
        }
    }

    /// <summary>Whether the webhook has credentials of its own: a bearer token, or a basic user and password, none empty.</summary>
    internal static bool HasOwnCredentials(AlertmanagerWebhookOptions webhook) =>
        !string.IsNullOrEmpty(webhook.BearerToken)
        || (!string.IsNullOrEmpty(webhook.BasicAuthUser) && !string.IsNullOrEmpty(webhook.BasicAuthPassword));

    /// <summary>Whether the host's own authorization guards the endpoint (<c>RequireAuthorization()</c>, not overridden by anonymous).</summary>
    internal static bool IsAuthorizedByHost(Endpoint? endpoint) =>
        endpoint?.Metadata.GetMetadata<IAuthorizeData>() is not null && endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null;

    // The endpoint's authorization, its policies combined, holds a requirement other than assertions (an authenticated user,
    // roles, claims, a requirement of the host's own): an assertion cannot be read, and the open read policy is one that
    // admits anyone, so assertions alone do not count as protection.
    private bool RequiresMoreThanAssertions(Endpoint endpoint)
    {
        if (!IsAuthorizedByHost(endpoint))
        {
            return false;
        }

        var policy = AuthorizationPolicy.CombineAsync(policies, endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>(), endpoint.Metadata.GetOrderedMetadata<AuthorizationPolicy>())
            .GetAwaiter().GetResult();
        return policy is not null && policy.Requirements.Any(static r => r is not Microsoft.AspNetCore.Authorization.Infrastructure.AssertionRequirement);
    }

    private bool CanAuthenticateApprovers() =>
        !string.IsNullOrEmpty(api.CurrentValue.ApprovalToken)
        || schemes.GetAllSchemesAsync().GetAwaiter().GetResult().Any(static s => s.Name != AiopsApiOptions.ApprovalTokenScheme);

    private static string Describe(Endpoint endpoint) =>
        endpoint is RouteEndpoint route ? "/" + route.RoutePattern.RawText?.TrimStart('/') : endpoint.DisplayName ?? "(an endpoint)";

    [LoggerMessage(EventId = 5140, Level = LogLevel.Warning, Message = "Aiops:AllowAnonymous (Development only): {Endpoint}. Anyone who can reach this host can post alerts; never deploy this configuration.")]
    private static partial void AnonymousAllowed(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 5141, Level = LogLevel.Warning, Message = "Aiops:AllowAnonymous (Development only): {Endpoint}. Approvals are never anonymous, so every approval is refused (401) until one is configured.")]
    private static partial void NobodyCanApprove(ILogger logger, string endpoint);
}
