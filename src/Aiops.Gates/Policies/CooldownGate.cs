using System.ComponentModel.DataAnnotations;

namespace Aiops.Gates;

/// <summary>
/// Keeps an action from running again too soon: denies when the action last started on any of the proposal's targets
/// (or, with <see cref="CooldownGateOptions.PerTarget"/> off, anywhere) less than <see cref="CooldownGateOptions.Cooldown"/>
/// before the decision time (from <see cref="IExecutionHistory.LastStart"/>). Exactly the cooldown later passes; a start
/// after the decision time (clock skew) denies. Immutable and thread-safe.
/// </summary>
/// <remarks>The execution history must retain at least <see cref="CooldownGateOptions.Cooldown"/> of executions.</remarks>
public sealed class CooldownGate : IGatePolicy
{
    private readonly TimeSpan _cooldown;
    private readonly bool _perTarget;
    private readonly string _cooldownText;

    /// <summary>Initializes a new instance of the <see cref="CooldownGate"/> class.</summary>
    /// <param name="options">The options; <see langword="null"/> uses the defaults.</param>
    /// <exception cref="ValidationException">An option is out of range.</exception>
    public CooldownGate(CooldownGateOptions? options = null)
    {
        options ??= new CooldownGateOptions();
        options.Validate();
        Name = options.EffectiveName;
        _cooldown = options.Cooldown;
        _perTarget = options.PerTarget;
        _cooldownText = GateData.Format(_cooldown);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public ValueTask<GateDecision> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var proposal = context.Proposal;
        DateTimeOffset? latest = null;
        string? latestTarget = null;
        if (_perTarget)
        {
            foreach (var target in proposal.Targets)
            {
                if (context.History.LastStart(proposal.ActionId, target) is { } start && (latest is null || start > latest))
                {
                    latest = start;
                    latestTarget = target;
                }
            }
        }
        else
        {
            latest = context.History.LastStart(proposal.ActionId);
        }

        if (latest is not { } last)
        {
            return new(GateDecision.Allow(
                $"action '{proposal.ActionId}' has not run{(_perTarget ? " on these targets" : string.Empty)} within the history",
                new GateData(new("cooldown", _cooldownText), new("perTarget", GateData.Format(_perTarget)))));
        }

        var elapsed = context.Now - last;
        var data = new GateData(
            new("cooldown", _cooldownText),
            new("lastStart", GateData.Format(last)),
            new("elapsed", GateData.Format(elapsed)),
            new("target", latestTarget ?? "*"),
            new("perTarget", GateData.Format(_perTarget)));
        var where = latestTarget is null ? string.Empty : $" on target '{latestTarget}'";
        return new(elapsed < _cooldown
            ? GateDecision.Deny($"action '{proposal.ActionId}' last started{where} {GateData.Format(elapsed)} ago, within the cooldown of {_cooldownText}", data)
            : GateDecision.Allow($"action '{proposal.ActionId}' last started{where} {GateData.Format(elapsed)} ago, past the cooldown of {_cooldownText}", data));
    }
}

/// <summary>Options of <see cref="CooldownGate"/>.</summary>
public sealed class CooldownGateOptions : GatePolicyOptions
{
    /// <inheritdoc />
    public override string Type => GateNames.Cooldown;

    /// <summary>Gets or sets how long after a start the same action may not start again. Default: 15 minutes. Range: [1 second, 30 days].</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan Cooldown { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Gets or sets a value indicating whether the cooldown is per target (a start on another target does not count) rather
    /// than per action (any start counts). Default: <see langword="true"/>.
    /// </summary>
    public bool PerTarget { get; set; } = true;
}
