using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Aiops.Hosting.Alertmanager;

/// <summary>Registers the services of the Alertmanager webhook endpoint; called from <c>AddAiops</c>.</summary>
internal static class AlertmanagerServiceCollectionExtensions
{
    /// <summary>Registers the webhook handler (and with it the one duplicate cache every mapped endpoint shares).</summary>
    /// <param name="services">The services.</param>
    /// <returns>The same services.</returns>
    public static IServiceCollection AddAlertmanagerWebhookServices(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<AlertmanagerWebhookHandler>();
        return services;
    }
}
