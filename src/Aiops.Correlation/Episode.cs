namespace Aiops.Correlation;

/// <summary>
/// An incident: the signals that share one underlying problem, its lifecycle and its root-cause analysis. Instances are
/// immutable snapshots taken by the <see cref="Correlator"/>; they are safe to share between threads and serialise to JSON.
/// </summary>
/// <param name="Id">A stable identifier, deterministic for the same input (<c>ep-</c> followed by a sequence number).</param>
/// <param name="State">The lifecycle state when the snapshot was taken.</param>
/// <param name="OpenedAt">When the first member signal arrived (its onset).</param>
/// <param name="UpdatedAt">When the episode last changed.</param>
/// <param name="Entities">The services (entities) involved, in order of first appearance.</param>
/// <param name="Members">The member signals (repeats folded into one member), in arrival order.</param>
/// <param name="Changes">Change events shortly before or during the episode on its entities or their dependencies.</param>
/// <param name="Transitions">Every lifecycle transition, in order.</param>
/// <param name="SignalCount">Signals received for this episode, repeats included.</param>
/// <param name="RootCause">The ranked root-cause hypotheses, or <see langword="null"/> when no analysis ran yet.</param>
/// <param name="MergedInto">The id of the episode this one was merged into (it is then closed), or <see langword="null"/>.</param>
public sealed record Episode(
    string Id,
    EpisodeState State,
    DateTimeOffset OpenedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<string> Entities,
    IReadOnlyList<EpisodeMember> Members,
    IReadOnlyList<ChangeSignal> Changes,
    IReadOnlyList<StateTransition> Transitions,
    long SignalCount,
    RootCauseAnalysis? RootCause,
    string? MergedInto = null)
{
    /// <summary>
    /// Gets whether the episode covers <paramref name="at"/>: it had opened (its first onset is at or before it) and had not
    /// closed by then (it is open, or its last transition to resolved or inactive is at or after it).
    /// </summary>
    /// <param name="at">The time.</param>
    /// <returns><see langword="true"/> when the episode was open at that time.</returns>
    public bool Covers(DateTimeOffset at)
    {
        if (OpenedAt > at)
        {
            return false;
        }

        if (State is EpisodeState.Pending or EpisodeState.Firing)
        {
            return true;
        }

        for (var i = Transitions.Count - 1; i >= 0; i--)
        {
            if (Transitions[i].To is EpisodeState.Resolved or EpisodeState.Inactive)
            {
                return Transitions[i].At >= at;
            }
        }

        return true;
    }

    /// <summary>
    /// Builds the timeline: member signals (their onsets, and their ends when they ended) and related changes in time order
    /// (ties keep arrival order), interleaved with the lifecycle transitions.
    /// </summary>
    /// <returns>The entries, oldest first.</returns>
    public IReadOnlyList<TimelineEntry> Timeline()
    {
        var entries = new List<TimelineEntry>(Members.Count + Changes.Count + Transitions.Count);
        foreach (var change in Changes)
        {
            entries.Add(TimelineEntry.ForSignal(change, change.Label("service")));
        }

        foreach (var member in Members)
        {
            entries.Add(TimelineEntry.ForSignal(member.Signal, member.Entity));
        }

        foreach (var member in Members)
        {
            if (member.EndedAt is not null)
            {
                entries.Add(TimelineEntry.ForEnd(member));
            }
        }

        foreach (var transition in Transitions)
        {
            entries.Add(TimelineEntry.ForTransition(transition));
        }

        // A stable sort: equal times keep changes first, then members in arrival order, then transitions.
        return [.. entries.Select((entry, index) => (entry, index)).OrderBy(e => e.entry.At).ThenBy(e => e.index).Select(e => e.entry)];
    }
}

/// <summary>One member signal of an episode, with repeats folded in.</summary>
/// <param name="Signal">The member's first occurrence.</param>
/// <param name="Entity">The service (entity) the signal belongs to, or <see langword="null"/> when its labels name none.</param>
/// <param name="FirstSeen">When the correlator first received it.</param>
/// <param name="LastSeen">When the correlator last received it or a repeat.</param>
/// <param name="Repeats">How many repeats (same fingerprint) were folded into this member.</param>
/// <param name="PeakScore">The highest anomaly score among its occurrences (1 for alerts, 0 for none).</param>
/// <param name="IsActive">
/// Whether it was still active when the snapshot was taken: an alert firing, an anomaly not ended and re-sent within the
/// correlator's <see cref="CorrelatorOptions.AnomalyActiveFor"/>. Active since <see cref="Signal"/>'s onset.
/// </param>
/// <param name="EndedAt">When it stopped being active (the anomaly's reported end, the alert's resolve, or when it went stale); <see langword="null"/> while active.</param>
/// <param name="EndReason">Why it stopped, in words ("recovered: …", "alert resolved", "not reported for 2 min"); <see langword="null"/> while active.</param>
public sealed record EpisodeMember(
    Signal Signal,
    string? Entity,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    int Repeats,
    double PeakScore,
    bool IsActive,
    DateTimeOffset? EndedAt = null,
    string? EndReason = null);

/// <summary>The lifecycle states of an episode, the same as Prometheus's alert states.</summary>
public enum EpisodeState
{
    /// <summary>Its signals went quiet before it ever fired.</summary>
    Inactive = 0,

    /// <summary>It has active signals but has not yet been active for the pending duration.</summary>
    Pending = 1,

    /// <summary>It has been active for at least the pending duration.</summary>
    Firing = 2,

    /// <summary>It fired and then had no active signal for the resolve duration.</summary>
    Resolved = 3,
}

/// <summary>A lifecycle transition of an episode.</summary>
/// <param name="At">When it happened.</param>
/// <param name="From">The state before; <see langword="null"/> for the episode's creation.</param>
/// <param name="To">The state after.</param>
/// <param name="Reason">Why, in words.</param>
public sealed record StateTransition(DateTimeOffset At, EpisodeState? From, EpisodeState To, string Reason);

/// <summary>One line of an episode's timeline: a signal or a lifecycle transition.</summary>
/// <param name="At">When.</param>
/// <param name="Kind">What kind of entry.</param>
/// <param name="Title">A short human-readable description.</param>
/// <param name="Entity">The service concerned, when known.</param>
/// <param name="Signal">The signal, for signal and change entries.</param>
/// <param name="Transition">The transition, for transition entries.</param>
public sealed record TimelineEntry(
    DateTimeOffset At,
    TimelineEntryKind Kind,
    string Title,
    string? Entity,
    Signal? Signal,
    StateTransition? Transition)
{
    internal static TimelineEntry ForSignal(Signal signal, string? entity) => signal switch
    {
        AnomalySignal a => new(a.Onset, TimelineEntryKind.Anomaly, $"{a.Name} anomalous ({DirectionWord(a.Direction)}, score {a.PeakScore:0.00})", entity, a, null),
        AlertSignal a => new(a.Onset, TimelineEntryKind.Alert, $"alert {a.Name} {(a.Status == AlertStatus.Firing ? "firing" : "resolved")}", entity, a, null),
        ChangeSignal c => new(c.Onset, TimelineEntryKind.Change, $"{c.Change.ToString().ToLowerInvariant()}: {c.Name}", entity, c, null),
        _ => new(signal.Onset, TimelineEntryKind.Anomaly, signal.Name, entity, signal, null),
    };

    internal static TimelineEntry ForEnd(EpisodeMember member) =>
        new(member.EndedAt ?? member.LastSeen, TimelineEntryKind.End, $"{(member.Signal is AlertSignal ? "alert " : string.Empty)}{member.Signal.Name} ended: {member.EndReason ?? "ended"}", member.Entity, member.Signal, null);

    internal static TimelineEntry ForTransition(StateTransition transition) =>
        new(transition.At, TimelineEntryKind.Transition, $"{(transition.From is { } from ? from.ToString().ToLowerInvariant() + " → " : string.Empty)}{transition.To.ToString().ToLowerInvariant()}: {transition.Reason}", null, null, transition);

    private static string DirectionWord(Direction direction) => direction switch
    {
        Direction.Up => "up",
        Direction.Down => "down",
        _ => "changed",
    };
}

/// <summary>The kinds of timeline entries.</summary>
public enum TimelineEntryKind
{
    /// <summary>An anomaly signal.</summary>
    Anomaly = 0,

    /// <summary>An alert signal.</summary>
    Alert = 1,

    /// <summary>A change event.</summary>
    Change = 2,

    /// <summary>A lifecycle transition.</summary>
    Transition = 3,

    /// <summary>The end of a member signal (its anomaly ended, its alert resolved, or it went stale).</summary>
    End = 4,
}
