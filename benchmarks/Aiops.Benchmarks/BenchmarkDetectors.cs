using Aiops.Detection;

namespace Aiops.Benchmarks;

/// <summary>
/// The detectors measured: the catalogue's, and the building blocks (not selectable by name) wrapped in a
/// <see cref="CalibratedDetector"/> as a user would run one alone.
/// </summary>
internal static class BenchmarkDetectors
{
    /// <summary>Gets the names measured, catalogue first.</summary>
    public static IReadOnlyList<string> Names { get; } =
        [.. DetectorCatalog.Names, DetectorNames.RobustZScore, DetectorNames.Seasonal, DetectorNames.SpectralResidual, DetectorNames.Art,
            DetectorNames.SsaChangePoint, DetectorNames.IidSpike, DetectorNames.IidChangePoint];

    /// <summary>Creates a detector by name.</summary>
    /// <param name="name">A catalogue name or a building block's name.</param>
    /// <returns>A new detector.</returns>
    public static IAnomalyDetector Create(string name) => name switch
    {
        DetectorNames.RobustZScore => new CalibratedDetector(new RobustZScoreDetector()),
        DetectorNames.Seasonal => new CalibratedDetector(new SeasonalDetector()),
        DetectorNames.SpectralResidual => new CalibratedDetector(new SpectralResidualDetector()),
        DetectorNames.Art => new CalibratedDetector(new ArtDetector()),
        DetectorNames.SsaChangePoint => new CalibratedDetector(new SsaChangePointDetector()),
        DetectorNames.IidSpike => new CalibratedDetector(new IidSpikeDetector()),
        DetectorNames.IidChangePoint => new CalibratedDetector(new IidChangePointDetector()),
        _ => DetectorCatalog.Create(name),
    };
}
