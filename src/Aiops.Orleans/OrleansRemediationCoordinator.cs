using System.Text.Json;
using Aiops.Gates;
using Aiops.Gates.Internal;
using Aiops.Gates.Serialization;
using Aiops.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Aiops.Orleans;

/// <summary>
/// The clustered <see cref="IRemediationCoordinator"/>: each idempotency key is decided by its <see cref="IDecisionGrain"/>,
/// and an allowed decision runs here only after the grain admitted it (claimed the key and recorded the start in the
/// cluster's history). The outcome goes to the grain and to this host's audit log. Invalid proposals (no key) are denied by
/// this host's engine, as in single-process mode. Thread-safe.
/// </summary>
internal sealed partial class OrleansRemediationCoordinator(
    IGrainFactory grains,
    DecisionEngine engine,
    IOptions<AiopsOrleansOptions> options,
    TimeProvider time,
    ILogger<OrleansRemediationCoordinator> logger) : IRemediationCoordinator
{
    private readonly ILogger _logger = NonThrowingLogger.Wrap(logger);

    private readonly TimeSpan _actionTimeout = options.Value.ActionTimeout;

    public async ValueTask<Decision> DecideAsync(RemediationProposal proposal, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(proposal?.IdempotencyKey))
        {
            return await engine.DecideAsync(proposal, cancellationToken).ConfigureAwait(false);
        }

        var json = await grains.GetGrain<IDecisionGrain>(proposal.IdempotencyKey)
            .DecideAsync(JsonSerializer.Serialize(proposal, GatesJson.RemediationProposal))
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Deserialize(json, GatesJson.Decision)!;
    }

    public async ValueTask<ExecutionRecord> ExecuteAsync(Decision decision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var proposal = decision.Proposal;
        if (!engine.Actions.TryGet(proposal.ActionId, out var action))
        {
            return await RecordAsync(decision, ExecutionStatus.UnknownAction, time.GetUtcNow(), $"no action is registered under '{proposal.ActionId}'").ConfigureAwait(false);
        }

        if (action.Risk > proposal.Risk)
        {
            // The gates judged the action registered then; the one registered now declares more risk.
            return await RecordAsync(decision, ExecutionStatus.Denied, time.GetUtcNow(), $"the action registered under '{proposal.ActionId}' now declares risk {action.Risk}, above the {proposal.Risk} the gates judged: propose it again").ConfigureAwait(false);
        }

        // The grain admits only the decision it recorded, compared field by field as JSON; the action then receives that JSON's
        // decision, so what runs is what the cluster recorded (and approved), whatever the caller's instance holds.
        var grain = grains.GetGrain<IDecisionGrain>(proposal.IdempotencyKey);
        var json = JsonSerializer.Serialize(decision, GatesJson.Decision);

        // A token that has fired (the host's shutdown timeout) starts nothing, as in single-process mode: an admission would
        // claim the key for an action started after the stage stopped waiting for its record.
        cancellationToken.ThrowIfCancellationRequested();
        var admission = await AdmitAsync(grain, json, decision.DecisionId).ConfigureAwait(false);
        if (!admission.Admitted)
        {
            return await RecordAsync(decision, (ExecutionStatus)admission.Status, admission.At, admission.Detail).ConfigureAwait(false);
        }

        decision = JsonSerializer.Deserialize(json, GatesJson.Decision)!;

        ExecutionStatus status;
        string detail;
        using (var timeout = new CancellationTokenSource(_actionTimeout, time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
        {
            try
            {
                var outcome = await action.ExecuteAsync(decision, linked.Token).AsTask().WaitAsync(linked.Token).ConfigureAwait(false);
                (status, detail) = (outcome.Succeeded ? ExecutionStatus.Succeeded : ExecutionStatus.Failed, outcome.Detail ?? string.Empty);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                (status, detail) = (ExecutionStatus.TimedOut, $"the action did not finish within {_actionTimeout}");
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                (status, detail) = (ExecutionStatus.Failed, $"the action threw {ex.GetType().Name}: {ex.Message}");
            }
        }

        var record = new ExecutionRecord(decision.DecisionId, proposal.ActionId, proposal.IdempotencyKey, status, admission.At, time.GetUtcNow(), detail);
        try
        {
            await grain.RecordOutcomeAsync(JsonSerializer.Serialize<AuditEntry>(new ExecutionEntry(record), GatesJson.AuditEntry)).ConfigureAwait(false);
        }
        finally
        {
            // It ran: this host's log records the outcome even when the grain could not (the stage's next try is a duplicate).
            await engine.AuditLog.AppendAsync(new ExecutionEntry(record), CancellationToken.None).ConfigureAwait(false);
        }

        Executed(_logger, decision.DecisionId, proposal.ActionId, status, detail);
        return record;
    }

    /// <summary>
    /// Asks the key's grain to admit the execution, again after a failed call (the grain's silo died and the cluster has not
    /// yet moved it, or the reply timed out): a refusal is an answer, a failure is not. Admission is one step in the grain, so
    /// asking twice never admits twice. Every ask of one execution carries the same claim token: when an earlier ask claimed
    /// the key and only its reply was lost, the grain admits this execution again (and no other). A claim whose execution
    /// gave up before hearing of it (every ask failed, or this replica died) stays claimed and the action does not run (at
    /// most once wins over at least once). When every ask fails the exception propagates; the remediation stage offers the
    /// decision again later, as a new execution (admitted if nothing claimed the key, a duplicate otherwise).
    /// </summary>
    private async Task<Admission> AdmitAsync(IDecisionGrain grain, string decisionJson, string decisionId)
    {
        var token = Guid.NewGuid().ToString("N");
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await grain.AdmitAsync(decisionJson, token).ConfigureAwait(false);
            }
            catch (Exception ex) when (attempt < AdmitAttempts && ex is not OutOfMemoryException)
            {
                AdmitRetried(_logger, ex, decisionId, attempt);
                await Task.Delay(TimeSpan.FromSeconds(attempt), time).ConfigureAwait(false);
            }
        }
    }

    /// <summary>How many times an admission is asked for when the call fails.</summary>
    private const int AdmitAttempts = 3;

    private async ValueTask<ExecutionRecord> RecordAsync(Decision decision, ExecutionStatus status, DateTimeOffset at, string detail)
    {
        var record = new ExecutionRecord(decision.DecisionId, decision.Proposal.ActionId, decision.Proposal.IdempotencyKey, status, at, at, detail);
        await engine.AuditLog.AppendAsync(new ExecutionEntry(record), CancellationToken.None).ConfigureAwait(false);
        await ClusterAudit.AppendAsync(grains, at, JsonSerializer.Serialize<AuditEntry>(new ExecutionEntry(record), GatesJson.AuditEntry)).ConfigureAwait(false);
        return record;
    }

    [LoggerMessage(EventId = 5201, Level = LogLevel.Warning, Message = "Asking the cluster to admit decision {DecisionId} failed (attempt {Attempt}); asking again")]
    private static partial void AdmitRetried(ILogger logger, Exception exception, string decisionId, int attempt);

    [LoggerMessage(EventId = 5200, Level = LogLevel.Information, Message = "Cluster decision {DecisionId} ({ActionId}) ran here: {Status}: {Detail}")]
    private static partial void Executed(ILogger logger, string decisionId, string actionId, ExecutionStatus status, string detail);
}
