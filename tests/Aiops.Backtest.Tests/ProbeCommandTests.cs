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
        var atHundred = ProbeCommand.Measure(() => new FlagAt(10, 100), TimeSpan.FromMinutes(5), at: 100, sigmas: 6, shift: false, series: 4);
        var atTwoHundred = ProbeCommand.Measure(() => new FlagAt(10, 100), TimeSpan.FromMinutes(5), at: 200, sigmas: 6, shift: false, series: 4);

        Assert.Equal((4, 4), atHundred);
        Assert.Equal((0, 8), atTwoHundred);
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
        Assert.Contains("--kind spike or shift", stderr, StringComparison.Ordinal);
    }
}
