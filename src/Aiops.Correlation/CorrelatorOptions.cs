using System.ComponentModel.DataAnnotations;

namespace Aiops.Correlation;

/// <summary>Options of <see cref="Correlator"/>. Read once when the correlator is created.</summary>
public sealed class CorrelatorOptions
{
    /// <summary>
    /// Gets or sets the labels that name a signal's entity (its service), tried in order; the first present one wins.
    /// A signal with none of them is grouped by its name instead. Default: <c>service</c>, <c>job</c>, <c>app</c>.
    /// </summary>
    [Required]
    [MinLength(1)]
    public IList<string> EntityLabels { get; set; } = ["service", "job", "app"];

    /// <summary>
    /// Gets or sets the labels that must agree for two signals to share an episode when both carry them (signals from
    /// different clusters or namespaces are never grouped): each label is compared on its own, against the first value any of
    /// the episode's signals carried, so an episode opened by a signal without them takes them from the first that has them.
    /// Default: <c>namespace</c>, <c>cluster</c>.
    /// </summary>
    [Required]
    public IList<string> ScopeLabels { get; set; } = ["namespace", "cluster"];

    /// <summary>Gets or sets how far apart in onset a signal may be from an episode's signals to join it. Default: 2 minutes. Range: [1 s, 1 day].</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan GroupWindow { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Gets or sets how many dependency-graph hops may separate two services whose signals are grouped. Default: 2. Range: [0, 5].</summary>
    [Range(0, 5)]
    public int MaxGraphHops { get; set; } = 2;

    /// <summary>
    /// Gets or sets whether, when no dependency graph is declared (the correlator was given none, or an empty one), anomalies
    /// are grouped by time and scope alone: an <see cref="AnomalySignal"/> joins an episode that holds anomalies when its onset
    /// is within <see cref="GroupWindow"/> of the episode's first onset and their <see cref="ScopeLabels"/> agree, whatever its
    /// service, so a fault that shows in the metrics of several services is one episode whose root-cause ranking compares
    /// them. The window is the first onset's, not chained from onset to onset (a service already in the episode keeps the
    /// usual rule): chained, a large fleet's background of false onsets grew episodes of hundreds of members that lasted
    /// hours. Alerts keep the service rule (an alert joins the episodes of its own service): Alertmanager has grouped them by
    /// its own routing, and a fleet-wide alert storm joined by time alone would bury an unrelated incident and its
    /// remediation target. Change events attach only to episodes that hold their own service. <see langword="false"/> keeps
    /// each service's anomalies apart until a graph relates them (one episode, and one page, per service). With a declared
    /// graph this option has no effect: the graph decides which services are related. Default: <see langword="true"/>.
    /// </summary>
    public bool GroupAnomaliesByTimeWithoutGraph { get; set; } = true;

    /// <summary>
    /// Gets or sets how long an episode's evidence must hold before it fires (Prometheus' <c>for:</c>): an alert firing, or an
    /// anomaly whose series is still away from its baseline (an <see cref="AnomalySignal"/> without
    /// <see cref="AnomalySignal.ReturningSince"/>). A tick without such evidence restarts the period, so a burst of a few
    /// seconds stays pending and turns inactive without firing. Pending episodes are not proposed for remediation. Default: 1 minute. Range: [0, 1 day].
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan PendingFor { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets how long an episode must be quiet (no active signal) before it resolves, or turns inactive if it never fired. Default: 5 minutes. Range: [0, 1 day].</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan ResolveAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets how long an anomaly counts as active after it was last reported. Default: 2 minutes. Range: [1 s, 1 day].</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan AnomalyActiveFor { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Gets or sets how long a firing alert counts as active without a repeat notification (guards a lost resolve). Default: 1 day. Range: [1 s, 30 days].</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan AlertStaleAfter { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Gets or sets how long before an episode's onset a change on a related service is attached to it. Default: 30 minutes. Range: [0, 7 days].</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan ChangeLookback { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Gets or sets how long after closing an episode a matching signal reopens it instead of opening a new one (flapping
    /// hysteresis). Default: 10 minutes. Range: [0, 1 day].
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan ReopenWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Gets or sets how far in the future (of the clock) an onset may be before the signal is rejected. Default: 5 minutes. Range: [0, 1 day].</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan MaxFutureSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets how old an onset may be before the signal is rejected. Default: 1 day. Range: [1 s, 365 days].</summary>
    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan MaxSignalAge { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Gets or sets the most episodes held open at once; beyond it, signals that would open one are rejected and counted. Default: 50,000. Range: [1, 10,000,000].</summary>
    [Range(1, 10_000_000)]
    public int MaxOpenEpisodes { get; set; } = 50_000;

    /// <summary>Gets or sets the most distinct members an episode lists; further signals are counted, not listed. Default: 1,000. Range: [1, 1,000,000].</summary>
    [Range(1, 1_000_000)]
    public int MaxMembersPerEpisode { get; set; } = 1_000;

    /// <summary>Gets or sets the most change events remembered for attaching to later episodes. Default: 10,000. Range: [0, 1,000,000].</summary>
    [Range(0, 1_000_000)]
    public int MaxRecentChanges { get; set; } = 10_000;

    /// <summary>Gets or sets where the correlator counts what it does. Default: <see langword="null"/> (<see cref="CorrelationTelemetry.Shared"/>).</summary>
    public CorrelationTelemetry? Telemetry { get; set; }
}
