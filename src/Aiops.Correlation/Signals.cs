using System.Text.Json.Serialization;
using Aiops.Detection.Tracking;

namespace Aiops.Correlation;

/// <summary>
/// Something that happened to a system and may belong to an incident: an <see cref="AnomalySignal"/>, an
/// <see cref="AlertSignal"/> or a <see cref="ChangeSignal"/>. Signals are immutable and thread-safe.
/// </summary>
/// <param name="Fingerprint">Identifies repeats of the same signal (Alertmanager's fingerprint, a series key, a change id); not empty.</param>
/// <param name="Name">What the signal is about: the metric, the alert name or the change's title.</param>
/// <param name="Onset">When it started.</param>
/// <param name="Labels">Its labels (service, job, instance, namespace...); never <see langword="null"/>.</param>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(AnomalySignal), "anomaly")]
[JsonDerivedType(typeof(AlertSignal), "alert")]
[JsonDerivedType(typeof(ChangeSignal), "change")]
public abstract record Signal(string Fingerprint, string Name, DateTimeOffset Onset, IReadOnlyDictionary<string, string> Labels)
{
    /// <summary>Gets the label value, or <see langword="null"/> when the signal does not carry the label.</summary>
    /// <param name="name">The label name.</param>
    /// <returns>The value or <see langword="null"/>.</returns>
    public string? Label(string name) => Labels.TryGetValue(name, out var value) ? value : null;
}

/// <summary>A detector found a series anomalous.</summary>
/// <param name="Fingerprint">Identifies the series (for example <c>SeriesKey.ToString()</c>).</param>
/// <param name="Name">The metric name.</param>
/// <param name="Onset">The first anomalous point.</param>
/// <param name="Labels">The series' labels.</param>
/// <param name="PeakScore">The highest anomaly probability seen, in [0, 1].</param>
/// <param name="Direction">Whether the series went up or down.</param>
/// <param name="Magnitude">
/// How far it departed, in a unit comparable across signals; 0 when unknown. Signals from an <see cref="AnomalySignalBridge"/>
/// carry the largest |robust deviation| (x − median) / σ against the series' pre-onset baseline, uncapped.
/// </param>
/// <param name="EndedAt">
/// When the anomaly ended (the series was back to normal, or held a new level long enough to be the new normal);
/// <see langword="null"/> while it lasts. A signal with an end ends its member in the episode.
/// </param>
/// <param name="EndReason">Why it ended; <see cref="AnomalyEndReason.None"/> while it lasts.</param>
/// <remarks>
/// A producer sends the signal at the onset, again while the anomaly lasts (so correlation knows it is still active), and
/// once more with <paramref name="EndedAt"/> set when it ends; <see cref="AnomalySignalBridge"/> does all three.
/// </remarks>
public sealed record AnomalySignal(
    string Fingerprint,
    string Name,
    DateTimeOffset Onset,
    IReadOnlyDictionary<string, string> Labels,
    double PeakScore,
    Direction Direction,
    double Magnitude = 0,
    DateTimeOffset? EndedAt = null,
    AnomalyEndReason EndReason = AnomalyEndReason.None)
    : Signal(Fingerprint, Name, Onset, Labels)
{
    /// <summary>Gets a value indicating whether the signal reports the end of its anomaly.</summary>
    [JsonIgnore]
    public bool IsEnded => EndedAt is not null;

    /// <summary>
    /// Gets when the series came back inside its pre-onset band while the anomaly, not ended yet, waits to see the return
    /// last (<see cref="AnomalyTracker.ReturningSince"/>); <see langword="null"/> while the series is still away (the
    /// anomaly's evidence holds) or when unknown. Default: <see langword="null"/>. A pending episode fires only while some member's
    /// evidence holds (see <see cref="CorrelatorOptions.PendingFor"/>).
    /// </summary>
    public DateTimeOffset? ReturningSince { get; init; }
}

/// <summary>An alert from Prometheus/Alertmanager, firing or resolved.</summary>
/// <param name="Fingerprint">Alertmanager's fingerprint of the alert's label set.</param>
/// <param name="Name">The <c>alertname</c>.</param>
/// <param name="Onset">The alert's <c>startsAt</c>.</param>
/// <param name="Labels">The alert's labels.</param>
/// <param name="Status">Firing or resolved.</param>
/// <param name="EndsAt">The alert's <c>endsAt</c> when resolved; <see langword="null"/> while firing (Alertmanager sends 0001-01-01).</param>
/// <param name="Severity">The <c>severity</c> label, or <see langword="null"/>.</param>
/// <param name="Annotations">The alert's annotations; never <see langword="null"/>.</param>
public sealed record AlertSignal(
    string Fingerprint,
    string Name,
    DateTimeOffset Onset,
    IReadOnlyDictionary<string, string> Labels,
    AlertStatus Status,
    DateTimeOffset? EndsAt,
    string? Severity,
    IReadOnlyDictionary<string, string> Annotations)
    : Signal(Fingerprint, Name, Onset, Labels);

/// <summary>A change to the system: a deploy, a configuration change, a scaling action.</summary>
/// <param name="Fingerprint">Identifies the change (a deploy id).</param>
/// <param name="Name">A short title ("deploy api v1.4.2").</param>
/// <param name="Onset">When the change was applied.</param>
/// <param name="Labels">The labels of what changed (service, namespace...).</param>
/// <param name="Change">What kind of change.</param>
public sealed record ChangeSignal(
    string Fingerprint,
    string Name,
    DateTimeOffset Onset,
    IReadOnlyDictionary<string, string> Labels,
    ChangeKind Change)
    : Signal(Fingerprint, Name, Onset, Labels);

/// <summary>The direction of an anomaly.</summary>
public enum Direction
{
    /// <summary>Unknown or both.</summary>
    None = 0,

    /// <summary>The series rose.</summary>
    Up = 1,

    /// <summary>The series fell.</summary>
    Down = 2,
}

/// <summary>The status of an alert.</summary>
public enum AlertStatus
{
    /// <summary>The alert is firing.</summary>
    Firing = 0,

    /// <summary>The alert has resolved.</summary>
    Resolved = 1,
}

/// <summary>The kind of a change event.</summary>
public enum ChangeKind
{
    /// <summary>A new version was deployed.</summary>
    Deploy = 0,

    /// <summary>Configuration changed.</summary>
    Config = 1,

    /// <summary>Capacity was scaled.</summary>
    Scaling = 2,

    /// <summary>Any other change.</summary>
    Other = 3,
}
