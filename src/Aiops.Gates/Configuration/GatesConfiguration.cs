using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace Aiops.Gates;

/// <summary>
/// The gates as configured: the options and the gates built from them, in pipeline order. Load it once at startup with
/// <see cref="Load"/>, which validates everything and reports every failure at once, each under its configuration path
/// (<c>Aiops:Gates:Policies:2:MaxTargets: The field MaxTargets must be between 1 and 100000.</c>). Immutable and
/// thread-safe (the gates are).
/// </summary>
public sealed class GatesConfiguration
{
    private GatesConfiguration(GatesOptions options, IReadOnlyList<IGatePolicy> policies, IChangeFeed? changeFeed, ISilenceSource? silenceSource)
    {
        Options = options;
        Policies = policies;
        ChangeFeed = changeFeed;
        SilenceSource = silenceSource;
    }

    /// <summary>Gets the validated options; <see cref="GatesOptions.Policies"/> holds the gates that apply (the safe set when none were configured).</summary>
    public GatesOptions Options { get; }

    /// <summary>Gets the gates, in pipeline order.</summary>
    public IReadOnlyList<IGatePolicy> Policies { get; }

    /// <summary>Gets a value indicating whether the global dry-run switch is on (<see cref="GatesOptions.DryRun"/>).</summary>
    public bool DryRun => Options.DryRun;

    /// <summary>Gets how long one gate may take (<see cref="GatesOptions.GateTimeout"/>).</summary>
    public TimeSpan GateTimeout => Options.GateTimeout;

    /// <summary>
    /// Gets the change feed the recentChange gates read: the one given to <see cref="Load"/>, or a new
    /// <see cref="InMemoryChangeFeed"/> for the host to fill when none was given; <see langword="null"/> without such a gate.
    /// </summary>
    public IChangeFeed? ChangeFeed { get; }

    /// <summary>
    /// Gets the silence source the silence gates read: the one given to <see cref="Load"/>, or a new
    /// <see cref="InMemorySilenceSource"/> for the host to fill when none was given; <see langword="null"/> without such a gate.
    /// </summary>
    public ISilenceSource? SilenceSource { get; }

    /// <summary>
    /// Binds <see cref="GatesOptions"/> from a configuration section (usually <see cref="GatesOptions.SectionPath"/>) and
    /// validates it. Each entry of <c>Policies</c> is a section with a <c>Type</c> (one of
    /// <see cref="GatePolicyFactory.KnownTypes"/>, any case) and that gate's options, or just a type name for its defaults.
    /// Unknown keys, unknown types, malformed values, out-of-range values and duplicate gate names are all errors.
    /// </summary>
    /// <param name="section">The section; a missing or empty one gives the defaults.</param>
    /// <returns>The options; <see cref="GatesOptions.Policies"/> is empty when none were configured.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="section"/> is <see langword="null"/>.</exception>
    /// <exception cref="ValidationException">
    /// Something is invalid; the message lists every failure as <c>path: message</c>, and
    /// <see cref="ValidationResult.MemberNames"/> of <see cref="ValidationException.ValidationResult"/> holds the paths.
    /// </exception>
    public static GatesOptions Bind(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var errors = new List<ValidationResult>();
        var options = new GatesOptions();
        ConfigurationReader.BindObject(section, options, errors, nameof(GatesOptions.Policies));
        options.Policies = [];

        var prefix = section is IConfigurationSection s && s.Path.Length > 0 ? s.Path + ":" : string.Empty;
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var policies = section.GetSection(nameof(GatesOptions.Policies));
        if (!policies.GetChildren().Any() && !string.IsNullOrEmpty(policies.Value))
        {
            errors.Add(ConfigurationReader.Error(policies, "expected a list of gates (a JSON array), not a single value."));
        }

        foreach (var entry in policies.GetChildren())
        {
            if (BindPolicy(entry, errors) is not { } policy)
            {
                continue;
            }

            if (!names.TryAdd(policy.EffectiveName, entry.Path))
            {
                errors.Add(new ValidationResult(
                    $"duplicate gate name '{policy.EffectiveName}' (also {names[policy.EffectiveName]}); set a distinct Name.",
                    [$"{entry.Path}:{nameof(GatePolicyOptions.Name)}"]));
            }

            options.Policies.Add(policy);
        }

        // The top-level options; the gates' own options were validated under their real paths above.
        var top = new List<ValidationResult>();
        OptionsErrors.Collect(options, prefix, top);
        errors.AddRange(top.Where(e => !e.MemberNames.Any(m => m.StartsWith(prefix + nameof(GatesOptions.Policies) + ":", StringComparison.Ordinal))));
        OptionsErrors.ThrowIfAny(errors);
        return options;
    }

    /// <summary>
    /// Binds and validates the options (see <see cref="Bind"/>), then builds the gates in order: the configured ones, or the
    /// safe set (<see cref="GatePolicyFactory.DefaultTypes"/>) when none are configured.
    /// </summary>
    /// <param name="section">The section, usually <c>configuration.GetSection(GatesOptions.SectionPath)</c>.</param>
    /// <param name="timeProvider">The clock of an <see cref="InMemoryChangeFeed"/> created here. Default: <see cref="TimeProvider.System"/>.</param>
    /// <param name="changeFeed">The change feed for recentChange gates. Default: a new <see cref="InMemoryChangeFeed"/>, exposed as <see cref="ChangeFeed"/>.</param>
    /// <param name="silenceSource">The silence source for silence gates. Default: a new <see cref="InMemorySilenceSource"/>, exposed as <see cref="SilenceSource"/>.</param>
    /// <returns>The configuration.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="section"/> is <see langword="null"/>.</exception>
    /// <exception cref="ValidationException">Something is invalid; the message lists every failure with its configuration path.</exception>
    public static GatesConfiguration Load(IConfiguration section, TimeProvider? timeProvider = null, IChangeFeed? changeFeed = null, ISilenceSource? silenceSource = null) =>
        Create(Bind(section), timeProvider, changeFeed, silenceSource);

    /// <summary>
    /// Validates options built in code (every failure at once) and builds the gates in order: the configured ones, or the
    /// safe set when none are configured.
    /// </summary>
    /// <param name="options">The options.</param>
    /// <param name="timeProvider">The clock of an <see cref="InMemoryChangeFeed"/> created here. Default: <see cref="TimeProvider.System"/>.</param>
    /// <param name="changeFeed">The change feed for recentChange gates. Default: a new <see cref="InMemoryChangeFeed"/>, exposed as <see cref="ChangeFeed"/>.</param>
    /// <param name="silenceSource">The silence source for silence gates. Default: a new <see cref="InMemorySilenceSource"/>, exposed as <see cref="SilenceSource"/>.</param>
    /// <returns>The configuration.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ValidationException">Something is invalid; the message lists every failure with its key (<c>Policies:2:MaxTargets</c>).</exception>
    public static GatesConfiguration Create(GatesOptions options, TimeProvider? timeProvider = null, IChangeFeed? changeFeed = null, ISilenceSource? silenceSource = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var effective = options.GetEffectivePolicies();
        if (effective.Any(p => p is RecentChangeGateOptions))
        {
            changeFeed ??= new InMemoryChangeFeed(timeProvider);
        }
        else
        {
            changeFeed = null;
        }

        if (effective.Any(p => p is SilenceGateOptions))
        {
            silenceSource ??= new InMemorySilenceSource();
        }
        else
        {
            silenceSource = null;
        }

        var snapshot = new GatesOptions { DryRun = options.DryRun, GateTimeout = options.GateTimeout, Policies = [.. effective] };
        IGatePolicy[] gates = [.. effective.Select(p => GatePolicyFactory.Create(p, changeFeed, silenceSource))];
        return new GatesConfiguration(snapshot, gates, changeFeed, silenceSource);
    }

    private static GatePolicyOptions? BindPolicy(IConfigurationSection entry, List<ValidationResult> errors)
    {
        var children = entry.GetChildren().ToList();
        string? type;
        IConfigurationSection typeKey;
        if (children.Count == 0)
        {
            type = entry.Value; // A bare type name: that gate with its defaults.
            typeKey = entry;
        }
        else
        {
            typeKey = entry.GetSection("Type");
            type = typeKey.Value;
        }

        var known = string.Join(", ", GatePolicyFactory.KnownTypes);
        if (string.IsNullOrWhiteSpace(type))
        {
            errors.Add(new ValidationResult($"a gate type is required; known types: {known}.", [$"{entry.Path}:Type"]));
            return null;
        }

        if (!GatePolicyFactory.TryCreateOptions(type, out var options))
        {
            var suggestion = OptionsErrors.Suggest(type, GatePolicyFactory.KnownTypes) is { } s ? $"did you mean '{s}'? " : string.Empty;
            errors.Add(new ValidationResult($"unknown gate type '{type}'; {suggestion}known types: {known}.", [children.Count == 0 ? entry.Path : typeKey.Path]));
            return null;
        }

        var before = errors.Count;
        ConfigurationReader.BindObject(entry, options, errors, "Type");
        var bindingKeys = errors.Skip(before).SelectMany(e => e.MemberNames).ToList();

        // Range and cross-field rules, except on keys that did not bind (already reported; the rule would see a default).
        var validation = new List<ValidationResult>();
        OptionsErrors.Collect(options, entry.Path + ":", validation);
        errors.AddRange(validation.Where(v => !v.MemberNames.Any(m => bindingKeys.Any(b => Related(m, b)))));
        return options;
    }

    /// <summary>Whether one configuration key is the other or contains it (<c>a:Windows</c> and <c>a:Windows:0:Days</c>).</summary>
    private static bool Related(string a, string b) =>
        string.Equals(a, b, StringComparison.OrdinalIgnoreCase)
        || (a.Length < b.Length ? b.StartsWith(a + ":", StringComparison.OrdinalIgnoreCase) : a.StartsWith(b + ":", StringComparison.OrdinalIgnoreCase));
}
