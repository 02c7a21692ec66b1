using System.ComponentModel.DataAnnotations;
using Aiops.Detection.Internal;

namespace Aiops.Gates;

/// <summary>
/// What every built-in gate's options share: the gate type (the <c>Type</c> key in configuration) and an optional name.
/// Options are read once when a gate is created; changing them afterwards has no effect on it. Not thread-safe while being
/// changed; the gates copy what they need.
/// </summary>
public abstract class GatePolicyOptions
{
    /// <summary>Initializes a new instance of the <see cref="GatePolicyOptions"/> class; only the built-in options derive from it.</summary>
    private protected GatePolicyOptions()
    {
    }

    /// <summary>Gets the gate type, one of <see cref="GateNames"/>: the <c>Type</c> key in configuration.</summary>
    public abstract string Type { get; }

    /// <summary>
    /// Gets or sets the gate's name in decisions and the audit log. Default: <see langword="null"/>, which uses
    /// <see cref="Type"/> (as does an empty or blank name). Set it to run two gates of one type (an hourly and a daily rate
    /// limit); names must be unique within a pipeline.
    /// </summary>
    public string? Name { get; set; }

    /// <summary>Gets the name the gate reports: <see cref="Name"/>, or <see cref="Type"/> when it is not set.</summary>
    public string EffectiveName => string.IsNullOrWhiteSpace(Name) ? Type : Name;

    /// <summary>Checks every property against its documented range and the cross-field rules.</summary>
    /// <exception cref="ValidationException">A value is invalid; the message names the options type and the property.</exception>
    public void Validate() => OptionsValidator.ThrowIfInvalid(this);
}
