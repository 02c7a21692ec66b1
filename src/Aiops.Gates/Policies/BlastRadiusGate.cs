using System.ComponentModel.DataAnnotations;

namespace Aiops.Gates;

/// <summary>
/// Limits how much one proposal may touch. Denies when the proposal has no targets (or an empty target name), more than
/// <see cref="BlastRadiusGateOptions.MaxTargets"/> targets, or — when <see cref="RemediationProposal.FleetSize"/> is known —
/// a share <c>Targets.Count / FleetSize</c> above <see cref="BlastRadiusGateOptions.MaxFleetShare"/>. A fleet size below 1
/// is denied (fail closed). Exactly at a limit passes. Immutable and thread-safe.
/// </summary>
/// <remarks>
/// With the defaults (one target, a quarter of the fleet), a fleet of fewer than four instances can't be touched
/// automatically: acting on one instance of three would take a third of the capacity.
/// </remarks>
public sealed class BlastRadiusGate : IGatePolicy
{
    private readonly int _maxTargets;
    private readonly double _maxFleetShare;
    private readonly string _maxTargetsText;
    private readonly string _maxFleetShareText;

    /// <summary>Initializes a new instance of the <see cref="BlastRadiusGate"/> class.</summary>
    /// <param name="options">The options; <see langword="null"/> uses the defaults.</param>
    /// <exception cref="ValidationException">An option is out of range.</exception>
    public BlastRadiusGate(BlastRadiusGateOptions? options = null)
    {
        options ??= new BlastRadiusGateOptions();
        options.Validate();
        Name = options.EffectiveName;
        _maxTargets = options.MaxTargets;
        _maxFleetShare = options.MaxFleetShare;
        _maxTargetsText = GateData.Format(_maxTargets);
        _maxFleetShareText = GateData.Format(_maxFleetShare);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public ValueTask<GateDecision> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new(Evaluate(context.Proposal));
    }

    private GateDecision Evaluate(RemediationProposal proposal)
    {
        var targets = proposal.Targets;
        var count = targets?.Count ?? 0;
        var countText = GateData.Format(count);
        if (count == 0)
        {
            return GateDecision.Deny("the proposal names no targets", new GateData(new("targets", countText), new("maxTargets", _maxTargetsText)));
        }

        foreach (var target in targets!)
        {
            if (string.IsNullOrWhiteSpace(target))
            {
                return GateDecision.Deny("the proposal names an empty target", new GateData(new("targets", countText), new("maxTargets", _maxTargetsText)));
            }
        }

        if (count > _maxTargets)
        {
            return GateDecision.Deny(
                $"{countText} targets exceed the maximum of {_maxTargetsText}",
                new GateData(new("targets", countText), new("maxTargets", _maxTargetsText)));
        }

        if (proposal.FleetSize is not { } fleet)
        {
            return GateDecision.Allow(
                $"{countText} target(s) within the maximum of {_maxTargetsText}; fleet size unknown",
                new GateData(new("targets", countText), new("maxTargets", _maxTargetsText), new("maxFleetShare", _maxFleetShareText)));
        }

        var fleetText = GateData.Format(fleet);
        if (fleet < 1)
        {
            return GateDecision.Deny(
                $"fleet size {fleetText} is not a positive count",
                new GateData(new("targets", countText), new("fleetSize", fleetText), new("maxFleetShare", _maxFleetShareText)));
        }

        // IEEE division is correctly rounded, so a share exactly at a decimal limit (3 / 12 vs 0.25) compares equal.
        var share = (double)count / fleet;
        var shareText = GateData.Format(share);
        var data = new GateData(
            new("targets", countText),
            new("maxTargets", _maxTargetsText),
            new("fleetSize", fleetText),
            new("fleetShare", shareText),
            new("maxFleetShare", _maxFleetShareText));
        return share > _maxFleetShare
            ? GateDecision.Deny($"{countText} of {fleetText} targets is a fleet share of {shareText}, above the maximum {_maxFleetShareText}", data)
            : GateDecision.Allow($"{countText} of {fleetText} targets (share {shareText}) within the maximums of {_maxTargetsText} targets and share {_maxFleetShareText}", data);
    }
}

/// <summary>Options of <see cref="BlastRadiusGate"/>.</summary>
public sealed class BlastRadiusGateOptions : GatePolicyOptions
{
    /// <inheritdoc />
    public override string Type => GateNames.BlastRadius;

    /// <summary>Gets or sets the most targets one proposal may name (inclusive). Default: 1. Range: [1, 100000].</summary>
    [Range(1, 100_000)]
    public int MaxTargets { get; set; } = 1;

    /// <summary>
    /// Gets or sets the largest share of the fleet one proposal may touch (inclusive), used when the proposal's
    /// <see cref="RemediationProposal.FleetSize"/> is known. Default: 0.25. Range: (0, 1].
    /// </summary>
    [Range(0.0, 1.0, MinimumIsExclusive = true)]
    public double MaxFleetShare { get; set; } = 0.25;
}
