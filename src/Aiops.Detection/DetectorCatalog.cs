using System.ComponentModel.DataAnnotations;

namespace Aiops.Detection;

/// <summary>
/// Creates built-in detectors by their catalogue name (<see cref="DetectorNames"/>) with default options. A detector is in the
/// catalogue only when, alone and at its default sensitivity, it is usable: it flags by
/// <see cref="AnomalyDetectorOptions.FalseAlarmsPerWeek"/> and scores at least 40 (NAB standard, leave-one-category-out
/// cross-validated) on the development corpus: <see cref="DetectorNames.Ensemble"/> and <see cref="DetectorNames.Contextual"/>
/// (a <see cref="ContextualDetector"/> wrapped in a <see cref="CalibratedDetector"/>). The other detectors
/// are building blocks, usable as classes (wrap one in a <see cref="CalibratedDetector"/> to flag by a false-alarm rate) and
/// as ensemble members, but not by name: <see cref="RobustZScoreDetector"/> (35.6 cross-validated), <see cref="SeasonalDetector"/>
/// (28.2), <see cref="SpectralResidualDetector"/> (22.2), <see cref="ArtDetector"/> (37.9), and the conformal detectors
/// (<see cref="IidSpikeDetector"/>, <see cref="IidChangePointDetector"/>, <see cref="SsaChangePointDetector"/>), whose p-value
/// cannot go below 1/(history + 1), too coarse for a rate counted per week (see the README's Detectors section).
/// </summary>
/// <remarks>Thread-safe; every call returns a new, independent detector.</remarks>
public static class DetectorCatalog
{
    private static readonly Dictionary<string, Func<DetectorCatalogOptions, IAnomalyDetector>> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        [DetectorNames.Ensemble] = o => new EnsembleDetector(new EnsembleOptions { Telemetry = o.Telemetry, FalseAlarmsPerWeek = o.FalseAlarmsPerWeek }),
        [DetectorNames.Contextual] = o => new CalibratedDetector(
            new ContextualDetector(new ContextualOptions { Telemetry = o.Telemetry }),
            new CalibratedOptions { Telemetry = o.Telemetry, FalseAlarmsPerWeek = o.FalseAlarmsPerWeek }),
    };

    /// <summary>Gets the catalogue names, in the order the documentation lists them.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Factories.Keys];

    /// <summary>Creates a detector with its default options but for those <paramref name="options"/> sets (its sensitivity).</summary>
    /// <param name="name">A catalogue name, case-insensitive.</param>
    /// <param name="options">The sensitivity and the telemetry of the detector; <see langword="null"/> uses the defaults.</param>
    /// <returns>A new detector.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not in the catalogue; the message lists the valid names.</exception>
    /// <exception cref="ValidationException">An option is out of range.</exception>
    public static IAnomalyDetector Create(string name, DetectorCatalogOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        options ??= new DetectorCatalogOptions();
        Internal.OptionsValidator.ThrowIfInvalid(options);
        return Factories.TryGetValue(name, out var factory)
            ? factory(options)
            : throw new ArgumentException($"Unknown detector '{name}'. Known detectors: {string.Join(", ", Names)}.", nameof(name));
    }
}

/// <summary>What a detector created by name (<see cref="DetectorCatalog"/>, <see cref="DetectorSet"/>) may differ in from its defaults.</summary>
/// <remarks>Read once when a detector is created. Not thread-safe to change while detectors are being created.</remarks>
public sealed class DetectorCatalogOptions
{
    /// <summary>
    /// Gets or sets the detector's sensitivity as the expected number of false onsets per series per week on healthy data,
    /// whatever the sampling interval (<see cref="AnomalyDetectorOptions.FalseAlarmsPerWeek"/>). Higher is more sensitive.
    /// Default: 1. Range: [0.001, 100,000].
    /// </summary>
    [Range(0.001, 100_000)]
    public double FalseAlarmsPerWeek { get; set; } = 1;

    /// <summary>Gets or sets where the detector counts skipped points. Default: <see langword="null"/> (<see cref="DetectionTelemetry.Shared"/>).</summary>
    public DetectionTelemetry? Telemetry { get; set; }
}
