using Aiops.Detection.Tracking;

namespace Aiops.Detection.Tests.Tracking;

public sealed class AnomalyTrackerTests
{
    /// <summary>A per-point threshold that leaves N(0, 1) noise alone (z ≈ 4.4), so the tests see the lifecycle, not false alarms.</summary>
    private const double Strict = 0.99999;

    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>One point a second: 100 ± N(0, 2), shifted by <paramref name="shift"/> from second 600 for <paramref name="length"/> seconds.</summary>
    private static double Value(int second, Random noise, double shift = 60, int length = 600) =>
        100 + (2 * Gaussian(noise)) + (second >= 600 && second < 600 + length ? shift : 0);

    [Fact]
    public void Update_TenMinuteLevelShift_OneAnomalyFromOnsetUntilRecoveryAndNoneAfter()
    {
        var detector = new RobustZScoreDetector(new RobustZScoreOptions { WindowSize = 120, Threshold = Strict });
        var tracker = new AnomalyTracker(new AnomalyTrackerOptions { ReturnFor = TimeSpan.FromSeconds(30) });
        var noise = new Random(7);
        var transitions = new List<(int Second, AnomalyTransition Transition)>();
        var anomalousDuringShift = 0;
        var detectorFlagsDuringShift = 0;
        var detectorFlagsAfterShift = 0;
        for (var s = 0; s < 2400; s++)
        {
            var score = detector.Update(T0.AddSeconds(s), Value(s, noise));
            var transition = tracker.Update(score);
            if (transition != AnomalyTransition.None)
            {
                transitions.Add((s, transition));
            }

            if (s is >= 600 and < 1200)
            {
                anomalousDuringShift += tracker.IsAnomalous ? 1 : 0;
                detectorFlagsDuringShift += score.IsAnomaly ? 1 : 0;
            }
            else if (s >= 1200)
            {
                detectorFlagsAfterShift += score.IsAnomaly ? 1 : 0;
            }
        }

        // The detector adapts within the shift and flags the return; the state ignores both. The onset is confirmed once the
        // departure has held for HoldPoints (16), at its 16th point, and dated at its first.
        Assert.InRange(detectorFlagsDuringShift, 1, 300);
        Assert.True(detectorFlagsAfterShift > 0, "the adapted detector should flag the return to the old level");
        Assert.Equal(585, anomalousDuringShift);
        Assert.Equal([(615, AnomalyTransition.Started), (1230, AnomalyTransition.Ended)], transitions);
        Assert.Equal((T0.AddSeconds(600), T0.AddSeconds(1200), AnomalyEndReason.Recovered), (tracker.Onset, tracker.EndedAt, tracker.EndReason));
    }

    [Fact]
    public void Update_LevelShift_SeverityIsRobustDeviationFromPreOnsetBaselineUncapped()
    {
        var detector = new RobustZScoreDetector(new RobustZScoreOptions { WindowSize = 120, Threshold = Strict });
        var tracker = new AnomalyTracker();
        var noise = new Random(11);
        for (var s = 0; s < 900; s++)
        {
            tracker.Update(detector.Update(T0.AddSeconds(s), Value(s, noise, shift: 600)));
        }

        Assert.True(tracker.IsAnomalous);
        Assert.InRange(tracker.BaselineMedian, 99, 101);
        Assert.InRange(tracker.BaselineScale, 1.5, 2.5); // 1.4826 · MAD of N(0, 2)
        var expected = (700 - tracker.BaselineMedian) / tracker.BaselineScale; // ≈ 300 σ: no cap
        Assert.InRange(tracker.PeakSeverity, expected - 10, expected + 10);
        Assert.True(tracker.PeakSeverity > 100);
    }

    [Fact]
    public void Update_DropBelowBaseline_NegativeSeverity()
    {
        var detector = new RobustZScoreDetector();
        var tracker = new AnomalyTracker();
        var noise = new Random(3);
        for (var s = 0; s < 700; s++)
        {
            tracker.Update(detector.Update(T0.AddSeconds(s), Value(s, noise, shift: -50)));
        }

        Assert.True(tracker.IsAnomalous);
        Assert.True(tracker.PeakSeverity < -15, $"severity {tracker.PeakSeverity}");
    }

    [Fact]
    public void Update_PermanentShift_EndsAsNewNormalAfterThePeriodAndStartsNothingAfterwards()
    {
        var detector = new RobustZScoreDetector(new RobustZScoreOptions { WindowSize = 120, Threshold = Strict });
        var tracker = new AnomalyTracker(new AnomalyTrackerOptions { NewNormalAfter = TimeSpan.FromMinutes(5), HoldPoints = 1 });
        var noise = new Random(5);
        var transitions = new List<(int Second, AnomalyTransition Transition)>();
        var lastFlag = 0;
        for (var s = 0; s < 3000; s++)
        {
            var score = detector.Update(T0.AddSeconds(s), Value(s, noise, length: int.MaxValue / 2));
            lastFlag = score.IsAnomaly && s < 1500 ? s : lastFlag;
            if (tracker.Update(score) is var t and not AnomalyTransition.None)
            {
                transitions.Add((s, t));
            }
        }

        Assert.Equal(2, transitions.Count);
        Assert.Equal((602, AnomalyTransition.Started), transitions[0]);
        Assert.Equal(T0.AddSeconds(600), tracker.Onset);
        Assert.Equal(AnomalyTransition.Ended, transitions[1].Transition);
        Assert.Equal(lastFlag + 300, transitions[1].Second); // five minutes after the detector last flagged the new level
        Assert.Equal(AnomalyEndReason.NewNormal, tracker.EndReason);
    }

    [Fact]
    public void Update_SurgeRightAfterANewNormal_StartsAgainstTheNewLevel()
    {
        var tracker = Warm(new AnomalyTracker(new AnomalyTrackerOptions { NewNormalAfter = TimeSpan.FromSeconds(30), MinimumScale = 3, HoldPoints = 1 }), out var s);
        tracker.Update(Flagged(s++, 30)); // the start-up baseline was 100; the series settles at 30
        for (var i = 0; i < 40; i++)
        {
            tracker.Update(Normal(s++, 30 + (i % 3)));
        }

        Assert.Equal(AnomalyEndReason.NewNormal, tracker.EndReason);
        var rampStart = s;
        var ramp = new[] { 50d, 80, 120, 120, 120 }.Select(v => tracker.Update(Flagged(s++, v))).ToList();

        Assert.Equal([AnomalyTransition.None, AnomalyTransition.None, AnomalyTransition.Started, AnomalyTransition.None, AnomalyTransition.None], ramp);
        Assert.Equal(T0.AddSeconds(rampStart), tracker.Onset);
        Assert.InRange(tracker.BaselineMedian, 30, 32); // the new level is the baseline, not the one before it
    }

    [Fact]
    public void Update_NoisyPointDuringReturn_DoesNotRestartTheReturnPeriod()
    {
        // One point decides (ConfirmPoints 1), so only the hysteresis keeps the return going.
        var tracker = Warm(new AnomalyTracker(new AnomalyTrackerOptions { ReturnFor = TimeSpan.FromSeconds(10), ConfirmPoints = 1 }), out var s);
        tracker.Update(Flagged(s++, 200));
        for (var i = 0; i < 5; i++)
        {
            tracker.Update(Normal(s++, 100));
        }

        var back = s - 5;
        tracker.Update(Normal(s++, 100 + (2.5 * 1.5))); // between the exit (2 σ) and the enter (3 σ) band
        var ended = -1;
        for (var i = 0; i < 10 && ended < 0; i++, s++)
        {
            ended = tracker.Update(Normal(s, 100)) == AnomalyTransition.Ended ? s : -1;
        }

        Assert.Equal(AnomalyEndReason.Recovered, tracker.EndReason);
        Assert.Equal((back + 10, T0.AddSeconds(back)), (ended, tracker.EndedAt));
    }

    [Fact]
    public void Update_ConfirmPointsThree_SpikeStartsNothingAndShiftWithAGapStartsAtItsFirstPoint()
    {
        var tracker = Warm(new AnomalyTracker(new AnomalyTrackerOptions { ConfirmPoints = 3, HoldPoints = 1 }), out var s);

        var spike = new[] { tracker.Update(Flagged(s++, 200)), tracker.Update(Normal(s++, 100)), tracker.Update(Normal(s++, 101)), tracker.Update(Normal(s++, 99)) };
        var onset = s;
        var shift = new[] { tracker.Update(Flagged(onset, 200)), tracker.Update(Normal(onset + 1, 100)), tracker.Update(Normal(onset + 2, 190)), tracker.Update(Normal(onset + 3, 210)) };

        Assert.All(spike, t => Assert.Equal(AnomalyTransition.None, t));
        Assert.Equal([AnomalyTransition.None, AnomalyTransition.None, AnomalyTransition.None, AnomalyTransition.Started], shift); // three of four away
        Assert.Equal(T0.AddSeconds(onset), tracker.Onset);
        Assert.InRange(tracker.PeakSeverity, (210 - 100) / 1.49, (210 - 100) / 1.48); // σ ≈ 1.48: 1.4826 · MAD, 1.2533 · mean deviation
    }

    [Fact]
    public void Update_ConfirmPointsThreeBeforeAnyBaseline_ThreeFlaggedPointsStartOne()
    {
        var tracker = new AnomalyTracker(new AnomalyTrackerOptions { ConfirmPoints = 3 });

        var transitions = new[] { tracker.Update(Flagged(0, 5)), tracker.Update(Flagged(1, 6)), tracker.Update(Flagged(2, 5)) };

        Assert.Equal([AnomalyTransition.None, AnomalyTransition.None, AnomalyTransition.Started], transitions);
        Assert.Equal(T0, tracker.Onset);
    }

    [Fact]
    public void Update_SlowDriftFlaggedOnceNearTheBaseline_StartsWhenItLeavesThatBaseline()
    {
        var tracker = Warm(new AnomalyTracker(new AnomalyTrackerOptions { ConfirmPoints = 1 }), out var s);
        var armed = tracker.Update(Flagged(s++, 101)); // the detector notices the drift while it is under 1 σ
        var transitions = new List<(double Value, AnomalyTransition Transition)>();
        for (var i = 1; i <= 60; i++)
        {
            // A leak: +0.1 a point, never flagged again (the detector adapted); the baseline keeps absorbing it.
            var value = 101 + (0.1 * i);
            transitions.Add((value, tracker.Update(Normal(s++, value))));
        }

        Assert.Equal(AnomalyTransition.None, armed);
        var started = Assert.Single(transitions, t => t.Transition == AnomalyTransition.Started);
        Assert.InRange(started.Value, 100 + (3 * 1.48), 100 + (3 * 1.5) + 0.2); // 3 σ from the baseline of the flagged point
        Assert.InRange(tracker.BaselineMedian, 99.5, 100.5);
    }

    [Fact]
    public void Update_OutlierEveryFourthPointDuringReturn_RecoversFromTheFirstPointBack()
    {
        var tracker = Warm(new AnomalyTracker(new AnomalyTrackerOptions { ReturnFor = TimeSpan.FromSeconds(20), HoldPoints = 1 }), out var s);
        for (var i = 0; i < 5; i++)
        {
            tracker.Update(Flagged(s++, 200));
        }

        Assert.True(tracker.IsAnomalous);
        var back = s;
        var ended = -1;
        for (var i = 0; i < 40 && ended < 0; i++, s++)
        {
            // Back at the baseline, but every fourth point is 8 σ out: heavy-tailed noise, not the fault.
            ended = tracker.Update(Normal(s, i % 4 == 3 ? 112 : 100)) == AnomalyTransition.Ended ? s : -1;
        }

        Assert.Equal(AnomalyEndReason.Recovered, tracker.EndReason);
        Assert.Equal((back + 20, T0.AddSeconds(back)), (ended, tracker.EndedAt));
    }

    [Fact]
    public void Update_BurstThatReturns_ReturningSinceFromTheFirstPointBackUntilTheEnd()
    {
        var tracker = Warm(new AnomalyTracker(new AnomalyTrackerOptions { ReturnFor = TimeSpan.FromSeconds(30), HoldPoints = 1 }), out var s);
        for (var i = 0; i < 5; i++)
        {
            tracker.Update(Flagged(s++, 200));
        }

        Assert.True(tracker.IsAnomalous);
        Assert.Null(tracker.ReturningSince); // away: the evidence holds
        var back = s;
        for (var i = 0; i < 5; i++)
        {
            tracker.Update(Normal(s++, 100));
        }

        // Back inside the band (three of the last five points), still anomalous until ReturnFor has passed.
        Assert.True(tracker.IsAnomalous);
        Assert.Equal(T0.AddSeconds(back), tracker.ReturningSince);

        tracker.Update(Flagged(s++, 200));
        tracker.Update(Flagged(s++, 200));
        tracker.Update(Flagged(s++, 200));
        Assert.Null(tracker.ReturningSince); // away again: the return did not last

        while (tracker.Update(Normal(s++, 100)) != AnomalyTransition.Ended)
        {
            Assert.True(s < 1000, "the anomaly should end");
        }

        Assert.Null(tracker.ReturningSince);
    }

    [Fact]
    public void Update_ErrorCountRisingWithinOneCountPerPoint_StartsNearTheChangeWithoutAFlag()
    {
        var tracker = new AnomalyTracker();
        var random = new Random(3);
        var started = -1;
        for (var s = 0; s < 900 && started < 0; s++)
        {
            // Errors at 0.03 a second, then 0.8 a second from second 600: most points stay at 0, 1 or 2.
            var value = Poisson(random, s < 600 ? 0.03 : 0.8);
            started = tracker.Update(Normal(s, value)) == AnomalyTransition.Started ? s : -1;
        }

        Assert.InRange(started, 600, 640);
        Assert.InRange((tracker.Onset - T0).TotalSeconds, 595, 615);
        Assert.True(tracker.Severity > 1, $"severity {tracker.Severity}"); // the window's rise in the baseline's per-point σ
    }

    [Fact]
    public void Update_SparseErrorCountWithOneBurstPointAndNoRise_StartsNothing()
    {
        var tracker = new AnomalyTracker();
        var random = new Random(5);
        for (var s = 0; s < 3600; s++)
        {
            var value = s == 1800 ? 25 : Poisson(random, 0.05); // one second of 25 errors: a point, not a rate
            Assert.Equal(AnomalyTransition.None, tracker.Update(Normal(s, value)));
        }
    }

    [Fact]
    public void Update_CountRisesAndReturns_AllocatesNothing()
    {
        var tracker = new AnomalyTracker(new AnomalyTrackerOptions { ReturnFor = TimeSpan.FromSeconds(5) });
        var random = new Random(9);
        var scores = new AnomalyScore[6000];
        for (var i = 0; i < scores.Length; i++)
        {
            // 400 quiet seconds at 0.05 errors a second, then 200 at 1.5: count starts, returns, baseline refreshes.
            scores[i] = Normal(i, Poisson(random, i % 600 < 400 ? 0.05 : 1.5));
        }

        for (var i = 0; i < 300; i++)
        {
            tracker.Update(scores[i]);
        }

        var started = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 300; i < scores.Length; i++)
        {
            started += tracker.Update(scores[i]) == AnomalyTransition.Started ? 1 : 0;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(started >= 5, $"started {started}");
    }

    [Fact]
    public void Update_CountWindowZero_ErrorRiseWithinOneCountPerPointStartsNothing()
    {
        var tracker = new AnomalyTracker(new AnomalyTrackerOptions { CountWindow = 0 });
        var random = new Random(3);
        for (var s = 0; s < 900; s++)
        {
            Assert.NotEqual(AnomalyTransition.Started, tracker.Update(Normal(s, Poisson(random, s < 600 ? 0.03 : 0.8))));
        }
    }

    [Fact]
    public void Update_BaselineThatNeverMoved_ScaleIsTheSeriesResolution()
    {
        var tracker = new AnomalyTracker();
        var s = 0;
        for (; s < 100; s++)
        {
            tracker.Update(Normal(s, s == 10 || s == 50 ? 1 : 0)); // an error counter: zero, with two single errors
        }

        for (var i = 0; i < 16; i++)
        {
            tracker.Update(Flagged(s++, 12)); // held for HoldPoints
        }

        Assert.True(tracker.IsAnomalous);
        Assert.Equal(0, tracker.BaselineMedian);
        Assert.Equal(1, tracker.BaselineScale, 3); // MAD 0; mean deviation 0.02; one event is the resolution
        Assert.Equal(12, tracker.PeakSeverity, 3);
    }

    [Fact]
    public void Update_FlaggedPointNearBaseline_StartsNothing()
    {
        var tracker = Warm(new AnomalyTracker(), out var s);

        var transition = tracker.Update(Flagged(s, 102)); // the detector flags it, but it is 1 σ from the baseline

        Assert.Equal(AnomalyTransition.None, transition);
        Assert.False(tracker.IsAnomalous);
    }

    [Fact]
    public void Update_SkippedAndNonFinitePoints_Ignored()
    {
        var tracker = Warm(new AnomalyTracker(), out var s);
        var count = tracker.BaselineCount;

        Assert.Equal(AnomalyTransition.None, tracker.Update(AnomalyScore.Skipped(T0.AddSeconds(s), double.NaN, PointStatus.SkippedNonFinite)));
        Assert.Equal(count, tracker.BaselineCount);
    }

    [Fact]
    public void Update_ManyPoints_AllocatesNothing()
    {
        var tracker = Warm(new AnomalyTracker(new AnomalyTrackerOptions { ReturnFor = TimeSpan.FromSeconds(5) }), out var s);
        var scores = new AnomalyScore[3000];
        for (var i = 0; i < scores.Length; i++)
        {
            // Normal points, then anomalies and returns, so every path runs.
            scores[i] = i % 100 < 20 ? Flagged(s + i, 200) : Normal(s + i, 100 + (i % 3));
        }

        tracker.Update(scores[0]);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 1; i < scores.Length; i++)
        {
            tracker.Update(scores[i]);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Constructor_ExitDeviationOutOfRange_Throws() =>
        Assert.Throws<System.ComponentModel.DataAnnotations.ValidationException>(() => new AnomalyTracker(new AnomalyTrackerOptions { ExitDeviation = 0 }));

    [Fact]
    public void Update_LevelHeldWithoutFlags_StartsAfterSustainPointsAtTheRunsFirstPoint()
    {
        var tracker = WarmLong(new AnomalyTracker(new AnomalyTrackerOptions { SustainPoints = 32 }), out var s);
        var runStart = s;
        var transitions = new List<AnomalyTransition>();
        for (var i = 0; i < 33; i++)
        {
            // One point back at the baseline in the middle of the run is forgiven (a heavy-tailed series' noise), not counted.
            transitions.Add(tracker.Update(Normal(s++, i == 15 ? 100 : 110 + (i % 3))));
        }

        Assert.Equal(AnomalyTransition.Started, transitions[^1]);
        Assert.All(transitions.Take(32), t => Assert.Equal(AnomalyTransition.None, t));
        Assert.Equal(T0.AddSeconds(runStart), tracker.Onset);
        Assert.True(tracker.Severity > 5, $"severity {tracker.Severity}");
    }

    [Fact]
    public void Update_UnflaggedRunShorterThanSustainPoints_StartsNothing()
    {
        var tracker = WarmLong(new AnomalyTracker(new AnomalyTrackerOptions { SustainPoints = 32 }), out var s);
        for (var burst = 0; burst < 3; burst++)
        {
            for (var i = 0; i < 20; i++)
            {
                Assert.Equal(AnomalyTransition.None, tracker.Update(Normal(s++, 130)));
            }

            for (var i = 0; i < 2; i++)
            {
                Assert.Equal(AnomalyTransition.None, tracker.Update(Normal(s++, 100)));
            }
        }

        Assert.False(tracker.IsAnomalous);
    }

    [Fact]
    public void Update_SustainedRunsAndReturns_AllocatesNothing()
    {
        var tracker = WarmLong(new AnomalyTracker(new AnomalyTrackerOptions { ReturnFor = TimeSpan.FromSeconds(5) }), out var s);
        var scores = new AnomalyScore[3000];
        for (var i = 0; i < scores.Length; i++)
        {
            // Unflagged levels held for 40 points, then 160 normal ones: sustained starts, returns, baseline refreshes.
            scores[i] = Normal(s + i, i % 200 < 40 ? 120 : 100 + ((i % 5) - 2));
        }

        tracker.Update(scores[0]);
        var started = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 1; i < scores.Length; i++)
        {
            started += tracker.Update(scores[i]) == AnomalyTransition.Started ? 1 : 0;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(started >= 10, $"started {started}");
    }

    [Fact]
    public void Update_SustainPointsZero_UnflaggedShiftStartsNothing()
    {
        var tracker = WarmLong(new AnomalyTracker(new AnomalyTrackerOptions { SustainPoints = 0 }), out var s);
        for (var i = 0; i < 200; i++)
        {
            Assert.Equal(AnomalyTransition.None, tracker.Update(Normal(s++, 130)));
        }
    }

    [Fact]
    public void Update_FlaggedBurstsShorterThanHoldPoints_StartNothing()
    {
        // Benign bursts: flagged departures of 3 to 10 points, far from the baseline, then back. Confirmed by the majority of
        // five points before HoldPoints; now each must outlast HoldPoints (16) to be an incident.
        var tracker = WarmLong(new AnomalyTracker(), out var s);
        foreach (var length in new[] { 3, 5, 10, 15 })
        {
            for (var i = 0; i < length; i++)
            {
                Assert.Equal(AnomalyTransition.None, tracker.Update(Flagged(s++, 150)));
            }

            for (var i = 0; i < 40; i++)
            {
                Assert.Equal(AnomalyTransition.None, tracker.Update(Normal(s++, 100 + ((i % 5) - 2))));
            }
        }

        Assert.False(tracker.IsAnomalous);
    }

    [Fact]
    public void Update_FlaggedDepartureHeldForHoldPoints_StartsAtItsFirstPointForgivingTwoBack()
    {
        var tracker = WarmLong(new AnomalyTracker(new AnomalyTrackerOptions { ConfirmPoints = 3, HoldPoints = 16 }), out var s);
        var first = s;
        var transitions = new List<AnomalyTransition>();
        for (var i = 0; i < 18; i++)
        {
            // Two points back at the baseline (fewer than ConfirmPoints) are forgiven; the 16th away point starts it.
            transitions.Add(tracker.Update(i is 4 or 9 ? Normal(s++, 100) : Flagged(s++, 150)));
        }

        Assert.Equal(AnomalyTransition.Started, transitions[17]);
        Assert.All(transitions.Take(17), t => Assert.Equal(AnomalyTransition.None, t));
        Assert.Equal(T0.AddSeconds(first), tracker.Onset);
    }

    [Fact]
    public void Update_HoldPointsOne_FlaggedDepartureConfirmedAfterConfirmPoints()
    {
        var tracker = WarmLong(new AnomalyTracker(new AnomalyTrackerOptions { ConfirmPoints = 3, HoldPoints = 1 }), out var s);
        Assert.Equal(AnomalyTransition.None, tracker.Update(Flagged(s++, 150)));
        Assert.Equal(AnomalyTransition.None, tracker.Update(Flagged(s++, 150)));
        Assert.Equal(AnomalyTransition.Started, tracker.Update(Flagged(s, 150)));
    }

    private static AnomalyTracker WarmLong(AnomalyTracker tracker, out int second)
    {
        for (second = 0; second < 200; second++)
        {
            tracker.Update(Normal(second, 100 + ((second % 5) - 2))); // median 100, σ ≈ 1.5; more than half a baseline
        }

        return tracker;
    }

    private static AnomalyTracker Warm(AnomalyTracker tracker, out int second)
    {
        for (second = 0; second < 64; second++)
        {
            tracker.Update(Normal(second, 100 + ((second % 5) - 2))); // median 100, MAD 1: σ ≈ 1.48
        }

        return tracker;
    }

    private static double Poisson(Random random, double mean)
    {
        var limit = Math.Exp(-mean);
        var k = 0;
        for (var p = random.NextDouble(); p > limit; p *= random.NextDouble())
        {
            k++;
        }

        return k;
    }

    private static AnomalyScore Normal(int second, double value) => AnomalyScore.Scored(T0.AddSeconds(second), value, 0.5, 0, 0.99);

    private static AnomalyScore Flagged(int second, double value) => AnomalyScore.Scored(T0.AddSeconds(second), value, 0.999, 5, 0.99);

    private static double Gaussian(Random random)
    {
        var u1 = 1 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
