using Aiops.Detection;
using Aiops.Detection.Tracking;
using Microsoft.Extensions.Time.Testing;
using static Aiops.Correlation.Tests.TestSignals;

namespace Aiops.Correlation.Tests;

/// <summary>Incidents that last as long as the fault: raw points → detector → <see cref="AnomalySignalBridge"/> → <see cref="Correlator"/>.</summary>
public sealed class LifecycleTests
{
    private readonly FakeTimeProvider _time = new(T0);

    [Fact]
    public void Correlator_TenMinuteLevelShiftWithFailingRequests_OneEpisodeFiringThroughoutResolvedAfterRecoveryNothingReopened()
    {
        var options = new CorrelatorOptions(); // defaults: pending 1 min, resolve after 5 min, anomalies active 2 min
        var correlator = new Correlator(options, timeProvider: _time);
        var rps = new Series("rps", value: s => 100 + Shift(s, 60), noise: 2);
        var errors = new Series("error_ratio", value: s => 0.01 + Shift(s, 0.3), noise: 0.002);
        var opened = new List<(int Second, string Id)>();
        var states = new Dictionary<int, EpisodeState>();
        const int shiftStart = 1200, shiftEnd = 1800, end = 3600;
        for (var s = 0; s < end; s++)
        {
            _time.SetUtcNow(T0.AddSeconds(s));
            foreach (var series in (Series[])[rps, errors])
            {
                if (series.Next(s, _time.GetUtcNow()) is { } signal)
                {
                    var result = correlator.Add(signal);
                    if (result.Outcome == CorrelationOutcome.Opened)
                    {
                        opened.Add((s, result.EpisodeId!));
                    }
                }
            }

            correlator.Tick();
            if (correlator.Snapshot() is [var episode, ..])
            {
                states[s] = episode.State;
            }
        }

        Assert.True(opened.Count == 1, string.Join(", ", opened)); // the recovery opens nothing
        var (onset, id) = opened[0];
        Assert.Equal(shiftStart + 15, onset); // confirmed once it has held HoldPoints (16) points away, dated at its first
        var firingFrom = onset + (int)options.PendingFor.TotalSeconds;
        for (var s = firingFrom; s < shiftEnd; s++)
        {
            Assert.True(states[s] == EpisodeState.Firing, $"the episode was {states[s]} at {s - shiftStart} s into the shift");
        }

        // Resolved within the quiet period after the recovery: the return must hold 1 min (tracker), then 5 min of quiet.
        var resolvedAt = states.Where(p => p.Key >= shiftEnd && p.Value == EpisodeState.Resolved).Min(p => p.Key);
        Assert.InRange(resolvedAt, shiftEnd + 60, shiftEnd + 60 + (int)options.ResolveAfter.TotalSeconds + 2);
        var final = correlator.DrainChanged().Single(e => e.Id == id);
        Assert.Single(final.Transitions, t => t.To == EpisodeState.Resolved);
        Assert.All(final.Members, m => Assert.Equal((false, T0.AddSeconds(shiftEnd)), (m.IsActive, m.EndedAt)));
        Assert.Equal(2, final.Timeline().Count(e => e.Kind == TimelineEntryKind.End));
        Assert.All(final.Members, m => Assert.StartsWith("recovered", m.EndReason, StringComparison.Ordinal));

        // Magnitude is the uncapped robust deviation from the pre-onset baseline: 60 / (1.4826 · MAD of U(−2, 2)) ≈ 60 / 1.48 ≈ 40.
        var rate = Assert.IsType<AnomalySignal>(final.Members.Single(m => m.Signal.Name == "rps").Signal);
        Assert.Equal(Direction.Up, rate.Direction);
        Assert.InRange(rate.Magnitude, 32, 50);

        static double Shift(int s, double by) => s is >= shiftStart and < shiftEnd ? by : 0;
    }

    [Fact]
    public void Add_NewOnsetAfterMemberEnded_NewOccurrenceWithItsOwnOnset()
    {
        var correlator = new Correlator(timeProvider: _time);
        var first = correlator.Add(Anomaly("api", "rps", T0));
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(CorrelationOutcome.Repeat, correlator.Add(Ended(Anomaly("api", "rps", T0), T0.AddSeconds(25))).Outcome);
        _time.Advance(TimeSpan.FromSeconds(30));

        var again = correlator.Add(Anomaly("api", "rps", T0.AddMinutes(1)));

        Assert.Equal((CorrelationOutcome.Joined, first.EpisodeId), (again.Outcome, again.EpisodeId));
        var members = Assert.Single(correlator.Snapshot()).Members;
        Assert.Equal([T0, T0.AddMinutes(1)], members.Select(m => m.Signal.Onset));
        Assert.Equal((T0.AddSeconds(25), false), (members[0].EndedAt, members[0].IsActive));
        Assert.True(members[1].IsActive);
    }

    [Fact]
    public void Add_NewBurstLongAfterOnsetsOfARunningEpisode_SplitsIntoANewEpisode()
    {
        var correlator = new Correlator(timeProvider: _time);
        var running = correlator.Add(Anomaly("api", "error_ratio", T0));
        correlator.Add(Anomaly("api", "rps", T0.AddSeconds(5)));
        _time.Advance(TimeSpan.FromMinutes(1));
        correlator.Add(Ended(Anomaly("api", "rps", T0.AddSeconds(5)), T0.AddMinutes(1)));
        for (var minute = 1; minute <= 30; minute++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            correlator.Add(Anomaly("api", "error_ratio", T0)); // still failing: re-sent while it lasts
            correlator.Tick();
        }

        var burst = correlator.Add(Anomaly("api", "rps", T0.AddMinutes(31)));

        Assert.Equal(CorrelationOutcome.Opened, burst.Outcome);
        Assert.NotEqual(running.EpisodeId, burst.EpisodeId);
        var episodes = correlator.Snapshot();
        Assert.Equal(EpisodeState.Firing, episodes.Single(e => e.Id == running.EpisodeId).State);
        Assert.Equal(T0.AddMinutes(31), episodes.Single(e => e.Id == burst.EpisodeId).OpenedAt);
    }

    [Fact]
    public void Add_NewBurstWhileEpisodeWaitsToResolve_NewEpisodeUnlessWithinReopenWindow()
    {
        var options = new CorrelatorOptions { PendingFor = TimeSpan.Zero, ResolveAfter = TimeSpan.FromMinutes(5), ReopenWindow = TimeSpan.FromMinutes(1) };
        var correlator = new Correlator(options, timeProvider: _time);
        var blip = correlator.Add(Anomaly("api", "latency", T0));
        correlator.Tick();
        _time.Advance(TimeSpan.FromSeconds(20));
        correlator.Add(Ended(Anomaly("api", "latency", T0), T0.AddSeconds(15)));
        correlator.Tick(); // quiet from now on, resolving in 5 min

        _time.Advance(TimeSpan.FromSeconds(30));
        var flap = correlator.Add(Anomaly("api", "errors", T0.AddSeconds(50)));
        correlator.Add(Ended(Anomaly("api", "errors", T0.AddSeconds(50)), T0.AddSeconds(55)));
        correlator.Tick();
        _time.Advance(TimeSpan.FromSeconds(70));
        correlator.Tick();
        var burst = correlator.Add(Anomaly("api", "rps", T0.AddSeconds(120)));

        Assert.Equal((CorrelationOutcome.Joined, blip.EpisodeId), (flap.Outcome, flap.EpisodeId)); // within the reopen window of going quiet
        Assert.Equal(CorrelationOutcome.Opened, burst.Outcome); // 2 min after the last onset: within the group window, but the episode is over
        Assert.NotEqual(blip.EpisodeId, burst.EpisodeId);
    }

    [Fact]
    public void Add_EndOfAnomalyNeverSeen_Ignored()
    {
        var correlator = new Correlator(timeProvider: _time);

        var result = correlator.Add(Ended(Anomaly("api", "rps", T0), T0.AddSeconds(10)));

        Assert.Equal((CorrelationOutcome.Ignored, "ended_anomaly_never_seen"), (result.Outcome, result.Reason));
        Assert.Equal(0, correlator.OpenCount);
    }

    [Fact]
    public void Tick_LastMemberEnded_ResolvesAfterQuietPeriodNotBefore()
    {
        var options = new CorrelatorOptions { PendingFor = TimeSpan.Zero, ResolveAfter = TimeSpan.FromMinutes(5), AnomalyActiveFor = TimeSpan.FromMinutes(2) };
        var correlator = new Correlator(options, timeProvider: _time);
        correlator.Add(Anomaly("api", "rps", T0));
        correlator.Tick();
        _time.Advance(TimeSpan.FromSeconds(30));
        correlator.Add(Ended(Anomaly("api", "rps", T0), T0.AddSeconds(20)));

        _time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        correlator.Tick();
        Assert.Equal(EpisodeState.Firing, correlator.Snapshot()[0].State);
        _time.Advance(TimeSpan.FromSeconds(1));
        correlator.Tick();

        Assert.Equal(EpisodeState.Resolved, correlator.Snapshot()[0].State);
    }

    [Fact]
    public void Find_EntityOfMergedEpisode_ReturnsTheEpisodeItWasMergedInto()
    {
        var graph = new DependencyGraph([("web", "api"), ("mobile", "api")]);
        var correlator = new Correlator(new CorrelatorOptions { MaxGraphHops = 1 }, graph, timeProvider: _time);
        var web = correlator.Add(Anomaly("web", "errors", T0));
        var mobile = correlator.Add(Anomaly("mobile", "errors", T0.AddSeconds(5)));
        correlator.Add(Anomaly("api", "latency", T0.AddSeconds(1)));

        var found = correlator.Find("mobile", T0.AddSeconds(6));

        Assert.NotEqual(web.EpisodeId, mobile.EpisodeId);
        Assert.Equal(web.EpisodeId, found?.Id);
        Assert.Null(correlator.Find("mobile", T0.AddSeconds(-60)));
        Assert.Null(correlator.Find("unknown", T0));
    }

    [Fact]
    public async Task FindAsync_StoreWithMergedAndLaterEpisodes_ResolvesByEntityAndTime()
    {
        var graph = new DependencyGraph([("web", "api"), ("mobile", "api")]);
        var options = new CorrelatorOptions { MaxGraphHops = 1, PendingFor = TimeSpan.Zero, ResolveAfter = TimeSpan.FromMinutes(1), ReopenWindow = TimeSpan.Zero };
        var correlator = new Correlator(options, graph, timeProvider: _time);
        var store = new InMemoryEpisodeStore();
        var web = correlator.Add(Anomaly("web", "errors", T0));
        correlator.Add(Anomaly("mobile", "errors", T0.AddSeconds(5)));
        correlator.Add(Anomaly("api", "latency", T0.AddSeconds(1)));
        correlator.Tick();
        _time.Advance(TimeSpan.FromMinutes(4));
        correlator.Tick(); // resolved at T0 + 4 min: quiet for more than a minute after the anomalies went stale at 2 min
        _time.Advance(TimeSpan.FromMinutes(6));
        var later = correlator.Add(Anomaly("mobile", "errors", T0.AddMinutes(10)));
        foreach (var episode in correlator.DrainChanged())
        {
            await store.SaveAsync(episode);
        }

        var during = await store.FindAsync("mobile", T0.AddSeconds(30));
        var after = await store.FindAsync("mobile", T0.AddMinutes(10).AddSeconds(1));
        var between = await store.FindAsync("mobile", T0.AddMinutes(8));

        Assert.Equal(web.EpisodeId, during?.Id);
        Assert.Equal(later.EpisodeId, after?.Id);
        Assert.NotEqual(web.EpisodeId, later.EpisodeId);
        Assert.Null(between);
    }

    [Fact]
    public void Correlator_SixSecondBurst_BridgeReportsTheReturnBeforeTheEndAndTheEpisodeNeverFires()
    {
        var correlator = new Correlator(new CorrelatorOptions(), timeProvider: _time); // pending 1 min
        var rps = new Series("rps", value: s => 100 + (s is >= 1200 and < 1206 ? 60 : 0), noise: 2, new AnomalyTrackerOptions { HoldPoints = 1 }); // confirmed after 3 points, as before HoldPoints
        var signals = new List<(int Second, AnomalySignal Signal)>();
        for (var s = 0; s < 1800; s++)
        {
            _time.SetUtcNow(T0.AddSeconds(s));
            if (rps.Next(s, _time.GetUtcNow()) is { } signal)
            {
                signals.Add((s, signal));
                correlator.Add(signal);
            }

            correlator.Tick();
        }

        var returning = Assert.Single(signals, x => x.Signal.ReturningSince is not null && !x.Signal.IsEnded);
        var ended = Assert.Single(signals, x => x.Signal.IsEnded);
        Assert.InRange(returning.Second, 1206, 1212); // back within seconds of the burst's end, a minute before the end
        Assert.Equal(returning.Signal.ReturningSince, ended.Signal.EndedAt); // the end is dated at the return, known ReturnFor later
        Assert.True(ended.Second >= 1260, $"ended at {ended.Second}");
        var episode = Assert.Single(correlator.DrainChanged());
        Assert.DoesNotContain(episode.Transitions, t => t.To == EpisodeState.Firing);
    }

    [Fact]
    public void Correlator_SixSecondBurstWithDefaultTracking_NoSignalAndNoEpisode()
    {
        // A benign burst the detector flags is back long before HoldPoints: it starts no anomaly, so it opens no episode.
        var correlator = new Correlator(new CorrelatorOptions(), timeProvider: _time);
        var rps = new Series("rps", value: s => 100 + (s is >= 1200 and < 1206 ? 60 : 0), noise: 2);
        var flagged = 0;
        for (var s = 0; s < 1800; s++)
        {
            _time.SetUtcNow(T0.AddSeconds(s));
            if (rps.Next(s, _time.GetUtcNow()) is { } signal)
            {
                correlator.Add(signal);
            }

            flagged += rps.LastFlagged ? 1 : 0;
            correlator.Tick();
        }

        Assert.True(flagged > 0, "the detector should flag the burst");
        Assert.Empty(correlator.DrainChanged());
    }

    private static AnomalySignal Ended(AnomalySignal signal, DateTimeOffset at) =>
        signal with { EndedAt = at, EndReason = AnomalyEndReason.Recovered };

    /// <summary>A series of one service scored by a robust z-score detector and bridged to signals.</summary>
    private sealed class Series(string metric, Func<int, double> value, double noise, AnomalyTrackerOptions? tracking = null)
    {
        private readonly Random _noise = new(metric.Length);
        private readonly RobustZScoreDetector _detector = new(new RobustZScoreOptions { WindowSize = 120, Threshold = 0.99999 });
        private readonly AnomalySignalBridge _bridge = new(new SeriesKey(metric, [new("service", "checkout")]), tracking);

        public bool LastFlagged { get; private set; }

        public AnomalySignal? Next(int second, DateTimeOffset now)
        {
            // Bounded (uniform) noise: no point of the baseline is extreme, so the test sees the lifecycle, not false alarms.
            var x = value(second) + (noise * ((2 * _noise.NextDouble()) - 1));
            var score = _detector.Update(now, x);
            LastFlagged = score.IsAnomaly;
            _bridge.Update(score, now, out var signal);
            return signal;
        }
    }
}
