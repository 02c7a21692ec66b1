using System.ComponentModel.DataAnnotations;
using System.Threading.Channels;

namespace Aiops.Hosting;

/// <summary>
/// Options of the hosted Aiops pipeline, bound from the <c>Aiops</c> configuration section (<see cref="SectionName"/>) and
/// validated when the host starts.
/// </summary>
public sealed class AiopsOptions
{
    /// <summary>The configuration section the options bind from: <c>Aiops</c>.</summary>
    public const string SectionName = "Aiops";

    /// <summary>Gets the options of the channels that join the pipeline's stages.</summary>
    public PipelineChannelOptions Channels { get; init; } = new();

    /// <summary>Gets the options of the Alertmanager webhook endpoint.</summary>
    public AlertmanagerWebhookOptions Alertmanager { get; init; } = new();

    /// <summary>
    /// Gets or sets whether write endpoints may run without authentication: the Alertmanager webhook then accepts anonymous
    /// posts (approvals are never anonymous). By default a web host whose webhook or approval endpoints have no
    /// authentication configured refuses to start; this opt-out is honoured only in the Development environment (elsewhere
    /// the host refuses to start) and every open endpoint is logged as a warning at start-up. Default: <see langword="false"/>.
    /// </summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>
    /// Gets or sets the directory of the durable episode store (<c>episodes.jsonl</c>, see
    /// <see cref="Aiops.Correlation.FileEpisodeStore"/>). <see langword="null"/> puts it next to the audit log when
    /// <c>Aiops:Remediation:AuditLogPath</c> is set (decisions name episodes, so episodes are as durable as decisions), and
    /// keeps episodes in memory otherwise. Ignored when the host registers its own <see cref="Aiops.Correlation.IEpisodeStore"/>.
    /// Default: <see langword="null"/>.
    /// </summary>
    public string? EpisodeStorePath { get; set; }
}

/// <summary>
/// Capacity and back-pressure of the bounded channels between pipeline stages. Only raw metric samples are ever dropped
/// (counted on <c>aiops.hosting.channel.dropped</c>); a full signal channel refuses new signals instead (the writer is told
/// and retries: the webhook answers 503 with <c>Retry-After</c>), and changed episodes are coalesced per episode rather
/// than queued, so no state change is lost.
/// </summary>
public sealed class PipelineChannelOptions
{
    /// <summary>Gets or sets how many metric samples wait between the sources and detection. Default: 100,000. Range: [1, 10,000,000].</summary>
    [Range(1, 10_000_000)]
    public int SampleCapacity { get; set; } = 100_000;

    /// <summary>
    /// Gets or sets how many signals (anomalies, alerts, changes) wait before correlation. Default: 10,000. Range: [1, 10,000,000].
    /// A full channel never evicts a signal it accepted: new ones are refused until correlation catches up.
    /// </summary>
    [Range(1, 10_000_000)]
    public int SignalCapacity { get; set; } = 10_000;

    /// <summary>
    /// Gets or sets what a full sample channel does with a new sample: <see cref="BoundedChannelFullMode.DropOldest"/> keeps
    /// detection current under overload (the drop is counted); <see cref="BoundedChannelFullMode.Wait"/> refuses the new
    /// sample (<c>TryWriteSample</c> returns <see langword="false"/>, also counted). Signals and episodes are never dropped,
    /// whatever this says. Default: <see cref="BoundedChannelFullMode.DropOldest"/>.
    /// </summary>
    public BoundedChannelFullMode FullMode { get; set; } = BoundedChannelFullMode.DropOldest;
}

/// <summary>Options of the Alertmanager webhook endpoint (<c>MapAiopsAlertmanager</c>).</summary>
public sealed class AlertmanagerWebhookOptions
{
    /// <summary>Gets or sets the largest accepted body in bytes; larger requests get 413. Default: 1 MiB. Range: [1 KiB, 64 MiB].</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Gets or sets the bearer token Alertmanager's <c>http_config.authorization</c> must send, compared in constant time.
    /// <see langword="null"/>: no bearer check; then basic authentication or the host's authorization on the endpoint must
    /// protect it, or a web host refuses to start (see <see cref="AiopsOptions.AllowAnonymous"/>). Default: <see langword="null"/>.
    /// </summary>
    public string? BearerToken { get; set; }

    /// <summary>Gets or sets the user name of <c>http_config.basic_auth</c>; with <see cref="BasicAuthPassword"/>, enables basic authentication. Default: <see langword="null"/>.</summary>
    public string? BasicAuthUser { get; set; }

    /// <summary>Gets or sets the password of <c>http_config.basic_auth</c>. Default: <see langword="null"/>.</summary>
    public string? BasicAuthPassword { get; set; }

    /// <summary>Gets or sets how long an identical notification (Alertmanager's retry or repeat) is recognised and acknowledged without being processed again. Default: 10 minutes. Range: [0, 1 day].</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan DuplicateWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Gets or sets how long a notification waits for room when the signal channel is full before the webhook answers 503
    /// with <c>Retry-After</c> (Alertmanager then retries it; nothing it sent is lost). Keep it below Alertmanager's webhook
    /// timeout (10 s by default). Default: 5 seconds. Range: [0, 1 minute].
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Gets or sets the label that makes an alert a change event (a deploy, a configuration change, a scaling) rather than a
    /// symptom: its value names the kind (<c>deploy</c>, <c>config</c>, <c>scaling</c>; anything else is <c>other</c>), and
    /// the alert reaches correlation as a <see cref="Aiops.Correlation.ChangeSignal"/> that root-cause ranking weighs as a
    /// possible trigger. <see langword="null"/> or empty turns the mapping off. Default: <c>aiops_change</c>.
    /// </summary>
    public string? ChangeLabel { get; set; } = "aiops_change";
}
