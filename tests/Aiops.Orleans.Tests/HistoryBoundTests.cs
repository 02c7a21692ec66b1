using System.ComponentModel.DataAnnotations;
using Aiops.Gates;

namespace Aiops.Orleans.Tests;

/// <summary>The cluster's history: a start left running by a dead silo stops counting toward concurrency after the bound.</summary>
public sealed class HistoryBoundTests
{
    private static readonly TimeSpan Bound = new AiopsOrleansOptions().RunningBound;

    [Fact]
    public void ToHistory_StartRunningLongerThanBound_NotCountedAsRunning()
    {
        var now = TimeProvider.System.GetUtcNow();
        var starts = new[]
        {
            new StartRecord("dec-a-1", "restart", ["checkout"], now - (2 * Bound), Running: true),
            new StartRecord("dec-b-1", "restart", ["payments"], now - TimeSpan.FromSeconds(1), Running: true),
        };

        var history = RemediationHistoryGrain.ToHistory(starts, TimeProvider.System, Bound);

        Assert.Equal(1, history.Running);

        // The stale start still counts as a start (rate limits, cooldowns).
        Assert.Equal(1, history.CountSince("restart", now - (3 * Bound), "checkout"));
    }

    [Fact]
    public async Task ConcurrencyGate_OnlyStaleRunningStart_Allows()
    {
        var now = TimeProvider.System.GetUtcNow();
        var stale = new[] { new StartRecord("dec-a-1", "restart", ["checkout"], now - Bound - TimeSpan.FromMinutes(1), Running: true) };
        var fresh = new[] { stale[0] with { At = now - TimeSpan.FromSeconds(1) } };
        var pipeline = new GatePipeline([new ConcurrencyGate(new ConcurrencyGateOptions { MaxConcurrent = 1 })]);
        var proposal = new RemediationProposal("restart", ["search"], RiskClass.Low, "ep-1", 0.9, "restart/search", now);

        var afterBound = await pipeline.EvaluateAsync(proposal, RemediationHistoryGrain.ToHistory(stale, TimeProvider.System, Bound), now);
        var withinBound = await pipeline.EvaluateAsync(proposal, RemediationHistoryGrain.ToHistory(fresh, TimeProvider.System, Bound), now);

        Assert.Equal(GateVerdict.Allow, afterBound.Verdict);
        Assert.Equal(GateVerdict.Deny, withinBound.Verdict);
    }

    [Fact]
    public void Validate_RunningBoundNotAboveActionTimeout_Fails()
    {
        var options = new AiopsOrleansOptions { ActionTimeout = TimeSpan.FromMinutes(5), RunningBound = TimeSpan.FromMinutes(5) };

        var results = new List<ValidationResult>();
        var valid = Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);

        Assert.False(valid);
        Assert.Contains(results, r => r.MemberNames.Contains(nameof(AiopsOrleansOptions.RunningBound)));
        Assert.Equal(TimeSpan.FromMinutes(10), new AiopsOrleansOptions().RunningBound);
    }
}
