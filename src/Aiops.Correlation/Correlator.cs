using Aiops.Detection.Tracking;

namespace Aiops.Correlation;

/// <summary>
/// Groups a stream of signals into episodes. A signal joins an open episode when its onset is within
/// <see cref="CorrelatorOptions.GroupWindow"/> of the episode's signals, its scope labels agree, and its entity (service)
/// is one of the episode's entities or related to one through the <see cref="DependencyGraph"/> (with no graph declared, any
/// entity for an anomaly: time and scope alone, <see cref="CorrelatorOptions.GroupAnomaliesByTimeWithoutGraph"/>); when it matches several
/// open episodes, they share a cause and are merged into the oldest. Repeats (same fingerprint) are folded into their member;
/// an alert that resolves and fires again stays in its episode, and an episode that closed less than
/// <see cref="CorrelatorOptions.ReopenWindow"/> ago reopens instead of a new one opening (flapping hysteresis).
/// Change events never open episodes; they are attached to episodes of related services that start within
/// <see cref="CorrelatorOptions.ChangeLookback"/> after them.
/// </summary>
/// <remarks>
/// <para>
/// Lifecycle (the Prometheus alert states) advances in <see cref="Tick"/> on the <see cref="TimeProvider"/>'s clock:
/// pending → firing once its evidence has held for <see cref="CorrelatorOptions.PendingFor"/> (an alert firing, or an anomaly
/// whose series is still away from its baseline: one back inside its band, waiting to end, does not hold; the pending
/// period restarts at a tick without evidence, as Prometheus' <c>for:</c> does); firing → resolved, or pending →
/// inactive, after <see cref="CorrelatorOptions.ResolveAfter"/> without one. Every transition is timestamped.
/// </para>
/// <para>
/// Bad input never throws: a signal with a missing field, an anomaly whose peak score is outside [0, 1] or whose magnitude is
/// not a number (<c>invalid_score</c>), or an onset beyond <see cref="CorrelatorOptions.MaxFutureSkew"/> or older than
/// <see cref="CorrelatorOptions.MaxSignalAge"/>, is rejected with a reason and counted; a report of an anomaly occurrence
/// that has already ended, other than its end (a late or duplicate delivery), is ignored (<c>report_after_end</c>). The result is deterministic
/// for the same input order and clock. Thread-safe: calls are serialised by one lock.
/// </para>
/// </remarks>
public sealed class Correlator
{
    private readonly Lock _gate = new();
    private readonly CorrelatorOptions _options;
    private readonly DependencyGraph _graph;
    private readonly IRootCauseRanker? _ranker;
    private readonly TimeProvider _time;
    private readonly CorrelationTelemetry _telemetry;
    private readonly Dictionary<string, List<LiveEpisode>> _byEntity = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (LiveEpisode Episode, LiveMember Member)> _byFingerprint = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string[]> _related = new(StringComparer.Ordinal);
    private readonly List<LiveEpisode> _episodes = [];
    private readonly List<LiveEpisode> _dirty = [];
    private readonly Queue<(ChangeSignal Change, string? Entity)> _changes = new();
    private readonly List<LiveEpisode> _candidates = [];
    private readonly TimeSpan _mergeLeadTolerance;
    private readonly string[] _scopeLabels;
    private readonly bool _groupsByTime; // no graph declared: anomalies group by time and scope alone (GroupAnomaliesByTimeWithoutGraph)
    private long _sequence;
    private int _open;

    /// <summary>Initializes a new instance of the <see cref="Correlator"/> class.</summary>
    /// <param name="options">The options; <see langword="null"/> uses the defaults.</param>
    /// <param name="graph">The service dependency graph; <see langword="null"/> uses labels and time alone.</param>
    /// <param name="ranker">Ranks root causes when snapshots are taken; <see langword="null"/> uses a <see cref="RootCauseRanker"/> with its defaults and this correlator's <see cref="CorrelatorOptions.EntityLabels"/>.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> uses <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="System.ComponentModel.DataAnnotations.ValidationException">An option is out of range.</exception>
    public Correlator(CorrelatorOptions? options = null, DependencyGraph? graph = null, IRootCauseRanker? ranker = null, TimeProvider? timeProvider = null)
    {
        _options = options ?? new CorrelatorOptions();
        Aiops.Detection.Internal.OptionsValidator.ThrowIfInvalid(_options);
        _graph = graph ?? DependencyGraph.Empty;
        _ranker = ranker ?? new RootCauseRanker(new RootCauseRankerOptions { EntityLabels = [.. _options.EntityLabels] });
        _time = timeProvider ?? TimeProvider.System;
        _scopeLabels = [.. _options.ScopeLabels];
        _telemetry = _options.Telemetry ?? CorrelationTelemetry.Shared;
        _mergeLeadTolerance = _options.GroupWindow / 4;
        _groupsByTime = _options.GroupAnomaliesByTimeWithoutGraph && _graph.Count == 0;
    }

    /// <summary>Gets the number of open (pending or firing) episodes.</summary>
    public int OpenCount
    {
        get
        {
            lock (_gate)
            {
                return _open;
            }
        }
    }

    /// <summary>Gets how many episodes, fingerprints and entity keys the correlator tracks (for tests of its memory bound).</summary>
    internal (int Episodes, int Fingerprints, int Keys) Tracked
    {
        get
        {
            lock (_gate)
            {
                return (_episodes.Count, _byFingerprint.Count, _byEntity.Count);
            }
        }
    }

    /// <summary>Correlates one signal.</summary>
    /// <param name="signal">The signal.</param>
    /// <returns>What was done with it; never throws for bad input.</returns>
    public CorrelationResult Add(Signal signal)
    {
        lock (_gate)
        {
            var result = AddCore(signal, _time.GetUtcNow());
            _telemetry.Signal(KindTag(signal), result.Outcome, result.Reason);
            return result;
        }
    }

    /// <summary>Advances every episode's lifecycle to the clock's current time. Call it regularly (every few seconds).</summary>
    public void Tick()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            for (var i = _episodes.Count - 1; i >= 0; i--)
            {
                var episode = _episodes[i];
                if (episode.IsClosed)
                {
                    if (now - episode.ClosedAt >= _options.ReopenWindow)
                    {
                        Forget(episode, i);
                    }

                    continue;
                }

                var active = episode.IsActive(now);
                if (active)
                {
                    episode.QuietSince = null;
                }
                else
                {
                    episode.QuietSince ??= episode.ActiveUntil(now);
                }

                var holds = episode.State == EpisodeState.Pending && active && episode.HoldsEvidence(now, _options);
                if (episode.State == EpisodeState.Pending && !holds)
                {
                    // Prometheus' for: a pending alert whose condition is false at an evaluation starts its pending period
                    // afresh. Here the condition is evidence that holds: every anomaly back inside its band (waiting to
                    // end), no alert firing. A 5-second burst thus never fires, even though its end is known only later.
                    episode.CreatedAt = now;
                }

                if (holds && now - episode.CreatedAt >= _options.PendingFor)
                {
                    Transition(episode, EpisodeState.Firing, now, $"active for {Format(_options.PendingFor)}");
                }
                else if (!active && now - episode.QuietSince >= _options.ResolveAfter)
                {
                    var to = episode.State == EpisodeState.Firing ? EpisodeState.Resolved : EpisodeState.Inactive;
                    Close(episode, to, now, $"no active signal for {Format(_options.ResolveAfter)}");
                }
            }

            ForgetOldChanges(now);
            TrimIfSparse();
        }
    }

    /// <summary>
    /// Takes snapshots of every episode that changed since the last call, for an <see cref="IEpisodeStore"/> or a UI.
    /// </summary>
    /// <returns>The snapshots, in episode order.</returns>
    public IReadOnlyList<Episode> DrainChanged()
    {
        lock (_gate)
        {
            var snapshots = new List<Episode>(_dirty.Count);
            _dirty.Sort(static (a, b) => a.Sequence.CompareTo(b.Sequence));
            foreach (var episode in _dirty)
            {
                episode.Dirty = false;
                snapshots.Add(Snapshot(episode));
            }

            _dirty.Clear();
            return snapshots;
        }
    }

    /// <summary>Takes a snapshot of every open episode (and of those closed within the reopen window).</summary>
    /// <returns>The snapshots, oldest first.</returns>
    public IReadOnlyList<Episode> Snapshot()
    {
        lock (_gate)
        {
            return [.. _episodes.OrderBy(e => e.Sequence).Select(Snapshot)];
        }
    }

    /// <summary>
    /// Finds the episode of an entity (service) at a time: the latest-opened episode involving <paramref name="entity"/> that
    /// was open at <paramref name="at"/> (see <see cref="Episode.Covers"/>), with a merged episode resolved to the one it was
    /// merged into. Only episodes the correlator still holds (open, or closed within the reopen window) are searched; use
    /// <see cref="EpisodeStoreExtensions.FindAsync"/> for older ones.
    /// </summary>
    /// <param name="entity">The entity, as the <see cref="CorrelatorOptions.EntityLabels"/> name it.</param>
    /// <param name="at">The time.</param>
    /// <returns>A snapshot of the episode, or <see langword="null"/> when none covers that time.</returns>
    public Episode? Find(string entity, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(entity);
        lock (_gate)
        {
            if (!_byEntity.TryGetValue(entity, out var list))
            {
                return null;
            }

            LiveEpisode? found = null;
            foreach (var episode in list)
            {
                var live = Resolve(episode);
                if (live.OpenedAt <= at && (!live.IsClosed || live.ClosedAt >= at)
                    && (found is null || live.OpenedAt > found.OpenedAt))
                {
                    found = live;
                }
            }

            return found is null ? null : Snapshot(found);
        }
    }

    private LiveEpisode Resolve(LiveEpisode episode)
    {
        // Merges point at older episodes only, so the chain ends; the bound guards against a chain the store aged out.
        for (var hops = 0; episode.MergedInto is { } id && hops < 16; hops++)
        {
            var target = _episodes.Find(e => string.Equals(e.Id, id, StringComparison.Ordinal));
            if (target is null)
            {
                break;
            }

            episode = target;
        }

        return episode;
    }

    /// <summary>
    /// Restores state saved by an <see cref="IEpisodeStore"/> after a restart: new episode ids continue after the highest id
    /// seen (so an id never names two episodes), and every open (pending or firing, not merged) episode is tracked again under
    /// its id, so that its signals keep joining it. Call it once, before the first <see cref="Add"/>; episodes whose ids are
    /// already tracked, or that are not of the form <c>ep-</c> followed by a number, are skipped.
    /// </summary>
    /// <param name="episodes">The stored episodes (latest snapshot of each), in any order.</param>
    /// <returns>How many open episodes were resumed.</returns>
    public int Restore(IEnumerable<Episode> episodes)
    {
        ArgumentNullException.ThrowIfNull(episodes);
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var resumed = 0;
            foreach (var episode in episodes.OrderBy(static e => e?.Id, StringComparer.Ordinal))
            {
                if (episode is null || !TryParseSequence(episode.Id, out var sequence))
                {
                    continue;
                }

                _sequence = Math.Max(_sequence, sequence);
                if (episode.State is EpisodeState.Pending or EpisodeState.Firing && episode.MergedInto is null && episode.Members.Count > 0
                    && !_episodes.Exists(e => e.Sequence == sequence) && _open < _options.MaxOpenEpisodes)
                {
                    Resume(episode, sequence, now);
                    resumed++;
                }
            }

            return resumed;
        }
    }

    private static bool TryParseSequence(string? id, out long sequence)
    {
        sequence = 0;
        return id is not null && id.StartsWith("ep-", StringComparison.Ordinal)
            && long.TryParse(id.AsSpan(3), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out sequence)
            && string.Equals($"ep-{sequence:D6}", id, StringComparison.Ordinal);
    }

    // Rebuilds the live state of a stored open episode: an alert stays firing until it goes stale (as if it had never been away),
    // an anomaly stays active for its usual span after it was last seen.
    private void Resume(Episode stored, long sequence, DateTimeOffset now)
    {
        var createdAt = stored.Transitions.Count > 0 ? stored.Transitions[^1].At : stored.OpenedAt;
        var live = new LiveEpisode(sequence, createdAt, stored.OpenedAt, _scopeLabels.Length)
        {
            State = stored.State,
            UpdatedAt = stored.UpdatedAt,
            SignalCount = stored.SignalCount,
        };
        live.Transitions.AddRange(stored.Transitions);
        live.Changes.AddRange(stored.Changes);
        live.Entities.AddRange(stored.Entities);
        foreach (var storedMember in stored.Members)
        {
            var signal = storedMember.Signal;
            var key = storedMember.Entity ?? "name:" + signal.Name;
            if (!live.Keys.Contains(key))
            {
                live.Keys.Add(key);
                Index(key, live);
            }

            AdoptScope(live.ScopeValues, signal);
            live.HoldsAnomalies |= signal is AnomalySignal;
            var member = new LiveMember(signal, storedMember.Entity, storedMember.FirstSeen)
            {
                LastSeen = storedMember.LastSeen,
                AlertSeen = storedMember.LastSeen,
                Repeats = storedMember.Repeats,
                PeakScore = storedMember.PeakScore,
                EndedAt = storedMember.EndedAt,
                EndReason = storedMember.EndReason,
            };
            live.Members.Add(member);
            _byFingerprint[signal.Fingerprint] = (live, member);
            live.LastOnset = Max(live.LastOnset, signal.Onset);
            if (signal is AlertSignal && storedMember.IsActive)
            {
                member.Firing = true;
                live.FiringAlerts++;
                live.LastAlertChange = Max(live.LastAlertChange, storedMember.LastSeen);
                live.AlertStaleAt = Max(live.AlertStaleAt, Plus(Seen(storedMember, now), _options.AlertStaleAfter));
            }
            else if (signal is AnomalySignal && storedMember.EndedAt is { } ended)
            {
                live.LastAnomalyEnd = Max(live.LastAnomalyEnd, ended);
            }
            else if (signal is AnomalySignal)
            {
                live.AnomalyActiveUntil = Max(live.AnomalyActiveUntil, Plus(Seen(storedMember, now), _options.AnomalyActiveFor));
            }
        }

        if (!live.IsActive(now))
        {
            live.QuietSince = live.ActiveUntil(now);
        }

        _episodes.Add(live);
        _open++;
    }

    private CorrelationResult AddCore(Signal? signal, DateTimeOffset now)
    {
        if (signal is null)
        {
            return CorrelationResult.Rejected("null_signal");
        }

        if (string.IsNullOrEmpty(signal.Fingerprint) || string.IsNullOrEmpty(signal.Name) || signal.Labels is null)
        {
            return CorrelationResult.Rejected("missing_field");
        }

        if (signal.Onset > now + _options.MaxFutureSkew)
        {
            return CorrelationResult.Rejected("onset_in_future");
        }

        if (signal.Onset < now - _options.MaxSignalAge)
        {
            return CorrelationResult.Rejected("onset_too_old");
        }

        if (signal is AnomalySignal { PeakScore: not (>= 0 and <= 1) } or AnomalySignal { Magnitude: double.NaN })
        {
            // A score outside [0, 1] or a magnitude that is not a number would poison the member's peak and largest deviation for
            // the rest of its occurrence (NaN wins every comparison it takes part in).
            return CorrelationResult.Rejected("invalid_score");
        }

        if (signal is ChangeSignal change)
        {
            return AddChange(change, now);
        }

        if (_byFingerprint.TryGetValue(signal.Fingerprint, out var known))
        {
            // Fingerprints name label sets, so they recur: a later onset after the member went quiet (ended, resolved, stale,
            // or its episode closed) is a new occurrence with its own onset, matched like any new signal; otherwise a repeat.
            var later = signal.Onset > known.Member.Signal.Onset;
            if (!later || (!known.Episode.IsClosed && known.Member.IsActive(now, _options)))
            {
                return Repeat(known.Episode, known.Member, signal, now);
            }

            if (signal is AnomalySignal { IsEnded: true } or AlertSignal { Status: AlertStatus.Resolved })
            {
                return new CorrelationResult(CorrelationOutcome.Ignored, null, "end_of_unknown_occurrence");
            }

            _byFingerprint.Remove(signal.Fingerprint);
            Release(known.Episode, known.Member);

            // A flap (the same series or alert back within the group window of going quiet, its episode still open) is a new
            // occurrence of the same incident: it joins that episode, as a new signal joins one within the group window of its onsets.
            var quietAt = known.Member.EndedAt ?? known.Member.LastSeen;
            if (signal is AlertSignal && !known.Episode.IsClosed && known.Episode.IsActive(now) && signal.Onset <= quietAt + _options.ResolveAfter)
            {
                var flapEntity = Entity(signal);
                Join(known.Episode, signal, flapEntity, flapEntity ?? "name:" + signal.Name, now);
                return new CorrelationResult(CorrelationOutcome.Joined, known.Episode.Id, null);
            }
        }

        if (signal is AlertSignal { Status: AlertStatus.Resolved })
        {
            return new CorrelationResult(CorrelationOutcome.Ignored, null, "resolved_alert_never_seen_firing");
        }

        if (signal is AnomalySignal { IsEnded: true })
        {
            return new CorrelationResult(CorrelationOutcome.Ignored, null, "ended_anomaly_never_seen");
        }

        var entity = Entity(signal);
        var key = entity ?? "name:" + signal.Name;
        FindCandidates(signal, key, entity is not null, now);
        if (_candidates.Count == 0)
        {
            if (_open >= _options.MaxOpenEpisodes)
            {
                return CorrelationResult.Rejected("capacity");
            }

            var created = Open(signal, now);
            Join(created, signal, entity, key, now);
            return new CorrelationResult(CorrelationOutcome.Opened, created.Id, null);
        }

        // The signal joins the episode that already has its entity, else the oldest. Other matching episodes are merged into it
        // only when the signal can be their cause: its entity is a dependency of theirs and it started no later than they did
        // (give or take detection jitter). A sibling, a caller, or a later signal cannot, and merging on it would let one stray
        // signal chain unrelated incidents.
        var target = _candidates[0];
        foreach (var candidate in _candidates)
        {
            var holdsKey = candidate.Keys.Contains(key);
            if ((holdsKey && !target.Keys.Contains(key)) || (holdsKey == target.Keys.Contains(key) && candidate.Sequence < target.Sequence))
            {
                target = candidate;
            }
        }

        if (target.IsClosed)
        {
            Reopen(target, now);
        }

        var merged = false;
        var byTime = GroupsByTime(signal);
        foreach (var other in _candidates)
        {
            // Without a graph, an anomaly that started no later than an episode's may be its cause as much as anything else.
            if (!ReferenceEquals(other, target) && !other.IsClosed && signal.Onset <= other.OpenedAt + _mergeLeadTolerance
                && ((byTime && other.HoldsAnomalies) || (entity is not null && IsDependencyOfAny(entity, other))) && ScopesAgree(other, target))
            {
                Merge(other, target, now);
                merged = true;
            }
        }

        Join(target, signal, entity, key, now);
        return new CorrelationResult(merged ? CorrelationOutcome.Merged : CorrelationOutcome.Joined, target.Id, null);
    }

    private CorrelationResult AddChange(ChangeSignal change, DateTimeOffset now)
    {
        var entity = Entity(change);

        // A change reported again (an Alertmanager repeat of a change alert) is the same change: keep one.
        if (_changes.Any(c => SameChange(c.Change, change)))
        {
            return new CorrelationResult(CorrelationOutcome.Context, null, null);
        }

        if (_options.MaxRecentChanges > 0)
        {
            if (_changes.Count >= _options.MaxRecentChanges)
            {
                _changes.Dequeue();
            }

            _changes.Enqueue((change, entity));
        }

        string? attachedTo = null;
        if (entity is not null)
        {
            foreach (var related in Related(entity) ?? [entity])
            {
                if (!_byEntity.TryGetValue(related, out var list))
                {
                    continue;
                }

                foreach (var episode in list)
                {
                    if (!episode.IsClosed && change.Onset >= episode.OpenedAt - _options.ChangeLookback && ScopeMatches(episode, change)
                        && !episode.Changes.Exists(c => SameChange(c, change)))
                    {
                        episode.Changes.Add(change);
                        MarkDirty(episode, now);
                        attachedTo ??= episode.Id;
                    }
                }
            }
        }

        return new CorrelationResult(CorrelationOutcome.Context, attachedTo, null);
    }

    private CorrelationResult Repeat(LiveEpisode episode, LiveMember member, Signal signal, DateTimeOffset now)
    {
        if (signal is AnomalySignal { IsEnded: false } && member.EndedAt is not null)
        {
            // The occurrence has ended, and a new one comes with a later onset: a report of this one that is not its end is a
            // late or duplicate delivery, and must not bring its episode back.
            return new CorrelationResult(CorrelationOutcome.Ignored, episode.Id, "report_after_end");
        }

        episode.SignalCount++;
        member.Repeats++;
        member.LastSeen = now;
        if (signal is AnomalySignal anomaly)
        {
            member.PeakScore = Math.Max(member.PeakScore, anomaly.PeakScore); // both in [0, 1]: checked on the way in
            member.Returning = anomaly.ReturningSince is not null;
            if (member.EndedAt is null && member.Signal is AnomalySignal first && anomaly.Magnitude >= first.Magnitude)
            {
                // The latest report of the occurrence carries its largest deviation so far; the onset stays the first one's.
                member.Signal = anomaly.Onset == first.Onset ? anomaly : anomaly with { Onset = first.Onset };
            }

            if (anomaly.EndedAt is { } endedAt)
            {
                if (member.EndedAt is null)
                {
                    member.EndedAt = endedAt;
                    member.EndReason = EndReason(anomaly);
                    episode.AnomalyEnded(now, _options.AnomalyActiveFor);
                }
            }
            else if (member.EndedAt is null)
            {
                episode.AnomalyActiveUntil = Max(episode.AnomalyActiveUntil, now + _options.AnomalyActiveFor);
            }
        }
        else if (signal is AlertSignal alert)
        {
            // A resolve ends the member; a firing repeat of a resolved member (same start) is a flap and re-activates it in place.
            var firing = alert.Status == AlertStatus.Firing;
            if (member.Firing != firing)
            {
                member.Firing = firing;
                episode.FiringAlerts += firing ? 1 : -1;
                episode.LastAlertChange = now;
                member.EndedAt = firing ? null : alert.EndsAt ?? now;
                member.EndReason = firing ? null : "alert resolved";
            }

            member.AlertSeen = now;
            if (firing)
            {
                // A repeat notification is what keeps a firing alert from going stale (CorrelatorOptions.AlertStaleAfter).
                episode.AlertStaleAt = Max(episode.AlertStaleAt, now + _options.AlertStaleAfter);
            }
        }

        if (episode.IsClosed && signal is not (AlertSignal { Status: AlertStatus.Resolved } or AnomalySignal { IsEnded: true }))
        {
            Reopen(episode, now);
        }

        MarkDirty(episode, now);
        return new CorrelationResult(CorrelationOutcome.Repeat, episode.Id, null);
    }

    private void FindCandidates(Signal signal, string key, bool hasEntity, DateTimeOffset now)
    {
        _candidates.Clear();
        if (GroupsByTime(signal))
        {
            AddCandidates(signal, key, _episodes, now, byTime: true);
        }
        else if ((hasEntity ? Related(key) : null) is not { } keys)
        {
            AddCandidates(signal, key, key, now);
        }
        else
        {
            foreach (var related in keys)
            {
                AddCandidates(signal, key, related, now);
            }
        }

        // Prefer open episodes; a closed one is reopened only when nothing open matches.
        if (_candidates.Exists(static e => !e.IsClosed))
        {
            _candidates.RemoveAll(static e => e.IsClosed);
        }
    }

    private bool GroupsByTime(Signal signal) => _groupsByTime && signal is AnomalySignal;

    private void AddCandidates(Signal signal, string key, string related, DateTimeOffset now)
    {
        if (_byEntity.TryGetValue(related, out var list))
        {
            AddCandidates(signal, key, list, now, byTime: false);
        }
    }

    private void AddCandidates(Signal signal, string key, List<LiveEpisode> list, DateTimeOffset now, bool byTime)
    {
        foreach (var episode in list)
        {
            // Grouped by time (an anomaly without a graph): an episode of alerts alone is matched only by its own service.
            if (_candidates.Contains(episode) || !ScopeMatches(episode, signal) || (byTime && !episode.HoldsAnomalies && !episode.Keys.Contains(key)))
            {
                continue;
            }

            // Grouped by time, another service's anomaly must start within the window of the episode's first onset, not of its
            // latest: chained onset to onset, the background of false onsets of a large fleet (a few a minute) made episodes
            // of hundreds of members that lasted hours and swallowed the next real incident.
            var last = byTime && !episode.Keys.Contains(key) ? episode.OpenedAt : episode.LastOnset;
            var near = signal.Onset >= episode.OpenedAt - _options.GroupWindow && signal.Onset <= last + _options.GroupWindow;
            var reopenable = episode.IsClosed && now - episode.ClosedAt < _options.ReopenWindow
                && signal.Onset <= episode.ClosedAt + _options.ReopenWindow && episode.Keys.Contains(key);

            // An open episode whose members have all ended is waiting to resolve: a new burst joins it only as it would
            // reopen it once resolved (same key, within the reopen window of going quiet), so whether the resolve has
            // happened yet does not decide whether a new incident is a new episode.
            var quiet = !episode.IsClosed && episode.QuietSince is { } quietSince
                && !(signal.Onset <= quietSince + _options.ReopenWindow && episode.Keys.Contains(key));
            if ((near && !episode.IsClosed && !quiet) || reopenable)
            {
                _candidates.Add(episode);
            }
        }
    }

    private LiveEpisode Open(Signal signal, DateTimeOffset now)
    {
        var episode = new LiveEpisode(++_sequence, now, signal.Onset, _scopeLabels.Length);
        _episodes.Add(episode);
        _open++;
        episode.Transitions.Add(new StateTransition(now, null, EpisodeState.Pending, $"first signal: {signal.Name}"));
        _telemetry.Transition(EpisodeState.Pending);
        return episode;
    }

    private void Join(LiveEpisode episode, Signal signal, string? entity, string key, DateTimeOffset now)
    {
        episode.SignalCount++;
        episode.QuietSince = null; // a new active member: the next tick measures quiet afresh
        AdoptScope(episode.ScopeValues, signal);
        if (signal.Onset < episode.OpenedAt)
        {
            episode.OpenedAt = signal.Onset;
        }

        episode.LastOnset = Max(episode.LastOnset, signal.Onset);
        if (!episode.Keys.Contains(key))
        {
            episode.Keys.Add(key);
            Index(key, episode);
            if (entity is not null)
            {
                episode.Entities.Add(entity);
                AttachRecentChanges(episode, entity);
                episode.Changes.Sort(static (a, b) => a.Onset.CompareTo(b.Onset));
            }
        }

        if (episode.Members.Count < _options.MaxMembersPerEpisode)
        {
            var member = new LiveMember(signal, entity, now);
            episode.Members.Add(member);
            _byFingerprint[signal.Fingerprint] = (episode, member);
            episode.HoldsAnomalies |= signal is AnomalySignal; // from kept members only, as Restore rebuilds it from the stored ones
            if (signal is AlertSignal { Status: AlertStatus.Firing })
            {
                member.Firing = true;
                member.AlertSeen = now;
                episode.FiringAlerts++;
                episode.LastAlertChange = now;
            }
        }

        if (signal is AnomalySignal)
        {
            episode.AnomalyActiveUntil = Max(episode.AnomalyActiveUntil, now + _options.AnomalyActiveFor);
        }

        if (signal is AlertSignal)
        {
            episode.AlertStaleAt = Max(episode.AlertStaleAt, now + _options.AlertStaleAfter);
        }

        MarkDirty(episode, now);
    }

    private void Merge(LiveEpisode source, LiveEpisode target, DateTimeOffset now)
    {
        var firing = 0; // the firing alerts that move: a member dropped for the cap no longer counts anywhere
        foreach (var member in source.Members)
        {
            if (target.Members.Count < _options.MaxMembersPerEpisode)
            {
                target.Members.Add(member);
                _byFingerprint[member.Signal.Fingerprint] = (target, member);
                firing += member.Firing ? 1 : 0;
                target.HoldsAnomalies |= member.Signal is AnomalySignal;
            }
            else
            {
                _byFingerprint.Remove(member.Signal.Fingerprint);
            }
        }

        for (var i = 0; i < target.ScopeValues.Length; i++)
        {
            target.ScopeValues[i] ??= source.ScopeValues[i];
        }

        foreach (var key in source.Keys)
        {
            if (!target.Keys.Contains(key))
            {
                target.Keys.Add(key);
                Index(key, target);
            }
        }

        foreach (var entity in source.Entities)
        {
            if (!target.Entities.Contains(entity))
            {
                target.Entities.Add(entity);
            }
        }

        foreach (var change in source.Changes)
        {
            if (!target.Changes.Exists(c => SameChange(c, change)))
            {
                target.Changes.Add(change);
            }
        }

        target.SignalCount += source.SignalCount;
        target.FiringAlerts += firing;
        target.OpenedAt = source.OpenedAt < target.OpenedAt ? source.OpenedAt : target.OpenedAt;
        target.LastOnset = Max(target.LastOnset, source.LastOnset);
        target.AnomalyActiveUntil = Max(target.AnomalyActiveUntil, source.AnomalyActiveUntil);
        target.AlertStaleAt = Max(target.AlertStaleAt, source.AlertStaleAt);
        target.LastAlertChange = Max(target.LastAlertChange, source.LastAlertChange);
        target.LastAnomalyEnd = Max(target.LastAnomalyEnd, source.LastAnomalyEnd);
        if (source.State == EpisodeState.Firing && target.State == EpisodeState.Pending)
        {
            // The incident was already firing: following MergedInto must not find it back at pending.
            Transition(target, EpisodeState.Firing, now, $"firing: {source.Id}, already firing, merged into it");
        }

        source.Members.Clear();
        source.FiringAlerts = 0;
        source.MergedInto = target.Id;
        Close(source, source.State == EpisodeState.Firing ? EpisodeState.Resolved : EpisodeState.Inactive, now, $"merged into {target.Id}: the signals share a cause");
        source.ClosedAt = DateTimeOffset.MinValue; // a merged episode never reopens
        MarkDirty(target, now);
    }

    private void Reopen(LiveEpisode episode, DateTimeOffset now)
    {
        var to = episode.State == EpisodeState.Resolved ? EpisodeState.Firing : EpisodeState.Pending;
        if (to == EpisodeState.Pending)
        {
            episode.CreatedAt = now; // a fresh pending period
        }

        Transition(episode, to, now, $"reopened: a related signal arrived within {Format(_options.ReopenWindow)} of closing");
        episode.QuietSince = null;
        _open++;
        _telemetry.Reopened();
    }

    private void Close(LiveEpisode episode, EpisodeState to, DateTimeOffset now, string reason)
    {
        Transition(episode, to, now, reason);
        episode.ClosedAt = now;
        _open--;
    }

    private void Transition(LiveEpisode episode, EpisodeState to, DateTimeOffset now, string reason)
    {
        episode.Transitions.Add(new StateTransition(now, episode.State, to, reason));
        episode.State = to;
        if (to != EpisodeState.Firing || episode.Transitions.Count > 1)
        {
            _telemetry.Transition(to);
        }

        MarkDirty(episode, now);
    }

    private void Forget(LiveEpisode episode, int index)
    {
        _episodes.RemoveAt(index);
        foreach (var key in episode.Keys)
        {
            if (_byEntity.TryGetValue(key, out var list))
            {
                list.Remove(episode);
                if (list.Count == 0)
                {
                    _byEntity.Remove(key);
                }
            }
        }

        foreach (var member in episode.Members)
        {
            if (_byFingerprint.TryGetValue(member.Signal.Fingerprint, out var known) && ReferenceEquals(known.Episode, episode))
            {
                _byFingerprint.Remove(member.Signal.Fingerprint);
            }
        }
    }

    // Dictionaries and lists keep their peak capacity; after a storm has aged out, give the memory back.
    private void TrimIfSparse()
    {
        if (_byFingerprint.EnsureCapacity(0) > 1024 && _byFingerprint.Count < _byFingerprint.EnsureCapacity(0) / 4)
        {
            _byFingerprint.TrimExcess();
        }

        if (_byEntity.EnsureCapacity(0) > 1024 && _byEntity.Count < _byEntity.EnsureCapacity(0) / 4)
        {
            _byEntity.TrimExcess();
        }

        if (_episodes.Capacity > 1024 && _episodes.Count < _episodes.Capacity / 4)
        {
            _episodes.TrimExcess();
            _dirty.TrimExcess();
        }
    }

    private void AttachRecentChanges(LiveEpisode episode, string entity)
    {
        foreach (var (change, changeEntity) in _changes)
        {
            if (changeEntity is not null && change.Onset >= episode.OpenedAt - _options.ChangeLookback
                && (string.Equals(changeEntity, entity, StringComparison.Ordinal) || Array.IndexOf(Related(entity) ?? [], changeEntity) >= 0) && ScopeMatches(episode, change) && !episode.Changes.Exists(c => SameChange(c, change)))
            {
                episode.Changes.Add(change);
            }
        }
    }

    /// <summary>The same change: the same fingerprint applied at the same time (signals compare their labels by reference).</summary>
    private static bool SameChange(ChangeSignal a, ChangeSignal b) =>
        string.Equals(a.Fingerprint, b.Fingerprint, StringComparison.Ordinal) && a.Onset == b.Onset;

    private void ForgetOldChanges(DateTimeOffset now)
    {
        var horizon = now - _options.ChangeLookback - _options.GroupWindow;
        while (_changes.Count > 0 && _changes.Peek().Change.Onset < horizon)
        {
            _changes.Dequeue();
        }
    }

    private void Index(string key, LiveEpisode episode)
    {
        if (!_byEntity.TryGetValue(key, out var list))
        {
            _byEntity[key] = list = [];
        }

        list.Add(episode);
    }

    private void MarkDirty(LiveEpisode episode, DateTimeOffset now)
    {
        episode.UpdatedAt = now;
        if (!episode.Dirty)
        {
            episode.Dirty = true;
            _dirty.Add(episode);
        }
    }

    // The entity, the services it calls and the services that call it, within MaxGraphHops along call chains. Siblings (two
    // callers of one dependency) are not related by themselves: they meet through the dependency's own signals.
    private string[]? Related(string entity)
    {
        if (!_graph.Contains(entity))
        {
            return null; // unknown to the graph: related to itself only, and not cached, so the cache is bounded by the graph
        }

        if (!_related.TryGetValue(entity, out var related))
        {
            var set = new SortedSet<string>(StringComparer.Ordinal) { entity };
            Walk(entity, _graph.DependenciesOf, set);
            Walk(entity, _graph.DependentsOf, set);
            _related[entity] = related = [.. set];
        }

        return related;
    }

    private void Walk(string start, Func<string, IReadOnlySet<string>> next, SortedSet<string> into)
    {
        var frontier = new List<string> { start };
        for (var hop = 0; hop < _options.MaxGraphHops && frontier.Count > 0; hop++)
        {
            var following = new List<string>();
            foreach (var node in frontier)
            {
                foreach (var neighbour in next(node))
                {
                    if (into.Add(neighbour))
                    {
                        following.Add(neighbour);
                    }
                }
            }

            frontier = following;
        }
    }

    private bool IsDependencyOfAny(string entity, LiveEpisode episode)
    {
        foreach (var other in episode.Entities)
        {
            if (_graph.DependsOn(other, entity, _options.MaxGraphHops))
            {
                return true;
            }
        }

        return false;
    }

    private string? Entity(Signal signal)
    {
        foreach (var label in _options.EntityLabels)
        {
            if (signal.Labels.TryGetValue(label, out var value) && !string.IsNullOrEmpty(value))
            {
                return value;
            }
        }

        return null;
    }

    // Scope labels must agree where both sides carry them: an episode holds the first value of each that any of its signals
    // carried, so one opened by a signal without them still keeps namespaces apart once a scoped signal joins.
    private bool ScopeMatches(LiveEpisode episode, Signal signal)
    {
        for (var i = 0; i < _scopeLabels.Length; i++)
        {
            if (episode.ScopeValues[i] is { } held && signal.Labels.TryGetValue(_scopeLabels[i], out var value)
                && !string.Equals(held, value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static bool ScopesAgree(LiveEpisode a, LiveEpisode b)
    {
        for (var i = 0; i < a.ScopeValues.Length; i++)
        {
            if (a.ScopeValues[i] is { } x && b.ScopeValues[i] is { } y && !string.Equals(x, y, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private void AdoptScope(string?[] scope, Signal signal)
    {
        for (var i = 0; i < _scopeLabels.Length; i++)
        {
            if (scope[i] is null && signal.Labels.TryGetValue(_scopeLabels[i], out var value))
            {
                scope[i] = value;
            }
        }
    }

    // A firing alert member replaced by a later occurrence (it had gone stale, its resolve lost) no longer counts as firing.
    private void Release(LiveEpisode episode, LiveMember member)
    {
        if (member.Firing)
        {
            member.Firing = false;
            episode.FiringAlerts--;
            member.EndedAt ??= member.AlertSeen + _options.AlertStaleAfter;
            member.EndReason ??= $"no notification for {LiveMember.Describe(_options.AlertStaleAfter)}";
        }
    }

    private Episode Snapshot(LiveEpisode episode)
    {
        var now = _time.GetUtcNow();
        var members = episode.Members.Select(m => m.ToMember(now, _options)).ToArray();
        var snapshot = new Episode(
            episode.Id,
            episode.State,
            episode.OpenedAt,
            episode.UpdatedAt,
            [.. episode.Entities],
            members,
            [.. episode.Changes],
            [.. episode.Transitions],
            episode.SignalCount,
            null,
            episode.MergedInto);
        if (_ranker is null)
        {
            return snapshot;
        }

        try
        {
            return snapshot with { RootCause = _ranker.Analyze(snapshot, _graph) };
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A ranker (possibly the user's) that throws on one episode must not keep it, or the others, from being snapshotted:
            // lifecycle ticks, saves and remediation read these snapshots. The episode goes out without an analysis, counted.
            _telemetry.RankingFailed();
            return snapshot;
        }
    }

    private static string EndReason(AnomalySignal anomaly) => anomaly.EndReason switch
    {
        AnomalyEndReason.Recovered => "recovered: back in its pre-onset band",
        AnomalyEndReason.NewNormal => "new normal: held a new level the detector accepts",
        _ => "ended",
    };

    private static string KindTag(Signal? signal) => signal switch
    {
        AnomalySignal => "anomaly",
        AlertSignal => "alert",
        ChangeSignal => "change",
        _ => "unknown",
    };

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    // A stored member cannot have been seen after the restart: a last-seen time in the future (a clock that jumped, a
    // hand-edited store) would keep its episode active for that long, or overflow when the activity span is added.
    private static DateTimeOffset Seen(EpisodeMember member, DateTimeOffset now) => member.LastSeen < now ? member.LastSeen : now;

    private static DateTimeOffset Plus(DateTimeOffset at, TimeSpan span) => at > DateTimeOffset.MaxValue - span ? DateTimeOffset.MaxValue : at + span;

    private static string Format(TimeSpan span) =>
        span.TotalMinutes >= 1 && span.Seconds == 0 ? $"{span.TotalMinutes:0} min" : $"{span.TotalSeconds:0} s";
}
