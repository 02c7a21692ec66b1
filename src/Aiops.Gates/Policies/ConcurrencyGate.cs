using System.ComponentModel.DataAnnotations;

namespace Aiops.Gates;

/// <summary>
/// Limits how many executions run at once: denies when <see cref="IExecutionHistory.Running"/> has reached
/// <see cref="ConcurrencyGateOptions.MaxConcurrent"/>. One below the limit passes. Immutable and thread-safe.
/// </summary>
/// <remarks>
/// The count is read at decision time: two decisions evaluated at the same moment may both see room, so serialize
/// decisions when the limit must be exact.
/// </remarks>
public sealed class ConcurrencyGate : IGatePolicy
{
    private readonly int _maxConcurrent;
    private readonly string _maxText;

    /// <summary>Initializes a new instance of the <see cref="ConcurrencyGate"/> class.</summary>
    /// <param name="options">The options; <see langword="null"/> uses the defaults.</param>
    /// <exception cref="ValidationException">An option is out of range.</exception>
    public ConcurrencyGate(ConcurrencyGateOptions? options = null)
    {
        options ??= new ConcurrencyGateOptions();
        options.Validate();
        Name = options.EffectiveName;
        _maxConcurrent = options.MaxConcurrent;
        _maxText = GateData.Format(_maxConcurrent);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public ValueTask<GateDecision> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var running = context.History.Running;
        var runningText = GateData.Format(running);
        var data = new GateData(new("running", runningText), new("maxConcurrent", _maxText));
        return new(running >= _maxConcurrent
            ? GateDecision.Deny($"{runningText} execution(s) running; the limit is {_maxText}", data)
            : GateDecision.Allow($"{runningText} execution(s) running, below the limit of {_maxText}", data));
    }
}

/// <summary>Options of <see cref="ConcurrencyGate"/>.</summary>
public sealed class ConcurrencyGateOptions : GatePolicyOptions
{
    /// <inheritdoc />
    public override string Type => GateNames.Concurrency;

    /// <summary>Gets or sets how many executions may run at once. Default: 1. Range: [1, 10000].</summary>
    [Range(1, 10_000)]
    public int MaxConcurrent { get; set; } = 1;
}
