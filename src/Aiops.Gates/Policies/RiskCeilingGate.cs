using System.ComponentModel.DataAnnotations;

namespace Aiops.Gates;

/// <summary>
/// Maps the proposal's <see cref="RiskClass"/> to a verdict: by default low and medium risk pass, high risk needs a person,
/// destructive is denied. Destructive can never be configured to pass automatically, and a riskier class is never treated
/// more leniently than a safer one. A risk class outside the enum is denied (fail closed). Immutable and thread-safe.
/// </summary>
public sealed class RiskCeilingGate : IGatePolicy
{
    private readonly GateDecision[] _decisions; // Precomputed per risk class: evaluating allocates nothing.

    /// <summary>Initializes a new instance of the <see cref="RiskCeilingGate"/> class.</summary>
    /// <param name="options">The options; <see langword="null"/> uses the defaults.</param>
    /// <exception cref="ValidationException">A verdict is not defined, destructive is set to allow, or a riskier class is more lenient than a safer one.</exception>
    public RiskCeilingGate(RiskCeilingGateOptions? options = null)
    {
        options ??= new RiskCeilingGateOptions();
        options.Validate();
        Name = options.EffectiveName;
        _decisions =
        [
            Decide(RiskClass.Low, options.Low),
            Decide(RiskClass.Medium, options.Medium),
            Decide(RiskClass.High, options.High),
            Decide(RiskClass.Destructive, options.Destructive),
        ];
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public ValueTask<GateDecision> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var risk = context.Proposal.Risk;
        if ((uint)risk >= (uint)_decisions.Length)
        {
            var unknown = ((int)risk).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return new(GateDecision.Deny($"risk class {unknown} is not a known risk class", new GateData(new("risk", unknown), new("verdict", nameof(GateVerdict.Deny)))));
        }

        return new(_decisions[(int)risk]);
    }

    private static GateDecision Decide(RiskClass risk, GateVerdict verdict)
    {
        var riskName = RiskName(risk);
        var data = new GateData(new("risk", riskName), new("verdict", VerdictName(verdict)));
        return verdict switch
        {
            GateVerdict.Allow => GateDecision.Allow($"{riskName} risk is allowed automatically", data),
            GateVerdict.RequireApproval => GateDecision.RequireApproval($"{riskName} risk requires a person's approval", data),
            _ => GateDecision.Deny($"{riskName} risk is never run automatically", data),
        };
    }

    private static string RiskName(RiskClass risk) => risk switch
    {
        RiskClass.Low => "Low",
        RiskClass.Medium => "Medium",
        RiskClass.High => "High",
        _ => "Destructive",
    };

    private static string VerdictName(GateVerdict verdict) => verdict switch
    {
        GateVerdict.Allow => nameof(GateVerdict.Allow),
        GateVerdict.RequireApproval => nameof(GateVerdict.RequireApproval),
        _ => nameof(GateVerdict.Deny),
    };
}

/// <summary>Options of <see cref="RiskCeilingGate"/>: the verdict for each risk class.</summary>
public sealed class RiskCeilingGateOptions : GatePolicyOptions, IValidatableObject
{
    /// <inheritdoc />
    public override string Type => GateNames.RiskCeiling;

    /// <summary>Gets or sets the verdict for <see cref="RiskClass.Low"/>. Default: <see cref="GateVerdict.Allow"/>.</summary>
    [EnumDataType(typeof(GateVerdict))]
    public GateVerdict Low { get; set; } = GateVerdict.Allow;

    /// <summary>Gets or sets the verdict for <see cref="RiskClass.Medium"/>. Default: <see cref="GateVerdict.Allow"/>. Not more lenient than <see cref="Low"/>.</summary>
    [EnumDataType(typeof(GateVerdict))]
    public GateVerdict Medium { get; set; } = GateVerdict.Allow;

    /// <summary>Gets or sets the verdict for <see cref="RiskClass.High"/>. Default: <see cref="GateVerdict.RequireApproval"/>. Not more lenient than <see cref="Medium"/>.</summary>
    [EnumDataType(typeof(GateVerdict))]
    public GateVerdict High { get; set; } = GateVerdict.RequireApproval;

    /// <summary>
    /// Gets or sets the verdict for <see cref="RiskClass.Destructive"/>. Default: <see cref="GateVerdict.Deny"/>.
    /// <see cref="GateVerdict.RequireApproval"/> is allowed; <see cref="GateVerdict.Allow"/> is a validation error.
    /// </summary>
    [EnumDataType(typeof(GateVerdict))]
    public GateVerdict Destructive { get; set; } = GateVerdict.Deny;

    /// <inheritdoc />
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (Destructive == GateVerdict.Allow)
        {
            yield return new ValidationResult("Destructive actions are never run automatically; use RequireApproval or Deny.", [nameof(Destructive)]);
        }

        if (Medium < Low)
        {
            yield return new ValidationResult($"Medium ({Medium}) must not be more lenient than Low ({Low}).", [nameof(Medium)]);
        }

        if (High < Medium)
        {
            yield return new ValidationResult($"High ({High}) must not be more lenient than Medium ({Medium}).", [nameof(High)]);
        }

        if (Destructive != GateVerdict.Allow && Destructive < High)
        {
            yield return new ValidationResult($"Destructive ({Destructive}) must not be more lenient than High ({High}).", [nameof(Destructive)]);
        }
    }
}
