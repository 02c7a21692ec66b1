namespace Aiops.Correlation.Eval;

/// <summary>The measurements of one difficulty over many scenarios (pair counts and incidents pooled).</summary>
/// <param name="Difficulty">The difficulty.</param>
/// <param name="Scenarios">How many scenarios (and as many storm scenarios).</param>
/// <param name="Signals">Non-change signals in.</param>
/// <param name="Episodes">Episodes out.</param>
/// <param name="Pairs">Pooled pair counts.</param>
/// <param name="Incidents">Incidents scored.</param>
/// <param name="Hits1">Incidents whose root is the top hypothesis.</param>
/// <param name="Hits3">Incidents whose root is among the top three.</param>
/// <param name="CategoryHits">Incidents whose category is right.</param>
/// <param name="StormSignals">Non-change signals in, storm scenarios.</param>
/// <param name="StormEpisodes">Episodes out, storm scenarios.</param>
/// <param name="ConcurrencyFallbacks">Incidents the generator could not place concurrently (given their own slot instead).</param>
internal sealed record DifficultySummary(
    Difficulty Difficulty,
    int Scenarios,
    long Signals,
    long Episodes,
    PairCounts Pairs,
    int Incidents,
    int Hits1,
    int Hits3,
    int CategoryHits,
    long StormSignals,
    long StormEpisodes,
    int ConcurrencyFallbacks)
{
    /// <summary>Gets signals in per episode out.</summary>
    public double Reduction => Metrics.Reduction(Signals, Episodes);

    /// <summary>Gets the pooled pairwise precision.</summary>
    public double Precision => Pairs.Precision;

    /// <summary>Gets the pooled pairwise recall.</summary>
    public double Recall => Pairs.Recall;

    /// <summary>Gets AC@1.</summary>
    public double Ac1 => Incidents == 0 ? 1 : (double)Hits1 / Incidents;

    /// <summary>Gets AC@3.</summary>
    public double Ac3 => Incidents == 0 ? 1 : (double)Hits3 / Incidents;

    /// <summary>Gets the category accuracy.</summary>
    public double CategoryAccuracy => Incidents == 0 ? 1 : (double)CategoryHits / Incidents;

    /// <summary>Gets signals in per episode out on the storm scenarios.</summary>
    public double StormReduction => Metrics.Reduction(StormSignals, StormEpisodes);
}

/// <summary>One replayed and measured scenario.</summary>
/// <param name="Run">The replay.</param>
/// <param name="Metrics">Its measurements.</param>
internal sealed record MeasuredScenario(ReplayResult Run, ScenarioMetrics Metrics);

/// <summary>The evaluation of one difficulty: the summary and every measured scenario (for analysis).</summary>
/// <param name="Summary">The pooled figures.</param>
/// <param name="Normal">The normal scenarios.</param>
/// <param name="Storms">The storm scenarios.</param>
internal sealed record DifficultyEvaluation(DifficultySummary Summary, IReadOnlyList<MeasuredScenario> Normal, IReadOnlyList<MeasuredScenario> Storms);

/// <summary>Generates, replays and measures the scenarios of a difficulty.</summary>
internal static class Runner
{
    /// <summary>Evaluates <paramref name="scenarios"/> normal and as many storm scenarios of one difficulty.</summary>
    /// <param name="difficulty">The difficulty.</param>
    /// <param name="scenarios">How many of each.</param>
    /// <param name="seed">The run's seed (each scenario's seed derives from it).</param>
    /// <param name="options">The correlator's options; <see langword="null"/> for the defaults.</param>
    /// <returns>The evaluation.</returns>
    public static DifficultyEvaluation Evaluate(Difficulty difficulty, int scenarios, int seed, CorrelatorOptions? options = null)
    {
        var normal = new MeasuredScenario[scenarios];
        var storms = new MeasuredScenario[scenarios];

        // Scenarios are independent; each gets its own correlator and clock, so running them in parallel changes nothing.
        Parallel.For(0, scenarios * 2, k =>
        {
            var index = k / 2;
            var storm = k % 2 == 1;
            var scenario = ScenarioGenerator.Generate(ScenarioGenerator.ScenarioSeed(seed, difficulty, index, storm), difficulty, storm);
            var run = Evaluator.Replay(scenario, options);
            var measured = new MeasuredScenario(run, Metrics.Measure(run));
            (storm ? storms : normal)[index] = measured;
        });

        var pairs = default(PairCounts);
        foreach (var m in normal)
        {
            pairs += m.Metrics.Pairs;
        }

        var rca = normal.SelectMany(m => m.Metrics.Rca).ToList();
        var summary = new DifficultySummary(
            difficulty,
            scenarios,
            normal.Sum(m => (long)m.Metrics.Signals),
            normal.Sum(m => (long)m.Metrics.Episodes),
            pairs,
            rca.Count,
            rca.Count(r => r.HitAt(1)),
            rca.Count(r => r.HitAt(3)),
            rca.Count(r => r.CategoryHit),
            storms.Sum(m => (long)m.Metrics.Signals),
            storms.Sum(m => (long)m.Metrics.Episodes),
            normal.Sum(m => m.Run.Scenario.ConcurrencyFallbacks));
        return new DifficultyEvaluation(summary, normal, storms);
    }
}
