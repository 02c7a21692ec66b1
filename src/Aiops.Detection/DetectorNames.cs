namespace Aiops.Detection;

/// <summary>
/// The names of the built-in detectors. Those <see cref="DetectorCatalog"/> creates (<see cref="Ensemble"/>, <see cref="Contextual"/>) are the
/// ones configuration and the backtest CLI's <c>--detector</c> accept; the others name building blocks (their
/// <see cref="IAnomalyDetector.Name"/>, used as the telemetry tag), which score below 40 (NAB standard, cross-validated) alone.
/// </summary>
public static class DetectorNames
{
    /// <summary><c>robust-zscore</c>: <see cref="RobustZScoreDetector"/>, a building block (not in the catalogue).</summary>
    public const string RobustZScore = "robust-zscore";

    /// <summary><c>seasonal</c>: <see cref="SeasonalDetector"/>, a building block (not in the catalogue).</summary>
    public const string Seasonal = "seasonal";

    /// <summary><c>spectral-residual</c>: <see cref="SpectralResidualDetector"/>, a building block (not in the catalogue).</summary>
    public const string SpectralResidual = "spectral-residual";

    /// <summary><c>ssa-changepoint</c>: <see cref="SsaChangePointDetector"/>, a building block (not in the catalogue).</summary>
    public const string SsaChangePoint = "ssa-changepoint";

    /// <summary><c>iid-spike</c>: <see cref="IidSpikeDetector"/>, a building block (not in the catalogue).</summary>
    public const string IidSpike = "iid-spike";

    /// <summary><c>iid-changepoint</c>: <see cref="IidChangePointDetector"/>, a building block (not in the catalogue).</summary>
    public const string IidChangePoint = "iid-changepoint";

    /// <summary><c>contextual</c>: <see cref="ContextualDetector"/>; the catalogue wraps it in a <see cref="CalibratedDetector"/>.</summary>
    public const string Contextual = "contextual";

    /// <summary><c>art</c>: <see cref="ArtDetector"/>, a building block (not in the catalogue).</summary>
    public const string Art = "art";

    /// <summary><c>ensemble</c>: <see cref="EnsembleDetector"/>, the default everywhere in Aiops.</summary>
    public const string Ensemble = "ensemble";
}
