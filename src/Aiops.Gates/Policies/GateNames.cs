namespace Aiops.Gates;

/// <summary>
/// The built-in gates' names: each is both the <c>Type</c> that selects the gate in configuration and the gate's default
/// <see cref="IGatePolicy.Name"/> in decisions and the audit log. Compared case-insensitively in configuration.
/// </summary>
public static class GateNames
{
    /// <summary>The <see cref="ConfidenceGate"/>: <c>confidence</c>.</summary>
    public const string Confidence = "confidence";

    /// <summary>The <see cref="RiskCeilingGate"/>: <c>riskCeiling</c>.</summary>
    public const string RiskCeiling = "riskCeiling";

    /// <summary>The <see cref="BlastRadiusGate"/>: <c>blastRadius</c>.</summary>
    public const string BlastRadius = "blastRadius";

    /// <summary>The <see cref="RateLimitGate"/>: <c>rateLimit</c>.</summary>
    public const string RateLimit = "rateLimit";

    /// <summary>The <see cref="CooldownGate"/>: <c>cooldown</c>.</summary>
    public const string Cooldown = "cooldown";

    /// <summary>The <see cref="ConcurrencyGate"/>: <c>concurrency</c>.</summary>
    public const string Concurrency = "concurrency";

    /// <summary>The <see cref="ChangeFreezeGate"/>: <c>changeFreeze</c>.</summary>
    public const string ChangeFreeze = "changeFreeze";

    /// <summary>The <see cref="RecentChangeGate"/>: <c>recentChange</c>.</summary>
    public const string RecentChange = "recentChange";

    /// <summary>The <see cref="SilenceGate"/>: <c>silence</c>.</summary>
    public const string Silence = "silence";
}
