namespace Aiops.Detection;

/// <summary>
/// Creates built-in detectors by their catalogue name (<see cref="DetectorNames"/>) with default options. Every detector it
/// creates flags by <see cref="AnomalyDetectorOptions.FalseAlarmsPerWeek"/>: the ensemble calibrates itself, and each building
/// block comes wrapped in a <see cref="CalibratedDetector"/>. The conformal detectors (<see cref="IidSpikeDetector"/>,
/// <see cref="IidChangePointDetector"/>, <see cref="SsaChangePointDetector"/>) are building blocks, not in the catalogue: alone,
/// they score below 40 (NAB standard, cross-validated) on the development corpus, and a conformal p-value cannot go below
/// 1/(history + 1), too coarse for a false-alarm rate counted per week (see the README's Detectors section).
/// </summary>
/// <remarks>Thread-safe; every call returns a new, independent detector.</remarks>
public static class DetectorCatalog
{
    private static readonly Dictionary<string, Func<DetectionTelemetry?, IAnomalyDetector>> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        [DetectorNames.Ensemble] = t => new EnsembleDetector(new EnsembleOptions { Telemetry = t }),
        [DetectorNames.RobustZScore] = t => Calibrated(new RobustZScoreDetector(new RobustZScoreOptions { Telemetry = t }), t),
        [DetectorNames.Seasonal] = t => Calibrated(new SeasonalDetector(new SeasonalOptions { Telemetry = t }), t),
        [DetectorNames.SpectralResidual] = t => Calibrated(new SpectralResidualDetector(new SpectralResidualOptions { Telemetry = t }), t),
    };

    /// <summary>Gets the catalogue names, in the order the documentation lists them.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Factories.Keys];

    private static CalibratedDetector Calibrated(AnomalyDetector inner, DetectionTelemetry? telemetry) =>
        new(inner, new CalibratedOptions { Telemetry = telemetry });

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
