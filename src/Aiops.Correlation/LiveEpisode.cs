namespace Aiops.Correlation;

/// <summary>The correlator's mutable state of one episode; only ever touched under the correlator's lock.</summary>
internal sealed class LiveEpisode(long sequence, DateTimeOffset createdAt, DateTimeOffset onset, int scopeLabels)
{
    public readonly long Sequence = sequence;
    public readonly string Id = $"ep-{sequence:D6}";
    public readonly string?[] ScopeValues = new string?[scopeLabels]; // per CorrelatorOptions.ScopeLabels: the first value any signal carried
    public readonly List<string> Keys = [];
    public readonly List<string> Entities = [];
    public readonly List<LiveMember> Members = [];
    public readonly List<ChangeSignal> Changes = [];
    public readonly List<StateTransition> Transitions = [];
    public EpisodeState State = EpisodeState.Pending;
    public DateTimeOffset CreatedAt = createdAt;
    public DateTimeOffset UpdatedAt = createdAt;
    public DateTimeOffset OpenedAt = onset;
    public DateTimeOffset LastOnset = onset;
    public DateTimeOffset AnomalyActiveUntil = DateTimeOffset.MinValue;
    public DateTimeOffset AlertStaleAt = DateTimeOffset.MinValue;
    public DateTimeOffset LastAlertChange = DateTimeOffset.MinValue;
    public DateTimeOffset LastAnomalyEnd = DateTimeOffset.MinValue;
    public DateTimeOffset? QuietSince;
    public DateTimeOffset ClosedAt;
    public long SignalCount;
    public int FiringAlerts;
    public string? MergedInto;
    public bool Dirty;
    public bool HoldsAnomalies; // one of its members is an anomaly (kept, so stored: Restore rebuilds it from the members)

    public bool IsClosed => State is EpisodeState.Resolved or EpisodeState.Inactive;

    public bool IsActive(DateTimeOffset now) => (FiringAlerts > 0 && now < AlertStaleAt) || now < AnomalyActiveUntil;

    /// <summary>
    /// Whether the episode's evidence holds now: an alert firing, or an anomaly active whose series is still away from its
    /// baseline (not back inside its band waiting for the end). A pending episode fires only while it does.
    /// </summary>
    public bool HoldsEvidence(DateTimeOffset now, CorrelatorOptions options)
    {
        if (FiringAlerts > 0 && now < AlertStaleAt)
        {
            return true;
        }

        foreach (var member in Members)
        {
            if (member.Signal is AnomalySignal && !member.Returning && member.IsActive(now, options))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Recomputes when the anomalies still open expire, after one of them ended at <paramref name="now"/>.</summary>
    public void AnomalyEnded(DateTimeOffset now, TimeSpan activeFor)
    {
        LastAnomalyEnd = now > LastAnomalyEnd ? now : LastAnomalyEnd;
        var until = DateTimeOffset.MinValue;
        foreach (var member in Members)
        {
            if (member.Signal is AnomalySignal && member.EndedAt is null && member.LastSeen + activeFor > until)
            {
                until = member.LastSeen + activeFor;
            }
        }

        AnomalyActiveUntil = until;
    }

    /// <summary>When the episode stopped being active: the latest of its last anomaly's expiry or end and its last alert change.</summary>
    public DateTimeOffset ActiveUntil(DateTimeOffset now)
    {
        var until = AnomalyActiveUntil > LastAlertChange ? AnomalyActiveUntil : LastAlertChange;
        until = LastAnomalyEnd > until ? LastAnomalyEnd : until;
        if (FiringAlerts > 0 && AlertStaleAt > until)
        {
            until = AlertStaleAt;
        }

        return until > now ? now : until;
    }
}

/// <summary>The correlator's mutable state of one member signal.</summary>
internal sealed class LiveMember(Signal signal, string? entity, DateTimeOffset now)
{
    public readonly string? Entity = entity;
    public readonly DateTimeOffset FirstSeen = now;
    public Signal Signal = signal;
    public DateTimeOffset LastSeen = now;
    public DateTimeOffset AlertSeen = now;
    public DateTimeOffset? EndedAt;
    public string? EndReason;
    public double PeakScore = signal switch
    {
        AnomalySignal a => a.PeakScore,
        AlertSignal => 1,
        _ => 0,
    };

    public int Repeats;
    public bool Firing;

    // The latest report said the series is back inside its band, waiting for the end (AnomalySignal.ReturningSince).
    public bool Returning = signal is AnomalySignal { ReturningSince: not null };

    public bool IsActive(DateTimeOffset now, CorrelatorOptions options) => Signal switch
    {
        AnomalySignal => EndedAt is null && now - LastSeen < options.AnomalyActiveFor,
        AlertSignal => Firing && now - AlertSeen < options.AlertStaleAfter,
        _ => false,
    };

    /// <summary>The member's snapshot; an inactive member without a reported end shows when and why it stopped counting.</summary>
    public EpisodeMember ToMember(DateTimeOffset now, CorrelatorOptions options)
    {
        var active = IsActive(now, options);
        var (endedAt, reason) = (EndedAt, EndReason);
        if (!active && endedAt is null)
        {
            (endedAt, reason) = Signal switch
            {
                AnomalySignal => (LastSeen + options.AnomalyActiveFor, $"not reported for {Describe(options.AnomalyActiveFor)}"),
                AlertSignal when Firing => (AlertSeen + options.AlertStaleAfter, $"no notification for {Describe(options.AlertStaleAfter)}"),
                _ => (endedAt, reason),
            };
        }

        return new EpisodeMember(Signal, Entity, FirstSeen, LastSeen, Repeats, PeakScore, active, endedAt, reason);
    }

    internal static string Describe(TimeSpan span) =>
        span.TotalHours >= 1 && span.Minutes == 0 && span.Seconds == 0 ? $"{span.TotalHours:0} h"
        : span.TotalMinutes >= 1 && span.Seconds == 0 ? $"{span.TotalMinutes:0} min"
        : $"{span.TotalSeconds:0} s";
}
