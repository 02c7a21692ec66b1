using System.Globalization;

namespace Aiops.Correlation.Eval;

/// <summary>Explains the misses of a difficulty: which pairs were wrongly merged or split and why, and which root causes were wrong.</summary>
internal static class Analysis
{
    private const int Examples = 8;

    /// <summary>Writes the analysis of one difficulty's normal scenarios.</summary>
    /// <param name="writer">Where.</param>
    /// <param name="evaluation">The evaluation.</param>
    public static void Write(TextWriter writer, DifficultyEvaluation evaluation)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(evaluation);
        var name = evaluation.Summary.Difficulty.ToString().ToLowerInvariant();
        writer.WriteLine($"=== {name}: analysis ===");
        writer.WriteLine(Invariant($"generator: {evaluation.Summary.ConcurrencyFallbacks} incidents could not be placed concurrently and got their own slot"));
        WriteMerges(writer, evaluation.Normal);
        WriteSplits(writer, evaluation.Normal);
        WriteRca(writer, evaluation.Normal);
        WriteStorms(writer, evaluation.Storms);
    }

    /// <summary>The undirected hop distance between two services of a graph (int.MaxValue when unconnected).</summary>
    /// <param name="graph">The graph.</param>
    /// <param name="from">One service.</param>
    /// <param name="to">The other.</param>
    /// <returns>The distance.</returns>
    public static int Distance(DependencyGraph graph, string from, string to)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (string.Equals(from, to, StringComparison.Ordinal))
        {
            return 0;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal) { from };
        var frontier = new List<string> { from };
        for (var hop = 1; frontier.Count > 0; hop++)
        {
            var next = new List<string>();
            foreach (var node in frontier)
            {
                foreach (var n in graph.DependenciesOf(node).Concat(graph.DependentsOf(node)))
                {
                    if (string.Equals(n, to, StringComparison.Ordinal))
                    {
                        return hop;
                    }

                    if (seen.Add(n))
                    {
                        next.Add(n);
                    }
                }
            }

            frontier = next;
        }

        return int.MaxValue;
    }

    private static int SetDistance(DependencyGraph graph, IEnumerable<string> a, IEnumerable<string> b)
    {
        var bs = b.Distinct(StringComparer.Ordinal).ToList();
        var best = int.MaxValue;
        foreach (var x in a.Distinct(StringComparer.Ordinal))
        {
            foreach (var y in bs)
            {
                best = Math.Min(best, Distance(graph, x, y));
            }
        }

        return best;
    }

    private static void WriteMerges(TextWriter writer, IReadOnlyList<MeasuredScenario> scenarios)
    {
        var buckets = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var mechanisms = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var examples = new List<(long Pairs, string Text)>();
        long total = 0;
        foreach (var m in scenarios)
        {
            var scenario = m.Run.Scenario;
            var byEpisode = GroupsByEpisode(m);
            var firstIn = FirstSignalIn(m);
            foreach (var (episode, groups) in byEpisode)
            {
                var list = groups.ToList();
                for (var i = 0; i < list.Count; i++)
                {
                    for (var j = i + 1; j < list.Count; j++)
                    {
                        var (g, cg) = list[i];
                        var (h, ch) = list[j];
                        var pairs = cg * ch;
                        total += pairs;
                        var (kind, detail) = DescribeMerge(scenario, g, h);
                        buckets[kind] = buckets.GetValueOrDefault(kind) + pairs;

                        // How the group that reached the episode later got there.
                        var later = firstIn[(episode, g)] > firstIn[(episode, h)] ? g : h;
                        var mechanism = Mechanism(m, firstIn[(episode, later)]);
                        mechanisms[mechanism] = mechanisms.GetValueOrDefault(mechanism) + pairs;
                        examples.Add((pairs, Invariant($"seed {scenario.Seed} {episode}: {g} ({cg}) + {h} ({ch}) = {pairs} pairs; {detail}; {later} arrived by {mechanism}")));
                    }
                }
            }
        }

        var predicted = scenarios.Sum(s => s.Metrics.Pairs.PredictedPairs);
        writer.WriteLine(Invariant($"wrong merges: {total} false pairs of {predicted} predicted ({(predicted == 0 ? 0 : 100.0 * total / predicted):0.00}%)"));
        foreach (var (kind, pairs) in buckets.OrderByDescending(b => b.Value))
        {
            writer.WriteLine(Invariant($"  {kind}: {pairs} pairs ({(total == 0 ? 0 : 100.0 * pairs / total):0.0}% of false pairs)"));
        }

        writer.WriteLine("  how the later group first reached the shared episode:");
        foreach (var (mechanism, pairs) in mechanisms.OrderByDescending(b => b.Value))
        {
            writer.WriteLine(Invariant($"    {mechanism}: {pairs} pairs ({(total == 0 ? 0 : 100.0 * pairs / total):0.0}%)"));
        }

        foreach (var (_, text) in examples.OrderByDescending(e => e.Pairs).Take(Examples))
        {
            writer.WriteLine("    e.g. " + text);
        }
    }

    /// <summary>The index of the first signal of each group that ended in each episode.</summary>
    private static Dictionary<(string Episode, string Group), int> FirstSignalIn(MeasuredScenario m)
    {
        var first = new Dictionary<(string Episode, string Group), int>();
        var signals = m.Run.Scenario.Signals;
        for (var i = 0; i < signals.Count; i++)
        {
            if (!signals[i].IsChange && m.Run.FinalEpisodes[i] is { } episode)
            {
                first.TryAdd((episode, signals[i].Group), i);
            }
        }

        return first;
    }

    /// <summary>Says how signal <paramref name="index"/> got into its episode.</summary>
    private static string Mechanism(MeasuredScenario m, int index)
    {
        var signal = m.Run.Scenario.Signals[index];
        var raw = m.Run.RawEpisodes[index];
        switch (m.Run.Outcomes[index])
        {
            case CorrelationOutcome.Repeat:
                return "fingerprint repeat (a series/alert seen in an earlier occurrence routed a new occurrence into the old episode)";
            case CorrelationOutcome.Merged:
                return "merge (a signal related to both episodes merged them)";
            case CorrelationOutcome.Opened:
                return "later merge of the episode it opened";
            case CorrelationOutcome.Joined:
                var reopened = raw is not null && m.Run.Episodes.TryGetValue(raw, out var episode)
                    && episode.Transitions.Any(t => t.At == signal.Arrival && t.Reason.StartsWith("reopened", StringComparison.Ordinal));
                if (reopened)
                {
                    return "reopen (related signal within ReopenWindow of the episode closing)";
                }

                return raw is not null && Evaluator.FollowMerges(raw, m.Run.Episodes) != raw
                    ? "joined an episode later merged"
                    : "join (open episode, related entity within GroupWindow)";
            default:
                return m.Run.Outcomes[index].ToString().ToLowerInvariant();
        }
    }

    private static (string Kind, string Detail) DescribeMerge(Scenario scenario, string g, string h)
    {
        var incidents = scenario.Incidents.ToDictionary(i => i.Id, StringComparer.Ordinal);
        var gi = incidents.GetValueOrDefault(g);
        var hi = incidents.GetValueOrDefault(h);
        if (gi is not null && hi is not null)
        {
            var hops = SetDistance(scenario.Graph, gi.Services, hi.Services);
            var concurrent = gi.ConcurrencyGroup == hi.ConcurrencyGroup ? "concurrent" : "sequential";
            var delta = Math.Abs((hi.Onset - gi.Onset).TotalMinutes);
            var bridge = NoiseBridge(scenario, gi, hi);
            return ($"incident+incident ({concurrent})", Invariant($"{concurrent}, onsets {delta:0.0} min apart, services {Hops(hops)} apart, roots {gi.Root}/{hi.Root}{bridge}"));
        }

        var incident = gi ?? hi;
        var noise = gi is null ? g : h;
        var noiseServices = scenario.Signals.Where(s => s.Group == noise).Select(s => s.Service).Distinct(StringComparer.Ordinal).ToList();
        if (incident is not null)
        {
            var hops = SetDistance(scenario.Graph, noiseServices, incident.Services);
            var onset = scenario.Signals.First(s => s.Group == noise).Signal.Onset;
            var when = onset < incident.Onset ? Invariant($"{(incident.Onset - onset).TotalMinutes:0.0} min before onset")
                : onset <= incident.End ? "during" : Invariant($"{(onset - incident.End).TotalMinutes:0.0} min after end");
            return ("incident+noise", Invariant($"noise on {string.Join("/", noiseServices)} {Hops(hops)} from {incident.Id} ({incident.Category}, root {incident.Root}), {when}"));
        }

        return ("noise+noise", "two unrelated noise signals");
    }

    private static string NoiseBridge(Scenario scenario, IncidentTruth a, IncidentTruth b)
    {
        // A noise signal related (within 2 hops) to both incidents' services can chain them into one episode.
        var from = a.Onset < b.Onset ? a.Onset : b.Onset;
        var to = a.End > b.End ? a.End : b.End;
        var bridges = scenario.Signals
            .Where(s => !Scenario.IsIncident(s.Group) && !s.IsChange && s.Signal.Onset >= from - TimeSpan.FromMinutes(5) && s.Signal.Onset <= to + TimeSpan.FromMinutes(5))
            .Where(s => SetDistance(scenario.Graph, [s.Service], a.Services) <= 2 && SetDistance(scenario.Graph, [s.Service], b.Services) <= 2)
            .Select(s => $"{s.Group}@{s.Service}")
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return bridges.Count == 0 ? string.Empty : "; possible noise bridge " + string.Join(", ", bridges.Take(3));
    }

    private static Dictionary<string, List<(string Group, long Count)>> GroupsByEpisode(MeasuredScenario m)
    {
        var counts = new SortedDictionary<(string Episode, string Group), long>();
        var signals = m.Run.Scenario.Signals;
        for (var i = 0; i < signals.Count; i++)
        {
            if (!signals[i].IsChange && m.Run.FinalEpisodes[i] is { } episode)
            {
                counts[(episode, signals[i].Group)] = counts.GetValueOrDefault((episode, signals[i].Group)) + 1;
            }
        }

        return counts.GroupBy(c => c.Key.Episode, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(c => (c.Key.Group, c.Value)).ToList(), StringComparer.Ordinal);
    }

    private static void WriteSplits(TextWriter writer, IReadOnlyList<MeasuredScenario> scenarios)
    {
        var buckets = new SortedDictionary<string, double>(StringComparer.Ordinal);
        var examples = new List<(double Pairs, string Text)>();
        double total = 0;
        foreach (var m in scenarios)
        {
            var scenario = m.Run.Scenario;
            var signals = scenario.Signals;
            var byGroup = Enumerable.Range(0, signals.Count).Where(i => !signals[i].IsChange).GroupBy(i => signals[i].Group, StringComparer.Ordinal);
            foreach (var group in byGroup)
            {
                var fragments = group.GroupBy(i => m.Run.FinalEpisodes[i] ?? "(none)", StringComparer.Ordinal)
                    .Select(f => (Episode: f.Key, Indexes: f.ToList()))
                    .OrderByDescending(f => f.Indexes.Count)
                    .ThenBy(f => f.Episode, StringComparer.Ordinal)
                    .ToList();
                if (fragments.Count < 2)
                {
                    continue;
                }

                var size = group.Count();
                var main = fragments[0];
                foreach (var fragment in fragments.Skip(1))
                {
                    var c = fragment.Indexes.Count;
                    var pairs = c * (double)(size - c) / 2;
                    total += pairs;
                    var reason = SplitReason(m, main.Indexes, fragment.Episode, fragment.Indexes);
                    buckets[reason] = buckets.GetValueOrDefault(reason) + pairs;
                    var first = fragment.Indexes.Min(i => signals[i].Signal.Onset);
                    var incident = scenario.Incidents.FirstOrDefault(x => x.Id == group.Key);
                    var at = incident is null ? string.Empty : Invariant($", first onset t0{(first - incident.Onset).TotalSeconds:+0;-0}s, {incident.Category} root {incident.Root}");
                    var services = string.Join("/", fragment.Indexes.Select(i => signals[i].Service).Distinct(StringComparer.Ordinal));
                    var kinds = string.Join("/", fragment.Indexes.Select(i => signals[i].Signal.Name).Distinct(StringComparer.Ordinal).Take(3));
                    examples.Add((pairs, Invariant($"seed {scenario.Seed} {group.Key}: {c} of {size} signals in {fragment.Episode} (main {main.Episode}, {main.Indexes.Count}) on {services} [{kinds}]{at}: {reason}")));
                }
            }
        }

        var truth = scenarios.Sum(s => s.Metrics.Pairs.TruthPairs);
        writer.WriteLine(Invariant($"splits: {total:0} missed pairs of {truth} true ({(truth == 0 ? 0 : 100.0 * total / truth):0.00}%)"));
        foreach (var (reason, pairs) in buckets.OrderByDescending(b => b.Value))
        {
            writer.WriteLine(Invariant($"  {reason}: {pairs:0} pairs ({(total == 0 ? 0 : 100.0 * pairs / total):0.0}% of missed pairs)"));
        }

        foreach (var (_, text) in examples.OrderByDescending(e => e.Pairs).Take(Examples))
        {
            writer.WriteLine("    e.g. " + text);
        }
    }

    private static string SplitReason(MeasuredScenario m, List<int> main, string episode, List<int> fragment)
    {
        var signals = m.Run.Scenario.Signals;
        if (episode == "(none)")
        {
            var outcomes = fragment.Select(i => m.Run.Outcomes[i].ToString().ToLowerInvariant()).Distinct(StringComparer.Ordinal);
            return "no episode (" + string.Join("/", outcomes) + ")";
        }

        var firstOfFragment = fragment.Min();
        if (m.Run.Outcomes[firstOfFragment] == CorrelationOutcome.Repeat)
        {
            return "routed by fingerprint to the episode of an earlier occurrence of the same series/alert (Repeat)";
        }

        var mainFingerprints = main.Select(i => signals[i].Signal.Fingerprint).ToHashSet(StringComparer.Ordinal);
        if (fragment.All(i => mainFingerprints.Contains(signals[i].Signal.Fingerprint)))
        {
            return "same fingerprint in a later episode (re-fire/repeat after its episode closed and was forgotten)";
        }

        var graph = m.Run.Scenario.Graph;
        var hops = SetDistance(graph, fragment.Select(i => signals[i].Service), main.Select(i => signals[i].Service));
        if (hops > 2)
        {
            return "services beyond MaxGraphHops (2) of the rest of the incident";
        }

        var gap = fragment.Min(i => main.Min(j => Math.Abs((signals[i].Signal.Onset - signals[j].Signal.Onset).TotalMinutes)));
        if (gap > 5)
        {
            return "onsets more than GroupWindow (5 min) from the rest";
        }

        return "related and near in time, still a separate episode";
    }

    private static void WriteRca(TextWriter writer, IReadOnlyList<MeasuredScenario> scenarios)
    {
        var outcomes = scenarios.SelectMany(m => m.Metrics.Rca.Select(r => (m, r))).ToList();
        writer.WriteLine("root cause: truth category → predicted category (count), AC@1 / AC@3 per category");
        foreach (var byTruth in outcomes.GroupBy(o => o.r.Truth).OrderBy(g => g.Key))
        {
            var predicted = string.Join(", ", byTruth.GroupBy(o => o.r.Predicted?.ToString() ?? "none").OrderByDescending(g => g.Count()).Select(g => Invariant($"{g.Key} {g.Count()}")));
            var n = byTruth.Count();
            writer.WriteLine(Invariant($"  {byTruth.Key,-18} n={n,3}  AC@1 {byTruth.Count(o => o.r.HitAt(1)) / (double)n:0.00}  AC@3 {byTruth.Count(o => o.r.HitAt(3)) / (double)n:0.00}  → {predicted}"));
        }

        var misses = outcomes.Where(o => !o.r.HitAt(1)).ToList();
        var reasons = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var lines = new List<string>();
        foreach (var (m, r) in misses)
        {
            var scenario = m.Run.Scenario;
            var incident = scenario.Incidents.First(i => i.Id == r.IncidentId);
            var others = r.EpisodeId is null ? [] : GroupsByEpisode(m).GetValueOrDefault(r.EpisodeId)?.Where(g => g.Group != r.IncidentId).ToList() ?? [];
            var mergedIncidents = others.Where(o => Scenario.IsIncident(o.Group)).Select(o => o.Group).ToList();
            string reason;
            if (r.EpisodeId is null)
            {
                reason = "no episode";
            }
            else if (mergedIncidents.Count > 0)
            {
                reason = "episode merged with another incident";
            }
            else if (r.RootRank is null)
            {
                reason = "root not among the hypotheses";
            }
            else
            {
                var top = r.Ranked[0];
                reason = scenario.Graph.DependsOn(incident.Root, top, 3) ? "top-1 is a dependency of the root (downstream)"
                    : scenario.Graph.DependsOn(top, incident.Root, 3) ? "top-1 is a dependent of the root (upstream)"
                    : "top-1 is unrelated to the root (noise or other)";
            }

            reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
            var tier = scenario.Services.First(s => s.Name == incident.Root).Tier;
            lines.Add(Invariant($"seed {scenario.Seed} {r.IncidentId} {r.Truth} root {r.Root} ({tier}) → {r.Predicted?.ToString() ?? "none"}, top3 [{string.Join(", ", r.Ranked.Take(3))}], root rank {r.RootRank?.ToString(CultureInfo.InvariantCulture) ?? "-"}{(others.Count > 0 ? "; episode also holds " + string.Join(", ", others.Select(o => $"{o.Group}({o.Count})")) : string.Empty)}: {reason}"));
        }

        writer.WriteLine(Invariant($"AC@1 misses: {misses.Count} of {outcomes.Count}"));
        foreach (var (reason, count) in reasons.OrderByDescending(r => r.Value))
        {
            writer.WriteLine(Invariant($"  {reason}: {count}"));
        }

        foreach (var line in lines.Take(Examples * 2))
        {
            writer.WriteLine("    e.g. " + line);
        }

        // The same incidents with perfect grouping: what the ranker gets wrong on its own.
        var oracle = scenarios.SelectMany(m => m.Run.Scenario.Incidents.Select(i => (m, r: Evaluator.OracleRca(m.Run.Scenario, i)))).ToList();
        writer.WriteLine(Invariant($"root cause with perfect grouping (each incident replayed alone): AC@1 {oracle.Count(o => o.r.HitAt(1)) / (double)oracle.Count:0.000}, AC@3 {oracle.Count(o => o.r.HitAt(3)) / (double)oracle.Count:0.000}, category {oracle.Count(o => o.r.CategoryHit) / (double)oracle.Count:0.000}"));
        foreach (var byTruth in oracle.GroupBy(o => o.r.Truth).OrderBy(g => g.Key))
        {
            var predicted = string.Join(", ", byTruth.GroupBy(o => o.r.Predicted?.ToString() ?? "none").OrderByDescending(g => g.Count()).Select(g => Invariant($"{g.Key} {g.Count()}")));
            var n = byTruth.Count();
            writer.WriteLine(Invariant($"  {byTruth.Key,-18} n={n,3}  AC@1 {byTruth.Count(o => o.r.HitAt(1)) / (double)n:0.00}  AC@3 {byTruth.Count(o => o.r.HitAt(3)) / (double)n:0.00}  → {predicted}"));
        }

        foreach (var (m, r) in oracle.Where(o => !o.r.HitAt(1) || !o.r.CategoryHit).Take(Examples * 2))
        {
            var scenario = m.Run.Scenario;
            var tier = scenario.Services.First(s => s.Name == r.Root).Tier;
            writer.WriteLine(Invariant($"    perfect-grouping miss: seed {scenario.Seed} {r.IncidentId} {r.Truth} root {r.Root} ({tier}) → {r.Predicted?.ToString() ?? "none"}, top3 [{string.Join(", ", r.Ranked.Take(3))}], root rank {r.RootRank?.ToString(CultureInfo.InvariantCulture) ?? "-"}"));
        }

        var categoryMisses = outcomes.Where(o => !o.r.CategoryHit).Take(Examples).ToList();
        foreach (var (m, r) in categoryMisses)
        {
            var explanation = r.EpisodeId is not null && m.Run.Episodes.TryGetValue(r.EpisodeId, out var ep) ? ep.RootCause?.Explanation : null;
            writer.WriteLine(Invariant($"    category miss: seed {m.Run.Scenario.Seed} {r.IncidentId} {r.Truth} → {r.Predicted?.ToString() ?? "none"}: {Truncate(explanation, 220)}"));
        }
    }

    private static void WriteStorms(TextWriter writer, IReadOnlyList<MeasuredScenario> storms)
    {
        var signals = storms.Sum(s => (long)s.Metrics.Signals);
        var episodes = storms.Sum(s => (long)s.Metrics.Episodes);
        var groups = storms.Sum(s => s.Run.Scenario.Signals.Where(x => !x.IsChange).Select(x => x.Group).Distinct(StringComparer.Ordinal).Count());
        writer.WriteLine(Invariant($"storms: {signals} signals → {episodes} episodes ({Metrics.Reduction(signals, episodes):0.0}x); ideal {groups} episodes ({Metrics.Reduction(signals, groups):0.0}x); pairwise precision {storms.Aggregate(default(PairCounts), (a, s) => a + s.Metrics.Pairs).Precision:0.000}, recall {storms.Aggregate(default(PairCounts), (a, s) => a + s.Metrics.Pairs).Recall:0.000}"));
    }

    private static string Hops(int hops) => hops == int.MaxValue ? "unconnected" : Invariant($"{hops} hops");

    private static string Truncate(string? text, int length) =>
        text is null ? "(no analysis)" : text.Length <= length ? text : string.Concat(text.AsSpan(0, length), "…");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
