using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Aiops.Correlation;
using Aiops.Gates;
using Aiops.Hosting;
using Aiops.Hosting.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Aiops.Orleans.Tests;

/// <summary>Approvals on three silos: a decision made on one silo is listed by every silo and runs once when any silo approves it.</summary>
public sealed class ClusterApprovalTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private static ClusterWorld World => ClusterFixture.World;

    [Fact]
    public async Task Approve_PostedToASiloThatDidNotMakeTheDecision_ListedOnEverySiloAndExecutedOnce()
    {
        var silos = fixture.Cluster.Silos.Select(ClusterWorld.Services).ToArray();
        var ns = $"vault-{Guid.NewGuid():N}";
        var payload = ClusterWorld.Payload($"group-ledger-{ns}", ClusterWorld.ApprovalService, ns, World.Time.GetUtcNow(), "HighLatency", "HighErrorRate");
        Assert.Equal(200, await ClusterWorld.PostAsync(silos[0], payload));

        // The high-risk proposal waits for a person: every silo's approval endpoint lists it.
        string? decisionId = null;
        Assert.True(await ClusterWorld.WaitUntilAsync(async () => (decisionId = (await ListPendingAsync(silos[0])).FirstOrDefault(p => p.Key.StartsWith(ClusterWorld.ApprovalAction + "/" + ClusterWorld.ApprovalService, StringComparison.Ordinal)).Id) is not null));
        foreach (var silo in silos)
        {
            Assert.Contains(decisionId, (await ListPendingAsync(silo)).Select(p => p.Id));
        }

        var key = (await ListPendingAsync(silos[0])).Single(p => p.Id == decisionId).Key;
        Assert.False(World.Runs.ContainsKey(key));

        // The silos that took part in the decision: the decision grain's (its audit log has the decision) and the scope
        // grain's (its remediation stage proposed it; its episode store has the scope's episode). The approval goes elsewhere.
        var deciders = new HashSet<int>();
        for (var i = 0; i < silos.Length; i++)
        {
            await foreach (var entry in silos[i].GetRequiredService<IAuditLog>().ReadAllAsync())
            {
                if (entry is DecisionEntry d && d.Decision.DecisionId == decisionId)
                {
                    deciders.Add(i);
                }
            }

            if (await silos[i].GetRequiredService<IEpisodeStore>().GetAsync(CorrelationScopeGrain.QualifyId("ep-000001", ns)) is not null)
            {
                deciders.Add(i);
            }
        }

        Assert.NotEmpty(deciders);
        var approver = Enumerable.Range(0, silos.Length).First(i => !deciders.Contains(i));
        Assert.Equal(200, await AnswerAsync(silos[approver], decisionId!, approve: true));

        // Runs once, on whichever silo polls it, through the decision grain's one admission.
        Assert.True(await ClusterWorld.WaitUntilAsync(() => Task.FromResult(World.Runs.ContainsKey(key))));
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(1, World.Runs[key]);
        var summary = await fixture.Cluster.GrainFactory.GetGrain<IDecisionGrain>(key).GetSummaryAsync();
        Assert.Equal(1, summary.Decisions);
        Assert.Equal(1, summary.Executions);

        // Answered: no silo lists it any more, every silo reports it approved, and a second answer anywhere is refused.
        foreach (var silo in silos)
        {
            Assert.DoesNotContain(decisionId, (await ListPendingAsync(silo)).Select(p => p.Id));
            Assert.Equal(ApprovalState.Approved, await silo.GetRequiredService<IApprovalCoordinator>().GetStateAsync(decisionId!, CancellationToken.None));
        }

        Assert.All(Enumerable.Range(0, silos.Length), i => Assert.Equal(409, AnswerAsync(silos[i], decisionId!, approve: false).GetAwaiter().GetResult()));
        Assert.Equal(1, World.Runs[key]);
    }

    [Fact]
    public async Task Answer_UnknownDecisionOnAnySilo_NotFound()
    {
        var silo = ClusterWorld.Services(fixture.Cluster.Silos[1]);
        Assert.Equal(404, await AnswerAsync(silo, "dec-0000000000000000-1", approve: true));
    }

    /// <summary>GET approvals on one silo, through the API handler: each pending decision's id and idempotency key.</summary>
    private static async Task<IReadOnlyList<(string Id, string Key)>> ListPendingAsync(IServiceProvider silo)
    {
        var context = new DefaultHttpContext { RequestServices = silo };
        context.Response.Body = new MemoryStream();
        await AiopsApiHandlers.ListApprovalsAsync(context);
        Assert.Equal(200, context.Response.StatusCode);
        using var json = JsonDocument.Parse(((MemoryStream)context.Response.Body).ToArray());
        return [.. json.RootElement.EnumerateArray().Select(p => (
            p.GetProperty("decision").GetProperty("decisionId").GetString()!,
            p.GetProperty("decision").GetProperty("proposal").GetProperty("idempotencyKey").GetString()!))];
    }

    /// <summary>POST approvals/{id}/approve (or reject) on one silo, as an authenticated operator.</summary>
    private static async Task<int> AnswerAsync(IServiceProvider silo, string decisionId, bool approve)
    {
        var body = Encoding.UTF8.GetBytes("""{"why":"checked the ledger replica lag"}""");
        var context = new DefaultHttpContext { RequestServices = silo };
        context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "oncall")], "test"));
        context.Request.Method = "POST";
        context.Request.ContentType = "application/json";
        context.Request.ContentLength = body.Length;
        context.Request.Body = new MemoryStream(body);
        context.Response.Body = new MemoryStream();
        await (approve ? AiopsApiHandlers.ApproveAsync(context, decisionId) : AiopsApiHandlers.RejectAsync(context, decisionId));
        return context.Response.StatusCode;
    }
}
