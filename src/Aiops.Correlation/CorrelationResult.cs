namespace Aiops.Correlation;

/// <summary>What the correlator did with a signal.</summary>
/// <param name="Outcome">The outcome.</param>
/// <param name="EpisodeId">The episode the signal went to, or <see langword="null"/> (rejected, ignored, unattached changes).</param>
/// <param name="Reason">Why a signal was rejected or ignored; <see langword="null"/> otherwise.</param>
public readonly record struct CorrelationResult(CorrelationOutcome Outcome, string? EpisodeId, string? Reason)
{
    /// <summary>Creates a rejection.</summary>
    /// <param name="reason">Why, as a short snake_case tag (it is also the telemetry tag).</param>
    /// <returns>The result.</returns>
    public static CorrelationResult Rejected(string reason) => new(CorrelationOutcome.Rejected, null, reason);
}

/// <summary>The outcomes of <see cref="Correlator.Add"/>.</summary>
public enum CorrelationOutcome
{
    /// <summary>The signal opened a new episode.</summary>
    Opened = 0,

    /// <summary>The signal joined an existing episode (possibly reopening it within the reopen window).</summary>
    Joined = 1,

    /// <summary>The signal repeats one already in an episode (same fingerprint) and was folded into it.</summary>
    Repeat = 2,

    /// <summary>The signal joined an episode and showed that other open episodes share its cause; they were merged into it.</summary>
    Merged = 3,

    /// <summary>A change event, remembered as context for episodes (and attached to related open ones).</summary>
    Context = 4,

    /// <summary>The signal needs no action (for example a resolve for an alert never seen firing).</summary>
    Ignored = 5,

    /// <summary>The signal was invalid (missing fields, a peak score outside [0, 1] or a magnitude that is not a number, onset too far in the future or past) or the correlator was full.</summary>
    Rejected = 6,
}
