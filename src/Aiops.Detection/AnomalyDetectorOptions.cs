using System.ComponentModel.DataAnnotations;

namespace Aiops.Detection;

/// <summary>Options every detector shares.</summary>
/// <remarks>Options are read once when a detector is created; changing them afterwards has no effect on it.</remarks>
public abstract class AnomalyDetectorOptions
{
    /// <summary>
    /// Gets or sets the anomaly probability at or above which <see cref="AnomalyScore.IsAnomaly"/> is set: the sensitivity.
    /// Lower is more sensitive. Default: 0.99. Range: [0, 1].
    /// </summary>
    [Range(0.0, 1.0)]
    public double Threshold { get; set; } = 0.99;

    /// <summary>
    /// Gets or sets where skipped points and gaps are counted. Default: <see langword="null"/>, which uses
    /// <see cref="DetectionTelemetry.Shared"/>; hosts pass one built from their <c>IMeterFactory</c>.
    /// </summary>
    public DetectionTelemetry? Telemetry { get; set; }

    /// <summary>Checks every property against its documented range.</summary>
    /// <exception cref="ValidationException">A value is out of range; the message names the option and the property.</exception>
    public void Validate() => Internal.OptionsValidator.ThrowIfInvalid(this);
}
