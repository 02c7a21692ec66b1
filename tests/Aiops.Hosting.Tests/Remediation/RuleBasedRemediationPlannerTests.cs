using Aiops.Correlation;
using Aiops.Gates;
using Aiops.Gates.Actions;
using Microsoft.Extensions.Options;

namespace Aiops.Hosting.Tests.Remediation;

public sealed class RuleBasedRemediationPlannerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task PlanAsync_MatchingRules_ProposalPerRuleWithEvidenceLabelsAndActionRisk()
    {
        var planner = Planner(
            new RemediationRule { Action = "scale-out", Categories = [IncidentCategory.TrafficDriven] },
            new RemediationRule { Action = "flag-off", Target = "flag:{entity}-beta", Risk = RiskClass.Medium },
            new RemediationRule { Action = "rollback", Categories = [IncidentCategory.ChangeInduced] });

        var proposals = await planner.PlanAsync(Episode("ep-000007", IncidentCategory.TrafficDriven, "api", 0.9), T0, default);

        Assert.Equal(["scale-out", "flag-off"], proposals.Select(p => p.ActionId));
        var scale = proposals[0];
        Assert.Equal(["api"], scale.Targets);
        Assert.Equal((RiskClass.Low, 0.9, "ep-000007", T0), (scale.Risk, scale.Confidence, scale.EpisodeId, scale.ProposedAt));
        Assert.Equal("api", scale.Labels["service"]);
        Assert.Contains(scale.Evidence, e => e.StartsWith("root cause TrafficDriven: ", StringComparison.Ordinal));
        Assert.Equal(["flag:api-beta"], proposals[1].Targets);
        Assert.Equal(RiskClass.Medium, proposals[1].Risk);
    }

    [Fact]
    public async Task PlanAsync_EntityFilterOrNoRootCause_NoProposal()
    {
        var planner = Planner(new RemediationRule { Action = "scale-out", Entities = ["checkout"] });

        Assert.Empty(await planner.PlanAsync(Episode("ep-1", IncidentCategory.TrafficDriven, "api", 0.9), T0, default));
        Assert.Empty(await planner.PlanAsync(Episode("ep-1", IncidentCategory.TrafficDriven, "checkout", 0.9) with { RootCause = null }, T0, default));
        Assert.Single(await planner.PlanAsync(Episode("ep-1", IncidentCategory.TrafficDriven, "checkout", 0.9), T0, default));
    }

    [Fact]
    public async Task PlanAsync_SameIncidentUnderAnotherEpisodeId_SameIdempotencyKey()
    {
        var planner = Planner(new RemediationRule { Action = "scale-out" });

        var before = Assert.Single(await planner.PlanAsync(Episode("ep-000042", IncidentCategory.TrafficDriven, "api", 0.9), T0, default));
        var afterRestart = Assert.Single(await planner.PlanAsync(Episode("ep-000001", IncidentCategory.TrafficDriven, "api", 0.7), T0.AddMinutes(3), default));
        var otherIncident = Assert.Single(await planner.PlanAsync(Episode("ep-000042", IncidentCategory.TrafficDriven, "api", 0.9, onset: T0.AddHours(1)), T0, default));

        Assert.Equal(before.IdempotencyKey, afterRestart.IdempotencyKey);
        Assert.NotEqual(before.IdempotencyKey, otherIncident.IdempotencyKey);
    }

    [Fact]
    public async Task PlanAsync_RuleWithFor_ProposesOnlyOnceTheIncidentHeldThatLong()
    {
        var planner = Planner(new RemediationRule { Action = "scale-out", For = TimeSpan.FromMinutes(5) });
        var firing = new StateTransition(T0, EpisodeState.Pending, EpisodeState.Firing, "active for 1 min");
        var episode = Episode("ep-1", IncidentCategory.TrafficDriven, "api", 0.9, onset: T0.AddMinutes(-1)) with { Transitions = [firing] };

        var early = await planner.PlanAsync(episode, T0.AddMinutes(4), default);
        var held = await planner.PlanAsync(episode, T0.AddMinutes(5), default);
        var over = await planner.PlanAsync(episode with { Members = [episode.Members[0] with { IsActive = false }] }, T0.AddMinutes(6), default);
        var pending = await planner.PlanAsync(episode with { State = EpisodeState.Pending }, T0.AddMinutes(6), default);

        Assert.Empty(early);
        Assert.Single(held);
        Assert.Empty(over); // the incident is over: nothing is proposed for it any more
        Assert.Empty(pending);
    }

    [Fact]
    public void Validate_RuleForOutOfRange_NamesTheRule()
    {
        var options = new RemediationOptions { Rules = [new RemediationRule { Action = "scale-out", For = TimeSpan.FromDays(2) }] };

        var errors = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ToList();

        Assert.Contains(errors, e => e.MemberNames.Contains("Rules:0:For"));
    }

    private static RuleBasedRemediationPlanner Planner(params RemediationRule[] rules)
    {
        var options = new RemediationOptions();
        foreach (var rule in rules)
        {
            options.Rules.Add(rule);
        }

        return new RuleBasedRemediationPlanner(Options.Create(options), new ActionRegistry([new SimulatedAction("scale-out"), new SimulatedAction("flag-off"), new SimulatedAction("rollback", RiskClass.High)]));
    }

    private static Episode Episode(string id, IncidentCategory category, string entity, double score, DateTimeOffset? onset = null)
    {
        var labels = new Dictionary<string, string> { ["service"] = entity, ["alertname"] = "HighRequestRate" };
        var alert = new AlertSignal("fp-" + entity, "HighRequestRate", onset ?? T0.AddMinutes(-2), labels, AlertStatus.Firing, null, "warning", new Dictionary<string, string>());
        var member = new EpisodeMember(alert, entity, T0, T0, 0, 1, IsActive: true);
        var analysis = new RootCauseAnalysis(category, "traffic rose first on " + entity, [new RootCauseHypothesis(entity, score, [])]);
        return new Episode(id, EpisodeState.Firing, T0, T0, [entity], [member], [], [], 1, analysis);
    }
}
