namespace Aiops.Correlation;

/// <summary>The correlator's mutable state of one episode; only ever touched under the correlator's lock.</summary>
internal sealed class LiveEpisode(long sequence, DateTimeOffset createdAt, DateTimeOffset onset, string? scope)
{
    public readonly long Sequence = sequence;
    public readonly string Id = $"ep-{sequence:D6}";
    public readonly string? Scope = scope;
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
    public DateTimeOffset? QuietSince;
    public DateTimeOffset ClosedAt;
    public long SignalCount;
    public int FiringAlerts;
    public string? MergedInto;
    public bool Dirty;

    public bool IsClosed => State is EpisodeState.Resolved or EpisodeState.Inactive;

    public bool IsActive(DateTimeOffset now) => (FiringAlerts > 0 && now < AlertStaleAt) || now < AnomalyActiveUntil;

    /// <summary>When the episode stopped being active: the later of its last anomaly's expiry and its last alert change.</summary>
    public DateTimeOffset ActiveUntil(DateTimeOffset now)
    {
        var until = AnomalyActiveUntil > LastAlertChange ? AnomalyActiveUntil : LastAlertChange;
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
    public readonly Signal Signal = signal;
    public readonly string? Entity = entity;
    public readonly DateTimeOffset FirstSeen = now;
    public DateTimeOffset LastSeen = now;
    public DateTimeOffset AlertSeen = now;
    public double PeakScore = signal switch
    {
        AnomalySignal a => a.PeakScore,
        AlertSignal => 1,
        _ => 0,
    };

    public int Repeats;
    public bool Firing;

    public bool IsActive(DateTimeOffset now, CorrelatorOptions options) => Signal switch
    {
        AnomalySignal => now - LastSeen < options.AnomalyActiveFor,
        AlertSignal => Firing && now - AlertSeen < options.AlertStaleAfter,
        _ => false,
    };

    public EpisodeMember ToMember(bool active) => new(Signal, Entity, FirstSeen, LastSeen, Repeats, PeakScore, active);
}
