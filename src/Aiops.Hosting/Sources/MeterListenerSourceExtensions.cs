using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aiops.Hosting;

/// <summary>Adds in-process <see cref="System.Diagnostics.Metrics"/> sources to the Aiops pipeline.</summary>
public static class AiopsBuilderMeterExtensions
{
    /// <summary>
    /// Watches instruments of in-process meters (a plain <see cref="System.Diagnostics.Metrics.Meter"/>, OpenTelemetry,
    /// prometheus-net's meter adapter) and feeds one sample per series and interval to detection: counters as rates per
    /// second, gauges and up-down counters as their value, histograms as their mean. Each call adds one source.
    /// </summary>
    /// <param name="builder">The Aiops builder.</param>
    /// <param name="configure">Chooses the meters and instruments.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="System.ComponentModel.DataAnnotations.ValidationException">An option is out of range.</exception>
    public static AiopsBuilder AddMeterSource(this AiopsBuilder builder, Action<MeterSourceOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new MeterSourceOptions();
        configure(options);
        return Add(builder, options, nameof(MeterSourceOptions), '.');
    }

    /// <summary>Validates the options (errors named <c>prefix{separator}Property</c>) and adds the source.</summary>
    internal static AiopsBuilder Add(AiopsBuilder builder, MeterSourceOptions options, string prefix, char separator)
    {
        AiopsSourceConfiguration.ThrowIfInvalid(options, prefix, separator);
        builder.Services.AddSingleton<IHostedService>(sp => new MeterListenerSource(
            options,
            sp.GetRequiredService<AiopsPipelineWriter>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            sp.GetRequiredService<ILogger<MeterListenerSource>>()));
        return builder;
    }
}
