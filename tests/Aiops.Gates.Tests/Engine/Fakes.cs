using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Aiops.Gates.Tests.Engine;

/// <summary>Hand-written fakes for the engine tests. They mimic the built-in gates without depending on them.</summary>
internal static class Fakes
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    public static RemediationProposal Proposal(
        string action = "restart",
        string[]? targets = null,
        RiskClass risk = RiskClass.Low,
        double confidence = 0.9,
        string key = "am-group-1/restart",
        DateTimeOffset? at = null) =>
        new(action, targets ?? ["api-7f9c"], risk, "ep-1", confidence, key, at ?? T0);
}

/// <summary>A gate with a fixed or computed verdict that counts its calls.</summary>
internal sealed class FakeGate(string name, Func<GateContext, GateDecision> judge) : IGatePolicy
{
    private int _calls;

    public FakeGate(string name, GateVerdict verdict)
        : this(name, _ => verdict switch
        {
            GateVerdict.Allow => GateDecision.Allow("fine"),
            GateVerdict.RequireApproval => GateDecision.RequireApproval("ask a person"),
            _ => GateDecision.Deny("no"),
        })
    {
    }

    public string Name { get; } = name;

    public int Calls => Volatile.Read(ref _calls);

    public ValueTask<GateDecision> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        return ValueTask.FromResult(judge(context));
    }
}

/// <summary>A gate that throws.</summary>
internal sealed class ThrowingGate(string name) : IGatePolicy
{
    public string Name { get; } = name;

    public ValueTask<GateDecision> EvaluateAsync(GateContext context, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("boom");
}

/// <summary>A gate that never answers but honours its token.</summary>
internal sealed class HangingGate(string name) : IGatePolicy
{
    public string Name { get; } = name;

    public async ValueTask<GateDecision> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return GateDecision.Allow("unreachable");
    }
}

/// <summary>A gate that never answers and ignores its token.</summary>
internal sealed class DeafGate(string name) : IGatePolicy
{
    private readonly TaskCompletionSource<GateDecision> _never = new();

    public string Name { get; } = name;

    public ValueTask<GateDecision> EvaluateAsync(GateContext context, CancellationToken cancellationToken) => new(_never.Task);
}

/// <summary>Mimics the confidence gate: below the threshold → deny.</summary>
internal sealed class MinConfidenceGate(double min) : IGatePolicy
{
    public string Name => "confidence";

    public ValueTask<GateDecision> EvaluateAsync(GateContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(context.Proposal.Confidence >= min
            ? GateDecision.Allow($"confidence {context.Proposal.Confidence} >= {min}")
            : GateDecision.Deny($"confidence {context.Proposal.Confidence} < {min}"));
}

/// <summary>Mimics the risk ceiling: high → a person approves, destructive → never automatic.</summary>
internal sealed class RiskCeilingFake : IGatePolicy
{
    public string Name => "risk-ceiling";

    public RiskClass? LastSeen { get; private set; }

    public ValueTask<GateDecision> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
    {
        LastSeen = context.Proposal.Risk;
        return ValueTask.FromResult(context.Proposal.Risk switch
        {
            RiskClass.Destructive => GateDecision.Deny("destructive actions are never automatic"),
            RiskClass.High => GateDecision.RequireApproval("high risk needs a person"),
            _ => GateDecision.Allow($"risk {context.Proposal.Risk} within the ceiling"),
        });
    }
}

/// <summary>An audit log that records appends in order and can hold them until released.</summary>
internal sealed class RecordingAuditLog : IAuditLog
{
    private readonly InMemoryAuditLog _inner = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource? _hold;

    public List<string> Events { get; } = [];

    public IReadOnlyList<AuditEntry> Entries => _inner.Entries;

    public bool Fail { get; set; }

    public void Hold() => _hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _hold?.TrySetResult();

    public void Record(string what)
    {
        lock (_gate)
        {
            Events.Add(what);
        }
    }

    public async ValueTask AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        if (Fail)
        {
            throw new IOException("disk full");
        }

        Record("append-start:" + entry.GetType().Name);
        if (_hold is { } hold)
        {
            await hold.Task.WaitAsync(cancellationToken);
        }

        await _inner.AppendAsync(entry, cancellationToken);
        Record("append-durable:" + entry.GetType().Name);
    }

    public IAsyncEnumerable<AuditEntry> ReadAllAsync(CancellationToken cancellationToken = default) => _inner.ReadAllAsync(cancellationToken);
}

/// <summary>An action whose behaviour the test supplies; counts its runs.</summary>
internal sealed class ScriptedAction(string id, RiskClass risk, Func<Decision, CancellationToken, ValueTask<ActionOutcome>> run) : IRemediationAction
{
    private int _runs;

    public ScriptedAction(string id, RiskClass risk = RiskClass.Low)
        : this(id, risk, (d, _) => ValueTask.FromResult(ActionOutcome.Success("done " + d.DecisionId)))
    {
    }

    public string Id { get; } = id;

    public RiskClass Risk { get; } = risk;

    public int Runs => Volatile.Read(ref _runs);

    public ValueTask<ActionOutcome> ExecuteAsync(Decision decision, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _runs);
        return run(decision, cancellationToken);
    }
}

/// <summary>Wires a pipeline, an engine and an executor on a fake clock with per-test telemetry.</summary>
internal sealed class Harness : IDisposable
{
    private readonly TestMeterFactory _meters = new();

    public Harness(
        IEnumerable<IGatePolicy> gates,
        IEnumerable<IRemediationAction>? actions = null,
        IAuditLog? audit = null,
        FakeTimeProvider? time = null,
        bool dryRun = false,
        bool recheck = true,
        TimeSpan? actionTimeout = null,
        bool brokenLogger = false)
    {
        Time = time ?? new FakeTimeProvider(Fakes.T0);
        Telemetry = new GatesTelemetry(_meters);
        Audit = audit ?? new InMemoryAuditLog();
        Registry = new ActionRegistry(actions ?? [new ScriptedAction("restart")]);
        Pipeline = new GatePipeline(gates, new GatePipelineOptions { Telemetry = Telemetry }, Time, Logger<GatePipeline>(brokenLogger));
        Approvals = new ApprovalQueue(Audit, new ApprovalQueueOptions { Telemetry = Telemetry }, Time, Logger<ApprovalQueue>(brokenLogger));
        Engine = new DecisionEngine(Pipeline, Audit, Registry, new ExecutionHistory(timeProvider: Time), Approvals, new DecisionEngineOptions { DryRun = dryRun, Telemetry = Telemetry }, Time, Logger<DecisionEngine>(brokenLogger));
        Executor = new RemediationExecutor(Engine, new RemediationExecutorOptions { Telemetry = Telemetry, RecheckGates = recheck, ActionTimeout = actionTimeout ?? TimeSpan.FromSeconds(30) }, Time, Logger<RemediationExecutor>(brokenLogger));
    }

    public FakeTimeProvider Time { get; }

    public GatesTelemetry Telemetry { get; }

    public IAuditLog Audit { get; }

    public ActionRegistry Registry { get; }

    public GatePipeline Pipeline { get; }

    public ApprovalQueue Approvals { get; }

    public DecisionEngine Engine { get; }

    public RemediationExecutor Executor { get; }

    public TestMeterFactory Meters => _meters;

    public async Task<List<AuditEntry>> ReadAuditAsync()
    {
        var entries = new List<AuditEntry>();
        await foreach (var entry in Audit.ReadAllAsync())
        {
            entries.Add(entry);
        }

        return entries;
    }

    public async Task<List<ExecutionRecord>> ExecutionsAsync() =>
        [.. (await ReadAuditAsync()).OfType<ExecutionEntry>().Select(e => e.Execution)];

    public void Dispose() => _meters.Dispose();

    private static ILogger<T>? Logger<T>(bool broken) => broken ? new BrokenLogger<T>() : null;
}

/// <summary>A logger whose every call throws, as a broken logger provider's may.</summary>
internal sealed class BrokenLogger<T> : ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => throw new InvalidOperationException("the logger provider is broken");

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        throw new InvalidOperationException("the logger provider is broken");
}
