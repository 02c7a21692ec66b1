using System.ComponentModel.DataAnnotations;

namespace Aiops.Correlation.Tests;

public sealed class RootCauseRankerTests
{
    private static readonly DateTimeOffset Noon = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>web → api → db.</summary>
    private static readonly DependencyGraph Chain = new([("web", "api"), ("api", "db")]);

    private readonly RootCauseRanker _ranker = new();

    [Fact]
    public void Analyze_TrafficSurge_TrafficDrivenWithApiFirst()
    {
        // The lab's surge: traffic on api rises first, the anomaly score reacts, latency and errors follow downstream.
        var episode = Build(
            Anomaly("api", "http_requests_total", 3, score: 0.95, magnitude: 6),
            Anomaly("api", "aiops_anomaly_score", 11, score: 0.99, magnitude: 4),
            Anomaly("web", "http_request_duration_seconds", 25, score: 0.9, magnitude: 4),
            Anomaly("db", "db_query_errors_total", 32, score: 0.9, magnitude: 5));

        var analysis = _ranker.Analyze(episode, Chain);

        Assert.Equal(IncidentCategory.TrafficDriven, analysis.Category);
        Assert.Equal("api", analysis.Hypotheses[0].Entity);
        Assert.Contains("Traffic on 'api' rose first (http_requests_total up at 12:00:03 UTC)", analysis.Explanation, StringComparison.Ordinal);
        Assert.Contains("aiops_anomaly_score on 'api' followed 8 s later", analysis.Explanation, StringComparison.Ordinal);
        Assert.Contains("'api' is the most likely cause", analysis.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_ErrorsFarStrongerThanTraffic_ErrorAmplification()
    {
        var episode = Build(
            Anomaly("api", "http_requests_total", 0, score: 0.7, magnitude: 3),
            Anomaly("api", "http_request_errors_total", 5, score: 0.99, magnitude: 15),
            Anomaly("web", "http_request_errors_total", 9, score: 0.99, magnitude: 9));

        var analysis = _ranker.Analyze(episode, Chain);

        Assert.Equal(IncidentCategory.ErrorAmplification, analysis.Category);
        Assert.Contains("out of proportion", analysis.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_TrafficThenLatencyThenFarStrongerErrors_TrafficDrivenOverload()
    {
        // The lab's surge past capacity: traffic rises, requests queue (latency), then are shed (an error ratio from zero).
        var episode = Build(
            Anomaly("api", "http_requests_total", 0, score: 0.9, magnitude: 5.6),
            Anomaly("api", "http_request_duration_seconds", 1, score: 0.9, magnitude: 8),
            Anomaly("api", "http_request_errors_total", 9, score: 0.99, magnitude: 50));

        var analysis = _ranker.Analyze(episode, Chain);

        Assert.Equal(IncidentCategory.TrafficDriven, analysis.Category);
        Assert.Equal("api", analysis.Hypotheses[0].Entity);
    }

    [Fact]
    public void Analyze_FarStrongerErrorsBeforeLatency_ErrorAmplification()
    {
        // Errors ahead of the queueing: not the overload chain, so the strength ratio decides.
        var episode = Build(
            Anomaly("api", "http_requests_total", 0, score: 0.9, magnitude: 3),
            Anomaly("api", "http_request_errors_total", 5, score: 0.99, magnitude: 15),
            Anomaly("api", "http_request_duration_seconds", 20, score: 0.9, magnitude: 4));

        var analysis = _ranker.Analyze(episode, Chain);

        Assert.Equal(IncidentCategory.ErrorAmplification, analysis.Category);
    }

    [Fact]
    public void Analyze_ErrorsLeadTraffic_ErrorAmplification()
    {
        // Equal strengths, but the errors started 40 s before traffic rose (a retry storm).
        var episode = Build(
            Anomaly("api", "http_request_errors_total", 0, score: 0.9, magnitude: 5),
            Anomaly("api", "http_requests_total", 40, score: 0.9, magnitude: 5));

        var analysis = _ranker.Analyze(episode, DependencyGraph.Empty);

        Assert.Equal(IncidentCategory.ErrorAmplification, analysis.Category);
        Assert.Contains("Errors started 40 s before traffic rose", analysis.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_ProportionateErrorsAfterTraffic_NotErrorAmplification()
    {
        var episode = Build(
            Anomaly("api", "http_requests_total", 0, score: 0.95, magnitude: 6),
            Anomaly("api", "http_request_errors_total", 20, score: 0.95, magnitude: 7));

        var analysis = _ranker.Analyze(episode, DependencyGraph.Empty);

        Assert.Equal(IncidentCategory.TrafficDriven, analysis.Category);
    }

    [Fact]
    public void Analyze_LatencyOnly_LatencyImpactWithLeadingDependencyFirst()
    {
        var episode = Build(
            Anomaly("web", "http_request_duration_seconds", 12),
            Anomaly("api", "http_request_duration_seconds", 0));

        var analysis = _ranker.Analyze(episode, Chain);

        Assert.Equal(IncidentCategory.LatencyImpact, analysis.Category);
        Assert.Equal("api", analysis.Hypotheses[0].Entity);
        Assert.Equal("web", analysis.Hypotheses[1].Entity);
    }

    [Fact]
    public void Analyze_DeployBeforeOnset_ChangeInducedWithChangedServiceFirst()
    {
        // web → checkout → payments; the dependents' errors start marginally before payments' own.
        var graph = new DependencyGraph([("web", "checkout"), ("checkout", "payments")]);
        var episode = Build(
            [
                Anomaly("web", "http_request_errors_total", 0),
                Anomaly("checkout", "http_request_errors_total", 4),
                Anomaly("payments", "payment_failures_total", 8),
            ],
            Deploy("payments", TimeSpan.FromMinutes(-5)));

        var analysis = _ranker.Analyze(episode, graph);

        Assert.Equal(IncidentCategory.ChangeInduced, analysis.Category);
        Assert.Equal("payments", analysis.Hypotheses[0].Entity);
        var change = Assert.Single(analysis.Hypotheses[0].Evidence, e => e.Kind == EvidenceKind.Change);
        Assert.True(change.Weight > 0);
        Assert.Contains("5 min before the onset", change.Description, StringComparison.Ordinal);
        Assert.Contains("A deploy on 'payments'", analysis.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_DeployOnUnrelatedService_NotChangeInduced()
    {
        var graph = new DependencyGraph([("web", "checkout"), ("checkout", "payments")]);
        var episode = Build(
            [
                Anomaly("web", "http_request_errors_total", 10),
                Anomaly("checkout", "http_request_errors_total", 5),
                Anomaly("payments", "payment_failures_total", 0),
            ],
            Deploy("billing", TimeSpan.FromMinutes(-5)));

        var analysis = _ranker.Analyze(episode, graph);

        Assert.NotEqual(IncidentCategory.ChangeInduced, analysis.Category);
        Assert.Equal("payments", analysis.Hypotheses[0].Entity);
        var billing = Assert.Single(analysis.Hypotheses, h => h.Entity == "billing");
        Assert.Equal(0, billing.Score);
        Assert.Equal(analysis.Hypotheses[^1], billing);
        Assert.Contains(billing.Evidence, e => e.Kind == EvidenceKind.Change && e.Weight == 0 && e.Description.Contains("no affected entity depends on it", StringComparison.Ordinal));
        Assert.Contains("No change on an affected service, or one it depends on, came within the change window", analysis.Explanation, StringComparison.Ordinal);
        Assert.DoesNotContain("No change preceded the onset", analysis.Explanation, StringComparison.Ordinal); // billing's did
    }

    [Fact]
    public void Analyze_DeployOnDependencyWithoutSymptoms_ChangeInduced()
    {
        // payments shows nothing itself but checkout, which calls it, fails right after its deploy.
        var graph = new DependencyGraph([("checkout", "payments")]);
        var episode = Build([Anomaly("checkout", "http_request_errors_total", 0)], Deploy("payments", TimeSpan.FromMinutes(-2)));

        var analysis = _ranker.Analyze(episode, graph);

        Assert.Equal(IncidentCategory.ChangeInduced, analysis.Category);
        Assert.Contains(analysis.Hypotheses, h => h.Entity == "payments" && h.Score > 0);
    }

    [Fact]
    public void Analyze_DeployAfterFirstSignalButBeforeOwnOnset_Counted()
    {
        var graph = new DependencyGraph([("web", "payments")]);
        var episode = Build(
            [Anomaly("web", "http_request_errors_total", 0), Anomaly("payments", "payment_failures_total", 10)],
            Deploy("payments", TimeSpan.FromSeconds(3)));

        var analysis = _ranker.Analyze(episode, graph);

        Assert.Equal(IncidentCategory.ChangeInduced, analysis.Category);
        Assert.Equal("payments", analysis.Hypotheses[0].Entity);
    }

    [Fact]
    public void Analyze_DeployAfterOwnOnset_NotCounted()
    {
        var episode = Build([Anomaly("payments", "payment_failures_total", 0)], Deploy("payments", TimeSpan.FromSeconds(30)));

        var analysis = _ranker.Analyze(episode, DependencyGraph.Empty);

        Assert.NotEqual(IncidentCategory.ChangeInduced, analysis.Category);
        Assert.Contains(analysis.Hypotheses[0].Evidence, e => e.Kind == EvidenceKind.Change && e.Weight == 0 && e.Description.Contains("cannot have triggered", StringComparison.Ordinal));
    }

    [Fact]
    public void Analyze_DeployLongBeforeOnset_NotChangeInduced()
    {
        var graph = new DependencyGraph([("checkout", "payments")]);
        var episode = Build([Anomaly("payments", "payment_failures_total", 0)], Deploy("payments", TimeSpan.FromHours(-3)));

        var analysis = _ranker.Analyze(episode, graph);

        Assert.NotEqual(IncidentCategory.ChangeInduced, analysis.Category);
        Assert.Contains(analysis.Hypotheses[0].Evidence, e => e.Kind == EvidenceKind.Change && e.Weight == 0 && e.Description.Contains("outside", StringComparison.Ordinal));
    }

    [Fact]
    public void Analyze_NearEqualOnsetsAlongChain_DependencyRankedFirst()
    {
        // db is the last of the three by 3 s, but web and api both depend on it.
        var episode = Build(
            Anomaly("web", "http_request_errors_total", 0),
            Anomaly("api", "http_request_errors_total", 2),
            Anomaly("db", "db_query_errors_total", 3));

        var withGraph = _ranker.Analyze(episode, Chain);
        var withoutGraph = _ranker.Analyze(episode, DependencyGraph.Empty);

        Assert.Equal(["db", "api", "web"], withGraph.Hypotheses.Select(h => h.Entity));
        Assert.Equal("web", withoutGraph.Hypotheses[0].Entity);
        Assert.Contains(withGraph.Hypotheses[0].Evidence, e => e.Kind == EvidenceKind.Dependency && e.Weight > 0);
        Assert.Contains(withGraph.Hypotheses[2].Evidence, e => e.Kind == EvidenceKind.Dependency && e.Weight < 0);
    }

    [Fact]
    public void Analyze_UnrelatedEarlierNoise_DependencyRootStillFirst()
    {
        // 'batch' is unrelated to the chain and weaker; its anomaly merely happened first.
        var episode = Build(
            Anomaly("batch", "job_errors_total", 0, magnitude: 3),
            Anomaly("db", "db_query_errors_total", 20),
            Anomaly("api", "http_request_errors_total", 30),
            Anomaly("web", "http_request_errors_total", 40));

        var analysis = _ranker.Analyze(episode, Chain);

        // Onset order is a tie-breaker now (magnitude and the graph weigh more): the weaker 'batch' no longer ranks second just
        // for starting first, and along the chain the symptoms rank in the order they are explained.
        var order = analysis.Hypotheses.Select(h => h.Entity).ToList();
        Assert.Equal("db", order[0]);
        Assert.True(order.IndexOf("api") < order.IndexOf("web"));
    }

    [Fact]
    public void Analyze_DependencyFarLaterThanDependent_NoDependencyCredit()
    {
        // db depends-on relation exists, but db's errors start 90 s after api's: db cannot explain api.
        var episode = Build(
            Anomaly("api", "http_request_errors_total", 0),
            Anomaly("db", "db_query_errors_total", 90));

        var analysis = _ranker.Analyze(episode, Chain);

        Assert.Equal("api", analysis.Hypotheses[0].Entity);
        Assert.DoesNotContain(analysis.Hypotheses.SelectMany(h => h.Evidence), e => e.Kind == EvidenceKind.Dependency);
    }

    [Fact]
    public void Analyze_SaturationLeading_ResourceSaturationWithDbFirst()
    {
        var episode = Build(
            Anomaly("api", "http_request_duration_seconds", 20),
            Anomaly("web", "http_request_errors_total", 30),
            Anomaly("db", "container_cpu_usage_seconds_total", 0));

        var analysis = _ranker.Analyze(episode, Chain);

        Assert.Equal(IncidentCategory.ResourceSaturation, analysis.Category);
        Assert.Equal("db", analysis.Hypotheses[0].Entity);
        Assert.Contains(analysis.Hypotheses[0].Evidence, e => e.Kind == EvidenceKind.SignalClass && e.Description.StartsWith("saturation on 'db'", StringComparison.Ordinal));
    }

    [Fact]
    public void Analyze_ErrorsOnlyWithoutTrigger_Unknown()
    {
        var episode = Build(Anomaly("api", "http_request_errors_total", 0), Anomaly("web", "http_request_errors_total", 5));

        var analysis = _ranker.Analyze(episode, Chain);

        Assert.Equal(IncidentCategory.Unknown, analysis.Category);
        Assert.Equal("api", analysis.Hypotheses[0].Entity);
    }

    [Fact]
    public void Analyze_EmptyEpisode_UnknownWithoutHypotheses()
    {
        var analysis = _ranker.Analyze(Build(), DependencyGraph.Empty);

        Assert.Equal(IncidentCategory.Unknown, analysis.Category);
        Assert.Empty(analysis.Hypotheses);
        Assert.Contains("no member signals", analysis.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_MembersWithoutEntity_UnknownSaysEntityMissing()
    {
        var signal = new AnomalySignal("fp", "http_request_errors_total", Noon, new Dictionary<string, string> { ["instance"] = "10.0.0.1:9090" }, 0.9, Direction.Up);
        var episode = Build([(signal, null)], []);

        var analysis = _ranker.Analyze(episode, Chain);

        Assert.Equal(IncidentCategory.Unknown, analysis.Category);
        Assert.Empty(analysis.Hypotheses);
        Assert.Contains("names an entity", analysis.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_OnlyChanges_UnknownSaysSymptomsMissing()
    {
        var episode = Build([], Deploy("payments", TimeSpan.FromMinutes(-1)));

        var analysis = _ranker.Analyze(episode, Chain);

        Assert.Equal(IncidentCategory.Unknown, analysis.Category);
        Assert.Contains("only 1 change event", analysis.Explanation, StringComparison.Ordinal);
        Assert.Contains("no symptom signal", analysis.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_OddValues_DoesNotThrowAndScoresStayInRange()
    {
        var members = new List<EpisodeMember>
        {
            new(null!, "api", Noon, Noon, 0, 1, true),
            null!,
            new(new AnomalySignal("a", "x", DateTimeOffset.MinValue, new Dictionary<string, string> { ["service"] = "api" }, double.NaN, Direction.None, double.PositiveInfinity), null, Noon, Noon, 0, double.NaN, true),
            new(new AnomalySignal("b", "y", DateTimeOffset.MaxValue, null!, -3, Direction.Down, double.NaN), "db", Noon, Noon, 0, 7, true),
            new(new ChangeSignal("c", "deploy", DateTimeOffset.MaxValue, new Dictionary<string, string> { ["app"] = "db" }, ChangeKind.Config), null, Noon, Noon, 0, 0, true),
        };
        var episode = new Episode("ep-1", EpisodeState.Firing, Noon, Noon, ["api", "db"], members, [null!], [], 5, null);

        var analysis = _ranker.Analyze(episode, Chain);

        Assert.NotEmpty(analysis.Explanation);
        Assert.All(analysis.Hypotheses, h => Assert.InRange(h.Score, 0, 1));
        Assert.Equal(2, analysis.Hypotheses.Count);
    }

    [Fact]
    public void Analyze_NullGraph_TreatedAsEmpty()
    {
        var episode = Build(Anomaly("api", "http_requests_total", 0));

        var analysis = _ranker.Analyze(episode, null!);

        Assert.Equal("api", Assert.Single(analysis.Hypotheses).Entity);
    }

    [Fact]
    public void Analyze_SameInputTwice_EqualOutput()
    {
        var graph = new DependencyGraph([("web", "checkout"), ("checkout", "payments")]);
        RootCauseAnalysis Run() => new RootCauseRanker().Analyze(
            Build(
                [
                    Anomaly("web", "http_request_errors_total", 0),
                    Anomaly("checkout", "http_request_duration_seconds", 4),
                    Anomaly("payments", "payment_failures_total", 4),
                    Anomaly("search", "http_requests_total", 4),
                ],
                Deploy("payments", TimeSpan.FromMinutes(-5)),
                Deploy("billing", TimeSpan.FromMinutes(-5))),
            graph);

        var first = Run();
        var second = Run();

        Assert.Equal(first.Category, second.Category);
        Assert.Equal(first.Explanation, second.Explanation);
        Assert.Equal(first.Hypotheses.Count, second.Hypotheses.Count);
        for (var i = 0; i < first.Hypotheses.Count; i++)
        {
            Assert.Equal(first.Hypotheses[i].Entity, second.Hypotheses[i].Entity);
            Assert.Equal(first.Hypotheses[i].Score, second.Hypotheses[i].Score);
            Assert.Equal(first.Hypotheses[i].Evidence, second.Hypotheses[i].Evidence);
        }
    }

    [Fact]
    public void Analyze_EqualScores_TiesBrokenByEntityName()
    {
        var episode = Build(Anomaly("zeta", "http_request_errors_total", 0), Anomaly("alpha", "http_request_errors_total", 0));

        var analysis = _ranker.Analyze(episode, DependencyGraph.Empty);

        Assert.Equal(analysis.Hypotheses[0].Score, analysis.Hypotheses[1].Score);
        Assert.Equal(["alpha", "zeta"], analysis.Hypotheses.Select(h => h.Entity));
    }

    [Fact]
    public void Analyze_Hypotheses_SortedDescendingAndScoreIsSumOfEvidence()
    {
        var episode = Build(
            Anomaly("web", "http_request_errors_total", 0),
            Anomaly("api", "http_request_duration_seconds", 7),
            Anomaly("db", "db_connections_in_use", 30));

        var analysis = _ranker.Analyze(episode, Chain);

        Assert.Equal(3, analysis.Hypotheses.Count);
        for (var i = 1; i < analysis.Hypotheses.Count; i++)
        {
            Assert.True(analysis.Hypotheses[i - 1].Score >= analysis.Hypotheses[i].Score);
        }

        foreach (var hypothesis in analysis.Hypotheses)
        {
            Assert.Equal(Math.Clamp(hypothesis.Evidence.Sum(e => e.Weight), 0, 1), hypothesis.Score, 12);
        }
    }

    [Theory]
    [InlineData("api")]
    [InlineData("db")]
    public void Analyze_Explanation_MentionsTopEntity(string leader)
    {
        var other = leader == "api" ? "db" : "api";
        var episode = Build(Anomaly(leader, "http_request_errors_total", 0), Anomaly(other, "http_request_errors_total", 50));

        var analysis = _ranker.Analyze(episode, DependencyGraph.Empty);

        Assert.Equal(leader, analysis.Hypotheses[0].Entity);
        Assert.Contains($"'{leader}' is the most likely cause (score {analysis.Hypotheses[0].Score.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)})", analysis.Explanation, StringComparison.Ordinal);
        Assert.Contains($"errors on '{leader}' started 50 s before any other entity's signal", analysis.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_OverrideLabel_ChangesCategory()
    {
        // The name says nothing; the explicit class label says saturation.
        var labels = new Dictionary<string, string> { ["service"] = "db", ["aiops_signal_class"] = "saturation" };
        var episode = Build(
            [(new AnomalySignal("fp", "pg_stat_activity_count", Noon, labels, 0.99, Direction.Up, 8), "db"), Anomaly("api", "http_request_errors_total", 20)],
            []);

        var analysis = _ranker.Analyze(episode, Chain);

        Assert.Equal(IncidentCategory.ResourceSaturation, analysis.Category);
    }

    [Fact]
    public void Constructor_WeightOutOfRange_Throws()
    {
        Assert.Throws<ValidationException>(() => new RootCauseRanker(new RootCauseRankerOptions { LeadWeight = -1 }));
        Assert.Throws<ValidationException>(() => new RootCauseRanker(new RootCauseRankerOptions { DependencyHops = 0 }));
        Assert.Throws<ValidationException>(() => new RootCauseRanker(new RootCauseRankerOptions
        {
            LeadWeight = 0,
            MagnitudeWeight = 0,
            DependencyWeight = 0,
            ChangeWeight = 0,
            SignalClassWeight = 0,
        }));
        Assert.Throws<ValidationException>(() => new RootCauseRanker(new RootCauseRankerOptions { Classifier = new SignalClassifierOptions { TrafficPatterns = [""] } }));
    }

    [Fact]
    public void Constructor_OnlyLeadAndMagnitudeWeighted_EarliestFirstDespiteGraph()
    {
        var ranker = new RootCauseRanker(new RootCauseRankerOptions { DependencyWeight = 0, SignalClassWeight = 0 });
        var episode = Build(
            Anomaly("web", "http_request_errors_total", 0),
            Anomaly("api", "http_request_errors_total", 2),
            Anomaly("db", "http_request_errors_total", 3));

        var analysis = ranker.Analyze(episode, new DependencyGraph([("web", "api"), ("api", "db")]));

        Assert.Equal("web", analysis.Hypotheses[0].Entity);
    }

    [Theory]
    [InlineData(4, "4 s")]
    [InlineData(2.5, "2.5 s")]
    [InlineData(42, "42 s")]
    [InlineData(300, "5 min")]
    [InlineData(330, "5 min 30 s")]
    [InlineData(7800, "2 h 10 min")]
    public void Duration_Seconds_HumanText(double seconds, string expected)
    {
        Assert.Equal(expected, RootCauseRanker.Duration(TimeSpan.FromSeconds(seconds)));
    }

    private static (Signal Signal, string? Entity) Anomaly(string service, string metric, double atSeconds, double score = 0.95, double magnitude = 5, Direction direction = Direction.Up) =>
        (new AnomalySignal($"{metric}{{service=\"{service}\"}}", metric, Noon.AddSeconds(atSeconds), new Dictionary<string, string> { ["service"] = service }, score, direction, magnitude), service);

    private static ChangeSignal Deploy(string service, TimeSpan offset) =>
        new($"deploy/{service}", $"deploy {service} v2", Noon + offset, new Dictionary<string, string> { ["service"] = service }, ChangeKind.Deploy);

    internal static Episode Build(params (Signal Signal, string? Entity)[] members) => Build(members, []);

    /// <summary>A firing episode of the members (each seen once, at its onset) and the changes.</summary>
    internal static Episode Build((Signal Signal, string? Entity)[] members, params ChangeSignal[] changes)
    {
        var list = members
            .Select(m => new EpisodeMember(m.Signal, m.Entity, m.Signal.Onset, m.Signal.Onset, 0, m.Signal is AnomalySignal a ? a.PeakScore : 1, true))
            .ToList();
        var opened = list.Count == 0 ? Noon : list.Min(m => m.Signal.Onset);
        var entities = list.Select(m => m.Entity).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        return new Episode("ep-1", EpisodeState.Firing, opened, opened, entities, list, changes, [], list.Count, null);
    }
}
