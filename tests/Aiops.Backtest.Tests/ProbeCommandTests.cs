using Aiops.Backtest.FalseAlarms;
using Aiops.Backtest.Probes;
using Aiops.Detection;

namespace Aiops.Backtest.Tests;

public sealed class ProbeCommandTests
{
    [Fact]
    public void Measure_DetectorFlaggingFixedPoints_CountsHitsAndFlagsBefore()
    {
        // Flags points 10 and 100 of every series: with the fault at 100, each series is a hit with one flag before it;
        // with the fault at 200 (and 30 points after it), none is a hit and both flags come before it.
        var atHundred = ProbeCommand.Measure(() => new FlagAt(10, 100), HealthyKind.StationaryNoise, TimeSpan.FromMinutes(5), at: 100, sigmas: 6, FaultKind.Spike, series: 4);
        var atTwoHundred = ProbeCommand.Measure(() => new FlagAt(10, 100), HealthyKind.StationaryNoise, TimeSpan.FromMinutes(5), at: 200, sigmas: 6, FaultKind.Spike, series: 4);

        Assert.Equal((4, 4), atHundred);
        Assert.Equal((0, 8), atTwoHundred);
    }

    [Fact]
    public void Measure_FlagAfterTheOutage_NotAHitButAfterASpikeIs()
    {
        // The outage is points 100 to 111: a flag at 115 (the return to normal) does not find it; after a spike at 100 it does.
        var outage = ProbeCommand.Measure(() => new FlagAt(115), HealthyKind.BurstyCounts, TimeSpan.FromMinutes(5), at: 100, sigmas: 6, FaultKind.Outage, series: 3);
        var spike = ProbeCommand.Measure(() => new FlagAt(115), HealthyKind.BurstyCounts, TimeSpan.FromMinutes(5), at: 100, sigmas: 6, FaultKind.Spike, series: 3);

        Assert.Equal((0, 0), outage);
        Assert.Equal((3, 0), spike);
    }

    [Fact]
    public void Measure_Flatline_HoldsTheValueAtTheFaultFromThereOn()
    {
        var seen = new List<double>();
        ProbeCommand.Measure(() => new Recorder(seen), HealthyKind.StationaryNoise, TimeSpan.FromMinutes(5), at: 100, sigmas: 6, FaultKind.Flatline, series: 1);

        Assert.Equal(130, seen.Count);
        Assert.All(seen.Skip(100), v => Assert.Equal(seen[100], v));
        Assert.True(seen.Take(100).Distinct().Count() > 90, "the noise before the fault varies");
    }

    [Fact]
    public void MeasureRepeated_FlagsAtSomeOccurrences_CountsEachOccurrenceApart()
    {
        // Spikes at 100, 600 and 1,100; flags at 50, 129 (the first spike's last counted point), 630 (one past the second's)
        // and 1,100: the first and third are found in each series, the second never, and one flag comes before the first.
        var seen = new List<double>();
        var (detected, before) = ProbeCommand.MeasureRepeated(() => new FlagAt(50, 129, 630, 1100), HealthyKind.StationaryNoise, TimeSpan.FromMinutes(5), at: 100, sigmas: 6, FaultKind.Spike, series: 3, repeats: 3, every: 500);
        ProbeCommand.MeasureRepeated(() => new Recorder(seen), HealthyKind.StationaryNoise, TimeSpan.FromMinutes(5), at: 100, sigmas: 6, FaultKind.Spike, series: 1, repeats: 3, every: 500);

        Assert.Equal([3, 0, 3], detected);
        Assert.Equal(3, before);
        Assert.Equal(1130, seen.Count);
        Assert.All(new[] { 100, 600, 1100 }, i => Assert.True(seen[i] - seen[i - 1] > 10, $"point {i} is a spike of 30 on noise of σ 5"));
    }

    [Fact]
    public void MeasureRepeated_FirstFaultLaterThanTheGap_NothingInjectedBeforeIt()
    {
        // The spikes recur 50 points apart from point 120: none at 70 or 20, which are as far apart before the first.
        var seen = new List<double>();
        ProbeCommand.MeasureRepeated(() => new Recorder(seen), HealthyKind.StationaryNoise, TimeSpan.FromMinutes(5), at: 120, sigmas: 20, FaultKind.Spike, series: 1, repeats: 3, every: 50);

        Assert.Equal(250, seen.Count);
        Assert.InRange(seen.Take(120).Max(), 80, 120);
        Assert.All(new[] { 120, 170, 220 }, i => Assert.True(seen[i] > 150, $"point {i} is a spike of 100 on a level of 100"));
    }

    [Fact]
    public void Probe_RepeatedShift_IsAUsageError()
    {
        var (exitCode, _, stderr) = Cli.Run("probe", "--kind", "shift", "--repeats", "3");

        Assert.Equal(ExitCodes.UsageError, exitCode);
        Assert.Contains("only a spike or an outage recurs", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Probe_OutageOfBurstyCountsForEnsemble_FlaggedInAlmostEverySeries()
    {
        // Request counts that burst upwards read 0 for an hour, ten days in: the side below normal has been quiet, so the
        // bursts' heavy tail must not mute it (one calibration for both sides found 9 such outages in 30).
        var (exitCode, stdout, stderr) = Cli.Run("probe", "--base", "BurstyCounts", "--kind", "outage", "--at", "2880", "--series", "10");

        Assert.True(exitCode == ExitCodes.Success, stderr);
        var detected = int.Parse(stdout.Split("flagged in ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(detected, 9, 10);
    }

    [Fact]
    public void Probe_LargeShiftForEnsemble_FlaggedInAlmostEverySeries()
    {
        var (exitCode, stdout, _) = Cli.Run("probe", "--kind", "shift", "--sigmas", "8", "--at", "600", "--series", "10");

        Assert.Equal(ExitCodes.Success, exitCode);
        var detected = int.Parse(stdout.Split("flagged in ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(detected, 9, 10);
    }

    [Fact]
    public void Probe_UnknownKind_IsAUsageError()
    {
        var (exitCode, _, stderr) = Cli.Run("probe", "--kind", "wobble");

        Assert.Equal(ExitCodes.UsageError, exitCode);
        Assert.Contains("--kind spike, shift, outage or flatline", stderr, StringComparison.Ordinal);
    }

    private sealed class Recorder(List<double> seen) : IAnomalyDetector
    {
        public string Name => "recorder";

        public int StateSizeBytes => 0;

        public AnomalyScore Update(DateTimeOffset timestamp, double value)
        {
            seen.Add(value);
            return AnomalyScore.Scored(timestamp, value, 0, 0, threshold: 0.5);
        }

        public void Reset() => seen.Clear();
    }
}
