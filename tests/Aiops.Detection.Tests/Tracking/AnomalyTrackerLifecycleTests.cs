using Aiops.Detection.Tracking;

namespace Aiops.Detection.Tests.Tracking;

/// <summary>Every onset the tracker reports gets exactly one reported end, including onsets dated before the point that reports them.</summary>
public sealed class AnomalyTrackerLifecycleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Update_SustainedStartInsideDetectorBandWithZeroReturnFor_ReportsOneEndPerOnset()
    {
        // ConfirmPoints 1 and ReturnFor 0 are both in range. A level held 10 away from a baseline of σ 2 (unflagged: the
        // detector adapted, its band now [90, 120]) starts a sustained anomaly; the frozen band is widened by the detector's, so
        // the point that completes the run is already back in it. It used to end there, unreported: Started, and never Ended.
        var tracker = new AnomalyTracker(new AnomalyTrackerOptions
        {
            BaselineLength = 16, MinimumBaseline = 8, ConfirmPoints = 1, HoldPoints = 1, SustainPoints = 4,
            CountWindow = 0, ReturnFor = TimeSpan.Zero,
        });

        var transitions = Run(tracker, 40, TimeSpan.FromSeconds(1), s => s < 16
            ? Normal(s)
            : (110, 0.5, 90, 120));

        Assert.Equal([(19, AnomalyTransition.Started), (20, AnomalyTransition.Ended)], transitions);
        Assert.Equal(AnomalyEndReason.Recovered, tracker.EndReason);
    }

    [Fact]
    public void Update_SustainedRunLongerThanNewNormalAfter_ReportsTheOnsetThenItsEndAtTheNextPoint()
    {
        // Four points a quarter of an hour apart outlast NewNormalAfter (30 minutes) before the run is sustained (as the
        // defaults do at 5-minute steps: 16 points, 80 minutes): the onset (the run's first point) is already a new normal.
        var tracker = new AnomalyTracker(new AnomalyTrackerOptions
        {
            BaselineLength = 16, MinimumBaseline = 8, SustainPoints = 4, CountWindow = 0, NewNormalAfter = TimeSpan.FromMinutes(30),
        });

        var transitions = Run(tracker, 40, TimeSpan.FromMinutes(15), s => s < 16 ? Normal(s) : (110, 0.5, 95, 105));

        Assert.Equal([(19, AnomalyTransition.Started), (20, AnomalyTransition.Ended)], transitions);
        Assert.Equal(T0.AddMinutes(15 * 16), tracker.Onset);
        Assert.Equal(AnomalyEndReason.NewNormal, tracker.EndReason);
    }

    [Fact]
    public void Update_ConfirmedOnsetHeldLongerThanNewNormalAfter_ReportsTheOnsetThenItsEndAtTheNextPoint()
    {
        // A flagged departure held for HoldPoints (4) at 1-second steps confirms 3 seconds after its first point, which
        // NewNormalAfter (1 second) has already passed.
        var tracker = new AnomalyTracker(new AnomalyTrackerOptions
        {
            BaselineLength = 16, MinimumBaseline = 8, ConfirmPoints = 2, HoldPoints = 4, SustainPoints = 0, CountWindow = 0,
            NewNormalAfter = TimeSpan.FromSeconds(1),
        });

        var transitions = Run(tracker, 40, TimeSpan.FromSeconds(1), s => s < 16 ? Normal(s) : (110, s == 16 ? 0.995 : 0.5, 95, 105));

        Assert.Equal([(19, AnomalyTransition.Started), (20, AnomalyTransition.Ended)], transitions);
        Assert.Equal(T0.AddSeconds(16), tracker.Onset);
        Assert.Equal(AnomalyEndReason.NewNormal, tracker.EndReason);
    }

    // 99 and 101 in turn, unflagged, with the detector's band around 100.
    private static (double Value, double Probability, double Lower, double Upper) Normal(int s) => (s % 2 == 0 ? 99 : 101, 0.5, 95, 105);

    // Feeds the points (flagged at 0.99) and returns the transitions; a Started must leave the tracker anomalous, and each
    // onset must end (once) before the next starts.
    private static List<(int Point, AnomalyTransition Transition)> Run(
        AnomalyTracker tracker, int points, TimeSpan step, Func<int, (double Value, double Probability, double Lower, double Upper)> point)
    {
        var transitions = new List<(int, AnomalyTransition)>();
        var open = false;
        for (var s = 0; s < points; s++)
        {
            var (value, probability, lower, upper) = point(s);
            var transition = tracker.Update(AnomalyScore.Scored(T0 + (s * step), value, probability, 0, 0.99, (lower + upper) / 2, lower, upper));
            if (transition == AnomalyTransition.None)
            {
                continue;
            }

            transitions.Add((s, transition));
            if (transition == AnomalyTransition.Started)
            {
                Assert.False(open, $"point {s}: a second onset before the first one's end");
                Assert.True(tracker.IsAnomalous, $"point {s}: Started reported, but the tracker already ended it ({tracker.EndReason} at {tracker.EndedAt})");
            }
            else
            {
                Assert.True(open, $"point {s}: an end without an onset");
            }

            open = transition == AnomalyTransition.Started;
        }

        return transitions;
    }
}
