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
    private static readonly Dictionary<string, Func<DetectionTelemetry?, IAnomalyDetector>> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        [DetectorNames.Ensemble] = t => new EnsembleDetector(new EnsembleOptions { Telemetry = t }),
        [DetectorNames.Contextual] = t => new CalibratedDetector(new ContextualDetector(new ContextualOptions { Telemetry = t }), new CalibratedOptions { Telemetry = t }),
    };

    /// <summary>Gets the catalogue names, in the order the documentation lists them.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Factories.Keys];

    /// <summary>Creates a detector with its default options.</summary>
    /// <param name="name">A catalogue name, case-insensitive.</param>
    /// <param name="telemetry">Where the detector counts skipped points; <see langword="null"/> uses <see cref="DetectionTelemetry.Shared"/>.</param>
    /// <returns>A new detector.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not in the catalogue; the message lists the valid names.</exception>
    public static IAnomalyDetector Create(string name, DetectionTelemetry? telemetry = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Factories.TryGetValue(name, out var factory)
            ? factory(telemetry)
            : throw new ArgumentException($"Unknown detector '{name}'. Known detectors: {string.Join(", ", Names)}.", nameof(name));
    }
}
