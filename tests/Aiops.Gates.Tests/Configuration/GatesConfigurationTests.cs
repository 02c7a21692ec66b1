using System.ComponentModel.DataAnnotations;
using System.Text;
using Aiops.Gates.Tests.Policies;
using Microsoft.Extensions.Configuration;

namespace Aiops.Gates.Tests.Configuration;

public class GatesConfigurationTests
{
    private static IConfigurationSection Section(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build().GetSection(GatesOptions.SectionPath);

    private static ValidationException LoadFails(string json) => Assert.Throws<ValidationException>(() => GatesConfiguration.Load(Section(json)));

    private const string FullJson = """
        {
          "Aiops": {
            "Gates": {
              "DryRun": true,
              "GateTimeout": "00:00:00.250",
              "Policies": [
                { "Type": "confidence", "MinConfidence": 0.9 },
                { "Type": "riskCeiling", "Medium": "RequireApproval", "Destructive": "deny" },
                { "Type": "blastRadius", "MaxTargets": 2, "MaxFleetShare": 0.5 },
                { "Type": "rateLimit", "MaxExecutions": 5, "MaxExecutionsPerTarget": 2, "Window": "02:00:00" },
                { "Type": "rateLimit", "Name": "dailyRateLimit", "MaxExecutions": 10, "Window": "1.00:00:00" },
                { "Type": "cooldown", "Cooldown": "00:05:00", "PerTarget": false },
                { "Type": "concurrency", "MaxConcurrent": 2 },
                { "Type": "changeFreeze", "Windows": [
                    { "Name": "friday", "Days": [ "Friday" ], "Start": "16:00", "End": "23:59", "TimeZone": "Europe/Berlin" },
                    { "Name": "year end", "From": "2025-12-24T00:00", "To": "2026-01-02T00:00", "TimeZone": "Europe/Berlin", "Verdict": "RequireApproval" } ] },
                { "Type": "recentChange", "Window": "00:45:00", "Kinds": [ "deploy" ] },
                { "Type": "silence" }
              ]
            }
          }
        }
        """;

    [Fact]
    public void Bind_FullJson_BindsEveryOption()
    {
        var options = GatesConfiguration.Bind(Section(FullJson));

        Assert.True(options.DryRun);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.GateTimeout);
        Assert.Equal(10, options.Policies.Count);
        Assert.Equal(0.9, Assert.IsType<ConfidenceGateOptions>(options.Policies[0]).MinConfidence);
        var risk = Assert.IsType<RiskCeilingGateOptions>(options.Policies[1]);
        Assert.Equal(GateVerdict.RequireApproval, risk.Medium);
        Assert.Equal(GateVerdict.Deny, risk.Destructive);
        var blast = Assert.IsType<BlastRadiusGateOptions>(options.Policies[2]);
        Assert.Equal((2, 0.5), (blast.MaxTargets, blast.MaxFleetShare));
        var rate = Assert.IsType<RateLimitGateOptions>(options.Policies[3]);
        Assert.Equal((5, 2, TimeSpan.FromHours(2)), (rate.MaxExecutions, rate.MaxExecutionsPerTarget, rate.Window));
        Assert.Equal("dailyRateLimit", options.Policies[4].Name);
        var cooldown = Assert.IsType<CooldownGateOptions>(options.Policies[5]);
        Assert.Equal((TimeSpan.FromMinutes(5), false), (cooldown.Cooldown, cooldown.PerTarget));
        Assert.Equal(2, Assert.IsType<ConcurrencyGateOptions>(options.Policies[6]).MaxConcurrent);
        var freeze = Assert.IsType<ChangeFreezeGateOptions>(options.Policies[7]);
        Assert.Equal(2, freeze.Windows.Count);
        Assert.Equal([DayOfWeek.Friday], freeze.Windows[0].Days);
        Assert.Equal("Europe/Berlin", freeze.Windows[0].TimeZone);
        Assert.Equal(GateVerdict.RequireApproval, freeze.Windows[1].Verdict);
        var recent = Assert.IsType<RecentChangeGateOptions>(options.Policies[8]);
        Assert.Equal(["deploy"], recent.Kinds);
        Assert.Equal(["service"], recent.LabelKeys);
        Assert.IsType<SilenceGateOptions>(options.Policies[9]);
    }

    [Fact]
    public void Load_FullJson_BuildsGatesInOrder()
    {
        var loaded = GatesConfiguration.Load(Section(FullJson));

        Assert.Equal(
            ["confidence", "riskCeiling", "blastRadius", "rateLimit", "dailyRateLimit", "cooldown", "concurrency", "changeFreeze", "recentChange", "silence"],
            loaded.Policies.Select(p => p.Name));
        Assert.IsType<RateLimitGate>(loaded.Policies[4]);
        Assert.True(loaded.DryRun);
        Assert.Equal(TimeSpan.FromMilliseconds(250), loaded.GateTimeout);
        Assert.IsType<InMemoryChangeFeed>(loaded.ChangeFeed);
        Assert.IsType<InMemorySilenceSource>(loaded.SilenceSource);
    }

    [Fact]
    public void Load_GivenFeedAndSource_GatesUseThem()
    {
        var feed = new InMemoryChangeFeed();
        var silences = new InMemorySilenceSource();

        var loaded = GatesConfiguration.Load(Section(FullJson), TimeProvider.System, feed, silences);

        Assert.Same(feed, loaded.ChangeFeed);
        Assert.Same(silences, loaded.SilenceSource);
    }

    [Fact]
    public void Load_BoundGates_ApplyConfiguredLimits()
    {
        var loaded = GatesConfiguration.Load(Section("""{ "Aiops": { "Gates": { "Policies": [ { "Type": "confidence", "MinConfidence": 0.9 } ] } } }"""));

        Assert.Equal(GateVerdict.Deny, GateTestKit.Evaluate(loaded.Policies[0], GateTestKit.Proposal(confidence: 0.89)).Verdict);
        Assert.Equal(GateVerdict.Allow, GateTestKit.Evaluate(loaded.Policies[0], GateTestKit.Proposal(confidence: 0.9)).Verdict);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{ "Aiops": { "Gates": { "DryRun": false } } }""")]
    [InlineData("""{ "Aiops": { "Gates": { "Policies": [] } } }""")]
    public void Load_NoPoliciesConfigured_UsesTheSafeSetWithDefaults(string json)
    {
        var loaded = GatesConfiguration.Load(Section(json));

        Assert.Equal(["confidence", "riskCeiling", "blastRadius", "rateLimit", "cooldown", "concurrency"], loaded.Policies.Select(p => p.Name));
        Assert.False(loaded.DryRun);
        Assert.Equal(TimeSpan.FromSeconds(1), loaded.GateTimeout);
        Assert.Equal(6, loaded.Options.Policies.Count);
        Assert.Null(loaded.ChangeFeed);
        Assert.Null(loaded.SilenceSource);
    }

    [Fact]
    public async Task Load_Defaults_AllowASafeProposalAndStopARiskyOne()
    {
        var gates = GatesConfiguration.Load(Section("{}")).Policies;
        var history = new FakeGateHistory();

        async Task<GateVerdict> Verdict(RemediationProposal proposal)
        {
            var verdict = GateVerdict.Allow;
            foreach (var gate in gates)
            {
                var decision = await gate.EvaluateAsync(new GateContext(proposal, GateTestKit.Now, history), CancellationToken.None);
                verdict = GateDecision.Strictest(verdict, decision.Verdict);
            }

            return verdict;
        }

        Assert.Equal(GateVerdict.Allow, await Verdict(GateTestKit.Proposal(risk: RiskClass.Low, confidence: 0.9)));
        Assert.Equal(GateVerdict.RequireApproval, await Verdict(GateTestKit.Proposal(risk: RiskClass.High, confidence: 0.9)));
        Assert.Equal(GateVerdict.Deny, await Verdict(GateTestKit.Proposal(risk: RiskClass.Low, confidence: 0.5)));
        Assert.Equal(GateVerdict.Deny, await Verdict(GateTestKit.Proposal(targets: ["a", "b"])));
    }

    [Fact]
    public void Load_EmptyName_UsesTheType()
    {
        var loaded = GatesConfiguration.Load(Section("""{ "Aiops": { "Gates": { "Policies": [ { "Type": "silence", "Name": "" } ] } } }"""));

        Assert.Equal("silence", loaded.Policies[0].Name);
    }

    [Fact]
    public void Load_BareTypeNames_UseEachGatesDefaults()
    {
        var loaded = GatesConfiguration.Load(Section("""{ "Aiops": { "Gates": { "Policies": [ "confidence", "Cooldown" ] } } }"""));

        Assert.Equal(["confidence", "cooldown"], loaded.Policies.Select(p => p.Name));
    }

    [Fact]
    public void Load_OutOfRangeValue_NamesTheKeyWithItsPath()
    {
        var ex = LoadFails("""
            { "Aiops": { "Gates": { "Policies": [
                { "Type": "confidence" }, { "Type": "riskCeiling" }, { "Type": "blastRadius", "MaxTargets": 0 } ] } } }
            """);

        Assert.Contains("Aiops:Gates:Policies:2:MaxTargets: The field MaxTargets must be between 1 and 100000.", ex.Message, StringComparison.Ordinal);
        Assert.Equal(["Aiops:Gates:Policies:2:MaxTargets"], ex.ValidationResult.MemberNames);
    }

    [Fact]
    public void Load_UnknownType_NamesTheTypeKeyAndListsKnownTypes()
    {
        var ex = LoadFails("""
            { "Aiops": { "Gates": { "Policies": [
                "confidence", "riskCeiling", "blastRadius", "cooldown", { "Type": "ratelimt", "MaxExecutions": 3 } ] } } }
            """);

        Assert.Contains(
            "Aiops:Gates:Policies:4:Type: unknown gate type 'ratelimt'; did you mean 'rateLimit'? known types: confidence, riskCeiling, blastRadius, rateLimit, cooldown, concurrency, changeFreeze, recentChange, silence.",
            ex.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingType_NamesTheTypeKey()
    {
        var ex = LoadFails("""{ "Aiops": { "Gates": { "Policies": [ { "MinConfidence": 0.9 } ] } } }""");

        Assert.Contains("Aiops:Gates:Policies:0:Type: a gate type is required", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownKey_NamesItAndSuggestsTheKnownOne()
    {
        var ex = LoadFails("""{ "Aiops": { "Gates": { "Policies": [ { "Type": "blastRadius", "MaxTargts": 2 } ] } } }""");

        Assert.Contains("Aiops:Gates:Policies:0:MaxTargts: unknown key 'MaxTargts'; did you mean 'MaxTargets'?", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownTopLevelKey_NamesIt()
    {
        var ex = LoadFails("""{ "Aiops": { "Gates": { "DryRn": true } } }""");

        Assert.Contains("Aiops:Gates:DryRn: unknown key 'DryRn'; did you mean 'DryRun'?", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "Type": "rateLimit", "Window": "1h" }""", "Aiops:Gates:Policies:0:Window: '1h' is not a duration")]
    [InlineData("""{ "Type": "rateLimit", "Window": "15" }""", "Aiops:Gates:Policies:0:Window: '15' is not a duration")]
    [InlineData("""{ "Type": "rateLimit", "MaxExecutions": "three" }""", "Aiops:Gates:Policies:0:MaxExecutions: 'three' is not an integer")]
    [InlineData("""{ "Type": "confidence", "MinConfidence": "0,8" }""", "Aiops:Gates:Policies:0:MinConfidence: '0,8' is not a finite number")]
    [InlineData("""{ "Type": "cooldown", "PerTarget": "yes" }""", "Aiops:Gates:Policies:0:PerTarget: 'yes' is not true or false")]
    [InlineData("""{ "Type": "riskCeiling", "High": "Maybe" }""", "Aiops:Gates:Policies:0:High: 'Maybe' is not one of Allow, RequireApproval, Deny")]
    [InlineData("""{ "Type": "riskCeiling", "High": "7" }""", "Aiops:Gates:Policies:0:High: '7' is not one of")]
    [InlineData("""{ "Type": "riskCeiling", "Destructive": "Allow" }""", "Aiops:Gates:Policies:0:Destructive: Destructive actions are never run automatically")]
    [InlineData("""{ "Type": "recentChange", "Kinds": "deploy" }""", "Aiops:Gates:Policies:0:Kinds: expected a list")]
    [InlineData("""{ "Type": "changeFreeze", "Windows": [ { "Days": [ "Fryday" ], "Start": "16:00", "End": "24:00" } ] }""", "Aiops:Gates:Policies:0:Windows:0:Days:0: 'Fryday' is not one of Sunday")]
    [InlineData("""{ "Type": "changeFreeze", "Windows": [ { "Start": "16:00", "End": "24:00", "TimeZone": "Mars/Olympus" } ] }""", "Aiops:Gates:Policies:0:Windows:0:TimeZone: Unknown time zone 'Mars/Olympus'")]
    [InlineData("""{ "Type": "changeFreeze", "Windows": [ { "Start": "16:00", "End": "24:00", "Timezone2": "UTC" } ] }""", "Aiops:Gates:Policies:0:Windows:0:Timezone2: unknown key")]
    [InlineData("""{ "Type": "changeFreeze", "Windows": [ { "Start": "4pm", "End": "24:00" } ] }""", "Aiops:Gates:Policies:0:Windows:0:Start: '4pm' is not a time of day")]
    [InlineData("""{ "Type": "changeFreeze" }""", "Aiops:Gates:Policies:0:Windows: At least one freeze window is required.")]
    public void Load_BadValue_NamesTheKeyWithItsPath(string policy, string expected)
    {
        var ex = LoadFails($$"""{ "Aiops": { "Gates": { "Policies": [ {{policy}} ] } } }""");

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_GateTimeoutOutOfRange_NamesTheKey()
    {
        var ex = LoadFails("""{ "Aiops": { "Gates": { "GateTimeout": "00:10:00" } } }""");

        Assert.Contains("Aiops:Gates:GateTimeout: The field GateTimeout must be between", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SeveralErrors_ReportsAllAtOnce()
    {
        var ex = LoadFails("""
            { "Aiops": { "Gates": {
                "GateTimeout": "00:00:00",
                "Policies": [
                  { "Type": "confidence", "MinConfidence": 1.5 },
                  { "Type": "blastRadius", "MaxTargets": 0, "MaxFleetShare": 2 },
                  { "Type": "ratelimt" },
                  { "Type": "cooldown", "Cooldown": "soon" },
                  { "Type": "riskCeiling", "Destructive": "Allow" }
                ] } } }
            """);

        Assert.Equal(
            [
                "Aiops:Gates:Policies:0:MinConfidence",
                "Aiops:Gates:Policies:1:MaxTargets",
                "Aiops:Gates:Policies:1:MaxFleetShare",
                "Aiops:Gates:Policies:2:Type",
                "Aiops:Gates:Policies:3:Cooldown",
                "Aiops:Gates:Policies:4:Destructive",
                "Aiops:Gates:GateTimeout",
            ],
            ex.ValidationResult.MemberNames);
        Assert.StartsWith("Invalid gate configuration (7 errors):", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_DuplicateGateNames_NamesTheSecond()
    {
        var ex = LoadFails("""{ "Aiops": { "Gates": { "Policies": [ { "Type": "rateLimit" }, { "Type": "RATELIMIT", "Window": "1.00:00:00" } ] } } }""");

        Assert.Contains("Aiops:Gates:Policies:1:Name: duplicate gate name 'rateLimit' (also Aiops:Gates:Policies:0)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FreezeWindowFromConfiguration_FreezesOnBerlinFridays()
    {
        var loaded = GatesConfiguration.Load(Section("""
            { "Aiops": { "Gates": { "Policies": [
                { "Type": "changeFreeze", "Windows": [ { "Days": [ "Friday" ], "Start": "16:00", "End": "23:59", "TimeZone": "Europe/Berlin" } ] } ] } } }
            """));
        var gate = loaded.Policies[0];

        Assert.Equal(GateVerdict.Deny, GateTestKit.Evaluate(gate, GateTestKit.Proposal(), new DateTimeOffset(2025, 7, 4, 14, 0, 0, TimeSpan.Zero)).Verdict);
        Assert.Equal(GateVerdict.Allow, GateTestKit.Evaluate(gate, GateTestKit.Proposal(), new DateTimeOffset(2025, 7, 4, 21, 59, 0, TimeSpan.Zero)).Verdict);
    }
}

public class GatesOptionsTests
{
    [Fact]
    public void Validate_CodeFirstErrors_UseRelativeKeys()
    {
        var options = new GatesOptions { Policies = [new ConfidenceGateOptions(), new BlastRadiusGateOptions { MaxTargets = 0 }, new ConfidenceGateOptions()] };

        var ex = Assert.Throws<ValidationException>(options.Validate);

        Assert.Equal(["Policies:1:MaxTargets", "Policies:2:Name"], ex.ValidationResult.MemberNames);
    }

    [Fact]
    public void CreateAll_Empty_BuildsTheSafeSet()
    {
        var gates = GatePolicyFactory.CreateAll(new GatesOptions());

        Assert.Equal(GatePolicyFactory.DefaultTypes, gates.Select(g => g.Name));
    }

    [Fact]
    public void Create_RecentChangeWithoutFeed_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => GatePolicyFactory.Create(new RecentChangeGateOptions()));
        Assert.Throws<InvalidOperationException>(() => GatePolicyFactory.Create(new SilenceGateOptions()));
    }

    [Fact]
    public void CreateOptions_AnyCaseKnownType_ReturnsThatGatesOptions()
    {
        Assert.All(GatePolicyFactory.KnownTypes, t => Assert.Equal(t, GatePolicyFactory.CreateOptions(t.ToUpperInvariant()).Type));
        Assert.Throws<ArgumentException>(() => GatePolicyFactory.CreateOptions("ratelimt"));
    }
}
