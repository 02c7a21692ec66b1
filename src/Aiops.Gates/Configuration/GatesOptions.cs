using System.ComponentModel.DataAnnotations;

namespace Aiops.Gates;

/// <summary>
/// The gates' configuration: the global dry-run switch, the per-gate timeout, and the gates in pipeline order. Bind it from
/// the <see cref="SectionPath"/> section with <see cref="GatesConfiguration.Bind"/> (the standard binder can't choose a gate
/// type per list entry), or build it in code. Not thread-safe while being changed; it is read once when gates are built.
/// </summary>
/// <example>
/// <code language="json">
/// { "Aiops": { "Gates": {
///     "DryRun": false,
///     "GateTimeout": "00:00:01",
///     "Policies": [
///       { "Type": "confidence", "MinConfidence": 0.8 },
///       { "Type": "riskCeiling", "High": "RequireApproval" },
///       { "Type": "blastRadius", "MaxTargets": 1, "MaxFleetShare": 0.25 },
///       { "Type": "rateLimit", "MaxExecutions": 3, "Window": "01:00:00" },
///       { "Type": "cooldown", "Cooldown": "00:15:00" },
///       { "Type": "concurrency", "MaxConcurrent": 1 },
///       { "Type": "changeFreeze", "Windows": [ { "Days": [ "Friday" ], "Start": "16:00", "End": "24:00", "TimeZone": "Europe/Berlin" } ] }
///     ] } } }
/// </code>
/// </example>
public sealed class GatesOptions : IValidatableObject
{
    /// <summary>The configuration section the options are usually bound from: <c>Aiops:Gates</c>.</summary>
    public const string SectionPath = "Aiops:Gates";

    /// <summary>
    /// Gets or sets a value indicating whether decisions are made and recorded but never executed (the global dry-run switch,
    /// applied by the decision engine). Default: <see langword="false"/>.
    /// </summary>
    public bool DryRun { get; set; }

    /// <summary>
    /// Gets or sets how long one gate may take before it is cancelled and counted as a deny (fail closed).
    /// Default: 1 second. Range: [1 ms, 5 minutes].
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:05:00")]
    public TimeSpan GateTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets the gates, in pipeline order. Default: empty, which means the safe set
    /// (<see cref="GatePolicyFactory.DefaultTypes"/>: confidence, riskCeiling, blastRadius, rateLimit, cooldown, concurrency,
    /// each with its defaults). There is no way to configure a pipeline without gates. Gate names must be unique.
    /// </summary>
    [Required]
    public IList<GatePolicyOptions> Policies { get; set; } = [];

    /// <summary>Gets the gates that apply: <see cref="Policies"/>, or new default options for the safe set when it is empty.</summary>
    /// <returns>The gates' options, in pipeline order.</returns>
    public IReadOnlyList<GatePolicyOptions> GetEffectivePolicies() =>
        Policies is { Count: > 0 } policies ? [.. policies] : GatePolicyFactory.CreateDefaultOptions();

    /// <summary>Checks every option, every gate's options and the uniqueness of gate names, and reports all failures at once.</summary>
    /// <exception cref="ValidationException">
    /// Something is invalid; the message lists every failure as <c>key: message</c> with keys such as
    /// <c>Policies:2:MaxTargets</c>, and <see cref="ValidationResult.MemberNames"/> holds the keys.
    /// </exception>
    public void Validate()
    {
        var errors = new List<ValidationResult>();
        OptionsErrors.Collect(this, string.Empty, errors);
        OptionsErrors.ThrowIfAny(errors);
    }

    /// <inheritdoc />
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (Policies is null)
        {
            return []; // [Required] reported it.
        }

        var results = new List<ValidationResult>();
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Policies.Count; i++)
        {
            var prefix = $"{nameof(Policies)}:{i}";
            if (Policies[i] is not { } policy)
            {
                results.Add(new ValidationResult("The gate's options are null.", [prefix]));
                continue;
            }

            OptionsErrors.Collect(policy, prefix + ":", results);
            if (!names.TryAdd(policy.EffectiveName, i))
            {
                results.Add(new ValidationResult(
                    $"Duplicate gate name '{policy.EffectiveName}' (also {nameof(Policies)}:{names[policy.EffectiveName]}); set a distinct Name.",
                    [prefix + ":" + nameof(GatePolicyOptions.Name)]));
            }
        }

        return results;
    }
}
