namespace Aiops.Detection;

/// <summary>The catalogue names of the built-in detectors, as used by configuration and the backtest CLI.</summary>
public static class DetectorNames
{
    /// <summary><c>robust-zscore</c>: <see cref="RobustZScoreDetector"/>.</summary>
    public const string RobustZScore = "robust-zscore";

    /// <summary><c>seasonal</c>: <see cref="SeasonalDetector"/>.</summary>
    public const string Seasonal = "seasonal";

    /// <summary><c>spectral-residual</c>: <see cref="SpectralResidualDetector"/>.</summary>
    public const string SpectralResidual = "spectral-residual";

    /// <summary><c>ssa-changepoint</c>: <see cref="SsaChangePointDetector"/>.</summary>
    public const string SsaChangePoint = "ssa-changepoint";

    /// <summary><c>iid-spike</c>: <see cref="IidSpikeDetector"/>.</summary>
    public const string IidSpike = "iid-spike";

    /// <summary><c>iid-changepoint</c>: <see cref="IidChangePointDetector"/>.</summary>
    public const string IidChangePoint = "iid-changepoint";

    /// <summary><c>ensemble</c>: <see cref="EnsembleDetector"/>, the default everywhere in Aiops.</summary>
    public const string Ensemble = "ensemble";
}
