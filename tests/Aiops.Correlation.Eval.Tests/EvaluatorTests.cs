namespace Aiops.Correlation.Eval.Tests;

public sealed class EvaluatorTests
{
    private static readonly DateTimeOffset T0 = ScenarioGenerator.Origin;

    [Fact]
    public void Replay_BridgingSignal_MergedEpisodeCountsAsTarget()
    {
        // x → m ← z: x and z are siblings (callers of m), not related by themselves, so their signals open two episodes; a
        // signal on their shared dependency m, starting right after them, can be the cause of both and the correlator merges
        // them. The signal on z must then count for the surviving episode.
        var scenario = Scenario(
            [("x", "m"), ("z", "m")],
            Anomaly("g1", "x", 0),
            Anomaly("g2", "z", 10),
            Anomaly("g3", "m", 20));

        var run = Evaluator.Replay(scenario);

        Assert.Equal(CorrelationOutcome.Opened, run.Outcomes[1]);
        Assert.NotEqual(run.RawEpisodes[0], run.RawEpisodes[1]);
        Assert.Equal(CorrelationOutcome.Merged, run.Outcomes[2]);
        Assert.Equal(run.FinalEpisodes[0], run.FinalEpisodes[1]);
        Assert.Equal(run.FinalEpisodes[0], run.FinalEpisodes[2]);
        var merged = run.Episodes[run.RawEpisodes[0] == run.FinalEpisodes[0] ? run.RawEpisodes[1]! : run.RawEpisodes[0]!];
        Assert.Equal(run.FinalEpisodes[0], merged.MergedInto);
    }

    [Fact]
    public void Replay_Generated_FinalEpisodesAreUnmergedAndSettled()
    {
        var scenario = ScenarioGenerator.Generate(3, Difficulty.Medium);

        var run = Evaluator.Replay(scenario);

        for (var i = 0; i < scenario.Signals.Count; i++)
        {
            if (scenario.Signals[i].IsChange || run.FinalEpisodes[i] is not { } final)
            {
                continue;
            }

            Assert.Null(run.Episodes[final].MergedInto);
            Assert.Equal(final, Evaluator.FollowMerges(run.RawEpisodes[i], run.Episodes));
        }

        // The clock ran on far enough for every episode to close, and ticks moved them through the lifecycle.
        Assert.All(run.Episodes.Values, e => Assert.True(e.State is EpisodeState.Resolved or EpisodeState.Inactive, $"{e.Id} is {e.State}"));
        Assert.Contains(run.Episodes.Values, e => e.Transitions.Any(t => t.To == EpisodeState.Firing));
        Assert.All(run.Episodes.Values.Where(e => e.MergedInto is null && e.Members.Count > 0), e => Assert.NotNull(e.RootCause));
    }

    [Fact]
    public void Replay_AlertStorm_RepeatsFoldIntoOneEpisode()
    {
        // One alert re-sent every 30 s for 10 minutes, then resolved: 22 signals, one episode.
        var labels = Labels("api");
        var alerts = new List<LabeledSignal>();
        for (var k = 0; k <= 20; k++)
        {
            alerts.Add(new(new AlertSignal("fp", "HighErrorRate", T0, labels, AlertStatus.Firing, null, "critical", new Dictionary<string, string>()), T0.AddSeconds(30 * k), "inc-01"));
        }

        alerts.Add(new(new AlertSignal("fp", "HighErrorRate", T0, labels, AlertStatus.Resolved, T0.AddMinutes(10), "critical", new Dictionary<string, string>()), T0.AddMinutes(10.5), "inc-01"));
        var scenario = Scenario([], [.. alerts]);

        var run = Evaluator.Replay(scenario);
        var metrics = Metrics.Measure(run);

        Assert.Equal(22, metrics.Signals);
        Assert.Equal(1, metrics.Episodes);
        Assert.Equal(22.0, Metrics.Reduction(metrics.Signals, metrics.Episodes));
    }

    private static Scenario Scenario(IReadOnlyList<(string Service, string DependsOn)> edges, params LabeledSignal[] signals) =>
        new(1, Difficulty.Easy, false, "shop", T0, signals.Max(s => s.Arrival), [], edges, [], signals, 0);

    private static LabeledSignal Anomaly(string group, string service, int second) =>
        new(new AnomalySignal($"http_request_errors_total{{service=\"{service}\"}}", "http_request_errors_total", T0.AddSeconds(second), Labels(service), 0.9, Direction.Up, 5), T0.AddSeconds(second + 15), group);

    private static Dictionary<string, string> Labels(string service) => new(StringComparer.Ordinal) { ["service"] = service, ["namespace"] = "shop" };
}
