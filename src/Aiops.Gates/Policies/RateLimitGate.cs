using System.ComponentModel.DataAnnotations;

namespace Aiops.Gates;

/// <summary>
/// Limits how often an action runs: denies when the action already started <see cref="RateLimitGateOptions.MaxExecutions"/>
/// times within the last <see cref="RateLimitGateOptions.Window"/>, or when any of the proposal's targets already had
/// <see cref="RateLimitGateOptions.MaxExecutionsPerTarget"/> executions of it in that window (from
/// <see cref="IExecutionHistory.CountSince"/>, window start inclusive as the history defines it). One below a limit
/// passes; reaching it denies. Immutable and thread-safe.
/// </summary>
/// <remarks>The execution history must retain at least <see cref="RateLimitGateOptions.Window"/> of executions.</remarks>
public sealed class RateLimitGate : IGatePolicy
{
    private readonly int _maxExecutions;
    private readonly int _maxPerTarget;
    private readonly TimeSpan _window;
    private readonly string _maxExecutionsText;
    private readonly string _maxPerTargetText;
    private readonly string _windowText;

    /// <summary>Initializes a new instance of the <see cref="RateLimitGate"/> class.</summary>
    /// <param name="options">The options; <see langword="null"/> uses the defaults.</param>
    /// <exception cref="ValidationException">An option is out of range.</exception>
    public RateLimitGate(RateLimitGateOptions? options = null)
    {
        options ??= new RateLimitGateOptions();
        options.Validate();
        Name = options.EffectiveName;
        _maxExecutions = options.MaxExecutions;
        _maxPerTarget = options.MaxExecutionsPerTarget;
        _window = options.Window;
        _maxExecutionsText = GateData.Format(_maxExecutions);
        _maxPerTargetText = GateData.Format(_maxPerTarget);
        _windowText = GateData.Format(_window);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public ValueTask<GateDecision> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var proposal = context.Proposal;
        var since = context.Now - _window;
        var count = context.History.CountSince(proposal.ActionId, since);
        var countText = GateData.Format(count);
        if (count >= _maxExecutions)
        {
            return new(GateDecision.Deny(
                $"action '{proposal.ActionId}' ran {countText} time(s) in the last {_windowText}; the limit is {_maxExecutionsText}",
                new GateData(new("executions", countText), new("maxExecutions", _maxExecutionsText), new("window", _windowText))));
        }

        var busiest = 0;
        foreach (var target in proposal.Targets)
        {
            var perTarget = context.History.CountSince(proposal.ActionId, since, target);
            if (perTarget >= _maxPerTarget)
            {
                var perTargetText = GateData.Format(perTarget);
                return new(GateDecision.Deny(
                    $"action '{proposal.ActionId}' ran {perTargetText} time(s) on target '{target}' in the last {_windowText}; the per-target limit is {_maxPerTargetText}",
                    new GateData(
                        new("target", target),
                        new("targetExecutions", perTargetText),
                        new("maxExecutionsPerTarget", _maxPerTargetText),
                        new("executions", countText),
                        new("maxExecutions", _maxExecutionsText),
                        new("window", _windowText))));
            }

            busiest = Math.Max(busiest, perTarget);
        }

        return new(GateDecision.Allow(
            $"action '{proposal.ActionId}' ran {countText} time(s) in the last {_windowText} (limit {_maxExecutionsText}), at most {GateData.Format(busiest)} per target (limit {_maxPerTargetText})",
            new GateData(
                new("executions", countText),
                new("maxExecutions", _maxExecutionsText),
                new("maxTargetExecutions", GateData.Format(busiest)),
                new("maxExecutionsPerTarget", _maxPerTargetText),
                new("window", _windowText))));
    }
}

/// <summary>Options of <see cref="RateLimitGate"/>.</summary>
public sealed class RateLimitGateOptions : GatePolicyOptions
{
    /// <inheritdoc />
    public override string Type => GateNames.RateLimit;

    /// <summary>Gets or sets how many times an action may start within <see cref="Window"/>, over all targets. Default: 3. Range: [1, 1000000].</summary>
    [Range(1, 1_000_000)]
    public int MaxExecutions { get; set; } = 3;

    /// <summary>Gets or sets how many times an action may start on one target within <see cref="Window"/>. Default: 1. Range: [1, 1000000].</summary>
    [Range(1, 1_000_000)]
    public int MaxExecutionsPerTarget { get; set; } = 1;

    /// <summary>Gets or sets the sliding window the limits apply to. Default: 1 hour. Range: [1 second, 30 days].</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);
}
