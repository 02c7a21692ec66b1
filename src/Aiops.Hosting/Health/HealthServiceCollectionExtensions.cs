using Aiops.Hosting.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Aiops.Hosting.Health;

/// <summary>Registers the Aiops health checks; called once from <c>AddAiops</c>.</summary>
internal static class HealthServiceCollectionExtensions
{
    /// <summary>Adds the <c>pipeline</c>, <c>source-freshness</c>, <c>store-writable</c> and <c>dependencies</c> checks, tagged <c>aiops</c>. Idempotent.</summary>
    /// <param name="services">The services; <c>AddAiops</c>'s core and pipeline services must be registered too.</param>
    /// <returns>The same services.</returns>
    public static IServiceCollection AddAiopsHealthServices(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(static d => d.ServiceType == typeof(HealthMarker)))
        {
            return services;
        }

        services.AddSingleton<HealthMarker>();
        MetricsServiceCollectionExtensions.AddAiopsMetricsServices(services);
        services.AddOptions<AiopsHealthOptions>().BindConfiguration(AiopsHealthOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AiopsHealthOptions>>(new SectionOptionsValidator<AiopsHealthOptions>(AiopsHealthOptions.SectionName)));
        services.TryAddSingleton<DependencyHealth>();
        string[] tags = [AiopsHealthOptions.Tag];
        services.AddHealthChecks()
            .Add(new HealthCheckRegistration("pipeline", static sp => ActivatorUtilities.CreateInstance<PipelineHealthCheck>(sp), null, tags))
            .Add(new HealthCheckRegistration("source-freshness", static sp => ActivatorUtilities.CreateInstance<SourceFreshnessHealthCheck>(sp), null, tags))
            .Add(new HealthCheckRegistration("store-writable", static sp => ActivatorUtilities.CreateInstance<StoreWritableHealthCheck>(sp), null, tags))
            .Add(new HealthCheckRegistration("dependencies", static sp => ActivatorUtilities.CreateInstance<DependencyHealthCheck>(sp), null, tags));
        return services;
    }

    /// <summary>Marks that the health checks are registered.</summary>
    private sealed class HealthMarker;
}
