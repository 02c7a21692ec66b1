using Aiops.Backtest.FalseAlarms;
using Aiops.Backtest.Probes;
using Aiops.Detection;

namespace Aiops.Backtest.Tests;

public sealed class EnsembleShiftProbeTests
{
    [Fact]
    public void Probe_SustainedShiftOfNoiseAtOneMinuteSteps_FoundWithinThirtyPointsOftenAndNothingBefore()
    {
        // Two days of noise at one point a minute, then a sustained 2.5σ shift. Every other member's baseline takes the new
        // level within 16 to 30 points, and its windows' calibration learns the shift's first windows as they arrive; the
        // lagged change-point member ranks each point against the values older than 32 points, so its evidence keeps growing.
        var (found, flagsBefore) = ProbeCommand.Measure(() => new EnsembleDetector(), HealthyKind.StationaryNoise, TimeSpan.FromMinutes(1), at: 2890, sigmas: 2.5, FaultKind.Shift, series: 20);

        Assert.InRange(found, 7, 20); // 3 of 20 without the lagged member (session 24), 9 with it
        Assert.Equal(0, flagsBefore);
    }
}
