namespace Aiops.Gates.Tests.Policies;

/// <summary>A hand-written execution history: a list of starts and a running count, as a test scripts them.</summary>
internal sealed class FakeGateHistory : IExecutionHistory
{
    private readonly List<(string ActionId, string[] Targets, DateTimeOffset Start)> _starts = [];

    public int Running { get; set; }

    /// <summary>Gets the <c>since</c> values gates asked about, to check the window they compute.</summary>
    public List<DateTimeOffset> Queries { get; } = [];

    public FakeGateHistory Started(string actionId, DateTimeOffset start, params string[] targets)
    {
        _starts.Add((actionId, targets, start));
        return this;
    }

    public int CountSince(string actionId, DateTimeOffset since, string? target = null)
    {
        Queries.Add(since);
        return _starts.Count(s => s.ActionId == actionId && s.Start >= since && (target is null || s.Targets.Contains(target)));
    }

    public DateTimeOffset? LastStart(string actionId, string? target = null)
    {
        var matching = _starts.Where(s => s.ActionId == actionId && (target is null || s.Targets.Contains(target))).ToList();
        return matching.Count == 0 ? null : matching.Max(s => s.Start);
    }
}

internal static class GateTestKit
{
    public static readonly DateTimeOffset Now = new(2025, 6, 2, 12, 0, 0, TimeSpan.Zero);

    public static RemediationProposal Proposal(
        string actionId = "restart",
        string[]? targets = null,
        RiskClass risk = RiskClass.Low,
        double confidence = 0.95,
        int? fleetSize = null,
        IReadOnlyDictionary<string, string>? labels = null) =>
        new(actionId, targets ?? ["checkout-1"], risk, "ep-1", confidence, "key-1", Now)
        {
            FleetSize = fleetSize,
            Labels = labels ?? new Dictionary<string, string>(),
        };

    public static GateDecision Evaluate(IGatePolicy gate, RemediationProposal proposal, DateTimeOffset? now = null, IExecutionHistory? history = null)
    {
        var decision = gate.EvaluateAsync(new GateContext(proposal, now ?? Now, history ?? new FakeGateHistory()), CancellationToken.None).AsTask().GetAwaiter().GetResult();

        // Every decision explains itself: a reason and the figures behind it.
        Assert.False(string.IsNullOrWhiteSpace(decision.Reason));
        Assert.NotNull(decision.Data);
        Assert.NotEmpty(decision.Data);
        return decision;
    }
}
