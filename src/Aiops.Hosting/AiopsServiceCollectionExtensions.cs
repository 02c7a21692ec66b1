using Aiops.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Aiops in a host: <c>services.AddAiops()</c> or <c>builder.AddAiops()</c>.</summary>
public static class AiopsServiceCollectionExtensions
{
    /// <summary>Adds the Aiops pipeline with its defaults (see <see cref="AddAiops(IServiceCollection, Action{AiopsBuilder})"/>).</summary>
    /// <param name="services">The services.</param>
    /// <returns>The same services, for chaining.</returns>
    public static IServiceCollection AddAiops(this IServiceCollection services) => services.AddAiops(static _ => { });

    /// <summary>
    /// Adds the Aiops pipeline. Options bind from the <c>Aiops</c> configuration section and are validated when the host
    /// starts. Safe to call more than once: services are registered once, and every <paramref name="configure"/> runs.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures sources, gates and actions.</param>
    /// <returns>The same services, for chaining.</returns>
    public static IServiceCollection AddAiops(this IServiceCollection services, Action<AiopsBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        if (!services.Any(d => d.ServiceType == typeof(AiopsMarker)))
        {
            services.AddSingleton<AiopsMarker>();
            services.AddMetrics();
            services.TryAddSingleton(TimeProvider.System);
            services.AddOptions<AiopsOptions>().BindConfiguration(AiopsOptions.SectionName).ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AiopsOptions>, AiopsOptionsValidator>());
            services.TryAddSingleton<HostingTelemetry>();
            services.TryAddSingleton<AiopsPipelineWriter>();
            Aiops.Hosting.Alertmanager.AlertmanagerServiceCollectionExtensions.AddAlertmanagerWebhookServices(services);
            Aiops.Hosting.Api.ApiServiceCollectionExtensions.AddAiopsApiServices(services);

            // Registered before the sources that configure adds: hosted services stop in reverse order, so sources stop first,
            // then detection, then correlation, then remediation, each draining into the next.
            RemediationServiceCollectionExtensions.AddRemediationServices(services);
            PipelineServiceCollectionExtensions.AddPipelineServices(services);
            Aiops.Hosting.Metrics.MetricsServiceCollectionExtensions.AddAiopsMetricsServices(services);
            Aiops.Hosting.Health.HealthServiceCollectionExtensions.AddAiopsHealthServices(services);
        }

        configure(new AiopsBuilder(services));
        return services;
    }

    /// <summary>Adds the Aiops pipeline with its defaults to a host application builder.</summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static IHostApplicationBuilder AddAiops(this IHostApplicationBuilder builder) => builder.AddAiops(static _ => { });

    /// <summary>
    /// Adds the Aiops pipeline to a host application builder (see <see cref="AddAiops(IServiceCollection, Action{AiopsBuilder})"/>),
    /// with the sources declared in configuration: each entry of <c>Aiops:Sources:Meter</c> adds a meter source and each
    /// entry of <c>Aiops:Sources:Prometheus</c> a Prometheus source, as <c>AddMeterSource</c> and <c>AddPrometheusSource</c> do
    /// (declared sources are added once, however often this is called).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures sources, gates and actions.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="System.ComponentModel.DataAnnotations.ValidationException">A declared source is invalid; the message names each bad key by its configuration path.</exception>
    public static IHostApplicationBuilder AddAiops(this IHostApplicationBuilder builder, Action<AiopsBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var declared = !builder.Services.Any(static d => d.ServiceType == typeof(ConfiguredSourcesMarker));
        builder.Services.AddAiops(aiops =>
        {
            if (declared)
            {
                aiops.Services.AddSingleton<ConfiguredSourcesMarker>();
                AiopsSourceConfiguration.AddSources(aiops, builder.Configuration);
            }

            configure(aiops);
        });
        return builder;
    }

    /// <summary>Marks that the core services are registered, so a second call adds nothing twice.</summary>
    private sealed class AiopsMarker;

    /// <summary>Marks that the sources declared in configuration are added.</summary>
    private sealed class ConfiguredSourcesMarker;
}
