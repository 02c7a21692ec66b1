using System.ComponentModel.DataAnnotations;

namespace Aiops.Correlation.Tests;

/// <summary>The evidence that works on raw metrics (issue 14): robust deviation, persistence, the incident's burst, the graph, load and changes.</summary>
public sealed class RootCauseEvidenceTests
{
    private static readonly DateTimeOffset Noon = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>web → api → db.</summary>
    private static readonly DependencyGraph Chain = new([("web", "api"), ("api", "db")]);

    /// <summary>The sum of the default weights: lead 0.10, magnitude 0.40, dependency 0.25, change 0.25, signal class 0.10.</summary>
    private const double Total = 1.10;

    private readonly RootCauseRanker _ranker = new();

    [Fact]
    public void Options_Defaults_AsDocumented()
    {
        var options = new RootCauseRankerOptions();
        Assert.Equal(0.10, options.LeadWeight);
        Assert.Equal(0.40, options.MagnitudeWeight);
        Assert.Equal(0.25, options.DependencyWeight);
        Assert.Equal(0.25, options.ChangeWeight);
        Assert.Equal(0.10, options.SignalClassWeight);
        Assert.Equal(TimeSpan.FromSeconds(60), options.BurstWindow);
        Assert.Equal(TimeSpan.FromSeconds(60), options.PersistenceHorizon);
    }

    [Fact]
    public void Analyze_UnrelatedEntities_LargerDeviationFirstWithProportionalWeight()
    {
        var episode = Build(
            Member("a", "http_request_duration_seconds", 0, magnitude: 5),
            Member("b", "http_request_duration_seconds", 0, magnitude: 40));

        var analysis = _ranker.Analyze(episode, DependencyGraph.Empty);

        Assert.Equal("b", analysis.Hypotheses[0].Entity);
        Assert.Equal(0.40 / Total, Weight(analysis, "b", EvidenceKind.Magnitude), 9);
        Assert.Equal(0.40 / Total * 5 / 40, Weight(analysis, "a", EvidenceKind.Magnitude), 9);
        Assert.Contains("largest deviation 40.0", Evidence(analysis, "b", EvidenceKind.Magnitude).Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_LastingDeviationAgainstOneOffSpike_LastingFirst()
    {
        // a: 30 reported once counts 30 · 0.25 = 7.5; b: 12 reported for 2 minutes counts 12.
        var episode = Build(
            Member("a", "http_request_duration_seconds", 0, magnitude: 30),
            Member("b", "http_request_duration_seconds", 0, magnitude: 12, reportedFor: 120));

        var analysis = _ranker.Analyze(episode, DependencyGraph.Empty);

        Assert.Equal("b", analysis.Hypotheses[0].Entity);
        Assert.Equal(0.40 / Total * 7.5 / 12, Weight(analysis, "a", EvidenceKind.Magnitude), 9);
    }

    [Fact]
    public void Analyze_PersistenceHorizonZero_EveryMagnitudeInFull()
    {
        var ranker = new RootCauseRanker(new RootCauseRankerOptions { PersistenceHorizon = TimeSpan.Zero });
        var episode = Build(
            Member("a", "http_request_duration_seconds", 0, magnitude: 30),
            Member("b", "http_request_duration_seconds", 0, magnitude: 12, reportedFor: 120));

        Assert.Equal("a", ranker.Analyze(episode, DependencyGraph.Empty).Hypotheses[0].Entity);
    }

    [Fact]
    public void Analyze_StrongNoiseLongBeforeTheBurst_LeftOutAsBackground()
    {
        // An episode that was already open: a strong spike on 'batch' 8 minutes before the incident's burst on the chain.
        var episode = Build(
            Member("batch", "job_duration_seconds", -480, magnitude: 90),
            Member("db", "db_query_duration_seconds", 0, magnitude: 20),
            Member("api", "http_request_duration_seconds", 3, magnitude: 15),
            Member("web", "http_request_duration_seconds", 5, magnitude: 12));

        var analysis = _ranker.Analyze(episode, Chain);

        Assert.Equal("db", analysis.Hypotheses[0].Entity);
        var batch = analysis.Hypotheses.Single(h => h.Entity == "batch");
        Assert.Equal(0, batch.Score);
        var lead = Assert.Single(batch.Evidence);
        Assert.Contains("left out as background", lead.Description, StringComparison.Ordinal);
        Assert.Equal(0.40 / Total, Weight(analysis, "db", EvidenceKind.Magnitude), 9); // 20 is the strongest once 90 is out
    }

    [Fact]
    public void Analyze_BurstWindowZero_KeepsEverySignal()
    {
        var ranker = new RootCauseRanker(new RootCauseRankerOptions { BurstWindow = TimeSpan.Zero });
        var episode = Build(
            Member("batch", "job_duration_seconds", -480, magnitude: 90),
            Member("db", "db_query_duration_seconds", 0, magnitude: 20));

        Assert.Equal("batch", ranker.Analyze(episode, Chain).Hypotheses[0].Entity);
    }

    [Fact]
    public void Analyze_CalleeDeviatingAsMuch_ExplainsItsCaller()
    {
        var graph = new DependencyGraph([("web", "api")]);
        var episode = Build(
            Member("web", "http_request_duration_seconds", 0, magnitude: 20),
            Member("api", "http_request_duration_seconds", 2, magnitude: 20));

        var analysis = _ranker.Analyze(episode, graph);

        Assert.Equal("api", analysis.Hypotheses[0].Entity);
        Assert.Equal(0.25 / Total, Weight(analysis, "api", EvidenceKind.Dependency), 9);
        Assert.Equal(-0.25 / Total, Weight(analysis, "web", EvidenceKind.Dependency), 9);
    }

    [Fact]
    public void Analyze_CalleeDeviatingFarLess_ExplainsOnlyThatShare()
    {
        // api deviates a fifth as much as web: it explains a fifth of web's symptoms, and web stays first on magnitude.
        var graph = new DependencyGraph([("web", "api")]);
        var episode = Build(
            Member("web", "http_request_duration_seconds", 0, magnitude: 20),
            Member("api", "http_request_duration_seconds", 2, magnitude: 4));

        var analysis = _ranker.Analyze(episode, graph);

        Assert.Equal("web", analysis.Hypotheses[0].Entity);
        Assert.Equal(-0.25 / Total * 0.2, Weight(analysis, "web", EvidenceKind.Dependency), 9); // (0 − 0.2) / max(1, 0.2)
        Assert.Equal(0.25 / Total * 0.2, Weight(analysis, "api", EvidenceKind.Dependency), 9);
    }

    [Fact]
    public void Analyze_LastingTrafficRiseAtEntry_ExplainsOverloadedCallee()
    {
        // A surge: traffic rises at web and reaches api, whose errors deviate far more than web's traffic.
        var graph = new DependencyGraph([("web", "api")]);
        var episode = Build(
            Member("web", "http_requests_total", 0, magnitude: 10, reportedFor: 120),
            Member("api", "http_requests_total", 1, magnitude: 10, reportedFor: 120),
            Member("api", "http_request_errors_total", 4, magnitude: 100, reportedFor: 120));

        var analysis = _ranker.Analyze(episode, graph);

        Assert.Equal("web", analysis.Hypotheses[0].Entity);
        Assert.Equal(0.25 / Total, Weight(analysis, "web", EvidenceKind.Dependency), 9);
        Assert.Contains("so the load explains their symptoms", Evidence(analysis, "web", EvidenceKind.Dependency).Description, StringComparison.Ordinal);
        Assert.Contains("its load came from upstream", Evidence(analysis, "api", EvidenceKind.Dependency).Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_TrafficBlipAtEntry_NotLoadSoCalleeStillExplainsIt()
    {
        // The same, but web's traffic rise was reported once while api's errors lasted: a blip, not a surge.
        var graph = new DependencyGraph([("web", "api")]);
        var episode = Build(
            Member("web", "http_requests_total", 0, magnitude: 10),
            Member("web", "http_request_errors_total", 5, magnitude: 30, reportedFor: 120),
            Member("api", "http_request_errors_total", 4, magnitude: 100, reportedFor: 120));

        var analysis = _ranker.Analyze(episode, graph);

        Assert.Equal("api", analysis.Hypotheses[0].Entity);
        Assert.True(Weight(analysis, "web", EvidenceKind.Dependency) < 0);
    }

    [Fact]
    public void Analyze_DeployBeforeStrongSymptomButAfterWeakNoise_ChangeCounted()
    {
        // Noise on payments at 0 s, the deploy at 20 s, the deploy's errors at 30 s: the deploy can have caused what matters.
        var episode = Build(
            [
                Member("payments", "http_request_duration_seconds", 0, magnitude: 3),
                Member("payments", "http_request_errors_total", 30, magnitude: 40, reportedFor: 120),
            ],
            new ChangeSignal("deploy/payments/v2", "deploy payments v2", Noon.AddSeconds(20), new Dictionary<string, string> { ["service"] = "payments" }, ChangeKind.Deploy));

        var analysis = _ranker.Analyze(episode, DependencyGraph.Empty);

        Assert.Equal(IncidentCategory.ChangeInduced, analysis.Category);
        Assert.Equal(0.25 / Total, Weight(analysis, "payments", EvidenceKind.Change), 9);
    }

    [Fact]
    public void Options_BurstWindowNegative_Throws()
    {
        var error = Assert.Throws<ValidationException>(() => new RootCauseRanker(new RootCauseRankerOptions { BurstWindow = TimeSpan.FromSeconds(-1) }));
        Assert.Contains(nameof(RootCauseRankerOptions.BurstWindow), error.Message, StringComparison.Ordinal);
    }

    private static Evidence Evidence(RootCauseAnalysis analysis, string entity, EvidenceKind kind) =>
        analysis.Hypotheses.Single(h => h.Entity == entity).Evidence.Single(e => e.Kind == kind);

    private static double Weight(RootCauseAnalysis analysis, string entity, EvidenceKind kind) => Evidence(analysis, entity, kind).Weight;

    private static EpisodeMember Member(string service, string metric, double atSeconds, double magnitude, double reportedFor = 0)
    {
        var onset = Noon.AddSeconds(atSeconds);
        var signal = new AnomalySignal($"{metric}{{service=\"{service}\"}}", metric, onset, new Dictionary<string, string> { ["service"] = service }, 0.99, Direction.Up, magnitude);
        return new EpisodeMember(signal, service, onset.AddSeconds(10), onset.AddSeconds(10 + reportedFor), (int)(reportedFor / 15), 0.99, true);
    }

    private static Episode Build(params EpisodeMember[] members) => Build(members, []);

    private static Episode Build(EpisodeMember[] members, params ChangeSignal[] changes)
    {
        var opened = members.Min(m => m.Signal.Onset);
        return new Episode("ep-1", EpisodeState.Firing, opened, opened, [.. members.Select(m => m.Entity!).Distinct()], members, changes, [], members.Length, null);
    }
}
