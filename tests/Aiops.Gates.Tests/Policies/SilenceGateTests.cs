using System.ComponentModel.DataAnnotations;
using static Aiops.Gates.Tests.Policies.GateTestKit;

namespace Aiops.Gates.Tests.Policies;

public class SilenceGateTests
{
    private static readonly Dictionary<string, string> Labels = new()
    {
        ["alertname"] = "HighErrorRate",
        ["service"] = "checkout",
        ["severity"] = "critical",
    };

    private static Silence Silence(string id, params SilenceMatcher[] matchers) =>
        new(id, matchers, Now.AddHours(-1), Now.AddHours(1), "alice", "maintenance of checkout");

    private static GateDecision EvaluateWith(params Silence[] silences)
    {
        var source = new InMemorySilenceSource();
        foreach (var silence in silences)
        {
            source.Upsert(silence);
        }

        return Evaluate(new SilenceGate(source), Proposal(labels: Labels));
    }

    [Fact]
    public void Evaluate_MatchingSilence_DeniesNamingSilenceCreatorAndComment()
    {
        var decision = EvaluateWith(Silence("s-1", SilenceMatcher.Equal("service", "checkout")));

        Assert.Equal(GateVerdict.Deny, decision.Verdict);
        Assert.Equal("the episode's alert is silenced by s-1, created by alice: maintenance of checkout", decision.Reason);
        Assert.Equal("s-1", decision.Data!["silenceId"]);
        Assert.Equal("{service=\"checkout\"}", decision.Data["matchers"]);
    }

    [Fact]
    public void Evaluate_NoMatchingSilence_Allows()
    {
        Assert.Equal(GateVerdict.Allow, EvaluateWith(Silence("s-1", SilenceMatcher.Equal("service", "payments"))).Verdict);
    }

    [Fact]
    public void Evaluate_AllMatchersMustMatch()
    {
        Assert.Equal(GateVerdict.Allow, EvaluateWith(Silence("s-1", SilenceMatcher.Equal("service", "checkout"), SilenceMatcher.Equal("severity", "warning"))).Verdict);
        Assert.Equal(GateVerdict.Deny, EvaluateWith(Silence("s-1", SilenceMatcher.Equal("service", "checkout"), SilenceMatcher.Equal("severity", "critical"))).Verdict);
    }

    [Fact]
    public void Evaluate_ExpiredOrFutureSilence_Allows()
    {
        var matcher = SilenceMatcher.Equal("service", "checkout");
        var ended = new Silence("old", [matcher], Now.AddHours(-2), Now, "alice", "ended exactly now");
        var future = new Silence("later", [matcher], Now.AddTicks(1), Now.AddHours(1), "alice", "starts later");
        var startsNow = new Silence("now", [matcher], Now, Now.AddHours(1), "bob", "starts exactly now");

        Assert.Equal(GateVerdict.Allow, EvaluateWith(ended, future).Verdict);
        Assert.Equal(GateVerdict.Deny, EvaluateWith(ended, future, startsNow).Verdict);
    }

    [Fact]
    public void Evaluate_VerdictRequireApproval_RequiresApproval()
    {
        var source = new InMemorySilenceSource();
        source.Upsert(Silence("s-1", SilenceMatcher.Equal("service", "checkout")));

        var decision = Evaluate(new SilenceGate(source, new SilenceGateOptions { Verdict = GateVerdict.RequireApproval }), Proposal(labels: Labels));

        Assert.Equal(GateVerdict.RequireApproval, decision.Verdict);
    }

    [Fact]
    public void Constructor_AllowVerdict_Throws()
    {
        Assert.Throws<ValidationException>(() => new SilenceGate(new InMemorySilenceSource(), new SilenceGateOptions { Verdict = GateVerdict.Allow }));
    }
}

public class SilenceMatcherTests
{
    private static readonly Dictionary<string, string> Labels = new()
    {
        ["alertname"] = "HighErrorRate",
        ["severity"] = "critical",
    };

    [Theory]
    [InlineData("severity", "critical", true)]
    [InlineData("severity", "Critical", false)] // Case-sensitive, as in Alertmanager.
    [InlineData("severity", "crit", false)]
    [InlineData("team", "", true)] // A missing label has the empty value.
    [InlineData("team", "sre", false)]
    public void Matches_Equal(string name, string value, bool expected)
    {
        Assert.Equal(expected, SilenceMatcher.Equal(name, value).Matches(Labels));
        Assert.Equal(!expected, SilenceMatcher.NotEqual(name, value).Matches(Labels));
    }

    [Theory]
    [InlineData("severity", "crit.*", true)]
    [InlineData("severity", "warning|critical", true)]
    [InlineData("severity", "crit", false)] // Anchored: a prefix does not match.
    [InlineData("severity", "ritica", false)] // Anchored at both ends.
    [InlineData("alertname", "High.*Rate", true)]
    [InlineData("team", ".*", true)] // A missing label is the empty string, which .* matches.
    [InlineData("team", ".+", false)]
    public void Matches_Regex(string name, string pattern, bool expected)
    {
        Assert.Equal(expected, SilenceMatcher.Regex(name, pattern).Matches(Labels));
        Assert.Equal(!expected, SilenceMatcher.NotRegex(name, pattern).Matches(Labels));
    }

    [Fact]
    public void Silence_NegatedMatcherExcludes()
    {
        var silence = new Silence("s", [SilenceMatcher.Equal("alertname", "HighErrorRate"), SilenceMatcher.NotRegex("severity", "crit.*")], GateTestKit.Now, GateTestKit.Now.AddHours(1));

        Assert.False(silence.Matches(Labels));
        Assert.True(silence.Matches(new Dictionary<string, string> { ["alertname"] = "HighErrorRate", ["severity"] = "warning" }));
    }

    [Fact]
    public void ToString_UsesAlertmanagerNotation()
    {
        Assert.Equal("a=\"1\"", SilenceMatcher.Equal("a", "1").ToString());
        Assert.Equal("a!=\"1\"", SilenceMatcher.NotEqual("a", "1").ToString());
        Assert.Equal("a=~\"1.*\"", SilenceMatcher.Regex("a", "1.*").ToString());
        Assert.Equal("a!~\"1.*\"", SilenceMatcher.NotRegex("a", "1.*").ToString());
    }

    [Fact]
    public void Constructor_InvalidRegex_Throws()
    {
        Assert.Throws<ArgumentException>(() => SilenceMatcher.Regex("a", "(unclosed"));
        Assert.Throws<ArgumentException>(() => SilenceMatcher.Equal("", "x"));
    }

    [Fact]
    public void Silence_WithoutMatchersOrWithEndBeforeStart_Throws()
    {
        Assert.Throws<ArgumentException>(() => new Silence("s", [], GateTestKit.Now, GateTestKit.Now.AddHours(1)));
        Assert.Throws<ArgumentException>(() => new Silence("s", [SilenceMatcher.Equal("a", "b")], GateTestKit.Now, GateTestKit.Now));
    }
}

public class InMemorySilenceSourceTests
{
    private static Silence Silence(string id, string service) =>
        new(id, [SilenceMatcher.Equal("service", service)], GateTestKit.Now.AddHours(-1), GateTestKit.Now.AddHours(1), "alice", id);

    [Fact]
    public async Task Upsert_SameId_ReplacesInPlace()
    {
        var source = new InMemorySilenceSource();
        source.Upsert(Silence("s-1", "checkout"));
        source.Upsert(Silence("s-2", "payments"));
        source.Upsert(Silence("s-1", "search"));

        Assert.Equal(["s-1", "s-2"], source.Silences.Select(s => s.Id));
        Assert.Null(await source.FindActiveAsync(new Dictionary<string, string> { ["service"] = "checkout" }, GateTestKit.Now));
        Assert.Equal("s-1", (await source.FindActiveAsync(new Dictionary<string, string> { ["service"] = "search" }, GateTestKit.Now))?.Id);
    }

    [Fact]
    public void RemoveAndRemoveExpired_DropSilences()
    {
        var source = new InMemorySilenceSource();
        source.Upsert(Silence("s-1", "checkout"));
        source.Upsert(Silence("s-2", "payments"));

        Assert.True(source.Remove("s-1"));
        Assert.False(source.Remove("s-1"));
        Assert.Equal(0, source.RemoveExpired(GateTestKit.Now));
        Assert.Equal(1, source.RemoveExpired(GateTestKit.Now.AddHours(1)));
        Assert.Empty(source.Silences);
    }
}
