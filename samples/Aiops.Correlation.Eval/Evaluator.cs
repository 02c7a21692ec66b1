using Microsoft.Extensions.Time.Testing;

namespace Aiops.Correlation.Eval;

/// <summary>What the correlator made of one scenario.</summary>
/// <param name="Scenario">The scenario.</param>
/// <param name="Outcomes">The outcome of <c>Add</c> for each signal, in stream order.</param>
/// <param name="RawEpisodes">The episode id <c>Add</c> returned for each signal (before following merges).</param>
/// <param name="FinalEpisodes">The episode each signal ended up in, merges followed; <see langword="null"/> for signals that went to none.</param>
/// <param name="Episodes">The last snapshot of every episode, by id.</param>
internal sealed record ReplayResult(
    Scenario Scenario,
    IReadOnlyList<CorrelationOutcome> Outcomes,
    IReadOnlyList<string?> RawEpisodes,
    IReadOnlyList<string?> FinalEpisodes,
    IReadOnlyDictionary<string, Episode> Episodes);

/// <summary>Replays scenarios through a <see cref="Correlator"/> on a fake clock.</summary>
internal static class Evaluator
{
    /// <summary>How often <see cref="Correlator.Tick"/> runs, in simulated time.</summary>
    public static readonly TimeSpan TickInterval = TimeSpan.FromSeconds(5);

    /// <summary>How long the clock runs on after the scenario's end so that every episode resolves.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Replays a scenario: the clock is advanced to each signal's arrival (ticking every <see cref="TickInterval"/> on the
    /// way), the signal is added, and snapshots are drained at every tick so that merges (<see cref="Episode.MergedInto"/>)
    /// and the final root-cause analyses are seen.
    /// </summary>
    /// <param name="scenario">The scenario.</param>
    /// <param name="options">The correlator's options; <see langword="null"/> for the defaults.</param>
    /// <param name="ranker">The ranker; <see langword="null"/> for the default <see cref="RootCauseRanker"/>.</param>
    /// <returns>The assignments and episodes.</returns>
    public static ReplayResult Replay(Scenario scenario, CorrelatorOptions? options = null, IRootCauseRanker? ranker = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var time = new FakeTimeProvider(scenario.Start);
        var correlator = new Correlator(options ?? new CorrelatorOptions(), scenario.Graph, ranker, time);
        var signals = scenario.Signals;
        var outcomes = new CorrelationOutcome[signals.Count];
        var raw = new string?[signals.Count];
        var snapshots = new Dictionary<string, Episode>(StringComparer.Ordinal);

        void Drain()
        {
            foreach (var episode in correlator.DrainChanged())
            {
                snapshots[episode.Id] = episode;
            }
        }

        var nextTick = scenario.Start + TickInterval;
        for (var i = 0; i < signals.Count; i++)
        {
            var arrival = signals[i].Arrival;
            while (nextTick <= arrival)
            {
                time.SetUtcNow(nextTick);
                correlator.Tick();
                Drain();
                nextTick += TickInterval;
            }

            if (arrival > time.GetUtcNow())
            {
                time.SetUtcNow(arrival);
            }

            var result = correlator.Add(signals[i].Signal);
            outcomes[i] = result.Outcome;
            raw[i] = result.EpisodeId;
        }

        var last = signals.Count > 0 ? signals[^1].Arrival : scenario.Start;
        var end = (last > scenario.End ? last : scenario.End) + Settle;
        while (nextTick <= end)
        {
            time.SetUtcNow(nextTick);
            correlator.Tick();
            Drain();
            nextTick += TickInterval;
        }

        Drain();
        var final = new string?[signals.Count];
        for (var i = 0; i < signals.Count; i++)
        {
            final[i] = signals[i].IsChange ? raw[i] : FollowMerges(raw[i], snapshots);
        }

        return new ReplayResult(scenario, outcomes, raw, final, snapshots);
    }

    /// <summary>
    /// Scores the root-cause analysis of one incident under perfect grouping: only the incident's signals (and every change
    /// event, benign deploys included) are replayed through a fresh correlator, so the ranker sees the episode it should have
    /// seen. Separates ranking errors from grouping errors.
    /// </summary>
    /// <param name="scenario">The scenario.</param>
    /// <param name="incident">The incident.</param>
    /// <param name="options">The correlator's options; <see langword="null"/> for the defaults.</param>
    /// <returns>The outcome.</returns>
    public static RcaOutcome OracleRca(Scenario scenario, IncidentTruth incident, CorrelatorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(incident);
        var signals = scenario.Signals.Where(s => s.Group == incident.Id || s.IsChange).ToArray();
        var run = Replay(scenario with { Signals = signals }, options);
        var members = Enumerable.Range(0, signals.Length).Where(i => signals[i].Group == incident.Id && !signals[i].IsChange).Select(i => run.FinalEpisodes[i]);
        var episodeId = Metrics.MajorityEpisode(members);
        var analysis = episodeId is not null && run.Episodes.TryGetValue(episodeId, out var episode) ? episode.RootCause : null;
        return Metrics.ScoreIncident(incident, episodeId, analysis);
    }

    /// <summary>Follows <see cref="Episode.MergedInto"/> from an episode id to the episode that finally holds its signals.</summary>
    /// <param name="id">The episode id, or <see langword="null"/>.</param>
    /// <param name="snapshots">The last snapshot of every episode.</param>
    /// <returns>The final episode id, or <see langword="null"/>.</returns>
    public static string? FollowMerges(string? id, IReadOnlyDictionary<string, Episode> snapshots)
    {
        ArgumentNullException.ThrowIfNull(snapshots);
        for (var hops = 0; id is not null && hops < 10_000; hops++)
        {
            if (!snapshots.TryGetValue(id, out var episode) || episode.MergedInto is null)
            {
                return id;
            }

            id = episode.MergedInto;
        }

        return id;
    }
}
