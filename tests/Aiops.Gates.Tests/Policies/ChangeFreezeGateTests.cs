using System.ComponentModel.DataAnnotations;
using static Aiops.Gates.Tests.Policies.GateTestKit;

namespace Aiops.Gates.Tests.Policies;

public class ChangeFreezeGateTests
{
    private static ChangeFreezeGate Gate(params FreezeWindow[] windows) => new(new ChangeFreezeGateOptions { Windows = windows });

    private static GateVerdict At(ChangeFreezeGate gate, string utc) => Evaluate(gate, Proposal(), DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture)).Verdict;

    private static FreezeWindow FridayEveningBerlin() => new() { Name = "friday", Days = [DayOfWeek.Friday], Start = "16:00", End = "24:00", TimeZone = "Europe/Berlin" };

    [Fact]
    public void Evaluate_FridayEveningBerlinInSummer_FreezesFrom1400Utc()
    {
        var gate = Gate(FridayEveningBerlin());

        Assert.Equal(GateVerdict.Allow, At(gate, "2025-07-04T13:59:59Z")); // 15:59:59 CEST
        Assert.Equal(GateVerdict.Deny, At(gate, "2025-07-04T14:00:00Z")); // 16:00 CEST
        Assert.Equal(GateVerdict.Deny, At(gate, "2025-07-04T21:59:59Z")); // 23:59:59 CEST
        Assert.Equal(GateVerdict.Allow, At(gate, "2025-07-04T22:00:00Z")); // Saturday 00:00: the end is exclusive.
    }

    [Fact]
    public void Evaluate_FridayEveningBerlinInWinter_FreezesFrom1500Utc()
    {
        var gate = Gate(FridayEveningBerlin());

        Assert.Equal(GateVerdict.Allow, At(gate, "2025-01-10T14:30:00Z")); // 15:30 CET: would be 16:30 with the summer offset.
        Assert.Equal(GateVerdict.Deny, At(gate, "2025-01-10T15:00:00Z")); // 16:00 CET
    }

    [Fact]
    public void Evaluate_Inside_ReportsWindowAndLocalTime()
    {
        var decision = Evaluate(Gate(FridayEveningBerlin()), Proposal(), DateTimeOffset.Parse("2025-07-04T14:30:00Z", System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(GateVerdict.Deny, decision.Verdict);
        Assert.Equal("friday", decision.Data!["window"]);
        Assert.Equal("Europe/Berlin", decision.Data["timeZone"]);
        Assert.Equal("2025-07-04T16:30:00+02:00", decision.Data["localTime"]);
        Assert.Contains("Friday 16:00–24:00 Europe/Berlin", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_SpringForwardDay_FollowsTheWallClock()
    {
        // Sunday 2025-03-30: Berlin jumps from 02:00 CET to 03:00 CEST. Window 01:00–04:00 local.
        var gate = Gate(new FreezeWindow { Days = [DayOfWeek.Sunday], Start = "01:00", End = "04:00", TimeZone = "Europe/Berlin" });

        Assert.Equal(GateVerdict.Allow, At(gate, "2025-03-29T23:59:59Z")); // 00:59:59 CET
        Assert.Equal(GateVerdict.Deny, At(gate, "2025-03-30T00:30:00Z")); // 01:30 CET
        Assert.Equal(GateVerdict.Deny, At(gate, "2025-03-30T01:30:00Z")); // 03:30 CEST
        Assert.Equal(GateVerdict.Allow, At(gate, "2025-03-30T02:00:00Z")); // 04:00 CEST; a fixed CET offset would say 03:00 (inside).
    }

    [Fact]
    public void Evaluate_FallBackDay_RepeatedHourIsInsideTwice()
    {
        // Sunday 2025-10-26: Berlin goes back from 03:00 CEST to 02:00 CET, so 02:00–03:00 happens twice.
        var gate = Gate(new FreezeWindow { Days = [DayOfWeek.Sunday], Start = "02:00", End = "03:00", TimeZone = "Europe/Berlin" });

        Assert.Equal(GateVerdict.Deny, At(gate, "2025-10-26T00:30:00Z")); // 02:30 CEST
        Assert.Equal(GateVerdict.Deny, At(gate, "2025-10-26T01:30:00Z")); // 02:30 CET
        Assert.Equal(GateVerdict.Allow, At(gate, "2025-10-26T02:00:00Z")); // 03:00 CET
    }

    [Fact]
    public void Evaluate_WindowCrossingMidnight_CoversEveningAndNextMorning()
    {
        var gate = Gate(new FreezeWindow { Days = [DayOfWeek.Friday], Start = "22:00", End = "06:00", TimeZone = "UTC" });

        Assert.Equal(GateVerdict.Allow, At(gate, "2025-07-04T21:59:59Z")); // Friday before the start
        Assert.Equal(GateVerdict.Deny, At(gate, "2025-07-04T22:00:00Z")); // Friday at the start
        Assert.Equal(GateVerdict.Deny, At(gate, "2025-07-05T05:59:59Z")); // Saturday morning
        Assert.Equal(GateVerdict.Allow, At(gate, "2025-07-05T06:00:00Z")); // Saturday at the end
        Assert.Equal(GateVerdict.Allow, At(gate, "2025-07-05T22:30:00Z")); // Saturday evening: Saturday is not listed
        Assert.Equal(GateVerdict.Allow, At(gate, "2025-07-04T03:00:00Z")); // Friday morning: Thursday is not listed
    }

    [Fact]
    public void Evaluate_WindowCrossingMidnightIntoSpringForward_UsesTheNewOffset()
    {
        // Saturday 2025-03-08 22:00 EST to Sunday 06:00 EDT (New York springs forward at 02:00 on Sunday).
        var gate = Gate(new FreezeWindow { Days = [DayOfWeek.Saturday], Start = "22:00", End = "06:00", TimeZone = "America/New_York" });

        Assert.Equal(GateVerdict.Deny, At(gate, "2025-03-09T03:00:00Z")); // Saturday 22:00 EST
        Assert.Equal(GateVerdict.Deny, At(gate, "2025-03-09T09:30:00Z")); // Sunday 05:30 EDT
        Assert.Equal(GateVerdict.Allow, At(gate, "2025-03-09T10:00:00Z")); // Sunday 06:00 EDT; a fixed EST offset would say 05:00.
    }

    [Fact]
    public void Evaluate_NoDaysListed_AppliesEveryDay()
    {
        var gate = Gate(new FreezeWindow { Start = "00:00", End = "01:00" });

        Assert.Equal(GateVerdict.Deny, At(gate, "2025-06-02T00:30:00Z"));
        Assert.Equal(GateVerdict.Deny, At(gate, "2025-06-05T00:30:00Z"));
        Assert.Equal(GateVerdict.Allow, At(gate, "2025-06-05T01:30:00Z"));
    }

    [Fact]
    public void Evaluate_OneOffWindowWithOffsets_IsFromInclusiveToExclusive()
    {
        var gate = Gate(new FreezeWindow { Name = "launch", From = "2025-06-02T10:00:00+02:00", To = "2025-06-02T12:00:00+02:00" });

        Assert.Equal(GateVerdict.Allow, At(gate, "2025-06-02T07:59:59Z"));
        Assert.Equal(GateVerdict.Deny, At(gate, "2025-06-02T08:00:00Z"));
        Assert.Equal(GateVerdict.Deny, At(gate, "2025-06-02T09:59:59Z"));
        Assert.Equal(GateVerdict.Allow, At(gate, "2025-06-02T10:00:00Z"));
    }

    [Fact]
    public void Evaluate_OneOffWindowWithoutOffset_IsReadInTheWindowTimeZone()
    {
        var gate = Gate(new FreezeWindow { From = "2025-12-24T00:00", To = "2026-01-02T00:00", TimeZone = "Europe/Berlin" });

        Assert.Equal(GateVerdict.Allow, At(gate, "2025-12-23T22:59:59Z")); // 23:59:59 CET
        Assert.Equal(GateVerdict.Deny, At(gate, "2025-12-23T23:00:00Z")); // 00:00 CET on the 24th
        Assert.Equal(GateVerdict.Allow, At(gate, "2026-01-01T23:00:00Z"));
    }

    [Fact]
    public void Evaluate_RecurringWindowBoundedByFromTo_OnlyAppliesWithinBounds()
    {
        var gate = Gate(new FreezeWindow { Start = "09:00", End = "17:00", From = "2025-06-02", To = "2025-06-04" });

        Assert.Equal(GateVerdict.Deny, At(gate, "2025-06-03T10:00:00Z"));
        Assert.Equal(GateVerdict.Allow, At(gate, "2025-06-04T10:00:00Z"));
        Assert.Equal(GateVerdict.Allow, At(gate, "2025-06-01T10:00:00Z"));
    }

    [Fact]
    public void Evaluate_WindowRequiringApproval_RequiresApproval()
    {
        var window = FridayEveningBerlin();
        window.Verdict = GateVerdict.RequireApproval;

        Assert.Equal(GateVerdict.RequireApproval, At(Gate(window), "2025-07-04T15:00:00Z"));
    }

    [Fact]
    public void Evaluate_OverlappingWindows_StrictestWins()
    {
        var soft = new FreezeWindow { Name = "soft", Start = "00:00", End = "24:00", Verdict = GateVerdict.RequireApproval };
        var hard = FridayEveningBerlin();

        var gate = Gate(soft, hard);

        Assert.Equal(GateVerdict.RequireApproval, At(gate, "2025-07-04T10:00:00Z"));
        var decision = Evaluate(gate, Proposal(), DateTimeOffset.Parse("2025-07-04T15:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(GateVerdict.Deny, decision.Verdict);
        Assert.Equal("friday", decision.Data!["window"]);
    }

    [Fact]
    public void Evaluate_OutsideEveryWindow_AllowsWithWindowCount()
    {
        var decision = Evaluate(Gate(FridayEveningBerlin()), Proposal(), DateTimeOffset.Parse("2025-07-02T14:30:00Z", System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(GateVerdict.Allow, decision.Verdict);
        Assert.Equal("1", decision.Data!["windows"]);
    }

    [Theory]
    [InlineData("Europe/Berln", null, null, null, null, GateVerdict.Deny, "Windows:0:TimeZone")]
    [InlineData("UTC", "25:00", "26:00", null, null, GateVerdict.Deny, "Windows:0:Start")]
    [InlineData("UTC", "10:00", "10:00", null, null, GateVerdict.Deny, "Windows:0:End")]
    [InlineData("UTC", "10:00", null, null, null, GateVerdict.Deny, "Windows:0:End")]
    [InlineData("UTC", null, null, "2025-06-02", null, GateVerdict.Deny, "Windows:0:To")]
    [InlineData("UTC", null, null, "2025-06-03", "2025-06-02", GateVerdict.Deny, "Windows:0:To")]
    [InlineData("UTC", null, null, "yesterday", "2025-06-02", GateVerdict.Deny, "Windows:0:From")]
    [InlineData("Europe/Berlin", null, null, "2025-03-30T02:30", "2025-04-01", GateVerdict.Deny, "Windows:0:From")]
    [InlineData("UTC", "10:00", "11:00", null, null, GateVerdict.Allow, "Windows:0:Verdict")]
    public void Constructor_InvalidWindow_ThrowsNamingTheKey(string zone, string? start, string? end, string? from, string? to, GateVerdict verdict, string key)
    {
        var window = new FreezeWindow { TimeZone = zone, Start = start, End = end, From = from, To = to, Verdict = verdict };

        var ex = Assert.Throws<ValidationException>(() => Gate(window));
        Assert.Contains(key + ":", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NoWindows_Throws()
    {
        var ex = Assert.Throws<ValidationException>(() => new ChangeFreezeGate(new ChangeFreezeGateOptions()));
        Assert.Contains("Windows", ex.Message, StringComparison.Ordinal);
    }
}
