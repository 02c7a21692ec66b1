using System.ComponentModel.DataAnnotations;

namespace Aiops.Gates;

/// <summary>
/// Denies proposals the proposer is not sure enough of: a <see cref="RemediationProposal.Confidence"/> below
/// <see cref="ConfidenceGateOptions.MinConfidence"/>, or one that is not a number in [0, 1] (NaN, infinite, negative,
/// above 1), is denied. A confidence exactly at the minimum passes. Immutable and thread-safe.
/// </summary>
public sealed class ConfidenceGate : IGatePolicy
{
    private readonly double _minConfidence;
    private readonly string _min;

    /// <summary>Initializes a new instance of the <see cref="ConfidenceGate"/> class.</summary>
    /// <param name="options">The options; <see langword="null"/> uses the defaults.</param>
    /// <exception cref="ValidationException">An option is out of range.</exception>
    public ConfidenceGate(ConfidenceGateOptions? options = null)
    {
        options ??= new ConfidenceGateOptions();
        options.Validate();
        Name = options.EffectiveName;
        _minConfidence = options.MinConfidence;
        _min = GateData.Format(_minConfidence);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public ValueTask<GateDecision> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var confidence = context.Proposal.Confidence;
        var observed = GateData.Format(confidence);
        var data = new GateData(new("minConfidence", _min), new("confidence", observed));
        if (!(confidence >= 0.0 && confidence <= 1.0))
        {
            return new(GateDecision.Deny($"confidence {observed} is not a number in [0, 1]", data));
        }

        return new(confidence < _minConfidence
            ? GateDecision.Deny($"confidence {observed} is below the minimum {_min}", data)
            : GateDecision.Allow($"confidence {observed} is at or above the minimum {_min}", data));
    }
}

/// <summary>Options of <see cref="ConfidenceGate"/>.</summary>
public sealed class ConfidenceGateOptions : GatePolicyOptions
{
    /// <inheritdoc />
    public override string Type => GateNames.Confidence;

    /// <summary>Gets or sets the lowest confidence that passes (inclusive). Default: 0.8. Range: [0, 1].</summary>
    [Range(0.0, 1.0)]
    public double MinConfidence { get; set; } = 0.8;
}
