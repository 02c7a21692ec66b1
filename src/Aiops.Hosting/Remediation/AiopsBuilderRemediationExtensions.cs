using Aiops.Gates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Aiops.Hosting;

/// <summary>Registers remediation actions, rules and planners with the Aiops pipeline.</summary>
public static class AiopsBuilderRemediationExtensions
{
    /// <summary>
    /// Registers an action that proposals may name. Nothing is registered by default, so nothing can run until a host adds
    /// actions; <see cref="Aiops.Gates.Actions.SimulatedAction"/> runs nothing real. Ids must be unique (a duplicate fails when the engine is built).
    /// </summary>
    /// <param name="builder">The Aiops builder.</param>
    /// <param name="action">The action (a singleton; thread-safe).</param>
    /// <returns>The same builder, for chaining.</returns>
    public static AiopsBuilder AddAction(this AiopsBuilder builder, IRemediationAction action)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(action);
        builder.Services.AddSingleton(action);
        return builder;
    }

    /// <summary>
    /// Configures the remediation stage in code (after the <c>Aiops:Remediation</c> section binds): rules, audit log path,
    /// states. Every call's configure runs.
    /// </summary>
    /// <param name="builder">The Aiops builder.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static AiopsBuilder ConfigureRemediation(this AiopsBuilder builder, Action<RemediationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>Replaces the rule-based planner with a custom one (a singleton).</summary>
    /// <typeparam name="TPlanner">The planner type, created by the container.</typeparam>
    /// <param name="builder">The Aiops builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static AiopsBuilder UsePlanner<TPlanner>(this AiopsBuilder builder)
        where TPlanner : class, IRemediationPlanner
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<IRemediationPlanner, TPlanner>());
        return builder;
    }
}
