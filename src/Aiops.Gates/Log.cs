using Microsoft.Extensions.Logging;

namespace Aiops.Gates;

/// <summary>The log messages of the gates package (source-generated). Event ids: 1xx pipeline, 2xx engine, 3xx approvals, 4xx executor.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "Gate {Gate} failed closed ({Kind}) for proposal {IdempotencyKey}: {Failure}")]
    public static partial void GateFailed(ILogger logger, string gate, string kind, string idempotencyKey, string failure, Exception? exception);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "No gates are configured: proposal {IdempotencyKey} requires approval")]
    public static partial void NoGatesConfigured(ILogger logger, string idempotencyKey);

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Decision {DecisionId}: {Verdict} for action {ActionId} on {TargetCount} target(s) (key {IdempotencyKey}, dry run {DryRun}); decisive gates: {DecisiveGates}")]
    public static partial void DecisionMade(ILogger logger, string decisionId, GateVerdict verdict, string actionId, int targetCount, string idempotencyKey, bool dryRun, string decisiveGates);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Proposal with key {IdempotencyKey} is a duplicate of decision {DecisionId} made at {DecidedAt}: no new evaluation")]
    public static partial void DuplicateProposal(ILogger logger, string idempotencyKey, string decisionId, DateTimeOffset decidedAt);

    [LoggerMessage(EventId = 202, Level = LogLevel.Warning, Message = "Proposal rejected as invalid (decision {DecisionId}): {Reason}")]
    public static partial void InvalidProposal(ILogger logger, string decisionId, string reason);

    [LoggerMessage(EventId = 203, Level = LogLevel.Information, Message = "Proposal {IdempotencyKey}: risk raised from {Proposed} to the declared risk {Declared} of action {ActionId}")]
    public static partial void RiskRaised(ILogger logger, string idempotencyKey, RiskClass proposed, RiskClass declared, string actionId);

    [LoggerMessage(EventId = 204, Level = LogLevel.Information, Message = "Restored {Decisions} decision(s), {Approvals} approval(s) and {Executions} execution(s) from the audit log; {Interrupted} allowed decision(s) without an outcome will not run (at most once)")]
    public static partial void Restored(ILogger logger, int decisions, int approvals, int executions, int interrupted);

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Decision {DecisionId} awaits approval until {ExpiresAt}")]
    public static partial void ApprovalRequested(ILogger logger, string decisionId, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Decision {DecisionId} {Outcome} by {By}: {Why}")]
    public static partial void ApprovalAnswered(ILogger logger, string decisionId, string outcome, string by, string why);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Approval answer for decision {DecisionId} by {By} refused: {Reason}")]
    public static partial void ApprovalRefused(ILogger logger, string decisionId, string by, string reason);

    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Executing decision {DecisionId}: action {ActionId} on {TargetCount} target(s) (key {IdempotencyKey})")]
    public static partial void ExecutionStarted(ILogger logger, string decisionId, string actionId, int targetCount, string idempotencyKey);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "Decision {DecisionId}: action {ActionId} {Status} in {ElapsedMs} ms: {Detail}")]
    public static partial void ExecutionFinished(ILogger logger, string decisionId, string actionId, ExecutionStatus status, double elapsedMs, string detail);

    [LoggerMessage(EventId = 402, Level = LogLevel.Information, Message = "Decision {DecisionId}: action {ActionId} not run ({Status}): {Detail}")]
    public static partial void ExecutionRefused(ILogger logger, string decisionId, string actionId, ExecutionStatus status, string detail);

    [LoggerMessage(EventId = 403, Level = LogLevel.Error, Message = "Decision {DecisionId}: action {ActionId} threw")]
    public static partial void ActionThrew(ILogger logger, string decisionId, string actionId, Exception exception);

    [LoggerMessage(EventId = 404, Level = LogLevel.Warning, Message = "Decision {DecisionId}: action {ActionId} exceeded its timeout of {Timeout}")]
    public static partial void ActionTimedOut(ILogger logger, string decisionId, string actionId, TimeSpan timeout);
}
