using System.Diagnostics.Metrics;

namespace Aiops.Gates;

/// <summary>
/// The instruments of the gate pipeline, the decision engine, the approval queue and the executor. Meter name:
/// <see cref="MeterName"/>. Tags carry only configured names (gates, registered actions) and fixed words, so their
/// cardinality stays bounded. Thread-safe.
/// </summary>
public sealed class GatesTelemetry
{
    /// <summary>The name of the meter: <c>Aiops.Gates</c>.</summary>
    public const string MeterName = "Aiops.Gates";

    /// <summary>The <c>action</c> tag of an execution whose action is not registered (keeps the tag's cardinality bounded).</summary>
    internal const string UnregisteredAction = "(unregistered)";

    private readonly Counter<long> _evaluations;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _decisions;
    private readonly Histogram<double> _decisionDuration;
    private readonly Counter<long> _approvals;
    private readonly Counter<long> _executions;
    private readonly UpDownCounter<long> _running;
    private readonly Histogram<double> _executionDuration;

    /// <summary>Initializes a new instance of the <see cref="GatesTelemetry"/> class from a host's meter factory.</summary>
    /// <param name="meterFactory">The factory that owns the meter's lifetime.</param>
    /// <exception cref="ArgumentNullException"><paramref name="meterFactory"/> is <see langword="null"/>.</exception>
    public GatesTelemetry(IMeterFactory meterFactory)
        : this(CreateMeter(meterFactory))
    {
    }

    private GatesTelemetry(Meter meter)
    {
        _evaluations = meter.CreateCounter<long>("aiops.gates.evaluations", "{evaluation}", "Gate evaluations, by gate and verdict (allow, require_approval, deny).");
        _failures = meter.CreateCounter<long>("aiops.gates.failures", "{failure}", "Gates that failed closed, by gate and kind (exception, timeout, invalid_result).");
        _decisions = meter.CreateCounter<long>("aiops.gates.decisions", "{decision}", "Decisions, by final verdict and outcome (decided, duplicate, invalid).");
        _decisionDuration = meter.CreateHistogram<double>("aiops.gates.decision.duration", "s", "Time to decide a proposal: every gate plus the durable audit append.");
        _approvals = meter.CreateCounter<long>("aiops.gates.approvals", "{approval}", "Approval requests and answers, by outcome (requested, approved, rejected, expired, refused).");
        _executions = meter.CreateCounter<long>("aiops.gates.executions", "{execution}", "Execution attempts, by action and status (succeeded, failed, timed_out, denied, awaiting_approval, rejected, approval_expired, duplicate, dry_run, unknown_action).");
        _running = meter.CreateUpDownCounter<long>("aiops.gates.executions.running", "{execution}", "Actions running now.");
        _executionDuration = meter.CreateHistogram<double>("aiops.gates.execution.duration", "s", "How long actions that ran took, by action and status.");
    }

    /// <summary>Gets the instance used when none is configured; its meter is static and never disposed.</summary>
    public static GatesTelemetry Shared { get; } = new(new Meter(MeterName));

    internal void Evaluation(string gate, GateVerdict verdict)
    {
        if (_evaluations.Enabled)
        {
            _evaluations.Add(1, new KeyValuePair<string, object?>("gate", gate), new KeyValuePair<string, object?>("verdict", VerdictTag(verdict)));
        }
    }

    internal void Failure(string gate, string kind) =>
        _failures.Add(1, new KeyValuePair<string, object?>("gate", gate), new KeyValuePair<string, object?>("kind", kind));

    internal void Decision(GateVerdict verdict, string outcome, TimeSpan elapsed)
    {
        if (_decisions.Enabled)
        {
            _decisions.Add(1, new KeyValuePair<string, object?>("verdict", VerdictTag(verdict)), new KeyValuePair<string, object?>("outcome", outcome));
        }

        if (_decisionDuration.Enabled)
        {
            _decisionDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    internal void Approval(string outcome) => _approvals.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    internal void Execution(string action, ExecutionStatus status) =>
        _executions.Add(1, new KeyValuePair<string, object?>("action", action), new KeyValuePair<string, object?>("status", StatusTag(status)));

    internal void ExecutionDuration(string action, ExecutionStatus status, TimeSpan elapsed)
    {
        if (_executionDuration.Enabled)
        {
            _executionDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("action", action), new KeyValuePair<string, object?>("status", StatusTag(status)));
        }
    }

    internal void Running(int delta) => _running.Add(delta);

    internal static string VerdictTag(GateVerdict verdict) => verdict switch
    {
        GateVerdict.Allow => "allow",
        GateVerdict.RequireApproval => "require_approval",
        _ => "deny",
    };

    internal static string StatusTag(ExecutionStatus status) => status switch
    {
        ExecutionStatus.Succeeded => "succeeded",
        ExecutionStatus.Failed => "failed",
        ExecutionStatus.TimedOut => "timed_out",
        ExecutionStatus.Denied => "denied",
        ExecutionStatus.AwaitingApproval => "awaiting_approval",
        ExecutionStatus.Rejected => "rejected",
        ExecutionStatus.ApprovalExpired => "approval_expired",
        ExecutionStatus.Duplicate => "duplicate",
        ExecutionStatus.DryRun => "dry_run",
        _ => "unknown_action",
    };

    private static Meter CreateMeter(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        return meterFactory.Create(MeterName);
    }
}
