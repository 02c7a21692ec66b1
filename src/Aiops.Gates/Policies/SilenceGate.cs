using System.ComponentModel.DataAnnotations;

namespace Aiops.Gates;

/// <summary>
/// Leaves silenced episodes alone: when a silence from the <see cref="ISilenceSource"/> is active at the decision time
/// and matches the proposal's <see cref="RemediationProposal.Labels"/>, the verdict is
/// <see cref="SilenceGateOptions.Verdict"/> (deny by default), naming the silence, its creator and comment. Thread-safe
/// when the source is.
/// </summary>
public sealed class SilenceGate : IGatePolicy
{
    private static readonly IReadOnlyDictionary<string, string> NoLabels = new Dictionary<string, string>();
    private readonly ISilenceSource _source;
    private readonly GateVerdict _verdict;

    /// <summary>Initializes a new instance of the <see cref="SilenceGate"/> class.</summary>
    /// <param name="source">Where silences are read from.</param>
    /// <param name="options">The options; <see langword="null"/> uses the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ValidationException">An option is invalid.</exception>
    public SilenceGate(ISilenceSource source, SilenceGateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        options ??= new SilenceGateOptions();
        options.Validate();
        Name = options.EffectiveName;
        _source = source;
        _verdict = options.Verdict;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public async ValueTask<GateDecision> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var labels = context.Proposal.Labels ?? NoLabels;
        var silence = await _source.FindActiveAsync(labels, context.Now, cancellationToken).ConfigureAwait(false);
        if (silence is null)
        {
            return GateDecision.Allow(
                $"no active silence matches the episode's {GateData.Format(labels.Count)} label(s)",
                new GateData(new("labels", GateData.Format(labels.Count)), new("now", GateData.Format(context.Now))));
        }

        var data = new GateData(
            new("silenceId", silence.Id),
            new("createdBy", silence.CreatedBy),
            new("comment", silence.Comment),
            new("matchers", silence.ToString()),
            new("startsAt", GateData.Format(silence.StartsAt)),
            new("endsAt", GateData.Format(silence.EndsAt)));
        var reason = $"the episode's alert is silenced by {silence.Id}, created by {silence.CreatedBy}: {silence.Comment}";
        return _verdict == GateVerdict.RequireApproval ? GateDecision.RequireApproval(reason, data) : GateDecision.Deny(reason, data);
    }
}

/// <summary>Options of <see cref="SilenceGate"/>.</summary>
public sealed class SilenceGateOptions : GatePolicyOptions, IValidatableObject
{
    /// <inheritdoc />
    public override string Type => GateNames.Silence;

    /// <summary>
    /// Gets or sets the verdict for a silenced episode: <see cref="GateVerdict.Deny"/> or <see cref="GateVerdict.RequireApproval"/>
    /// (<see cref="GateVerdict.Allow"/> is a validation error). Default: <see cref="GateVerdict.Deny"/>.
    /// </summary>
    [EnumDataType(typeof(GateVerdict))]
    public GateVerdict Verdict { get; set; } = GateVerdict.Deny;

    /// <inheritdoc />
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (Verdict == GateVerdict.Allow)
        {
            yield return new ValidationResult("The verdict for a silenced episode must be Deny or RequireApproval.", [nameof(Verdict)]);
        }
    }
}
