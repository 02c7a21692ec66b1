using System.ComponentModel.DataAnnotations;

namespace Aiops.Detection;

/// <summary>Options every detector shares.</summary>
/// <remarks>Options are read once when a detector is created; changing them afterwards has no effect on it.</remarks>
public abstract class AnomalyDetectorOptions
{
    /// <summary>
    /// Gets or sets the per-point anomaly probability at or above which <see cref="AnomalyScore.IsAnomaly"/> is set, for the
    /// building blocks used on their own (<see cref="RobustZScoreDetector"/>, <see cref="SeasonalDetector"/>...). Lower is more
    /// sensitive. Default: 0.99. Range: [0, 1]. The detectors that calibrate their scores in time (the <see cref="EnsembleDetector"/>
    /// and every <see cref="CalibratedDetector"/>, which is what the <see cref="DetectorCatalog"/> creates) ignore it and use
    /// <see cref="FalseAlarmsPerWeek"/>: a per-point probability means a false-alarm rate that grows with the sampling rate.
    /// </summary>
    [Range(0.0, 1.0)]
    public double Threshold { get; set; } = 0.99;

    /// <summary>
    /// Gets or sets the sensitivity of the time-calibrated detectors as the expected number of false onsets per series per week
    /// on healthy data, whatever the sampling interval (the detector estimates it from the timestamps). Higher is more sensitive.
    /// An onset is a flagged point after at least <see cref="OnsetQuietPoints"/> unflagged points. Default: 1. Range: [0.001, 100,000].
    /// </summary>
    [Range(0.001, 100_000)]
    public double FalseAlarmsPerWeek { get; set; } = 1;

    /// <summary>How many unflagged points make a quiet period: a flagged point after at least this many is an onset (10).</summary>
    public const int OnsetQuietPoints = 10;

    /// <summary>Gets a value indicating whether the detector flags by <see cref="FalseAlarmsPerWeek"/> rather than <see cref="Threshold"/>.</summary>
    internal virtual bool FlagsByRate => false;

    /// <summary>
    /// Gets or sets where skipped points and gaps are counted. Default: <see langword="null"/>, which uses
    /// <see cref="DetectionTelemetry.Shared"/>; hosts pass one built from their <c>IMeterFactory</c>.
    /// </summary>
    public DetectionTelemetry? Telemetry { get; set; }

    /// <summary>Checks every property against its documented range.</summary>
    /// <exception cref="ValidationException">A value is out of range; the message names the option and the property.</exception>
    public void Validate() => Internal.OptionsValidator.ThrowIfInvalid(this);
}
