namespace Aiops.Gates.Tests.Properties;

/// <summary>
/// Hand-written reference gates with the semantics the built-in ones document, kept independent of them. Each has a
/// matching offline check in <see cref="GateInvariants"/>.
/// </summary>
internal static class ReferenceGates
{
    public static IGatePolicy[] All(GateConfig c) =>
    [
        new Gate("confidence", x => x.Proposal.Confidence >= c.MinConfidence ? Allow() : GateDecision.Deny("confidence below the threshold")),
        new Gate("risk-ceiling", x => x.Proposal.Risk switch
        {
            RiskClass.Destructive => GateDecision.Deny("destructive: never automatic"),
            RiskClass.High => GateDecision.RequireApproval("high risk: a person approves"),
            _ => Allow(),
        }),
        new Gate("blast-radius", x => x.Proposal.Targets.Count <= c.MaxTargets ? Allow() : GateDecision.Deny("too many targets")),
        new Gate("rate-limit", x => x.History.CountSince(x.Proposal.ActionId, x.Now - c.RateWindow) < c.RateLimit ? Allow() : GateDecision.Deny("rate limit reached")),
        new Gate("cooldown", x => x.Proposal.Targets.All(t => x.History.LastStart(x.Proposal.ActionId, t) is not { } last || x.Now - last >= c.Cooldown)
            ? Allow()
            : GateDecision.Deny("a target is cooling down")),
        new Gate("change-freeze", x => x.Now >= c.FreezeFrom && x.Now < c.FreezeTo ? GateDecision.Deny("change freeze") : Allow()),
    ];

    private static GateDecision Allow() => GateDecision.Allow("ok");

    private sealed class Gate(string name, Func<GateContext, GateDecision> judge) : IGatePolicy
    {
        public string Name { get; } = name;

        public ValueTask<GateDecision> EvaluateAsync(GateContext context, CancellationToken cancellationToken) => ValueTask.FromResult(judge(context));
    }
}

/// <summary>The configured limits the reference gates enforce.</summary>
internal sealed record GateConfig(
    double MinConfidence,
    int MaxTargets,
    int RateLimit,
    TimeSpan RateWindow,
    TimeSpan Cooldown,
    DateTimeOffset FreezeFrom,
    DateTimeOffset FreezeTo,
    TimeSpan ApprovalTimeout);

/// <summary>Checks an audit log offline: every execution that ran must satisfy every configured gate at its start.</summary>
internal static class GateInvariants
{
    /// <returns>The violations, empty when none.</returns>
    public static List<string> Check(IReadOnlyList<AuditEntry> log, GateConfig c)
    {
        var violations = new List<string>();
        var decisions = log.OfType<DecisionEntry>().Select(e => e.Decision).ToDictionary(d => d.DecisionId);
        var approvals = log.OfType<ApprovalEntry>().Select(e => e.Approval).ToLookup(a => a.DecisionId);
        var ran = log.OfType<ExecutionEntry>().Select(e => e.Execution).Where(e => DecisionEngine.Ran(e.Status)).ToList();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < ran.Count; i++)
        {
            var e = ran[i];
            var t = e.StartedAt;
            if (!decisions.TryGetValue(e.DecisionId, out var d))
            {
                violations.Add($"{e.DecisionId}: executed without a recorded decision");
                continue;
            }

            var p = d.Proposal;
            var approved = approvals[d.DecisionId].Any(a => a.Approved && a.At < d.DecidedAt + c.ApprovalTimeout);
            if (!keys.Add(e.IdempotencyKey))
            {
                violations.Add($"{e.DecisionId}: key {e.IdempotencyKey} executed twice");
            }

            if (d.DryRun || !(d.Verdict == GateVerdict.Allow || (d.Verdict == GateVerdict.RequireApproval && approved)))
            {
                violations.Add($"{e.DecisionId}: executed a {d.Verdict} decision (dry run {d.DryRun}, approved {approved})");
            }

            if (p.Confidence < c.MinConfidence)
            {
                violations.Add($"{e.DecisionId}: confidence {p.Confidence} below {c.MinConfidence}");
            }

            if (p.Risk == RiskClass.Destructive || (p.Risk == RiskClass.High && !approved))
            {
                violations.Add($"{e.DecisionId}: risk {p.Risk} executed (approved {approved})");
            }

            if (p.Targets.Count > c.MaxTargets)
            {
                violations.Add($"{e.DecisionId}: {p.Targets.Count} targets > {c.MaxTargets}");
            }

            if (t >= c.FreezeFrom && t < c.FreezeTo)
            {
                violations.Add($"{e.DecisionId}: started at {t:O} inside the freeze");
            }

            var before = ran.Take(i).Where(x => x.ActionId == e.ActionId).ToList();
            var inWindow = before.Count(x => x.StartedAt >= t - c.RateWindow);
            if (inWindow >= c.RateLimit)
            {
                violations.Add($"{e.DecisionId}: {inWindow} earlier runs of {e.ActionId} within {c.RateWindow} (limit {c.RateLimit})");
            }

            foreach (var earlier in before.Where(x => x.StartedAt > t - c.Cooldown))
            {
                var shared = decisions[earlier.DecisionId].Proposal.Targets.Intersect(p.Targets).ToList();
                if (shared.Count > 0)
                {
                    violations.Add($"{e.DecisionId}: {string.Join(",", shared)} ran {e.ActionId} at {earlier.StartedAt:O}, within the cooldown of {t:O}");
                }
            }
        }

        return violations;
    }
}
