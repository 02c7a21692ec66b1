using System.ComponentModel.DataAnnotations;
using Aiops.Detection.Internal;
using Microsoft.Extensions.Configuration;

namespace Aiops.Hosting;

/// <summary>
/// Adds the sources declared in configuration: every entry of <c>Aiops:Sources:Meter</c> is a
/// <see cref="MeterSourceOptions"/>, every entry of <c>Aiops:Sources:Prometheus</c> a <see cref="PrometheusSourceOptions"/>.
/// Used by <c>builder.AddAiops()</c> on an <c>IHostApplicationBuilder</c>, whose configuration is known at registration.
/// </summary>
internal static class AiopsSourceConfiguration
{
    /// <summary>The configuration section of the declared sources: <c>Aiops:Sources</c>.</summary>
    public const string SectionName = "Aiops:Sources";

    /// <summary>Adds one source per entry; every invalid entry is reported at once, named by its configuration path.</summary>
    /// <exception cref="ValidationException">An entry is invalid (the message lists every failure with its path).</exception>
    public static void AddSources(AiopsBuilder builder, IConfiguration configuration)
    {
        var sources = configuration.GetSection(SectionName);
        var errors = new List<string>();
        var meters = Bind<MeterSourceOptions>(sources.GetSection("Meter"), errors);
        var prometheus = Bind<PrometheusSourceOptions>(sources.GetSection("Prometheus"), errors);
        foreach (var name in sources.GetChildren().Select(static c => c.Key).Where(static k => k is not ("Meter" or "Prometheus")))
        {
            errors.Add($"{SectionName}:{name}: unknown source kind '{name}' (known: Meter, Prometheus).");
        }

        if (errors.Count > 0)
        {
            throw new ValidationException(string.Join(Environment.NewLine, errors));
        }

        foreach (var (options, path) in meters)
        {
            AiopsBuilderMeterExtensions.Add(builder, options, path, ':');
        }

        foreach (var (options, path) in prometheus)
        {
            AiopsBuilderPrometheusExtensions.Add(builder, options, path, ':');
        }
    }

    /// <exception cref="ValidationException">The options are invalid; each failure is named <c>prefix{separator}Property</c>.</exception>
    public static void ThrowIfInvalid(object options, string prefix, char separator)
    {
        var errors = OptionsValidator.Errors(options, prefix, separator).ToList();
        if (errors.Count > 0)
        {
            throw new ValidationException(string.Join(Environment.NewLine, errors));
        }
    }

    private static List<(T Options, string Path)> Bind<T>(IConfigurationSection section, List<string> errors)
        where T : new()
    {
        var bound = new List<(T, string)>();
        foreach (var entry in section.GetChildren())
        {
            var options = new T();
            try
            {
                entry.Bind(options, static o => o.ErrorOnUnknownConfiguration = true);
            }
            catch (InvalidOperationException ex)
            {
                errors.Add($"{entry.Path}: {ex.Message}");
                continue;
            }

            var failures = OptionsValidator.Errors(options!, entry.Path, ':').ToList();
            if (failures.Count > 0)
            {
                errors.AddRange(failures);
                continue;
            }

            bound.Add((options, entry.Path));
        }

        return bound;
    }
}
