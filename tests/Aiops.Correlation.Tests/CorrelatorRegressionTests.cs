using Aiops.Detection;
using Microsoft.Extensions.Time.Testing;
using static Aiops.Correlation.Tests.TestSignals;

namespace Aiops.Correlation.Tests;

/// <summary>Defects found in review (session 25), each pinned by the behaviour the correlator and the bridge promise.</summary>
public sealed class CorrelatorRegressionTests
{
    private readonly FakeTimeProvider _time = new(T0);

    [Fact]
    public void Tick_AlertReNotifiedPastAlertStaleAfter_EpisodeStaysFiring()
    {
        // AlertStaleAfter guards a lost resolve: "how long a firing alert counts as active without a repeat notification".
        var options = new CorrelatorOptions { AlertStaleAfter = TimeSpan.FromMinutes(10) };
        var correlator = new Correlator(options, timeProvider: _time);
        var opened = correlator.Add(Alert("db", "DiskFull", T0));
        correlator.Tick();

        for (var minute = 1; minute <= 30; minute++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            Assert.Equal(CorrelationOutcome.Repeat, correlator.Add(Alert("db", "DiskFull", T0)).Outcome); // Alertmanager's repeat
            correlator.Tick();
        }

        var episode = correlator.Snapshot().Single(e => e.Id == opened.EpisodeId);
        Assert.True(episode.Members.Single().IsActive, "the member itself is active: it was re-notified a minute ago");
        Assert.DoesNotContain(episode.Transitions, t => t.To == EpisodeState.Resolved);
        Assert.Equal(EpisodeState.Firing, episode.State);
    }

    [Fact]
    public void Add_FiringEpisodeMergedIntoPendingOne_SurvivingEpisodeIsNotLessAdvanced()
    {
        // api depends on db. A late db report (onset before the api episode) opens a db episode; the next db signal bridges
        // both and merges the firing api episode into the pending db one.
        var graph = new DependencyGraph([("api", "db")]);
        var correlator = new Correlator(graph: graph, timeProvider: _time);
        var api = correlator.Add(Anomaly("api", "http_errors", T0));
        _time.Advance(TimeSpan.FromSeconds(30));
        correlator.Add(Anomaly("api", "http_errors", T0));
        _time.Advance(TimeSpan.FromSeconds(40));
        correlator.Tick();
        Assert.Equal(EpisodeState.Firing, correlator.Snapshot().Single(e => e.Id == api.EpisodeId).State);

        var db = correlator.Add(Anomaly("db", "db_connections", T0.AddMinutes(-3)));
        Assert.Equal(CorrelationOutcome.Opened, db.Outcome);
        var bridge = correlator.Add(Anomaly("db", "db_latency", T0.AddMinutes(-1)));
        Assert.Equal(CorrelationOutcome.Merged, bridge.Outcome);

        var snapshots = correlator.Snapshot();
        var merged = snapshots.Single(e => e.Id == api.EpisodeId);
        Assert.Equal(bridge.EpisodeId, merged.MergedInto);
        var survivor = snapshots.Single(e => e.Id == merged.MergedInto);

        // The caller follows MergedInto from a firing incident and must not find it back at pending.
        Assert.Equal(EpisodeState.Firing, survivor.State);
    }

    [Theory]
    [InlineData(double.NaN, 0.99)]
    [InlineData(5.0, double.NaN)]
    [InlineData(5.0, 1.5)]
    [InlineData(5.0, -0.1)]
    public void Add_MagnitudeNotANumberOrScoreOutsideUnit_RejectedAndLaterReportsStillCarry(double magnitude, double score)
    {
        var correlator = new Correlator(timeProvider: _time);

        var bad = correlator.Add(Anomaly("api", "latency", T0) with { Magnitude = magnitude, PeakScore = score });
        _time.Advance(TimeSpan.FromSeconds(30));
        var good = correlator.Add(Anomaly("api", "latency", T0) with { Magnitude = 40, PeakScore = 0.99 });

        Assert.Equal(CorrelationOutcome.Rejected, bad.Outcome);
        Assert.Equal("invalid_score", bad.Reason);
        Assert.Equal(CorrelationOutcome.Opened, good.Outcome);
        var member = correlator.Snapshot().Single().Members.Single();
        Assert.Equal(40, Assert.IsType<AnomalySignal>(member.Signal).Magnitude);
        Assert.Equal(0.99, member.PeakScore);
    }

    [Fact]
    public void Update_AnomalyWithZeroMagnitude_RepeatsOnlyEveryRepeatInterval()
    {
        // No baseline of its own yet and a detector without a finite raw score: the severity (magnitude) is 0.
        var bridge = new AnomalySignalBridge(new SeriesKey("rps", [new("service", "api")]));
        var events = new List<AnomalySignalEvent>();
        var returning = new List<bool>();
        for (var s = 0; s < 30; s++)
        {
            var now = T0.AddSeconds(s);
            var score = AnomalyScore.Scored(now, 500, probability: 1, rawScore: double.NaN, threshold: 0.5);
            events.Add(bridge.Update(score, now, out var signal));
            returning.Add(signal?.ReturningSince is not null);
        }

        Assert.Equal(1, events.Count(e => e == AnomalySignalEvent.Onset));
        Assert.Equal(0.0, bridge.Signal().Magnitude);

        // 30 one-second points after the onset, repeat interval 60 s: a repeat only where the return state changed.
        var repeats = events.Select((e, i) => (e, i)).Where(x => x.e == AnomalySignalEvent.Repeat).Select(x => x.i).ToList();
        Assert.True(repeats.Count <= 1, $"{repeats.Count} repeats");
        Assert.All(repeats, i => Assert.NotEqual(returning[i], returning.Take(i).Where((_, j) => events[j] != AnomalySignalEvent.None).Last()));
    }

    [Fact]
    public void Add_NaNPeakScoreOnARepeat_RejectedAndLaterScoresStillRaiseThePeak()
    {
        var correlator = new Correlator(timeProvider: _time);
        correlator.Add(Anomaly("api", "latency", T0, score: 0.9));
        _time.Advance(TimeSpan.FromSeconds(10));
        var nan = correlator.Add(Anomaly("api", "latency", T0, score: double.NaN));
        _time.Advance(TimeSpan.FromSeconds(10));
        correlator.Add(Anomaly("api", "latency", T0, score: 0.99));

        Assert.Equal(CorrelationOutcome.Rejected, nan.Outcome);
        Assert.Equal(0.99, correlator.Snapshot().Single().Members.Single().PeakScore);
    }

    [Fact]
    public void Add_EpisodeOpenedWithoutScopeLabels_SignalsFromDifferentNamespacesNeverShareIt()
    {
        var correlator = new Correlator(timeProvider: _time);
        var unscoped = new AlertSignal("HighLatency/api", "HighLatency", T0, new Dictionary<string, string> { ["service"] = "api" }, AlertStatus.Firing, null, "warning", new Dictionary<string, string>());
        correlator.Add(unscoped);
        _time.Advance(TimeSpan.FromSeconds(10));
        var prod = correlator.Add(Anomaly("api", "latency", T0.AddSeconds(10), ns: "prod"));
        _time.Advance(TimeSpan.FromSeconds(10));
        var staging = correlator.Add(Anomaly("api", "latency", T0.AddSeconds(20), ns: "staging"));

        // "signals from different clusters or namespaces are never grouped"
        Assert.NotEqual(prod.EpisodeId, staging.EpisodeId);
    }

    [Fact]
    public void Add_SignalCarryingOnlySomeScopeLabelsThatAgree_JoinsTheEpisode()
    {
        var correlator = new Correlator(timeProvider: _time);
        var withCluster = new Dictionary<string, string> { ["service"] = "api", ["namespace"] = "prod", ["cluster"] = "eu-1" };
        var first = correlator.Add(new AnomalySignal("latency/api/eu-1", "latency", T0, withCluster, 0.99, Direction.Up, 5));
        _time.Advance(TimeSpan.FromSeconds(10));

        // The alert carries namespace (which agrees) but no cluster: "must agree ... when both carry them".
        var second = correlator.Add(Alert("api", "HighLatency", T0.AddSeconds(10)));

        Assert.Equal(first.EpisodeId, second.EpisodeId);
    }

    [Fact]
    public void Add_FiringAlertDroppedAtTheMemberCapOnMerge_EpisodeStillCloses()
    {
        // api depends on db; the api episode (an anomaly, then a firing alert) is merged into a db episode that has room for
        // one more member: the alert is dropped from the list and must not keep counting as firing (its resolve finds no
        // member, so the count would never come down and the episode would stay active until the alert went stale, a day).
        var graph = new DependencyGraph([("api", "db")]);
        var correlator = new Correlator(new CorrelatorOptions { MaxMembersPerEpisode = 2 }, graph, timeProvider: _time);
        var apiAnomaly = Anomaly("api", "http_errors", T0);
        correlator.Add(apiAnomaly);
        correlator.Add(Alert("api", "HighErrorRate", T0));
        var dbEarly = Anomaly("db", "db_connections", T0.AddMinutes(-3));
        Assert.Equal(CorrelationOutcome.Opened, correlator.Add(dbEarly).Outcome);
        Assert.Equal(CorrelationOutcome.Merged, correlator.Add(Anomaly("db", "db_latency", T0.AddMinutes(-1))).Outcome);

        _time.Advance(TimeSpan.FromMinutes(1));
        correlator.Add(Alert("api", "HighErrorRate", T0, AlertStatus.Resolved));
        correlator.Add(apiAnomaly with { EndedAt = _time.GetUtcNow(), EndReason = Aiops.Detection.Tracking.AnomalyEndReason.Recovered });
        correlator.Add(dbEarly with { EndedAt = _time.GetUtcNow(), EndReason = Aiops.Detection.Tracking.AnomalyEndReason.Recovered });
        for (var s = 0; s < 420; s += 30)
        {
            _time.Advance(TimeSpan.FromSeconds(30));
            correlator.Tick();
        }

        var survivor = correlator.Snapshot().Single(e => e.MergedInto is null);
        Assert.Equal(2, survivor.Members.Count);
        Assert.True(survivor.State is EpisodeState.Resolved or EpisodeState.Inactive, $"still {survivor.State}");
    }

    [Fact]
    public void GroupWindow_Default_IsTheDocumentedTwoMinutes() =>
        Assert.Equal(TimeSpan.FromMinutes(2), new CorrelatorOptions().GroupWindow);

    [Fact]
    public void Add_LateDuplicateOfAnEndedAnomalyAfterResolve_DoesNotReopen()
    {
        var correlator = new Correlator(timeProvider: _time);
        var onset = Anomaly("api", "latency", T0);
        correlator.Add(onset);
        for (var s = 0; s < 120; s += 10)
        {
            _time.Advance(TimeSpan.FromSeconds(10));
            correlator.Add(onset);
            correlator.Tick();
        }

        correlator.Add(onset with { EndedAt = _time.GetUtcNow(), EndReason = Aiops.Detection.Tracking.AnomalyEndReason.Recovered });
        for (var s = 0; s < 420; s += 10)
        {
            _time.Advance(TimeSpan.FromSeconds(10));
            correlator.Tick();
        }

        Assert.Equal(EpisodeState.Resolved, correlator.Snapshot().Single().State);

        // The onset report delivered again (a retry, out of order): same fingerprint, same onset, the occurrence already ended.
        var result = correlator.Add(onset);
        correlator.Tick();

        var episode = correlator.Snapshot().Single();
        Assert.Equal(1, episode.Transitions.Count(t => t.To == EpisodeState.Resolved));
        Assert.DoesNotContain(episode.Transitions, t => t.From == EpisodeState.Resolved);
    }
}
