namespace Aiops.Correlation.Tests;

public sealed class RootCauseRankerEdgeTests
{
    private static readonly DateTimeOffset Noon = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly RootCauseRanker _ranker = new();

    [Fact]
    public void Analyze_TwoEntitiesWithIdenticalMaxValueOnsets_DoesNotThrow()
    {
        // Identical onsets at the edge of the range: LeadEvidence finds no "other" entity with an earlier onset than MaxValue
        // (strict <), leaves otherEntity at -1 and then indexes _entities[-1] in the "within tolerance" branch.
        var episode = Build(
            (Anomaly("api", "http_request_errors_total", DateTimeOffset.MaxValue), "api"),
            (Anomaly("db", "db_query_errors_total", DateTimeOffset.MaxValue), "db"));

        var analysis = _ranker.Analyze(episode, DependencyGraph.Empty);

        Assert.Equal(2, analysis.Hypotheses.Count);
    }

    [Fact]
    public void Analyze_EarliestSignalHasEmptyNameAndNoEntity_DoesNotThrow()
    {
        // The first milestone is an entity-less "Other" signal named "": Phrase() is "" and Explain reads phrase[0].
        var episode = Build(
            (new AnomalySignal("fp-empty", string.Empty, Noon, new Dictionary<string, string>(), 0.9, Direction.Up, 3), null),
            (Anomaly("api", "http_request_errors_total", Noon.AddSeconds(5)), "api"));

        var analysis = _ranker.Analyze(episode, DependencyGraph.Empty);

        Assert.Equal("api", analysis.Hypotheses[0].Entity);
    }

    [Fact]
    public void Analyze_ThousandsOfDistinctEntities_HopsKeptSparseAndEveryEntityRanked()
    {
        // MaxMembersPerEpisode accepts up to 1,000,000: a dense n × n table of hops overflowed int from 46,341 entities and took
        // gigabytes well before; beyond 512 entities the hops are kept sparse (2,000 keeps this test fast; the rest of the
        // analysis is quadratic in the entities).
        const int n = 2_000;
        var members = new (Signal, string?)[n];
        for (var i = 0; i < n; i++)
        {
            var service = "svc" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            members[i] = (Anomaly(service, "http_request_errors_total", Noon.AddMilliseconds(i)), service);
        }

        var analysis = _ranker.Analyze(Build(members), DependencyGraph.Empty);

        Assert.Equal(n, analysis.Hypotheses.Count);
    }

    [Fact]
    public void Analyze_HostileValuesAndCycles_FiniteScoresInRangeAndDeterministic()
    {
        var graph = new DependencyGraph([("a", "b"), ("b", "c"), ("c", "a"), ("a", "a")]);
        var members = new List<EpisodeMember>
        {
            new(new AnomalySignal("1", "cpu_usage", Noon, L("a"), double.NaN, Direction.Up, double.NaN), "a", Noon, Noon.AddSeconds(-5), 0, double.NaN, true),
            new(new AnomalySignal("2", "http_requests_total", Noon, L("b"), double.PositiveInfinity, Direction.Up, double.MaxValue), "b", Noon, Noon.AddHours(1), 0, double.PositiveInfinity, true),
            new(new AnomalySignal("3", "http_request_errors_total", Noon, L("c"), -1, Direction.None, double.NegativeInfinity), null, Noon, Noon, 0, -5, true, Noon.AddSeconds(-10)),
            new(new AnomalySignal("4", "latency", Noon, L("d"), 0.5, Direction.Down, double.Epsilon), "d", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 0, 0.5, true),
            new(new AlertSignal("5", "HighLatency", Noon, L("a"), AlertStatus.Firing, null, null, new Dictionary<string, string>()), string.Empty, Noon, Noon, 0, 1, true),
        };
        var changes = new List<ChangeSignal>
        {
            new("d1", "deploy a", Noon.AddMinutes(-1), L("a"), ChangeKind.Deploy),
            new("d2", "deploy z", DateTimeOffset.MinValue, L("z"), ChangeKind.Config),
            new("d3", "deploy c", DateTimeOffset.MaxValue, L("c"), ChangeKind.Scaling),
        };
        var episode = new Episode("ep-1", EpisodeState.Firing, Noon, Noon, ["a", "b", "c", "d"], members, changes, [], 5, null);

        var first = _ranker.Analyze(episode, graph);
        var second = _ranker.Analyze(episode, graph);

        Assert.All(first.Hypotheses, h => Assert.InRange(h.Score, 0, 1));
        Assert.Equal(first.Explanation, second.Explanation);
        Assert.Equal(first.Hypotheses.Select(h => (h.Entity, h.Score)), second.Hypotheses.Select(h => (h.Entity, h.Score)));
    }

    [Fact]
    public void Analyze_DependentStartedTwentySecondsEarlier_EvidenceDoesNotSayNoEarlier()
    {
        // web → api; web's symptom at 0 s, api's at 20 s (beyond the 15 s tolerance, within twice it: partial credit).
        var graph = new DependencyGraph([("web", "api")]);
        var episode = Build(
            (Anomaly("web", "http_request_duration_seconds", Noon, magnitude: 5), "web"),
            (Anomaly("api", "http_request_errors_total", Noon.AddSeconds(20), magnitude: 8), "api"));

        var analysis = _ranker.Analyze(episode, graph);

        var api = analysis.Hypotheses.Single(h => h.Entity == "api");
        var dependency = api.Evidence.Single(e => e.Kind == EvidenceKind.Dependency);
        // 'web' showed its symptom 20 s *earlier* than 'api', yet the text claims it showed symptoms no earlier.
        Assert.DoesNotContain("showed symptoms no earlier", dependency.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_DeployOnTopEntityOutsideWindow_ExplanationDoesNotSayNoChangePreceded()
    {
        // A deploy on api 40 min before the onset: listed as evidence ("outside the 30 min window"), yet the explanation
        // states flatly that no change preceded the onset.
        var episode = Build(
            [(Anomaly("api", "http_request_errors_total", Noon), "api")],
            new ChangeSignal("d1", "deploy api v2", Noon.AddMinutes(-40), L("api"), ChangeKind.Deploy));

        var analysis = _ranker.Analyze(episode, DependencyGraph.Empty);

        Assert.Contains(analysis.Hypotheses[0].Evidence, e => e.Kind == EvidenceKind.Change);
        Assert.DoesNotContain("No change preceded the onset", analysis.Explanation, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> L(string service) => new() { ["service"] = service };

    private static AnomalySignal Anomaly(string service, string metric, DateTimeOffset onset, double score = 0.95, double magnitude = 5) =>
        new($"{metric}{{service=\"{service}\"}}", metric, onset, L(service), score, Direction.Up, magnitude);

    private static Episode Build(params (Signal Signal, string? Entity)[] members) => RootCauseRankerTests.Build(members);

    private static Episode Build((Signal Signal, string? Entity)[] members, params ChangeSignal[] changes) => RootCauseRankerTests.Build(members, changes);
}
