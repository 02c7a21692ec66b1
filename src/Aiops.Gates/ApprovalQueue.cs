using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using Aiops.Gates.Internal;
using Microsoft.Extensions.Logging;

namespace Aiops.Gates;

/// <summary>
/// Decisions that require a person: each waits until <see cref="Decision.DecidedAt"/> +
/// <see cref="ApprovalQueueOptions.ApprovalTimeout"/> for <see cref="ApproveAsync"/> or <see cref="RejectAsync"/>. An
/// answer is appended to the audit log (durably) before it counts; an answer after the expiry is refused, and an approval
/// that never came counts as a deny (<see cref="ApprovalState.Expired"/>).
/// </summary>
/// <remarks>
/// The <see cref="DecisionEngine"/> submits its require-approval decisions here (not dry-run ones: those never run) and
/// restores the queue from the audit log. Answers are first-wins: concurrent answers for one decision record one.
/// Thread-safe: state changes take one lock; the durable append happens outside it.
/// </remarks>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "It is the queue of decisions waiting for a person; the name is the domain's.")]
public sealed class ApprovalQueue
{
    private readonly Lock _gate = new();
    private readonly IAuditLog _audit;
    private readonly ApprovalQueueOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly GatesTelemetry _telemetry;
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Queue<Entry> _order = new();

    /// <summary>Initializes a new instance of the <see cref="ApprovalQueue"/> class.</summary>
    /// <param name="auditLog">Where answers are recorded.</param>
    /// <param name="options">The options; <see langword="null"/> uses the defaults.</param>
    /// <param name="timeProvider">The clock for expiries and answer times; <see langword="null"/> uses <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Where requests and answers are logged; <see langword="null"/> logs nothing.</param>
    /// <exception cref="ArgumentNullException"><paramref name="auditLog"/> is <see langword="null"/>.</exception>
    /// <exception cref="ValidationException">An option is out of range.</exception>
    public ApprovalQueue(IAuditLog auditLog, ApprovalQueueOptions? options = null, TimeProvider? timeProvider = null, ILogger<ApprovalQueue>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(auditLog);
        _audit = auditLog;
        _options = options ?? new ApprovalQueueOptions();
        Aiops.Detection.Internal.OptionsValidator.ThrowIfInvalid(_options);
        _time = timeProvider ?? TimeProvider.System;
        _logger = NonThrowingLogger.Wrap(logger);
        _telemetry = _options.Telemetry ?? GatesTelemetry.Shared;
    }

    /// <summary>Gets how long a decision waits for an answer.</summary>
    public TimeSpan ApprovalTimeout => _options.ApprovalTimeout;

    /// <summary>Lists the decisions waiting for an answer now (not answered, not expired), oldest first.</summary>
    /// <returns>The pending approvals.</returns>
    public IReadOnlyList<PendingApproval> ListPending()
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            var pending = new List<PendingApproval>();
            foreach (var entry in _order)
            {
                if (StateOf(entry, now) == ApprovalState.Pending)
                {
                    pending.Add(new PendingApproval(entry.Decision, entry.ExpiresAt));
                }
            }

            return pending;
        }
    }

    /// <summary>Gets where a decision's approval stands now.</summary>
    /// <param name="decisionId">The decision.</param>
    /// <returns>Its state; <see cref="ApprovalState.None"/> when no decision awaits approval under the id.</returns>
    public ApprovalState GetState(string decisionId) => GetState(decisionId, out _);

    /// <summary>Gets where a decision's approval stands now, and the answer when there is one.</summary>
    /// <param name="decisionId">The decision.</param>
    /// <param name="answer">The recorded answer, when approved or rejected.</param>
    /// <returns>Its state; <see cref="ApprovalState.None"/> when no decision awaits approval under the id.</returns>
    public ApprovalState GetState(string decisionId, out ApprovalRecord? answer)
    {
        ArgumentNullException.ThrowIfNull(decisionId);
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (!_entries.TryGetValue(decisionId, out var entry))
            {
                answer = null;
                return ApprovalState.None;
            }

            answer = entry.Answer;
            return StateOf(entry, now);
        }
    }

    /// <summary>Approves a pending decision; the approval is durable before this returns.</summary>
    /// <param name="decisionId">The decision.</param>
    /// <param name="by">Who approves (required).</param>
    /// <param name="why">Why (required).</param>
    /// <param name="cancellationToken">Cancels before the write starts.</param>
    /// <returns>The result: <see cref="ApprovalResultStatus.Approved"/>, or why the approval was refused (expired, already answered, unknown, invalid).</returns>
    /// <remarks>Exceptions of the audit log propagate and the decision stays pending.</remarks>
    public ValueTask<ApprovalResult> ApproveAsync(string decisionId, string by, string why, CancellationToken cancellationToken = default) =>
        AnswerAsync(decisionId, approved: true, by, why, cancellationToken);

    /// <summary>Rejects a pending decision (it will never run); the rejection is durable before this returns.</summary>
    /// <param name="decisionId">The decision.</param>
    /// <param name="by">Who rejects (required).</param>
    /// <param name="why">Why (required).</param>
    /// <param name="cancellationToken">Cancels before the write starts.</param>
    /// <returns>The result: <see cref="ApprovalResultStatus.Rejected"/>, or why the answer was refused (expired, already answered, unknown, invalid).</returns>
    /// <remarks>Exceptions of the audit log propagate and the decision stays pending.</remarks>
    public ValueTask<ApprovalResult> RejectAsync(string decisionId, string by, string why, CancellationToken cancellationToken = default) =>
        AnswerAsync(decisionId, approved: false, by, why, cancellationToken);

    /// <summary>Puts a require-approval decision in the queue (it becomes pending until its expiry).</summary>
    internal void Submit(Decision decision)
    {
        var now = _time.GetUtcNow();
        Entry entry;
        lock (_gate)
        {
            entry = AddCore(decision, now);
        }

        _telemetry.Approval("requested");
        Log.ApprovalRequested(_logger, decision.DecisionId, entry.ExpiresAt);
    }

    /// <summary>Replays a require-approval decision from the audit log.</summary>
    internal void Restore(Decision decision)
    {
        lock (_gate)
        {
            AddCore(decision, _time.GetUtcNow());
        }
    }

    /// <summary>Replays an answer from the audit log; an answer for an unknown decision is ignored.</summary>
    internal void Restore(ApprovalRecord record)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(record.DecisionId, out var entry) && entry.Answer is null)
            {
                entry.Answer = record;
            }
        }
    }

    private async ValueTask<ApprovalResult> AnswerAsync(string decisionId, bool approved, string by, string why, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(decisionId) || string.IsNullOrWhiteSpace(by) || string.IsNullOrWhiteSpace(why))
        {
            return Refused(decisionId ?? string.Empty, by ?? string.Empty, ApprovalResultStatus.Invalid, "a decision id, who answers and why are required", null);
        }

        var now = _time.GetUtcNow();
        Entry? entry;
        lock (_gate)
        {
            if (!_entries.TryGetValue(decisionId, out entry))
            {
                return Refused(decisionId, by, ApprovalResultStatus.NotPending, $"no decision awaits approval under '{decisionId}'", null);
            }

            if (entry.Answer is not null || entry.Answering)
            {
                return Refused(decisionId, by, ApprovalResultStatus.AlreadyAnswered, "the decision was already answered", entry.Answer);
            }

            if (now >= entry.ExpiresAt)
            {
                return Refused(decisionId, by, ApprovalResultStatus.Expired, $"the approval expired at {entry.ExpiresAt:O}; an expired approval is a deny", null);
            }

            entry.Answering = true;
        }

        var record = new ApprovalRecord(decisionId, approved, by, why, now);
        try
        {
            await _audit.AppendAsync(new ApprovalEntry(record), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lock (_gate)
            {
                entry.Answering = false;
            }

            throw;
        }

        lock (_gate)
        {
            entry.Answer = record;
            entry.Answering = false;
        }

        var outcome = approved ? "approved" : "rejected";
        _telemetry.Approval(outcome);
        Log.ApprovalAnswered(_logger, decisionId, outcome, by, why);
        return new ApprovalResult(approved ? ApprovalResultStatus.Approved : ApprovalResultStatus.Rejected, record, $"decision {decisionId} {outcome} by {by}");
    }

    private ApprovalResult Refused(string decisionId, string by, ApprovalResultStatus status, string message, ApprovalRecord? record)
    {
        _telemetry.Approval(status == ApprovalResultStatus.Expired ? "expired" : "refused");
        Log.ApprovalRefused(_logger, decisionId, by, message);
        return new ApprovalResult(status, record, message);
    }

    private static ApprovalState StateOf(Entry entry, DateTimeOffset now) => entry.Answer switch
    {
        { Approved: true } => ApprovalState.Approved,
        { Approved: false } => ApprovalState.Rejected,
        null when entry.Answering || now < entry.ExpiresAt => ApprovalState.Pending,
        _ => ApprovalState.Expired,
    };

    private Entry AddCore(Decision decision, DateTimeOffset now)
    {
        Prune(now);
        if (_entries.TryGetValue(decision.DecisionId, out var existing))
        {
            return existing;
        }

        var entry = new Entry(decision, decision.DecidedAt + _options.ApprovalTimeout);
        _entries.Add(decision.DecisionId, entry);
        _order.Enqueue(entry);
        return entry;
    }

    private void Prune(DateTimeOffset now)
    {
        while (_order.TryPeek(out var oldest) && !oldest.Answering && now - oldest.ExpiresAt >= _options.Retention)
        {
            _order.Dequeue();
            _entries.Remove(oldest.Decision.DecisionId);
        }
    }

    private sealed class Entry(Decision decision, DateTimeOffset expiresAt)
    {
        public Decision Decision { get; } = decision;

        public DateTimeOffset ExpiresAt { get; } = expiresAt;

        public ApprovalRecord? Answer { get; set; }

        public bool Answering { get; set; }
    }
}

/// <summary>A decision waiting for a person.</summary>
/// <param name="Decision">The decision (verdict <see cref="GateVerdict.RequireApproval"/>).</param>
/// <param name="ExpiresAt">When it stops accepting answers and counts as denied.</param>
public sealed record PendingApproval(Decision Decision, DateTimeOffset ExpiresAt);

/// <summary>Where a decision's approval stands.</summary>
public enum ApprovalState
{
    /// <summary>No decision awaits approval under the id (unknown, not requiring approval, dry run, or forgotten after the retention).</summary>
    None = 0,

    /// <summary>Waiting for an answer, before its expiry.</summary>
    Pending = 1,

    /// <summary>A person approved it before it expired.</summary>
    Approved = 2,

    /// <summary>A person rejected it.</summary>
    Rejected = 3,

    /// <summary>No answer came before the expiry: it counts as a deny.</summary>
    Expired = 4,
}

/// <summary>What became of an answer (approve or reject).</summary>
/// <param name="Status">The outcome.</param>
/// <param name="Record">The recorded answer (when accepted, or the earlier one when already answered); otherwise <see langword="null"/>.</param>
/// <param name="Message">The outcome in words.</param>
public readonly record struct ApprovalResult(ApprovalResultStatus Status, ApprovalRecord? Record, string Message)
{
    /// <summary>Gets a value indicating whether the answer was recorded.</summary>
    public bool Accepted => Status is ApprovalResultStatus.Approved or ApprovalResultStatus.Rejected;
}

/// <summary>Outcomes of an answer to a pending approval.</summary>
public enum ApprovalResultStatus
{
    /// <summary>Approved and recorded: the executor may run the decision.</summary>
    Approved = 0,

    /// <summary>Rejected and recorded: the decision will never run.</summary>
    Rejected = 1,

    /// <summary>Refused: the approval had expired (the decision counts as denied).</summary>
    Expired = 2,

    /// <summary>Refused: the decision was already approved or rejected (first answer wins).</summary>
    AlreadyAnswered = 3,

    /// <summary>Refused: no decision awaits approval under the id.</summary>
    NotPending = 4,

    /// <summary>Refused: the decision id, who or why was missing.</summary>
    Invalid = 5,
}

/// <summary>Options of <see cref="ApprovalQueue"/>. Read once when the queue is created.</summary>
public sealed class ApprovalQueueOptions
{
    /// <summary>
    /// Gets or sets how long after the decision a person may answer; later, the decision counts as denied.
    /// Default: 15 minutes. Range: [1 second, 7 days].
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan ApprovalTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Gets or sets how long after its expiry an approval (answered or not) is remembered; afterwards it reads as
    /// <see cref="ApprovalState.None"/>, which the executor treats as expired. Default: 24 hours. Range: [1 minute, 30 days].
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Gets or sets where the queue counts requests and answers. Default: <see langword="null"/> (<see cref="GatesTelemetry.Shared"/>).</summary>
    public GatesTelemetry? Telemetry { get; set; }
}
