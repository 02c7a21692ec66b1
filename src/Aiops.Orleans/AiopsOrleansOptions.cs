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
