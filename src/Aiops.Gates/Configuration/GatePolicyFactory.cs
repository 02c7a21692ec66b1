using System.Diagnostics.CodeAnalysis;

namespace Aiops.Gates;

/// <summary>
/// Builds the built-in gates from their options, and knows the configuration type names (<see cref="GateNames"/>).
/// Stateless and thread-safe.
/// </summary>
public static class GatePolicyFactory
{
    /// <summary>Gets every built-in gate type, in the order the documentation lists them.</summary>
    public static IReadOnlyList<string> KnownTypes { get; } =
    [
        GateNames.Confidence,
        GateNames.RiskCeiling,
        GateNames.BlastRadius,
        GateNames.RateLimit,
        GateNames.Cooldown,
        GateNames.Concurrency,
        GateNames.ChangeFreeze,
        GateNames.RecentChange,
        GateNames.Silence,
    ];

    /// <summary>
    /// Gets the safe set used when no gates are configured, in pipeline order: confidence, riskCeiling, blastRadius,
    /// rateLimit, cooldown, concurrency (each with its defaults). It needs no change feed, silence source or schedule.
    /// </summary>
    public static IReadOnlyList<string> DefaultTypes { get; } =
    [
        GateNames.Confidence,
        GateNames.RiskCeiling,
        GateNames.BlastRadius,
        GateNames.RateLimit,
        GateNames.Cooldown,
        GateNames.Concurrency,
    ];

    /// <summary>Creates default options for a gate type.</summary>
    /// <param name="type">A type from <see cref="KnownTypes"/> (any case).</param>
    /// <param name="options">The options, or <see langword="null"/> when the type is unknown.</param>
    /// <returns><see langword="true"/> when the type is known.</returns>
    public static bool TryCreateOptions(string? type, [NotNullWhen(true)] out GatePolicyOptions? options)
    {
        options = type?.Trim().ToUpperInvariant() switch
        {
            "CONFIDENCE" => new ConfidenceGateOptions(),
            "RISKCEILING" => new RiskCeilingGateOptions(),
            "BLASTRADIUS" => new BlastRadiusGateOptions(),
            "RATELIMIT" => new RateLimitGateOptions(),
            "COOLDOWN" => new CooldownGateOptions(),
            "CONCURRENCY" => new ConcurrencyGateOptions(),
            "CHANGEFREEZE" => new ChangeFreezeGateOptions(),
            "RECENTCHANGE" => new RecentChangeGateOptions(),
            "SILENCE" => new SilenceGateOptions(),
            _ => null,
        };
        return options is not null;
    }

    /// <summary>Creates default options for a gate type.</summary>
    /// <param name="type">A type from <see cref="KnownTypes"/> (any case).</param>
    /// <returns>The options.</returns>
    /// <exception cref="ArgumentException">The type is unknown.</exception>
    public static GatePolicyOptions CreateOptions(string type) =>
        TryCreateOptions(type, out var options)
            ? options
            : throw new ArgumentException($"Unknown gate type '{type}'; known types: {string.Join(", ", KnownTypes)}.", nameof(type));

    /// <summary>Creates new default options for the safe set (<see cref="DefaultTypes"/>).</summary>
    /// <returns>The options, in pipeline order.</returns>
    public static IReadOnlyList<GatePolicyOptions> CreateDefaultOptions() => [.. DefaultTypes.Select(CreateOptions)];

    /// <summary>Builds one gate.</summary>
    /// <param name="options">Its options (validated by the gate).</param>
    /// <param name="changeFeed">The change feed, needed by <see cref="RecentChangeGateOptions"/>.</param>
    /// <param name="silenceSource">The silence source, needed by <see cref="SilenceGateOptions"/>.</param>
    /// <returns>The gate.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="System.ComponentModel.DataAnnotations.ValidationException">The options are invalid.</exception>
    /// <exception cref="InvalidOperationException">The gate needs a change feed or silence source that was not given.</exception>
    public static IGatePolicy Create(GatePolicyOptions options, IChangeFeed? changeFeed = null, ISilenceSource? silenceSource = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options switch
        {
            ConfidenceGateOptions o => new ConfidenceGate(o),
            RiskCeilingGateOptions o => new RiskCeilingGate(o),
            BlastRadiusGateOptions o => new BlastRadiusGate(o),
            RateLimitGateOptions o => new RateLimitGate(o),
            CooldownGateOptions o => new CooldownGate(o),
            ConcurrencyGateOptions o => new ConcurrencyGate(o),
            ChangeFreezeGateOptions o => new ChangeFreezeGate(o),
            RecentChangeGateOptions o => new RecentChangeGate(changeFeed ?? throw new InvalidOperationException($"The '{o.EffectiveName}' gate needs an {nameof(IChangeFeed)}."), o),
            SilenceGateOptions o => new SilenceGate(silenceSource ?? throw new InvalidOperationException($"The '{o.EffectiveName}' gate needs an {nameof(ISilenceSource)}."), o),
            _ => throw new ArgumentException($"Unsupported gate options {options.GetType().Name}.", nameof(options)),
        };
    }

    /// <summary>Validates the options (every failure at once), then builds the gates in order (the safe set when none are configured).</summary>
    /// <param name="options">The options.</param>
    /// <param name="changeFeed">The change feed, needed when a recentChange gate is configured.</param>
    /// <param name="silenceSource">The silence source, needed when a silence gate is configured.</param>
    /// <returns>The gates, in pipeline order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="System.ComponentModel.DataAnnotations.ValidationException">Something is invalid; the message lists every failure.</exception>
    /// <exception cref="InvalidOperationException">A gate needs a change feed or silence source that was not given.</exception>
    public static IReadOnlyList<IGatePolicy> CreateAll(GatesOptions options, IChangeFeed? changeFeed = null, ISilenceSource? silenceSource = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return [.. options.GetEffectivePolicies().Select(o => Create(o, changeFeed, silenceSource))];
    }
}
