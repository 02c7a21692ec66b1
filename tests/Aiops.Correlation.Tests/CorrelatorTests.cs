using Aiops.Detection.Tracking;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using static Aiops.Correlation.Tests.TestSignals;

namespace Aiops.Correlation.Tests;

public sealed class CorrelatorTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(T0);
    private readonly TestMeterFactory _meters = new();

    public void Dispose() => _meters.Dispose();

    [Fact]
    public void Add_SameServiceWithinWindow_OneEpisode()
    {
        var correlator = new Correlator(timeProvider: _time);

        var first = correlator.Add(Anomaly("api", "http_requests_total", T0));
        _time.Advance(TimeSpan.FromSeconds(30));
        var second = correlator.Add(Anomaly("api", "http_request_errors_total", T0.AddSeconds(30)));

        Assert.Equal(CorrelationOutcome.Opened, first.Outcome);
        Assert.Equal(CorrelationOutcome.Joined, second.Outcome);
        Assert.Equal(first.EpisodeId, second.EpisodeId);
    }

    [Fact]
    public void Add_SameServiceOutsideWindow_TwoEpisodes()
    {
        var correlator = new Correlator(timeProvider: _time);

        var first = correlator.Add(Anomaly("api", "http_requests_total", T0));
        _time.Advance(TimeSpan.FromMinutes(6));
        var second = correlator.Add(Anomaly("api", "http_request_errors_total", T0.AddMinutes(6)));

        Assert.NotEqual(first.EpisodeId, second.EpisodeId);
    }

    [Fact]
    public void Add_UnrelatedServices_SeparateEpisodes_RelatedThroughGraph_OneEpisode()
    {
        var graph = new DependencyGraph([("web", "api"), ("api", "db")]);
        var correlator = new Correlator(graph: graph, timeProvider: _time);

        var db = correlator.Add(Anomaly("db", "pg_connections", T0));
        var web = correlator.Add(Anomaly("web", "http_request_duration_seconds", T0.AddSeconds(20)));
        var mail = correlator.Add(Anomaly("mail", "smtp_errors_total", T0.AddSeconds(25)));

        Assert.Equal(db.EpisodeId, web.EpisodeId); // web → api → db: two hops
        Assert.NotEqual(db.EpisodeId, mail.EpisodeId);
    }

    [Fact]
    public void Add_DifferentNamespaces_NeverGrouped()
    {
        var correlator = new Correlator(timeProvider: _time);

        var prod = correlator.Add(Anomaly("api", "http_requests_total", T0, ns: "prod"));
        var staging = correlator.Add(Anomaly("api", "http_requests_total", T0, ns: "staging"));

        Assert.NotEqual(prod.EpisodeId, staging.EpisodeId);
    }

    [Fact]
    public void Add_AlertStormRepeats_FoldedIntoOneMember()
    {
        var correlator = new Correlator(timeProvider: _time);

        var results = Enumerable.Range(0, 50).Select(i =>
        {
            _time.Advance(TimeSpan.FromSeconds(10));
            return correlator.Add(Alert("api", "HighErrorRate", T0));
        }).ToList();

        Assert.Equal(CorrelationOutcome.Opened, results[0].Outcome);
        Assert.All(results.Skip(1), r => Assert.Equal(CorrelationOutcome.Repeat, r.Outcome));
        var episode = Assert.Single(correlator.Snapshot());
        var member = Assert.Single(episode.Members);
        Assert.Equal(49, member.Repeats);
        Assert.Equal(50, episode.SignalCount);
    }

    [Fact]
    public void Tick_Lifecycle_PendingFiringResolvedWithTimestamps()
    {
        var correlator = new Correlator(new CorrelatorOptions { PendingFor = TimeSpan.FromMinutes(1), ResolveAfter = TimeSpan.FromMinutes(5) }, timeProvider: _time);
        correlator.Add(Alert("api", "HighErrorRate", T0));

        _time.Advance(TimeSpan.FromSeconds(59));
        correlator.Tick();
        Assert.Equal(EpisodeState.Pending, correlator.Snapshot()[0].State);

        _time.Advance(TimeSpan.FromSeconds(1));
        correlator.Tick();
        Assert.Equal(EpisodeState.Firing, correlator.Snapshot()[0].State);

        _time.Advance(TimeSpan.FromMinutes(2));
        correlator.Add(Alert("api", "HighErrorRate", T0, AlertStatus.Resolved));
        var resolvedAt = _time.GetUtcNow();
        _time.Advance(TimeSpan.FromMinutes(4));
        correlator.Tick();
        Assert.Equal(EpisodeState.Firing, correlator.Snapshot()[0].State); // quiet for 4 of the 5 minutes

        _time.Advance(TimeSpan.FromMinutes(1));
        correlator.Tick();
        var episode = correlator.Snapshot()[0];
        Assert.Equal(EpisodeState.Resolved, episode.State);
        Assert.Equal(
            [(null, EpisodeState.Pending, T0), (EpisodeState.Pending, EpisodeState.Firing, T0.AddMinutes(1)), (EpisodeState.Firing, EpisodeState.Resolved, resolvedAt.AddMinutes(5))],
            episode.Transitions.Select(t => (t.From, t.To, t.At)));
        Assert.Equal(0, correlator.OpenCount);
    }

    [Fact]
    public void Tick_PendingAnomalyBackInItsBandBeforePendingFor_NeverFiresAndTurnsInactive()
    {
        var correlator = new Correlator(new CorrelatorOptions { PendingFor = TimeSpan.FromMinutes(1), ResolveAfter = TimeSpan.FromMinutes(5) }, timeProvider: _time);
        var burst = Anomaly("api", "http_requests_total", T0);
        correlator.Add(burst);
        _time.Advance(TimeSpan.FromSeconds(8));
        correlator.Add(burst with { ReturningSince = T0.AddSeconds(6) }); // a 6-second burst: back in its band, waiting to end
        for (var i = 0; i < 12; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(5));
            correlator.Tick();
        }

        Assert.Equal(EpisodeState.Pending, correlator.Snapshot()[0].State); // 68 s after the onset, still active, never held a minute
        correlator.Add(burst with { EndedAt = T0.AddSeconds(6), EndReason = AnomalyEndReason.Recovered });
        _time.Advance(TimeSpan.FromMinutes(6));
        correlator.Tick();

        var episode = Assert.Single(correlator.DrainChanged());
        Assert.Equal(EpisodeState.Inactive, episode.State);
        Assert.DoesNotContain(episode.Transitions, t => t.To == EpisodeState.Firing);
    }

    [Fact]
    public void Tick_EvidenceLapsesWhilePending_PendingPeriodRestartsAndFiresAMinuteAfterItHoldsAgain()
    {
        var correlator = new Correlator(new CorrelatorOptions { PendingFor = TimeSpan.FromMinutes(1) }, timeProvider: _time);
        var shift = Anomaly("api", "http_request_duration_seconds", T0);
        correlator.Add(shift);
        _time.Advance(TimeSpan.FromSeconds(20));
        correlator.Add(shift with { ReturningSince = T0.AddSeconds(18) });
        for (var second = 20; second <= 30; second += 5)
        {
            correlator.Tick(); // no evidence at T0 + 20, 25 and 30 s
            _time.Advance(TimeSpan.FromSeconds(second < 30 ? 5 : 0));
        }

        correlator.Add(shift); // away again at T0 + 30 s
        for (var second = 35; second <= 85; second += 5)
        {
            _time.Advance(TimeSpan.FromSeconds(5));
            correlator.Tick();
        }

        Assert.Equal(EpisodeState.Pending, correlator.Snapshot()[0].State); // 85 s after the onset, 55 s after the last lapse
        _time.Advance(TimeSpan.FromSeconds(5));
        correlator.Tick();

        var episode = correlator.Snapshot()[0];
        Assert.Equal(EpisodeState.Firing, episode.State);
        Assert.Equal(T0.AddSeconds(90), episode.Transitions[^1].At);
    }

    [Fact]
    public void Tick_PendingThatGoesQuiet_BecomesInactive()
    {
        var correlator = new Correlator(new CorrelatorOptions { PendingFor = TimeSpan.FromMinutes(10) }, timeProvider: _time);
        correlator.Add(Anomaly("api", "http_requests_total", T0));

        _time.Advance(TimeSpan.FromMinutes(8)); // anomaly active for 2 min, then 5 min of quiet, then one more
        correlator.Tick();

        Assert.Equal(EpisodeState.Inactive, correlator.Snapshot()[0].State);
    }

    [Fact]
    public void Add_AlertFlapsWithinEpisode_NewOccurrenceInSameEpisode()
    {
        var correlator = new Correlator(timeProvider: _time);
        var opened = correlator.Add(Alert("api", "HighLatency", T0));
        _time.Advance(TimeSpan.FromSeconds(30));
        correlator.Add(Alert("api", "HighLatency", T0, AlertStatus.Resolved));
        _time.Advance(TimeSpan.FromSeconds(30));

        var refired = correlator.Add(Alert("api", "HighLatency", T0.AddMinutes(1)));

        Assert.Equal(CorrelationOutcome.Joined, refired.Outcome);
        Assert.Equal(opened.EpisodeId, refired.EpisodeId);
        var members = Assert.Single(correlator.Snapshot()).Members;
        Assert.Equal(2, members.Count);
        Assert.Equal((false, "alert resolved"), (members[0].IsActive, members[0].EndReason));
        Assert.Equal((true, T0.AddMinutes(1), (DateTimeOffset?)null), (members[1].IsActive, members[1].Signal.Onset, members[1].EndedAt));
    }

    [Fact]
    public void Add_AlertRepeatWithSameStartAfterResolve_ReactivatesMemberInPlace()
    {
        var correlator = new Correlator(timeProvider: _time);
        var opened = correlator.Add(Alert("api", "HighLatency", T0));
        _time.Advance(TimeSpan.FromSeconds(30));
        correlator.Add(Alert("api", "HighLatency", T0, AlertStatus.Resolved));
        _time.Advance(TimeSpan.FromSeconds(30));

        var refired = correlator.Add(Alert("api", "HighLatency", T0));

        Assert.Equal((CorrelationOutcome.Repeat, opened.EpisodeId), (refired.Outcome, refired.EpisodeId));
        var member = Assert.Single(Assert.Single(correlator.Snapshot()).Members);
        Assert.Equal((true, (DateTimeOffset?)null), (member.IsActive, member.EndedAt));
    }

    [Fact]
    public void Add_SignalSoonAfterResolve_ReopensEpisode()
    {
        var correlator = new Correlator(new CorrelatorOptions { PendingFor = TimeSpan.Zero, ResolveAfter = TimeSpan.FromMinutes(1) }, timeProvider: _time);
        var opened = correlator.Add(Anomaly("api", "http_requests_total", T0));
        correlator.Tick();
        _time.Advance(TimeSpan.FromMinutes(4));
        correlator.Tick();
        Assert.Equal(EpisodeState.Resolved, correlator.Snapshot()[0].State);

        _time.Advance(TimeSpan.FromMinutes(2));
        var again = correlator.Add(Anomaly("api", "http_request_errors_total", T0.AddMinutes(6)));

        Assert.Equal(opened.EpisodeId, again.EpisodeId);
        var episode = Assert.Single(correlator.Snapshot());
        Assert.Equal(EpisodeState.Firing, episode.State);
        Assert.Contains(episode.Transitions, t => t.From == EpisodeState.Resolved && t.To == EpisodeState.Firing && t.Reason.StartsWith("reopened", StringComparison.Ordinal));
    }

    [Fact]
    public void Add_SignalBridgingTwoEpisodes_MergesIntoOldest()
    {
        var graph = new DependencyGraph([("web", "api"), ("mobile", "api")]);
        var correlator = new Correlator(new CorrelatorOptions { MaxGraphHops = 1 }, graph, timeProvider: _time);
        var web = correlator.Add(Anomaly("web", "http_request_errors_total", T0));
        var mobile = correlator.Add(Anomaly("mobile", "http_request_errors_total", T0.AddSeconds(5)));
        Assert.NotEqual(web.EpisodeId, mobile.EpisodeId); // web and mobile are two hops apart

        var api = correlator.Add(Anomaly("api", "http_request_duration_seconds", T0.AddSeconds(10)));

        Assert.Equal(CorrelationOutcome.Merged, api.Outcome);
        Assert.Equal(web.EpisodeId, api.EpisodeId);
        var changed = correlator.DrainChanged();
        var absorbed = Assert.Single(changed, e => e.Id == mobile.EpisodeId);
        Assert.Equal(web.EpisodeId, absorbed.MergedInto);
        Assert.Equal(EpisodeState.Inactive, absorbed.State);
        var target = Assert.Single(changed, e => e.Id == web.EpisodeId);
        Assert.Equal(3, target.Members.Count);
        Assert.Equal(1, correlator.OpenCount);
    }

    [Fact]
    public void Add_DeployBeforeOnsetOnRelatedService_AttachedAsChange()
    {
        var graph = new DependencyGraph([("web", "payments")]);
        var correlator = new Correlator(graph: graph, timeProvider: _time);
        var deploy = Deploy("payments", T0.AddMinutes(-5));
        var unrelated = Deploy("mail", T0.AddMinutes(-5));
        var old = Deploy("payments", T0.AddHours(-2), "v1");
        Assert.Equal(CorrelationOutcome.Context, correlator.Add(old).Outcome);
        correlator.Add(deploy);
        correlator.Add(unrelated);

        correlator.Add(Anomaly("web", "http_request_errors_total", T0));

        var episode = Assert.Single(correlator.Snapshot());
        Assert.Equal([deploy], episode.Changes);
        Assert.Equal(TimelineEntryKind.Change, episode.Timeline()[0].Kind);
    }

    [Fact]
    public void Add_SameChangeReportedAgain_KeptOnceBeforeAndAfterTheEpisodeOpens()
    {
        var correlator = new Correlator(timeProvider: _time);
        correlator.Add(Deploy("api", T0.AddMinutes(-1)));
        correlator.Add(Deploy("api", T0.AddMinutes(-1))); // an Alertmanager repeat: a new instance, same fingerprint and time
        correlator.Add(Anomaly("api", "http_request_errors_total", T0));

        correlator.Add(Deploy("api", T0.AddMinutes(-1)));
        correlator.Add(Deploy("api", T0.AddSeconds(30), "v3")); // another deploy

        var episode = Assert.Single(correlator.Snapshot());
        Assert.Equal([T0.AddMinutes(-1), T0.AddSeconds(30)], episode.Changes.Select(c => c.Onset));
        Assert.Single(episode.Timeline(), e => e.Kind == TimelineEntryKind.Change && e.At == T0.AddMinutes(-1));
    }

    [Fact]
    public void Timeline_MembersInOnsetOrderWithTransitions()
    {
        var correlator = new Correlator(new CorrelatorOptions { PendingFor = TimeSpan.FromSeconds(30) }, timeProvider: _time);
        _time.Advance(TimeSpan.FromSeconds(40)); // the signals arrive late and out of onset order
        correlator.Add(Anomaly("api", "http_request_errors_total", T0.AddSeconds(20)));
        correlator.Add(Anomaly("api", "http_requests_total", T0));
        correlator.Add(Anomaly("api", "aiops_anomaly_score", T0.AddSeconds(8)));
        _time.Advance(TimeSpan.FromSeconds(30));
        correlator.Tick();

        var timeline = correlator.Snapshot()[0].Timeline();

        Assert.Equal(
            ["http_requests_total", "aiops_anomaly_score", "http_request_errors_total", null, null],
            timeline.Select(e => e.Signal?.Name));
        Assert.Equal([EpisodeState.Pending, EpisodeState.Firing], timeline.Where(e => e.Transition is not null).Select(e => e.Transition!.To));
    }

    [Theory]
    [InlineData("", "m", 0, "missing_field")]
    [InlineData("fp", "", 0, "missing_field")]
    [InlineData("fp", "m", 600, "onset_in_future")]
    [InlineData("fp", "m", -100_000, "onset_too_old")]
    public void Add_BadSignal_RejectedWithReasonAndCounted(string fingerprint, string name, int onsetOffsetSeconds, string reason)
    {
        using var signals = new MetricCollector<long>(_meters, CorrelationTelemetry.MeterName, "aiops.correlation.signals");
        var correlator = new Correlator(new CorrelatorOptions { Telemetry = new CorrelationTelemetry(_meters) }, timeProvider: _time);

        var result = correlator.Add(new AnomalySignal(fingerprint, name, T0.AddSeconds(onsetOffsetSeconds), Labels("api"), 0.9, Direction.Up));

        Assert.Equal(CorrelationOutcome.Rejected, result.Outcome);
        Assert.Equal(reason, result.Reason);
        var measurement = Assert.Single(signals.GetMeasurementSnapshot());
        Assert.Equal("rejected", measurement.Tags["outcome"]);
        Assert.Equal(reason, measurement.Tags["reason"]);
        Assert.Equal(0, correlator.OpenCount);
    }

    [Fact]
    public void Add_NullOrLabelless_RejectedNotThrown()
    {
        var correlator = new Correlator(timeProvider: _time);

        Assert.Equal("null_signal", correlator.Add(null!).Reason);
        Assert.Equal("missing_field", correlator.Add(new AnomalySignal("fp", "m", T0, null!, 1, Direction.Up)).Reason);
    }

    [Fact]
    public void Add_ResolveForUnknownAlert_Ignored()
    {
        var correlator = new Correlator(timeProvider: _time);

        var result = correlator.Add(Alert("api", "HighErrorRate", T0, AlertStatus.Resolved));

        Assert.Equal(CorrelationOutcome.Ignored, result.Outcome);
        Assert.Empty(correlator.Snapshot());
    }

    [Fact]
    public void Add_Full_RejectsNewEpisodesButJoinsExisting()
    {
        var correlator = new Correlator(new CorrelatorOptions { MaxOpenEpisodes = 1, GroupAnomaliesByTimeWithoutGraph = false }, timeProvider: _time);
        correlator.Add(Anomaly("api", "http_requests_total", T0));

        Assert.Equal("capacity", correlator.Add(Anomaly("db", "cpu", T0)).Reason);
        Assert.Equal(CorrelationOutcome.Joined, correlator.Add(Anomaly("api", "errors", T0)).Outcome);
    }

    [Fact]
    public void Add_SameInputTwice_SameEpisodes()
    {
        static IReadOnlyList<Episode> Run()
        {
            var time = new FakeTimeProvider(T0);
            var correlator = new Correlator(graph: new DependencyGraph([("web", "api")]), timeProvider: time);
            var random = new Random(5);
            var services = new[] { "web", "api", "db", "mail" };
            for (var i = 0; i < 300; i++)
            {
                time.Advance(TimeSpan.FromSeconds(random.Next(1, 40)));
                correlator.Add(Anomaly(services[random.Next(4)], $"m{random.Next(3)}", time.GetUtcNow().AddSeconds(-random.Next(30))));
                correlator.Tick();
            }

            return correlator.DrainChanged();
        }

        var first = Run();
        var second = Run();

        Assert.Equal(first.Select(e => (e.Id, e.State, e.SignalCount, string.Join(',', e.Members.Select(m => m.Signal.Fingerprint)))),
            second.Select(e => (e.Id, e.State, e.SignalCount, string.Join(',', e.Members.Select(m => m.Signal.Fingerprint)))));
    }

    [Fact]
    public void Tick_ResolvedEpisodesPastReopenWindow_AreForgotten()
    {
        var correlator = new Correlator(new CorrelatorOptions { GroupAnomaliesByTimeWithoutGraph = false }, timeProvider: _time);
        for (var i = 0; i < 500; i++)
        {
            correlator.Add(Alert($"svc-{i}", "HighErrorRate", T0));
            correlator.Add(Anomaly($"svc-{i}", "http_request_errors_total", T0));
        }

        Assert.Equal((500, 1000, 500), correlator.Tracked);
        for (var i = 0; i < 500; i++)
        {
            correlator.Add(Alert($"svc-{i}", "HighErrorRate", T0, AlertStatus.Resolved));
        }

        _time.Advance(TimeSpan.FromMinutes(8));
        correlator.Tick(); // quiet for 5 minutes after the anomalies expired: closed
        Assert.Equal(0, correlator.OpenCount);
        Assert.Equal(500, correlator.Tracked.Episodes); // still reopenable

        _time.Advance(TimeSpan.FromMinutes(10));
        correlator.Tick();

        Assert.Equal((0, 0, 0), correlator.Tracked);
        Assert.Empty(correlator.Snapshot());
    }

    [Fact]
    public void Add_NoGraphTwoServicesWithinGroupWindow_ShareOneEpisodeRankingBoth()
    {
        var correlator = new Correlator(timeProvider: _time);

        var db = correlator.Add(Anomaly("db", "cpu_usage", T0));
        _time.Advance(TimeSpan.FromSeconds(40));
        var api = correlator.Add(Anomaly("api", "http_request_duration_seconds", T0.AddSeconds(30)));

        Assert.Equal(CorrelationOutcome.Joined, api.Outcome);
        Assert.Equal(db.EpisodeId, api.EpisodeId);
        var episode = Assert.Single(correlator.Snapshot());
        Assert.Equal(["api", "db"], episode.RootCause!.Hypotheses.Select(h => h.Entity).Order(StringComparer.Ordinal));
        Assert.Equal("db", episode.RootCause.Hypotheses[0].Entity); // it started first
    }

    [Fact]
    public void Add_NoGraphGroupByTimeDisabled_OneEpisodePerService()
    {
        var correlator = new Correlator(new CorrelatorOptions { GroupAnomaliesByTimeWithoutGraph = false }, timeProvider: _time);

        var db = correlator.Add(Anomaly("db", "cpu_usage", T0));
        var api = correlator.Add(Anomaly("api", "http_request_duration_seconds", T0.AddSeconds(30)));

        Assert.Equal(CorrelationOutcome.Opened, api.Outcome);
        Assert.NotEqual(db.EpisodeId, api.EpisodeId);
    }

    [Fact]
    public void Add_NoGraphOnsetsFurtherApartThanGroupWindow_TwoEpisodes()
    {
        var correlator = new Correlator(timeProvider: _time);

        var db = correlator.Add(Anomaly("db", "cpu_usage", T0));
        _time.Advance(TimeSpan.FromMinutes(3));
        var api = correlator.Add(Anomaly("api", "http_request_duration_seconds", T0.AddMinutes(3)));

        Assert.Equal(CorrelationOutcome.Opened, api.Outcome);
        Assert.NotEqual(db.EpisodeId, api.EpisodeId);
    }

    [Fact]
    public void Add_NoGraphOtherNamespace_StaysApart()
    {
        var correlator = new Correlator(timeProvider: _time);

        var prod = correlator.Add(Anomaly("db", "cpu_usage", T0));
        var staging = correlator.Add(Anomaly("api", "http_request_duration_seconds", T0.AddSeconds(10), ns: "staging"));

        Assert.Equal(CorrelationOutcome.Opened, staging.Outcome);
        Assert.NotEqual(prod.EpisodeId, staging.EpisodeId);
    }

    [Fact]
    public void Add_DeclaredGraphUnrelatedServicesWithinGroupWindow_StayApart()
    {
        var correlator = new Correlator(graph: new DependencyGraph([("web", "api")]), timeProvider: _time);

        var api = correlator.Add(Anomaly("api", "http_request_duration_seconds", T0));
        var mail = correlator.Add(Anomaly("mail", "queue_depth", T0.AddSeconds(10)));

        Assert.Equal(CorrelationOutcome.Opened, mail.Outcome);
        Assert.NotEqual(api.EpisodeId, mail.EpisodeId);
    }

    [Fact]
    public void Add_NoGraphSignalBridgingTwoEpisodes_MergesTheLaterIntoTheEarlier()
    {
        var correlator = new Correlator(timeProvider: _time);
        var first = correlator.Add(Anomaly("db", "cpu_usage", T0));
        _time.Advance(TimeSpan.FromMinutes(3));
        var second = correlator.Add(Anomaly("api", "http_request_duration_seconds", T0.AddMinutes(3)));

        // Within the group window of both, and started before the second opened: it may be the second's cause.
        var bridge = correlator.Add(Anomaly("cache", "evictions_total", T0.AddMinutes(1.5)));

        Assert.Equal(CorrelationOutcome.Merged, bridge.Outcome);
        Assert.Equal(first.EpisodeId, bridge.EpisodeId);
        Assert.Equal(1, correlator.OpenCount);
        Assert.Contains(correlator.Snapshot(), e => e.Id == second.EpisodeId && e.MergedInto == first.EpisodeId);
    }

    [Fact]
    public void Add_NoGraphDeploys_AttachOnlyToEpisodesHoldingTheirService()
    {
        var correlator = new Correlator(timeProvider: _time);
        var deploy = Deploy("db", T0.AddMinutes(-5));
        correlator.Add(deploy);
        correlator.Add(Deploy("mail", T0.AddMinutes(-5)));

        correlator.Add(Anomaly("api", "http_request_duration_seconds", T0));
        Assert.Empty(Assert.Single(correlator.Snapshot()).Changes);
        correlator.Add(Anomaly("db", "cpu_usage", T0.AddSeconds(5)));

        Assert.Equal([deploy], Assert.Single(correlator.Snapshot()).Changes);
    }

    [Fact]
    public void Add_NoGraphAlertsOfTwoServicesWithinGroupWindow_StayApart()
    {
        // Alerts keep the service rule without a graph: a fleet-wide alert storm must not bury an unrelated incident.
        var correlator = new Correlator(timeProvider: _time);

        var billing = correlator.Add(Alert("billing", "HighErrorRate", T0));
        var other = correlator.Add(Alert("svc-1", "TargetDown", T0.AddSeconds(5)));

        Assert.Equal(CorrelationOutcome.Opened, other.Outcome);
        Assert.NotEqual(billing.EpisodeId, other.EpisodeId);
    }

    [Fact]
    public void Add_NoGraphAnomalyNearAnotherServicesAlertOnlyEpisode_OpensItsOwn()
    {
        var correlator = new Correlator(timeProvider: _time);

        var alert = correlator.Add(Alert("billing", "HighErrorRate", T0));
        var anomaly = correlator.Add(Anomaly("api", "http_request_duration_seconds", T0.AddSeconds(5)));
        var own = correlator.Add(Anomaly("billing", "http_request_errors_total", T0.AddSeconds(6)));

        Assert.Equal(CorrelationOutcome.Opened, anomaly.Outcome);
        Assert.Equal(alert.EpisodeId, own.EpisodeId); // its own service's alert: joined as ever (and the api anomaly's episode merged in)
    }

    [Fact]
    public void Add_NoGraphAnomaliesOfOneAppWithoutEntityLabels_OneEpisode()
    {
        // In-process instruments of one application carry no service label: grouped by name alone, each anomalous instrument
        // opened an episode (and a page) of its own.
        var correlator = new Correlator(timeProvider: _time);
        static AnomalySignal Unlabelled(string metric, DateTimeOffset onset) => new(metric, metric, onset, new Dictionary<string, string>(), 0.99, Direction.Up, 5);

        var latency = correlator.Add(Unlabelled("http.server.request.duration", T0));
        var queue = correlator.Add(Unlabelled("queue.length", T0.AddSeconds(20)));

        Assert.Equal(CorrelationOutcome.Joined, queue.Outcome);
        Assert.Equal(latency.EpisodeId, queue.EpisodeId);
    }

    [Fact]
    public void Add_DeclaredGraphAlertsOfACallerAndItsDependency_OneEpisode()
    {
        var correlator = new Correlator(graph: new DependencyGraph([("checkout", "payment")]), timeProvider: _time);

        var payment = correlator.Add(Alert("payment", "HighLatency", T0));
        var checkout = correlator.Add(Alert("checkout", "HighLatency", T0.AddSeconds(1)));

        Assert.Equal(CorrelationOutcome.Joined, checkout.Outcome);
        Assert.Equal(payment.EpisodeId, checkout.EpisodeId);
    }

    [Fact]
    public void Add_NoGraphAnomaliesChainedPastTheWindowOfTheFirst_OpenANewEpisode()
    {
        // Grouped by time, the window is the episode's first onset's: chained onset to onset, a fleet's background of false
        // onsets made one episode of hundreds of members that lasted hours and swallowed the next incident.
        var correlator = new Correlator(timeProvider: _time);

        var first = correlator.Add(Anomaly("a", "cpu_usage", T0));
        _time.Advance(TimeSpan.FromSeconds(100));
        var second = correlator.Add(Anomaly("b", "cpu_usage", T0.AddSeconds(100)));
        _time.Advance(TimeSpan.FromSeconds(100));
        var third = correlator.Add(Anomaly("c", "cpu_usage", T0.AddSeconds(200)));
        var again = correlator.Add(Anomaly("a", "memory_usage", T0.AddSeconds(200))); // its own service's episode: the latest onset counts

        Assert.Equal(first.EpisodeId, second.EpisodeId);
        Assert.Equal(CorrelationOutcome.Opened, third.Outcome);
        Assert.Equal(first.EpisodeId, again.EpisodeId);
    }

    [Fact]
    public void Add_NoGraphFleetBackgroundOfFalseOnsets_EpisodesStayBounded()
    {
        // Six hours of 3 false onsets a minute over 1,000 services, each ended 30–120 s later. Chained from onset to onset,
        // the time grouping made episodes of hundreds of members that lasted hours (benchmarks' `fleet-noise` report).
        var random = new Random(7);
        var ending = new List<(DateTimeOffset At, AnomalySignal Signal)>();
        var seen = new Dictionary<string, Episode>(StringComparer.Ordinal);
        var correlator = new Correlator(timeProvider: _time);
        for (var second = 0; second < 6 * 3600; second++)
        {
            var now = T0.AddSeconds(second);
            _time.SetUtcNow(now);
            if (random.NextDouble() < 3.0 / 60)
            {
                var signal = Anomaly($"svc-{random.Next(1000)}", $"cpu_{second}", now);
                correlator.Add(signal);
                ending.Add((now.AddSeconds(30 + random.Next(90)), signal));
            }

            foreach (var ended in ending.Where(e => e.At <= now).ToList())
            {
                correlator.Add(ended.Signal with { EndedAt = now });
                ending.Remove(ended);
            }

            if (second % 10 == 0)
            {
                correlator.Tick();
                foreach (var episode in correlator.DrainChanged())
                {
                    seen[episode.Id] = episode;
                }
            }
        }

        var episodes = seen.Values.Where(e => e.MergedInto is null).ToList();
        Assert.True(episodes.Count > 100, $"{episodes.Count} episodes");
        Assert.InRange(episodes.Max(e => e.Members.Count), 2, 30);
        Assert.InRange(episodes.Max(e => (e.Transitions[^1].At - e.OpenedAt).TotalMinutes), 1, 45);
    }

    [Fact]
    public void Restore_AnomalyNotKeptForTheMemberCap_GroupsByTimeAsBeforeTheRestart()
    {
        // An anomaly that joined an episode of alerts at its member cap is not stored: after a restart the episode held
        // alerts only, and another service's anomaly within the group window opened an episode it had joined before.
        var options = new CorrelatorOptions { MaxMembersPerEpisode = 1 };
        var before = new Correlator(options, timeProvider: _time);
        before.Add(Alert("billing", "HighErrorRate", T0));
        before.Add(Anomaly("billing", "http_request_errors_total", T0.AddSeconds(5)));
        var after = new Correlator(options, timeProvider: _time);
        Assert.Equal(1, after.Restore(before.Snapshot()));

        var live = before.Add(Anomaly("api", "http_request_duration_seconds", T0.AddSeconds(10)));
        var restored = after.Add(Anomaly("api", "http_request_duration_seconds", T0.AddSeconds(10)));

        Assert.Equal((live.Outcome, live.EpisodeId), (restored.Outcome, restored.EpisodeId));
    }
}
