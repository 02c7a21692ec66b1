namespace Aiops.Correlation.Eval.Tests;

public sealed class MetricsTests
{
    private static readonly DateTimeOffset T0 = ScenarioGenerator.Origin;

    [Fact]
    public void Pairwise_HandMadeAssignment_CountsMatchHand()
    {
        // truth a a a b b c; predicted 1 1 2 2 2 (none).
        // Truth pairs: C(3,2) + C(2,2) = 4. Predicted pairs: C(2,2) + C(3,2) = 4 (the unassigned signal is a singleton).
        // Both: (a,1) 2 → 1, (a,2) 1 → 0, (b,2) 2 → 1, (c,none) → 0: 2. Precision 2/4, recall 2/4.
        var counts = Metrics.Pairwise(["a", "a", "a", "b", "b", "c"], ["1", "1", "2", "2", "2", null]);

        Assert.Equal(new PairCounts(2, 4, 4), counts);
        Assert.Equal(0.5, counts.Precision, 12);
        Assert.Equal(0.5, counts.Recall, 12);
    }

    [Fact]
    public void Pairwise_EverythingInOneEpisode_PerfectRecallLowPrecision()
    {
        // truth a a b; predicted 1 1 1: truth pairs 1, predicted pairs 3, both 1.
        var counts = Metrics.Pairwise(["a", "a", "b"], ["1", "1", "1"]);

        Assert.Equal(1.0 / 3, counts.Precision, 12);
        Assert.Equal(1.0, counts.Recall, 12);
    }

    [Fact]
    public void Pairwise_RepeatsAndSplit_CountEachSignal()
    {
        // One incident of 4 signals (two repeats of one fingerprint count separately), split 3 + 1; one noise signal alone.
        // Truth pairs C(4,2) = 6; predicted C(3,2) = 3 (+ 0 + 0); both 3 → precision 1, recall 0.5.
        var counts = Metrics.Pairwise(["inc", "inc", "inc", "inc", "noise"], ["e1", "e1", "e1", "e2", "e3"]);

        Assert.Equal(new PairCounts(3, 3, 6), counts);
        Assert.Equal(1.0, counts.Precision, 12);
        Assert.Equal(0.5, counts.Recall, 12);
    }

    [Fact]
    public void Pairwise_UnassignedSignals_AreSingletons()
    {
        var counts = Metrics.Pairwise(["a", "a"], [null, null]);

        Assert.Equal(new PairCounts(0, 0, 1), counts);
        Assert.Equal(1.0, counts.Precision);
        Assert.Equal(0.0, counts.Recall);
    }

    [Fact]
    public void Pairwise_LengthMismatch_Throws() =>
        Assert.Throws<ArgumentException>(() => Metrics.Pairwise(["a"], ["1", "2"]));

    [Fact]
    public void PairCounts_Add_SumsComponents() =>
        Assert.Equal(new PairCounts(3, 7, 11), new PairCounts(1, 3, 5) + new PairCounts(2, 4, 6));

    [Fact]
    public void MajorityEpisode_Tie_SmallestIdWins()
    {
        Assert.Equal("ep-2", Metrics.MajorityEpisode(["ep-3", "ep-2", null, "ep-3", "ep-2"]));
        Assert.Equal("ep-3", Metrics.MajorityEpisode(["ep-3", "ep-2", "ep-3", null, null, null]));
        Assert.Null(Metrics.MajorityEpisode([null, null]));
    }

    [Fact]
    public void ScoreIncident_RootSecond_MissAtOneHitAtThree()
    {
        var incident = Incident("inc-01", "db", IncidentCategory.ResourceSaturation);
        var analysis = Analysis(IncidentCategory.ResourceSaturation, "api", "db", "web");

        var outcome = Metrics.ScoreIncident(incident, "ep-1", analysis);

        Assert.Equal(2, outcome.RootRank);
        Assert.False(outcome.HitAt(1));
        Assert.True(outcome.HitAt(3));
        Assert.True(outcome.CategoryHit);
    }

    [Fact]
    public void ScoreIncident_RootFourthOrMissing_MissAtThree()
    {
        var incident = Incident("inc-01", "db", IncidentCategory.LatencyImpact);

        var fourth = Metrics.ScoreIncident(incident, "ep-1", Analysis(IncidentCategory.TrafficDriven, "a", "b", "c", "db"));
        var missing = Metrics.ScoreIncident(incident, "ep-1", Analysis(IncidentCategory.LatencyImpact, "a"));
        var none = Metrics.ScoreIncident(incident, null, null);

        Assert.False(fourth.HitAt(3));
        Assert.True(fourth.HitAt(4));
        Assert.False(fourth.CategoryHit);
        Assert.Null(missing.RootRank);
        Assert.True(missing.CategoryHit);
        Assert.False(none.HitAt(3));
        Assert.False(none.CategoryHit);
    }

    [Fact]
    public void Measure_HandMadeReplay_MatchesHandComputation()
    {
        // Two incidents and a noise signal. inc-01 (root db): 3 signals in ep-1 + 1 in ep-2 → majority ep-1, whose top
        // hypothesis is db (AC@1 hit, category right). inc-02 (root web): 2 signals in ep-2 with the noise signal; ep-2 ranks
        // [api, web] (AC@1 miss, AC@3 hit, category wrong). The change signal is neither counted nor paired.
        // Pairs: truth C(4,2) + C(2,2) = 7; predicted ep-1 C(3,2) = 3, ep-2 C(4,2) = 6 → 9; both 3 + 1 = 4.
        var signals = new List<LabeledSignal>
        {
            Change("inc-01", "db", 0),
            Anomaly("inc-01", "db", 1),
            Anomaly("inc-01", "db", 2),
            Anomaly("inc-01", "api", 3),
            Anomaly("inc-01", "api", 4),
            Anomaly("inc-02", "web", 5),
            Anomaly("inc-02", "web", 6),
            Anomaly("noise-001", "cache", 7),
        };
        string?[] final = ["ep-1", "ep-1", "ep-1", "ep-1", "ep-2", "ep-2", "ep-2", "ep-2"];
        var scenario = Scenario(signals, Incident("inc-01", "db", IncidentCategory.ChangeInduced), Incident("inc-02", "web", IncidentCategory.TrafficDriven));
        var episodes = new Dictionary<string, Episode>(StringComparer.Ordinal)
        {
            ["ep-1"] = Episode("ep-1", Analysis(IncidentCategory.ChangeInduced, "db", "api")),
            ["ep-2"] = Episode("ep-2", Analysis(IncidentCategory.LatencyImpact, "api", "web")),
        };
        var run = new ReplayResult(scenario, [.. signals.Select(_ => CorrelationOutcome.Joined)], final, final, episodes);

        var metrics = Metrics.Measure(run);

        Assert.Equal(7, metrics.Signals);
        Assert.Equal(2, metrics.Episodes);
        Assert.Equal(new PairCounts(4, 9, 7), metrics.Pairs);
        var inc1 = Assert.Single(metrics.Rca, r => r.IncidentId == "inc-01");
        var inc2 = Assert.Single(metrics.Rca, r => r.IncidentId == "inc-02");
        Assert.Equal("ep-1", inc1.EpisodeId);
        Assert.True(inc1.HitAt(1));
        Assert.True(inc1.CategoryHit);
        Assert.Equal("ep-2", inc2.EpisodeId);
        Assert.False(inc2.HitAt(1));
        Assert.True(inc2.HitAt(3));
        Assert.False(inc2.CategoryHit);
    }

    [Fact]
    public void DifficultySummary_Ratios_FromCounts()
    {
        var summary = new DifficultySummary(Difficulty.Hard, 2, 1000, 40, new PairCounts(90, 100, 120), 10, 8, 9, 7, 5000, 50, 0);

        Assert.Equal(25.0, summary.Reduction, 12);
        Assert.Equal(0.9, summary.Precision, 12);
        Assert.Equal(0.75, summary.Recall, 12);
        Assert.Equal(0.8, summary.Ac1, 12);
        Assert.Equal(0.9, summary.Ac3, 12);
        Assert.Equal(0.7, summary.CategoryAccuracy, 12);
        Assert.Equal(100.0, summary.StormReduction, 12);
    }

    [Fact]
    public void FollowMerges_Chain_ReturnsLastTarget()
    {
        var episodes = new Dictionary<string, Episode>(StringComparer.Ordinal)
        {
            ["ep-1"] = Episode("ep-1", null) with { MergedInto = "ep-2" },
            ["ep-2"] = Episode("ep-2", null) with { MergedInto = "ep-3" },
            ["ep-3"] = Episode("ep-3", null),
        };

        Assert.Equal("ep-3", Evaluator.FollowMerges("ep-1", episodes));
        Assert.Equal("ep-3", Evaluator.FollowMerges("ep-3", episodes));
        Assert.Equal("ep-9", Evaluator.FollowMerges("ep-9", episodes));
        Assert.Null(Evaluator.FollowMerges(null, episodes));
    }

    internal static IncidentTruth Incident(string id, string root, IncidentCategory category) =>
        new(id, root, category, T0, T0.AddMinutes(10), [root], 1);

    internal static RootCauseAnalysis Analysis(IncidentCategory category, params string[] entities) =>
        new(category, "test", [.. entities.Select((e, i) => new RootCauseHypothesis(e, 1.0 / (i + 1), []))]);

    internal static Episode Episode(string id, RootCauseAnalysis? analysis) =>
        new(id, EpisodeState.Resolved, T0, T0, [], [], [], [], 0, analysis);

    internal static Scenario Scenario(IReadOnlyList<LabeledSignal> signals, params IncidentTruth[] incidents) =>
        new(1, Difficulty.Easy, false, "shop", T0, T0.AddHours(1), [], [], incidents, signals, 0);

    private static LabeledSignal Anomaly(string group, string service, int second) =>
        new(new AnomalySignal($"m{second}{{service=\"{service}\"}}", "http_request_errors_total", T0.AddSeconds(second), Labels(service), 0.9, Direction.Up, 5), T0.AddSeconds(second), group);

    private static LabeledSignal Change(string group, string service, int second) =>
        new(new ChangeSignal($"deploy-{second}", $"deploy {service}", T0.AddSeconds(second), Labels(service), ChangeKind.Deploy), T0.AddSeconds(second), group);

    private static Dictionary<string, string> Labels(string service) => new(StringComparer.Ordinal) { ["service"] = service, ["namespace"] = "shop" };
}
