using System.ComponentModel.DataAnnotations;

namespace Aiops.Detection;

/// <summary>Options of the detectors that turn a statistic into a conformal p-value against its own recent history.</summary>
public abstract class ConformalOptions : AnomalyDetectorOptions
{
    /// <summary>Gets or sets how many past statistics a p-value is ranked against (ML.NET's <c>pvalueHistoryLength</c>). Default: 100. Range: [8, 4096].</summary>
    [Range(8, 4096)]
    public int HistoryLength { get; set; } = 100;

    /// <summary>Gets or sets how many statistics are collected before points are judged. Default: 20. Range: [4, 4096].</summary>
    [Range(4, 4096)]
    public int MinimumPoints { get; set; } = 20;

    /// <summary>Gets or sets which departures count. Default: <see cref="AnomalySide.Both"/>.</summary>
    public AnomalySide Side { get; set; } = AnomalySide.Both;
}

/// <summary>Options of the detectors that bet on p-values with a power martingale to find change points.</summary>
public abstract class MartingaleOptions : ConformalOptions
{
    /// <summary>
    /// Gets or sets ε of the power martingale ε·p^(ε-1): smaller bets harder on small p-values. Default: 0.1 (as ML.NET). Range: (0, 1).
    /// </summary>
    [Range(1e-6, 1 - 1e-6)]
    public double Epsilon { get; set; } = 0.1;

    /// <summary>
    /// Gets or sets the betting function. Default: <see cref="MartingaleKind.Power"/> (ML.NET's default), except for
    /// <see cref="SsaChangePointOptions"/>, whose default is <see cref="MartingaleKind.Mixture"/>.
    /// </summary>
    public MartingaleKind Martingale { get; set; } = MartingaleKind.Power;
}

/// <summary>How a change-point martingale bets on p-values.</summary>
public enum MartingaleKind
{
    /// <summary>The power martingale ε·p^(ε-1): large gains on very small p-values, a loss of ln ε on ordinary ones.</summary>
    Power = 0,

    /// <summary>
    /// The power martingale mixed over ε in [0, 1]: smaller gains on very small p-values but at most ln 2 lost on ordinary ones,
    /// so a short burst of moderately small p-values still accumulates.
    /// </summary>
    Mixture = 1,
}
