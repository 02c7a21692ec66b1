using System.ComponentModel.DataAnnotations;

namespace Aiops.Orleans;

/// <summary>Options of the clustered mode (<c>UseOrleans</c>). Read when the host starts; not thread-safe to change afterwards.</summary>
public sealed class AiopsOrleansOptions : IValidatableObject
{
    /// <summary>The configuration section the options bind from.</summary>
    public const string SectionName = "Aiops:Orleans";

    /// <summary>
    /// Gets or sets the signal label whose value names a signal's correlation scope (for example <c>namespace</c>, <c>team</c>
    /// or <c>cluster</c>): signals of one scope are correlated by one grain, whichever replica received them. A signal without
    /// the label goes to the <see cref="DefaultScope"/>. Default: <see langword="null"/> (one scope for the whole cluster).
    /// </summary>
    public string? ScopeLabel { get; set; }

    /// <summary>
    /// Gets or sets how long an action may run before its token fires and the attempt is recorded as timed out.
    /// Default: 5 minutes. Range: [1 second, 1 hour].
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ActionTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Gets or sets how long a start may stay running in the cluster's execution history: past it, the start no longer counts
    /// toward the concurrency gate (it still counts toward rate limits and cooldowns). A silo killed mid-action never records
    /// its action's end; without this bound that start would hold a concurrency slot forever. Keep it above
    /// <see cref="ActionTimeout"/> (validated), since a live silo records every end within that timeout.
    /// Default: 10 minutes (twice the default <see cref="ActionTimeout"/>). Range: [2 seconds, 2 hours].
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:02", "02:00:00")]
    public TimeSpan RunningBound { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Gets or sets where metric samples are scored: <see cref="DetectionPlacement.Local"/> keeps detection on the replica that
    /// received the sample; <see cref="DetectionPlacement.SeriesGrain"/> and <see cref="DetectionPlacement.BucketGrain"/> shard it by
    /// series over the cluster, with detector snapshots in grain storage. Default: <see cref="DetectionPlacement.Local"/>.
    /// </summary>
    public DetectionPlacement Detection { get; set; } = DetectionPlacement.Local;

    /// <summary>
    /// Gets or sets how many buckets series are hashed into with <see cref="DetectionPlacement.BucketGrain"/> (one grain each).
    /// Default: 1,024. Range: [1, 1,048,576].
    /// </summary>
    [Range(1, 1 << 20)]
    public int DetectionBuckets { get; set; } = 1024;

    /// <summary>
    /// Gets or sets how many points a series' detector scores between two snapshots to grain storage (a bucket grain writes once
    /// its series have had that many on average); a grain also writes on deactivation. A silo that dies loses at most the points
    /// since the last snapshot of its series: they resume from it, not from scratch. Default: 60 (10 minutes at 10 s).
    /// Range: [1, 100,000].
    /// </summary>
    [Range(1, 100_000)]
    public int SnapshotEveryPoints { get; set; } = 60;

    /// <summary>
    /// Gets or sets how many samples a replica forwards per round of grain calls (one call per grain per round) with a
    /// sharded <see cref="Detection"/>; samples beyond <see cref="ForwardQueueLength"/> waiting are dropped and logged.
    /// Default: 8,192. Range: [1, 1,000,000].
    /// </summary>
    [Range(1, 1_000_000)]
    public int ForwardBatchSize { get; set; } = 8192;

    /// <summary>Gets or sets how many samples may wait to be forwarded with a sharded <see cref="Detection"/>. Default: 262,144. Range: [1, 10,000,000].</summary>
    [Range(1, 10_000_000)]
    public int ForwardQueueLength { get; set; } = 1 << 18;

    /// <summary>
    /// Gets or sets how often the correlation scopes holding open episodes are resumed: a scope whose silo died is activated
    /// on a survivor, and every scope offers its remediation stage the episodes whose proposals have no decision yet, or a
    /// decision that may still run (the decision grains make offering twice harmless). Every replica also wakes the
    /// scopes' index at this interval. After a silo dies, its scopes' episodes are offered again within this interval of
    /// the cluster declaring it dead. Default: 10 seconds. Range: [100 ms, 1 hour].
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan ResumeInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets or sets how long a replica keeps trying to hand a signal to its correlation scope when the call fails (the scope's
    /// silo died and is not yet declared dead by the cluster; then the scope moves to a survivor). Keep it above the time the
    /// cluster's membership takes to declare a silo dead (about a minute with Orleans' default membership settings); past
    /// it the signal is logged and skipped. Default: 2 minutes. Range: [0, 1 hour].
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan RouteRetryFor { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The scope of every signal when <see cref="ScopeLabel"/> is unset, and of signals without that label.</summary>
    public const string DefaultScope = "default";

    /// <summary>Gets the scope a signal belongs to.</summary>
    /// <param name="labels">The signal's labels.</param>
    /// <returns>The value of <see cref="ScopeLabel"/>, or <see cref="DefaultScope"/>.</returns>
    internal string ScopeOf(IReadOnlyDictionary<string, string> labels) =>
        ScopeLabel is { Length: > 0 } label && labels.TryGetValue(label, out var value) && !string.IsNullOrEmpty(value) ? value : DefaultScope;

    /// <summary>Checks that <see cref="RunningBound"/> is above <see cref="ActionTimeout"/>.</summary>
    /// <param name="validationContext">The validation context.</param>
    /// <returns>The failures, if any.</returns>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RunningBound <= ActionTimeout)
        {
            yield return new ValidationResult(
                $"{nameof(RunningBound)} ({RunningBound}) must be above {nameof(ActionTimeout)} ({ActionTimeout}): a live silo's action may run that long.",
                [nameof(RunningBound)]);
        }
    }
}
