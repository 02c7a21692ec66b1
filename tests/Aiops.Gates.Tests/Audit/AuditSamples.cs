using System.Text.Json;
using Aiops.Gates.Serialization;

namespace Aiops.Gates.Tests.Audit;

/// <summary>Audit entries of every type, with every optional part filled in or left out, for the audit log and JSON tests.</summary>
internal static class AuditSamples
{
    public static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.FromHours(2));

    public static RemediationProposal Proposal(string episodeId = "ep-1", RiskClass risk = RiskClass.Medium) =>
        new("restart-pod", ["checkout-1", "checkout-2"], risk, episodeId, 0.87, $"{episodeId}/restart-pod", T0)
        {
            Evidence = ["p99 latency 4.2x baseline", "deploy checkout@v2.3.1 12 minutes earlier"],
            Labels = new Dictionary<string, string> { ["service"] = "checkout", ["alertname"] = "HighLatency", ["Team-Name"] = "Payments" },
            FleetSize = 12,
        };

    public static DecisionEntry Decision(string decisionId, RiskClass risk = RiskClass.Medium) =>
        new(new Decision(
            decisionId,
            Proposal("ep-" + decisionId, risk),
            [
                new GateEvaluation("confidence", GateVerdict.Allow, "0.87 >= 0.8", new Dictionary<string, string> { ["threshold"] = "0.8", ["observed"] = "0.87" }, TimeSpan.FromTicks(12_345)),
                new GateEvaluation("risk-ceiling", GateVerdict.RequireApproval, "high risk needs a person", null, TimeSpan.FromMilliseconds(1.5)),
                new GateEvaluation("change-freeze", GateVerdict.Deny, "gate timed out", null, TimeSpan.FromSeconds(2), "TimeoutException: The gate exceeded 00:00:02."),
            ],
            GateVerdict.Deny,
            T0.AddSeconds(1),
            DryRun: true));

    /// <summary>A decision whose proposal keeps every default (no evidence, no labels, unknown fleet) and whose gates allowed it.</summary>
    public static DecisionEntry MinimalDecision(string decisionId) =>
        new(new Decision(
            decisionId,
            new RemediationProposal("flush-cache", ["cache-1"], RiskClass.Low, "ep-9", 1.0, "k-9", T0),
            [],
            GateVerdict.Allow,
            T0,
            DryRun: false));

    public static ApprovalEntry Approval(string decisionId) =>
        new(new ApprovalRecord(decisionId, Approved: true, "alice@example.com", "checked the dashboard \"checkout\"\nlooks safe", T0.AddMinutes(3)));

    public static ExecutionEntry Execution(string decisionId, ExecutionStatus status = ExecutionStatus.AwaitingApproval) =>
        new(new ExecutionRecord(decisionId, "restart-pod", $"ep-{decisionId}/restart-pod", status, T0.AddMinutes(4), T0.AddMinutes(4).AddSeconds(2), "simulated: would restart checkout-1, checkout-2"));

    /// <summary>One entry of every type and shape.</summary>
    public static IReadOnlyList<AuditEntry> EveryType() =>
    [
        Decision("dec-1"),
        MinimalDecision("dec-2"),
        Approval("dec-1"),
        Execution("dec-1", ExecutionStatus.Succeeded),
        Execution("dec-2", ExecutionStatus.ApprovalExpired),
    ];

    /// <summary>The entry as the log writes it, for structural comparison (records hold lists, which compare by reference).</summary>
    public static string Json(AuditEntry entry) => JsonSerializer.Serialize(entry, GatesJson.AuditEntry);

    /// <summary>The decision id of any entry.</summary>
    public static string DecisionId(AuditEntry entry) => entry switch
    {
        DecisionEntry d => d.Decision.DecisionId,
        ApprovalEntry a => a.Approval.DecisionId,
        ExecutionEntry e => e.Execution.DecisionId,
        _ => throw new ArgumentOutOfRangeException(nameof(entry)),
    };
}
