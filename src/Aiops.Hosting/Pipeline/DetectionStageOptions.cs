using System.ComponentModel.DataAnnotations;
using Aiops.Detection;
using Aiops.Detection.Tracking;

namespace Aiops.Hosting;

/// <summary>Options of the hosted detection stage, bound from <c>Aiops:Detection</c> (<see cref="SectionName"/>).</summary>
public sealed class DetectionStageOptions : IValidatableObject
{
    /// <summary>The configuration section the options bind from: <c>Aiops:Detection</c>.</summary>
    public const string SectionName = "Aiops:Detection";

    /// <summary>Gets or sets the catalogue name of the detector each series gets. Default: <see cref="DetectorNames.Ensemble"/>.</summary>
    [Required]
    public string Detector { get; set; } = DetectorNames.Ensemble;

    /// <summary>
    /// Gets or sets the sensitivity of <see cref="Detector"/> as the expected number of false onsets per series per week on
    /// healthy data, the same whatever the sampling interval (the detector estimates the interval from the timestamps).
    /// Higher is more sensitive. Not used by a <see cref="DetectorFactory"/>. Default: 1. Range: [0.001, 100,000].
    /// </summary>
    [Range(0.001, 100_000)]
    public double FalseAlarmsPerWeek { get; set; } = 1;

    /// <summary>Gets or sets the most series scored at once. Default: 10,000. Range: [1, 10,000,000].</summary>
    [Range(1, 10_000_000)]
    public int MaxSeries { get; set; } = 10_000;

    /// <summary>Gets or sets how long a series may go without a point before it is forgotten. Default: 1 hour. Range: [1 s, 30 days].</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Gets or sets the anomaly probability at or above which a scored point counts as anomalous and raises a signal;
    /// <see langword="null"/> uses the detector's own flag (<see cref="AnomalyScore.IsAnomaly"/>, set by
    /// <see cref="FalseAlarmsPerWeek"/>). A per-point probability means a false-alarm rate that grows with the sampling rate:
    /// prefer <see cref="FalseAlarmsPerWeek"/>. Default: <see langword="null"/>. Range: [0, 1].
    /// </summary>
    [Range(0d, 1d)]
    public double? AnomalyThreshold { get; set; }

    /// <summary>
    /// Gets or sets how often a series that stays anomalous re-sends its signal, so correlation keeps its episode active
    /// (keep it below the correlator's <c>AnomalyActiveFor</c>). Default: 60 seconds. Range: [1 s, 1 day].
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RepeatInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Gets or sets a value indicating whether a series that turns anomalous sends an anomaly signal to correlation. Turn it
    /// off in a host whose anomalies arrive another way (as Alertmanager alerts on an exporter's scores): its series are
    /// still scored for the dashboard, the API and <c>/metrics</c>, but open no episode. Default: <see langword="true"/>.
    /// </summary>
    public bool SendSignals { get; set; } = true;

    /// <summary>
    /// Gets or sets how each series' anomaly state follows its scores (<see cref="AnomalyTracker"/>): the baseline, the
    /// hysteresis band, how long a return must last (<see cref="AnomalyTrackerOptions.ReturnFor"/>, default 1 minute) and
    /// when a held level becomes the new normal (<see cref="AnomalyTrackerOptions.NewNormalAfter"/>, default 30 minutes).
    /// Bound from <c>Aiops:Detection:Tracking</c>. Default: the tracker's defaults.
    /// </summary>
    public AnomalyTrackerOptions Tracking { get; set; } = new();

    /// <summary>
    /// Gets or sets a factory of per-series tracking options (a minimum scale in the series' units) used instead of
    /// <see cref="Tracking"/>; called once per new series on its worker, so it must be thread-safe when
    /// <see cref="Workers"/> is above 1. Not bound from configuration. Default: <see langword="null"/>.
    /// </summary>
    public Func<SeriesKey, AnomalyTrackerOptions>? TrackingFactory { get; set; }

    /// <summary>
    /// Gets or sets how many recent scores the <see cref="ScoreBoard"/> keeps per series for the dashboard's charts and
    /// <c>GET scores/history</c>: a ring per series of at most this many points, 40 bytes a point (360 points ≈ 14 KB per
    /// series), allocated as the series accumulates points; 0 keeps no history. Default:
    /// <see cref="ScoreBoard.DefaultHistoryLength"/> (360). Range: [0, 100,000].
    /// </summary>
    [Range(0, 100_000)]
    public int ScoreHistoryLength { get; set; } = ScoreBoard.DefaultHistoryLength;

    /// <summary>
    /// Gets or sets how many threads score samples. Above 1, series are spread over the workers by the hash of their
    /// key, and each series always goes to the same worker, so its points are scored in the order they were written
    /// (points of different series may be scored out of order). Each worker is a task that waits without a thread while
    /// there is nothing to score. On 2 cores, with the writer on the same cores, 2 workers scored a median 1.28 M samples/s
    /// with the ensemble over 10,000 series against 0.89 M for one (<c>benchmarks/Aiops.LoadTest</c>). Default: the number
    /// of processors, at most 4. Range: [1, 64].
    /// </summary>
    [Range(1, 64)]
    public int Workers { get; set; } = Math.Min(Environment.ProcessorCount, 4);

    /// <summary>
    /// Gets or sets a factory that creates the detector of each new series instead of <see cref="Detector"/>: custom
    /// detectors, or per-series options (a minimum scale in the series' units, a shorter warm-up). Called on the detection
    /// stage's worker of the series (several at once when <see cref="Workers"/> is above 1, so it must be thread-safe then);
    /// a factory that throws skips the sample (logged and counted). Not bound from configuration.
    /// Default: <see langword="null"/> (the catalogue's <see cref="Detector"/> with its defaults).
    /// </summary>
    public Func<SeriesKey, IAnomalyDetector>? DetectorFactory { get; set; }

    /// <inheritdoc/>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Tracking is null)
        {
            yield return new ValidationResult("the tracking options are required.", [nameof(Tracking)]);
            yield break;
        }

        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(Tracking, new ValidationContext(Tracking), results, validateAllProperties: true))
        {
            foreach (var result in results)
            {
                yield return new ValidationResult(result.ErrorMessage, [.. result.MemberNames.Select(m => $"{nameof(Tracking)}:{m}")]);
            }
        }
    }
}

/// <summary>Options of the hosted correlation stage, bound from <c>Aiops:Correlation</c> (<see cref="SectionName"/>), next to the correlator's own options.</summary>
public sealed class CorrelationStageOptions
{
    /// <summary>The configuration section the options bind from: <c>Aiops:Correlation</c>.</summary>
    public const string SectionName = "Aiops:Correlation";

    /// <summary>Gets or sets how often episode lifecycles advance and changed episodes are saved. Default: 1 second. Range: [10 ms, 1 hour].</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromSeconds(1);
}
