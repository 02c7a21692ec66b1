using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Time.Testing;
using static Aiops.Gates.Tests.Policies.GateTestKit;

namespace Aiops.Gates.Tests.Policies;

public class RecentChangeGateTests
{
    private static InMemoryChangeFeed Feed(params ChangeNotice[] notices)
    {
        var feed = new InMemoryChangeFeed(new FakeTimeProvider(Now));
        foreach (var notice in notices)
        {
            feed.Add(notice);
        }

        return feed;
    }

    [Fact]
    public void Evaluate_ChangeOnTargetExactlyWindowAgo_RequiresApproval()
    {
        var gate = new RecentChangeGate(Feed(new ChangeNotice("checkout-1", "deploy", Now.AddMinutes(-30)) { Description = "v1.4.2" }));

        var decision = Evaluate(gate, Proposal(targets: ["checkout-1"]));

        Assert.Equal(GateVerdict.RequireApproval, decision.Verdict);
        Assert.Equal("checkout-1", decision.Data!["target"]);
        Assert.Equal("deploy", decision.Data["kind"]);
        Assert.Equal("00:30:00", decision.Data["age"]);
        Assert.Equal("00:30:00", decision.Data["window"]);
        Assert.Contains("v1.4.2", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_ChangeJustBeforeWindow_Allows()
    {
        var gate = new RecentChangeGate(Feed(new ChangeNotice("checkout-1", "deploy", Now.AddMinutes(-30).AddTicks(-1))));

        Assert.Equal(GateVerdict.Allow, Evaluate(gate, Proposal(targets: ["checkout-1"])).Verdict);
    }

    [Fact]
    public void Evaluate_ChangeStampedAfterDecision_Counts()
    {
        var gate = new RecentChangeGate(Feed(new ChangeNotice("checkout-1", "deploy", Now.AddSeconds(5))));

        Assert.Equal(GateVerdict.RequireApproval, Evaluate(gate, Proposal(targets: ["checkout-1"])).Verdict);
    }

    [Fact]
    public void Evaluate_ChangeOnOtherTarget_Allows()
    {
        var gate = new RecentChangeGate(Feed(new ChangeNotice("payments", "deploy", Now.AddMinutes(-1))));

        Assert.Equal(GateVerdict.Allow, Evaluate(gate, Proposal(targets: ["checkout-1"])).Verdict);
    }

    [Fact]
    public void Evaluate_ChangeOnOtherTargetWithAnyTarget_RequiresApproval()
    {
        var gate = new RecentChangeGate(Feed(new ChangeNotice("payments", "deploy", Now.AddMinutes(-1))), new RecentChangeGateOptions { AnyTarget = true });

        Assert.Equal(GateVerdict.RequireApproval, Evaluate(gate, Proposal(targets: ["checkout-1"])).Verdict);
    }

    [Fact]
    public void Evaluate_ChangeOnEpisodeService_RequiresApproval()
    {
        var gate = new RecentChangeGate(Feed(new ChangeNotice("Checkout", "deploy", Now.AddMinutes(-1))));
        var labels = new Dictionary<string, string> { ["service"] = "checkout" };

        Assert.Equal(GateVerdict.RequireApproval, Evaluate(gate, Proposal(targets: ["checkout-7d9f"], labels: labels)).Verdict);
        Assert.Equal(GateVerdict.Allow, Evaluate(new RecentChangeGate(Feed(new ChangeNotice("Checkout", "deploy", Now.AddMinutes(-1))), new RecentChangeGateOptions { LabelKeys = [] }), Proposal(targets: ["checkout-7d9f"], labels: labels)).Verdict);
    }

    [Fact]
    public void Evaluate_KindNotListed_Allows()
    {
        var feed = Feed(new ChangeNotice("checkout-1", "flag", Now.AddMinutes(-1)));

        Assert.Equal(GateVerdict.Allow, Evaluate(new RecentChangeGate(feed, new RecentChangeGateOptions { Kinds = ["deploy"] }), Proposal()).Verdict);
        Assert.Equal(GateVerdict.RequireApproval, Evaluate(new RecentChangeGate(feed, new RecentChangeGateOptions { Kinds = ["DEPLOY", "flag"] }), Proposal()).Verdict);
    }

    [Fact]
    public void Evaluate_SeveralChanges_ReportsMostRecent()
    {
        var gate = new RecentChangeGate(Feed(
            new ChangeNotice("checkout-1", "deploy", Now.AddMinutes(-20)),
            new ChangeNotice("checkout-1", "config", Now.AddMinutes(-3)),
            new ChangeNotice("checkout-1", "flag", Now.AddMinutes(-10))));

        var decision = Evaluate(gate, Proposal());

        Assert.Equal("config", decision.Data!["kind"]);
        Assert.Equal("3", decision.Data["matchingChanges"]);
    }

    [Fact]
    public void Evaluate_VerdictDeny_Denies()
    {
        var gate = new RecentChangeGate(Feed(new ChangeNotice("checkout-1", "deploy", Now.AddMinutes(-1))), new RecentChangeGateOptions { Verdict = GateVerdict.Deny });

        Assert.Equal(GateVerdict.Deny, Evaluate(gate, Proposal()).Verdict);
    }

    [Fact]
    public void Constructor_InvalidOptions_Throws()
    {
        var feed = Feed();
        Assert.Throws<ValidationException>(() => new RecentChangeGate(feed, new RecentChangeGateOptions { Verdict = GateVerdict.Allow }));
        Assert.Throws<ValidationException>(() => new RecentChangeGate(feed, new RecentChangeGateOptions { Window = TimeSpan.Zero }));
        Assert.Throws<ValidationException>(() => new RecentChangeGate(feed, new RecentChangeGateOptions { Kinds = [""] }));
        Assert.Throws<ArgumentNullException>(() => new RecentChangeGate(null!));
    }
}

public class InMemoryChangeFeedTests
{
    [Fact]
    public async Task GetChangesSince_OutOfOrderNotices_ReturnsThoseAtOrAfterSince()
    {
        var feed = new InMemoryChangeFeed(new FakeTimeProvider(Now));
        feed.Add(new ChangeNotice("a", "deploy", Now.AddMinutes(-5)));
        feed.Add(new ChangeNotice("b", "deploy", Now.AddMinutes(-20)));
        feed.Add(new ChangeNotice("c", "deploy", Now.AddMinutes(-10)));

        var changes = await feed.GetChangesSinceAsync(Now.AddMinutes(-10));

        Assert.Equal(["c", "a"], changes.Select(c => c.Target));
    }

    [Fact]
    public void Add_PastRetention_DropsOldNotices()
    {
        var clock = new FakeTimeProvider(Now);
        var feed = new InMemoryChangeFeed(clock, new InMemoryChangeFeedOptions { Retention = TimeSpan.FromHours(1) });
        feed.Record("a", "deploy");
        clock.Advance(TimeSpan.FromMinutes(61));

        feed.Record("b", "deploy");

        Assert.Equal(1, feed.Count);
    }

    [Fact]
    public async Task Add_OverCapacity_DropsOldest()
    {
        var feed = new InMemoryChangeFeed(new FakeTimeProvider(Now), new InMemoryChangeFeedOptions { Capacity = 2 });
        feed.Add(new ChangeNotice("a", "deploy", Now.AddMinutes(-3)));
        feed.Add(new ChangeNotice("b", "deploy", Now.AddMinutes(-2)));
        feed.Add(new ChangeNotice("c", "deploy", Now.AddMinutes(-1)));

        var changes = await feed.GetChangesSinceAsync(DateTimeOffset.MinValue);

        Assert.Equal(["b", "c"], changes.Select(c => c.Target));
    }

    [Fact]
    public void Record_StampsTheClock()
    {
        var notice = new InMemoryChangeFeed(new FakeTimeProvider(Now)).Record("a", "deploy", "v2");

        Assert.Equal(Now, notice.At);
        Assert.Equal("v2", notice.Description);
    }
}
