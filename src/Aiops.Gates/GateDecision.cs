namespace Aiops.Gates;

/// <summary>
/// A gate's verdict on a proposal, with the reason in words and optional data (thresholds, counts). Create it with the static
/// factories. Immutable; safe to share.
/// </summary>
public readonly record struct GateDecision
{
    private GateDecision(GateVerdict verdict, string reason, IReadOnlyDictionary<string, string>? data)
    {
        Verdict = verdict;
        Reason = reason;
        Data = data;
    }

    /// <summary>Gets the verdict.</summary>
    public GateVerdict Verdict { get; }

    /// <summary>Gets why, in words a person reads in the audit log.</summary>
    public string Reason { get; }

    /// <summary>Gets the figures behind the verdict (limit, observed value...), or <see langword="null"/>.</summary>
    public IReadOnlyDictionary<string, string>? Data { get; }

    /// <summary>The gate lets the proposal through.</summary>
    /// <param name="reason">Why.</param>
    /// <param name="data">Optional figures.</param>
    /// <returns>The decision.</returns>
    public static GateDecision Allow(string reason, IReadOnlyDictionary<string, string>? data = null) => new(GateVerdict.Allow, reason, data);

    /// <summary>The gate stops the proposal.</summary>
    /// <param name="reason">Why.</param>
    /// <param name="data">Optional figures.</param>
    /// <returns>The decision.</returns>
    public static GateDecision Deny(string reason, IReadOnlyDictionary<string, string>? data = null) => new(GateVerdict.Deny, reason, data);

    /// <summary>The gate lets the proposal through only if a person approves it.</summary>
    /// <param name="reason">Why.</param>
    /// <param name="data">Optional figures.</param>
    /// <returns>The decision.</returns>
    public static GateDecision RequireApproval(string reason, IReadOnlyDictionary<string, string>? data = null) => new(GateVerdict.RequireApproval, reason, data);

    /// <summary>Combines two verdicts: deny wins over require-approval, which wins over allow.</summary>
    /// <param name="a">One verdict.</param>
    /// <param name="b">The other.</param>
    /// <returns>The stricter.</returns>
    public static GateVerdict Strictest(GateVerdict a, GateVerdict b) => (GateVerdict)Math.Max((int)a, (int)b);
}

/// <summary>What a gate (or the whole pipeline) says about a proposal. Ordered from least to most strict.</summary>
public enum GateVerdict
{
    /// <summary>Run it.</summary>
    Allow = 0,

    /// <summary>Run it only after a person approves it.</summary>
    RequireApproval = 1,

    /// <summary>Do not run it.</summary>
    Deny = 2,
}
