using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Aiops.Hosting.Api;

/// <summary>Registers the services of the JSON HTTP API; called once from <c>AddAiops</c>.</summary>
internal static class ApiServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="AiopsApiOptions"/> (bound from <c>Aiops:Api</c>), the OpenAPI document
    /// <see cref="AiopsApiOptions.OpenApiDocumentName"/>, authorization with the approval policy (unless the host defines it)
    /// and the built-in approval-token authentication scheme. Idempotent.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <returns>The same services.</returns>
    public static IServiceCollection AddAiopsApiServices(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(static d => d.ServiceType == typeof(ApiMarker)))
        {
            return services;
        }

        services.AddSingleton<ApiMarker>();
        services.AddOptions<AiopsApiOptions>().BindConfiguration(AiopsApiOptions.SectionName);
        // Called through a method group on purpose: Microsoft.AspNetCore.OpenApi's XML-comment source generator intercepts direct
        // AddOpenApi calls, and its generated comment cache throws (duplicate key) on this assembly because
        // Internal/OptionsValidator.cs is compiled into it and into Aiops.Detection. Without interception the document has no
        // XML-comment descriptions but is served.
        Func<IServiceCollection, string, Action<OpenApiOptions>, IServiceCollection> addOpenApi = OpenApiServiceCollectionExtensions.AddOpenApi;
        addOpenApi(services, AiopsApiOptions.OpenApiDocumentName, static o =>
            o.ShouldInclude = static d => string.Equals(d.GroupName, AiopsApiOptions.OpenApiDocumentName, StringComparison.Ordinal));
        services.AddAuthorization();
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApprovalTokenAuthenticationHandler>(AiopsApiOptions.ApprovalTokenScheme, displayName: "Aiops approval token", static _ => { });

        // Registering a scheme must not change which scheme a host with a single scheme of its own authenticates with.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<AuthenticationOptions>, KeepHostDefaultScheme>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<AuthorizationOptions>, DefaultApprovalPolicy>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<AuthorizationOptions>, DefaultReadPolicy>());
        services.TryAddEnumerable(ServiceDescriptor.Transient<Microsoft.AspNetCore.Hosting.IStartupFilter, Security.AiopsEndpointSecurityFilter>());
        return services;
    }

    /// <summary>The scheme a host authenticates with by default, when it has one besides the approval-token scheme.</summary>
    internal static string? HostDefaultScheme(AuthenticationOptions options)
    {
        if ((options.DefaultAuthenticateScheme ?? options.DefaultScheme) is { } configured)
        {
            return configured;
        }

        var others = options.Schemes.Where(static s => s.Name != AiopsApiOptions.ApprovalTokenScheme).Take(2).ToList();
        return others.Count == 1 ? others[0].Name : null;
    }

    /// <summary>Marks that the API's services are registered.</summary>
    private sealed class ApiMarker;

    /// <summary>Keeps the host's single scheme as the default it would be without the approval-token scheme.</summary>
    private sealed class KeepHostDefaultScheme : IPostConfigureOptions<AuthenticationOptions>
    {
        public void PostConfigure(string? name, AuthenticationOptions options)
        {
            if (options.DefaultScheme is null && options.DefaultAuthenticateScheme is null && HostDefaultScheme(options) is { } single)
            {
                options.DefaultScheme = single;
            }
        }
    }

    /// <summary>Adds the approval policy unless the host defined it: an authenticated user, by the host's default scheme or the approval token.</summary>
    private sealed class DefaultApprovalPolicy(IOptions<AuthenticationOptions> authentication) : IPostConfigureOptions<AuthorizationOptions>
    {
        public void PostConfigure(string? name, AuthorizationOptions options)
        {
            if (options.GetPolicy(AiopsApiOptions.ApprovalPolicy) is not null)
            {
                return;
            }

            var schemes = new List<string> { AiopsApiOptions.ApprovalTokenScheme };
            if (HostDefaultScheme(authentication.Value) is { } host && host != AiopsApiOptions.ApprovalTokenScheme)
            {
                schemes.Add(host);
            }

            options.AddPolicy(AiopsApiOptions.ApprovalPolicy, policy => policy.AddAuthenticationSchemes([.. schemes]).RequireAuthenticatedUser());
        }
    }

    /// <summary>Adds the read policy unless the host defined it: anyone, or an authenticated user when reads require it.</summary>
    private sealed class DefaultReadPolicy(IOptions<AuthenticationOptions> authentication, IOptions<AiopsApiOptions> api) : IPostConfigureOptions<AuthorizationOptions>
    {
        public void PostConfigure(string? name, AuthorizationOptions options)
        {
            if (options.GetPolicy(AiopsApiOptions.ReadPolicy) is not null)
            {
                return;
            }

            if (!api.Value.RequireAuthenticatedReads)
            {
                options.AddPolicy(AiopsApiOptions.ReadPolicy, static policy => policy.RequireAssertion(static _ => true));
                return;
            }

            var schemes = new List<string> { AiopsApiOptions.ApprovalTokenScheme };
            if (HostDefaultScheme(authentication.Value) is { } host && host != AiopsApiOptions.ApprovalTokenScheme)
            {
                schemes.Add(host);
            }

            options.AddPolicy(AiopsApiOptions.ReadPolicy, policy => policy.AddAuthenticationSchemes([.. schemes]).RequireAuthenticatedUser());
        }
    }
}
