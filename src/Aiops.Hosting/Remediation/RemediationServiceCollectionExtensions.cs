using System.Diagnostics.Metrics;
using Aiops.Gates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Aiops.Hosting;

/// <summary>Registers the gates, the decision engine, the executor and the remediation stage; called once from <c>AddAiops</c>.</summary>
internal static class RemediationServiceCollectionExtensions
{
    /// <summary>
    /// Adds, unless the host registered its own: the audit log (<see cref="RemediationOptions.AuditLogPath"/> or in memory),
    /// the change feed correlation fills, the gates from <c>Aiops:Gates</c> (the safe default set when none are configured),
    /// the <see cref="ActionRegistry"/> of every registered <see cref="IRemediationAction"/>, the <see cref="DecisionEngine"/>,
    /// the <see cref="RemediationExecutor"/>, the rule-based planner, the local <see cref="IRemediationCoordinator"/> and <see cref="IApprovalCoordinator"/>, and the hosted <see cref="RemediationStage"/>.
    /// </summary>
    /// <param name="services">The services; <c>AddAiops</c>'s core services must be registered too.</param>
    /// <returns>The same services.</returns>
    public static IServiceCollection AddRemediationServices(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<RemediationOptions>().BindConfiguration(RemediationOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RemediationOptions>>(new SectionOptionsValidator<RemediationOptions>(RemediationOptions.SectionName)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RemediationOptions>, RegisteredActionsValidator>());

        services.TryAddSingleton(static sp => new GatesTelemetry(sp.GetRequiredService<IMeterFactory>()));
        services.TryAddSingleton<IAuditLog>(static sp => sp.GetRequiredService<IOptions<RemediationOptions>>().Value.AuditLogPath is { Length: > 0 } path
            ? JsonLinesAuditLog.Open(new JsonLinesAuditLogOptions { Path = path })
            : new InMemoryAuditLog());
        services.TryAddSingleton(static sp => new InMemoryChangeFeed(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IChangeFeed>(static sp => sp.GetRequiredService<InMemoryChangeFeed>());
        services.TryAddSingleton(static sp => GatesConfiguration.Load(
            (sp.GetService<IConfiguration>() ?? new ConfigurationBuilder().Build()).GetSection(GatesOptions.SectionPath),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<IChangeFeed>(),
            sp.GetService<ISilenceSource>()));
        services.TryAddSingleton(static sp => new ActionRegistry(sp.GetServices<IRemediationAction>()));
        services.TryAddSingleton(static sp => CreateEngine(sp));
        services.TryAddSingleton(static sp => new RemediationExecutor(
            sp.GetRequiredService<DecisionEngine>(),
            new RemediationExecutorOptions { Telemetry = sp.GetRequiredService<GatesTelemetry>() },
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<RemediationExecutor>>()));
        services.TryAddSingleton<IRemediationPlanner, RuleBasedRemediationPlanner>();
        services.TryAddSingleton<IRemediationCoordinator, LocalRemediationCoordinator>();
        services.TryAddSingleton<IApprovalCoordinator, LocalApprovalCoordinator>();

        services.AddSingleton<RemediationStage>();
        services.AddSingleton<IHostedService>(static sp => sp.GetRequiredService<RemediationStage>());
        return services;
    }

    private static DecisionEngine CreateEngine(IServiceProvider services)
    {
        var gates = services.GetRequiredService<GatesConfiguration>();
        var telemetry = services.GetRequiredService<GatesTelemetry>();
        var time = services.GetRequiredService<TimeProvider>();
        var pipeline = new GatePipeline(
            gates.Policies,
            new GatePipelineOptions { GateTimeout = gates.GateTimeout, Telemetry = telemetry },
            time,
            services.GetRequiredService<ILogger<GatePipeline>>());
        var auditLog = services.GetRequiredService<IAuditLog>();
        return new DecisionEngine(
            pipeline,
            auditLog,
            services.GetRequiredService<ActionRegistry>(),
            approvals: new ApprovalQueue(auditLog, new ApprovalQueueOptions { Telemetry = telemetry }, time, services.GetRequiredService<ILogger<ApprovalQueue>>()),
            options: new DecisionEngineOptions { DryRun = gates.DryRun, Telemetry = telemetry },
            timeProvider: time,
            logger: services.GetRequiredService<ILogger<DecisionEngine>>());
    }

    /// <summary>A rule must name a registered action: a typo would otherwise only show as denials at incident time.</summary>
    private sealed class RegisteredActionsValidator(IServiceProvider services) : IValidateOptions<RemediationOptions>
    {
        public ValidateOptionsResult Validate(string? name, RemediationOptions options)
        {
            var registry = services.GetRequiredService<ActionRegistry>();
            var failures = options.Rules
                .Select((rule, index) => (rule, index))
                .Where(r => r.rule is { Action.Length: > 0 } && !registry.TryGet(r.rule.Action, out _))
                .Select(r => $"{RemediationOptions.SectionName}:{nameof(RemediationOptions.Rules)}:{r.index}:{nameof(RemediationRule.Action)}: no action '{r.rule.Action}' is registered (registered: {(registry.Ids.Count == 0 ? "none" : string.Join(", ", registry.Ids))}).")
                .ToList();
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
