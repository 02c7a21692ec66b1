namespace Aiops.Detection;

/// <summary>Creates built-in detectors by their catalogue name (<see cref="DetectorNames"/>) with default options.</summary>
/// <remarks>Thread-safe; every call returns a new, independent detector.</remarks>
public static class DetectorCatalog
{
    private static readonly Dictionary<string, Func<DetectionTelemetry?, IAnomalyDetector>> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        [DetectorNames.Ensemble] = t => new EnsembleDetector(new EnsembleOptions { Telemetry = t }),
        [DetectorNames.RobustZScore] = t => new RobustZScoreDetector(new RobustZScoreOptions { Telemetry = t }),
        [DetectorNames.Seasonal] = t => new SeasonalDetector(new SeasonalOptions { Telemetry = t }),
        [DetectorNames.SpectralResidual] = t => new SpectralResidualDetector(new SpectralResidualOptions { Telemetry = t }),
        [DetectorNames.SsaChangePoint] = t => new SsaChangePointDetector(new SsaChangePointOptions { Telemetry = t }),
        [DetectorNames.IidSpike] = t => new IidSpikeDetector(new IidSpikeOptions { Telemetry = t }),
        [DetectorNames.IidChangePoint] = t => new IidChangePointDetector(new IidChangePointOptions { Telemetry = t }),
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
