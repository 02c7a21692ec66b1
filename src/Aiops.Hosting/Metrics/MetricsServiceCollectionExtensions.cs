using System.Diagnostics.Metrics;
using Aiops.Correlation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Aiops.Hosting.Metrics;

/// <summary>Registers the Prometheus export of Aiops; called once from <c>AddAiops</c>.</summary>
internal static class MetricsServiceCollectionExtensions
{
    /// <summary>Adds the <see cref="AiopsMetricsRegistry"/>, its options and the pipeline activity tracker. Idempotent.</summary>
    /// <param name="services">The services; the pipeline services (score board, correlator) should be registered too.</param>
    /// <returns>The same services.</returns>
    public static IServiceCollection AddAiopsMetricsServices(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(static d => d.ServiceType == typeof(MetricsMarker)))
        {
            return services;
        }

        services.AddSingleton<MetricsMarker>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddOptions<AiopsMetricsOptions>().BindConfiguration(AiopsMetricsOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AiopsMetricsOptions>>(new SectionOptionsValidator<AiopsMetricsOptions>(AiopsMetricsOptions.SectionName)));
        services.TryAddSingleton<ScoreBoard>();
        services.TryAddSingleton(static sp => new PipelineActivity(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(static sp => new AiopsMetricsRegistry(
            sp.GetRequiredService<IMeterFactory>(),
            sp.GetRequiredService<ScoreBoard>(),
            sp.GetService<Correlator>(),
            sp.GetRequiredService<PipelineActivity>(),
            sp.GetRequiredService<IOptions<AiopsMetricsOptions>>()));

        // Creates the registry (and its meter listener) when the host starts, so that counts from before the first
        // scrape are kept.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, MetricsActivator>());
        return services;
    }

    /// <summary>Marks that the metrics services are registered.</summary>
    private sealed class MetricsMarker;

    /// <summary>Resolves the registry on start.</summary>
    private sealed class MetricsActivator(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            _ = services.GetRequiredService<AiopsMetricsRegistry>();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
