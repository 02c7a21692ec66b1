using Aiops.Correlation;
using Aiops.Detection.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Aiops.Hosting;

/// <summary>Registers the hosted detection and correlation stages; called once from <c>AddAiops</c>.</summary>
internal static class PipelineServiceCollectionExtensions
{
    /// <summary>Adds the stages, the score board, the correlator and the default episode store. Idempotent.</summary>
    /// <param name="services">The services; <c>AddAiops</c>'s core services (writer, telemetry, clock) must be registered too.</param>
    /// <returns>The same services.</returns>
    public static IServiceCollection AddPipelineServices(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(static d => d.ServiceType == typeof(PipelineMarker)))
        {
            return services;
        }

        services.AddSingleton<PipelineMarker>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddLogging();

        services.AddOptions<DetectionStageOptions>().BindConfiguration(DetectionStageOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DetectionStageOptions>>(new SectionOptionsValidator<DetectionStageOptions>(DetectionStageOptions.SectionName)));
        services.AddOptions<CorrelationStageOptions>().BindConfiguration(CorrelationStageOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CorrelationStageOptions>>(new SectionOptionsValidator<CorrelationStageOptions>(CorrelationStageOptions.SectionName)));
        services.AddOptions<CorrelatorOptions>().BindConfiguration(CorrelationStageOptions.SectionName)
            .PostConfigure<IServiceProvider>(static (o, sp) => ReplaceConfiguredLists(o, sp.GetService<IConfiguration>()?.GetSection(CorrelationStageOptions.SectionName)))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CorrelatorOptions>>(new SectionOptionsValidator<CorrelatorOptions>(CorrelationStageOptions.SectionName)));

        services.TryAddSingleton<PipelineTelemetry>();
        services.TryAddSingleton<ScoreBoard>();
        services.TryAddSingleton(static sp => new Correlator(
            sp.GetRequiredService<IOptions<CorrelatorOptions>>().Value,
            sp.GetService<DependencyGraph>(),
            sp.GetService<IRootCauseRanker>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IEpisodeStore>(static sp => CreateDefaultStore(sp));
        services.TryAddSingleton<Alertmanager.ResolvedAlertMemory>();

        // Hosted services stop in reverse registration order: detection stops (and drains into the signals channel)
        // before correlation stops, and sources registered later by AiopsBuilder stop before both.
        services.AddSingleton<CorrelationStage>();
        services.AddSingleton<DetectionStage>();
        services.AddSingleton<IHostedService, EpisodeRestoreService>();
        services.AddSingleton<IHostedService>(static sp => sp.GetRequiredService<CorrelationStage>());
        services.AddSingleton<IHostedService>(static sp => sp.GetRequiredService<DetectionStage>());
        return services;
    }

    /// <summary>
    /// The default store: durable (<see cref="FileEpisodeStore"/>) wherever decisions are, so an audit entry's episode id
    /// always finds its episode after a restart; in memory when nothing is durable.
    /// </summary>
    private static IEpisodeStore CreateDefaultStore(IServiceProvider services)
    {
        var directory = services.GetRequiredService<IOptions<AiopsOptions>>().Value.EpisodeStorePath;
        if (string.IsNullOrEmpty(directory) && services.GetRequiredService<IOptions<RemediationOptions>>().Value.AuditLogPath is { Length: > 0 } audit)
        {
            directory = Path.GetDirectoryName(Path.GetFullPath(audit));
        }

        return string.IsNullOrEmpty(directory)
            ? new InMemoryEpisodeStore()
            : FileEpisodeStore.Open(new FileEpisodeStoreOptions { Path = directory });
    }

    /// <summary>
    /// A configured label list replaces the default one: the binder would append to it (<c>EntityLabels: ["app_name"]</c>
    /// would otherwise mean service, job, app and app_name).
    /// </summary>
    private static void ReplaceConfiguredLists(CorrelatorOptions options, IConfigurationSection? section)
    {
        if (section?.GetSection(nameof(CorrelatorOptions.EntityLabels)) is { } entities && entities.Exists())
        {
            options.EntityLabels = entities.Get<List<string>>() ?? [];
        }

        if (section?.GetSection(nameof(CorrelatorOptions.ScopeLabels)) is { } scopes && scopes.Exists())
        {
            options.ScopeLabels = scopes.Get<List<string>>() ?? [];
        }
    }

    /// <summary>Marks that the stages are registered.</summary>
    private sealed class PipelineMarker;
}
