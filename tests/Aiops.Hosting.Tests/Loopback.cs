using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Aiops.Hosting.Tests;

/// <summary>Real Kestrel hosts on 127.0.0.1 with an ephemeral port, for integration tests.</summary>
internal static class Loopback
{
    /// <summary>A slim web application builder bound to 127.0.0.1:0, without log providers, with the given settings.</summary>
    /// <param name="settings">Configuration.</param>
    /// <param name="environment">The environment's name; <see langword="null"/> for the default (Production).</param>
    public static WebApplicationBuilder CreateBuilder(IDictionary<string, string?>? settings = null, string? environment = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        return builder;
    }

    /// <summary>Starts the application and returns the address Kestrel bound.</summary>
    public static async Task<Uri> StartAsync(WebApplication app)
    {
        await app.StartAsync();
        return new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
    }
}

/// <summary>Settings for test hosts whose write endpoints are deliberately open (the Development-only opt-out).</summary>
internal static class AnonymousDevelopment
{
    public const string Environment = "Development";

    /// <summary>
    /// The settings with <c>Aiops:AllowAnonymous</c> added, and <see cref="Environment"/> to run them in, unless
    /// <paramref name="secured"/> says one of them configures authentication (then they are returned as they are, in Production).
    /// </summary>
    public static (IDictionary<string, string?> Settings, string? Environment) Unless(IDictionary<string, string?>? settings, params string[] secured)
    {
        var result = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>());
        if (secured.Any(key => result.TryGetValue(key, out var value) && !string.IsNullOrEmpty(value)) || result.ContainsKey("Aiops:AllowAnonymous"))
        {
            return (result, null);
        }

        result["Aiops:AllowAnonymous"] = "true";
        return (result, Environment);
    }
}
