namespace Aiops.Correlation.Eval;

/// <summary>Pair counts of a clustering against the truth: pairs in the same predicted cluster, in the same truth group, and both.</summary>
/// <param name="TruePositives">Pairs that share both a predicted episode and a truth group.</param>
/// <param name="PredictedPairs">Pairs that share a predicted episode.</param>
/// <param name="TruthPairs">Pairs that share a truth group.</param>
internal readonly record struct PairCounts(long TruePositives, long PredictedPairs, long TruthPairs)
{
    /// <summary>Gets the pairwise precision: TP / predicted pairs (1 when nothing was grouped).</summary>
    public double Precision => PredictedPairs == 0 ? 1 : (double)TruePositives / PredictedPairs;

    /// <summary>Gets the pairwise recall: TP / truth pairs (1 when the truth has no pairs).</summary>
    public double Recall => TruthPairs == 0 ? 1 : (double)TruePositives / TruthPairs;

    /// <summary>Adds two counts (pairs never span scenarios, so pooled counts are sums).</summary>
    /// <param name="a">One count.</param>
    /// <param name="b">The other.</param>
    /// <returns>The sum.</returns>
    public static PairCounts operator +(PairCounts a, PairCounts b) =>
        new(a.TruePositives + b.TruePositives, a.PredictedPairs + b.PredictedPairs, a.TruthPairs + b.TruthPairs);

    /// <summary>Adds two counts.</summary>
    /// <param name="other">The other count.</param>
    /// <returns>The sum.</returns>
    public PairCounts Add(PairCounts other) => this + other;
}

/// <summary>How the root-cause analysis did on one incident.</summary>
/// <param name="IncidentId">The incident.</param>
/// <param name="Root">The true root service.</param>
/// <param name="Truth">The true category.</param>
/// <param name="EpisodeId">The episode that holds most of the incident's signals, or <see langword="null"/>.</param>
/// <param name="Predicted">The episode's category, or <see langword="null"/> when it has no analysis.</param>
/// <param name="Ranked">The hypotheses' entities, most likely first.</param>
internal sealed record RcaOutcome(string IncidentId, string Root, IncidentCategory Truth, string? EpisodeId, IncidentCategory? Predicted, IReadOnlyList<string> Ranked)
{
    /// <summary>Gets the 1-based rank of the true root among the hypotheses, or <see langword="null"/> when absent.</summary>
    public int? RootRank
    {
        get
        {
            for (var i = 0; i < Ranked.Count; i++)
            {
                if (string.Equals(Ranked[i], Root, StringComparison.Ordinal))
                {
                    return i + 1;
                }
            }

            return null;
        }
    }

    /// <summary>Whether the root is among the top <paramref name="k"/> hypotheses.</summary>
    /// <param name="k">How many hypotheses count.</param>
    /// <returns><see langword="true"/> on a hit.</returns>
    public bool HitAt(int k) => RootRank is { } rank && rank <= k;

    /// <summary>Gets a value indicating whether the category is right.</summary>
    public bool CategoryHit => Predicted == Truth;
}

/// <summary>The measurements of one replayed scenario.</summary>
/// <param name="Signals">Non-change signals sent (repeats and resolves included).</param>
/// <param name="Episodes">Distinct episodes those signals ended up in.</param>
/// <param name="Pairs">The pair counts over non-change signals.</param>
/// <param name="Rca">The root-cause outcome per incident.</param>
internal sealed record ScenarioMetrics(int Signals, int Episodes, PairCounts Pairs, IReadOnlyList<RcaOutcome> Rca);

/// <summary>The measurements: pairwise grouping quality, noise reduction, AC@k and category accuracy.</summary>
internal static class Metrics
{
    /// <summary>
    /// Counts pairs: a pair is predicted when both signals went to the same episode (a <see langword="null"/> episode is a
    /// singleton of its own) and true when both belong to the same truth group.
    /// </summary>
    /// <param name="truth">The truth group of each signal.</param>
    /// <param name="predicted">The episode of each signal.</param>
    /// <returns>The counts.</returns>
    public static PairCounts Pairwise(IReadOnlyList<string> truth, IReadOnlyList<string?> predicted)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(predicted);
        if (truth.Count != predicted.Count)
        {
            throw new ArgumentException("Truth and prediction differ in length.", nameof(predicted));
        }

        var cells = new Dictionary<(string Truth, string Predicted), long>();
        var byTruth = new Dictionary<string, long>(StringComparer.Ordinal);
        var byPredicted = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < truth.Count; i++)
        {
            var p = predicted[i] ?? "\u0000singleton:" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            cells[(truth[i], p)] = cells.GetValueOrDefault((truth[i], p)) + 1;
            byTruth[truth[i]] = byTruth.GetValueOrDefault(truth[i]) + 1;
            byPredicted[p] = byPredicted.GetValueOrDefault(p) + 1;
        }

        return new PairCounts(cells.Values.Sum(Choose2), byPredicted.Values.Sum(Choose2), byTruth.Values.Sum(Choose2));
    }

    /// <summary>The episode holding most of an incident's signals (ties: the smallest id); <see langword="null"/> when none holds any.</summary>
    /// <param name="episodes">The episodes of the incident's signals.</param>
    /// <returns>The episode id.</returns>
    public static string? MajorityEpisode(IEnumerable<string?> episodes)
    {
        ArgumentNullException.ThrowIfNull(episodes);
        return episodes.Where(e => e is not null)
            .GroupBy(e => e!, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count())
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.Key)
            .FirstOrDefault();
    }

    /// <summary>Scores the root-cause analysis of one incident against the episode that holds most of its signals.</summary>
    /// <param name="incident">The incident.</param>
    /// <param name="episodeId">Its majority episode, or <see langword="null"/>.</param>
    /// <param name="analysis">That episode's analysis, or <see langword="null"/>.</param>
    /// <returns>The outcome.</returns>
    public static RcaOutcome ScoreIncident(IncidentTruth incident, string? episodeId, RootCauseAnalysis? analysis)
    {
        ArgumentNullException.ThrowIfNull(incident);
        var ranked = analysis?.Hypotheses.Select(h => h.Entity).ToArray() ?? [];
        return new RcaOutcome(incident.Id, incident.Root, incident.Category, episodeId, analysis?.Category, ranked);
    }

    /// <summary>Measures a replayed scenario.</summary>
    /// <param name="run">The replay.</param>
    /// <returns>The measurements.</returns>
    public static ScenarioMetrics Measure(ReplayResult run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var signals = run.Scenario.Signals;
        var truth = new List<string>();
        var predicted = new List<string?>();
        for (var i = 0; i < signals.Count; i++)
        {
            if (!signals[i].IsChange)
            {
                truth.Add(signals[i].Group);
                predicted.Add(run.FinalEpisodes[i]);
            }
        }

        var episodes = predicted.Where(p => p is not null).Distinct(StringComparer.Ordinal).Count();
        var rca = new List<RcaOutcome>();
        foreach (var incident in run.Scenario.Incidents)
        {
            var members = Enumerable.Range(0, truth.Count).Where(i => truth[i] == incident.Id).Select(i => predicted[i]);
            var episodeId = MajorityEpisode(members);
            var analysis = episodeId is not null && run.Episodes.TryGetValue(episodeId, out var episode) ? episode.RootCause : null;
            rca.Add(ScoreIncident(incident, episodeId, analysis));
        }

        return new ScenarioMetrics(truth.Count, episodes, Pairwise(truth, predicted), rca);
    }

    /// <summary>Signals in per episode out; the signal count when there are no episodes.</summary>
    /// <param name="signals">Signals in.</param>
    /// <param name="episodes">Episodes out.</param>
    /// <returns>The reduction factor.</returns>
    public static double Reduction(long signals, long episodes) => episodes == 0 ? signals : (double)signals / episodes;

    private static long Choose2(long n) => n * (n - 1) / 2;
}
