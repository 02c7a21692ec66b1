using System.Globalization;
using System.Text;
using Aiops.Hosting;
using Aiops.Orleans;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the cluster's audit log: <c>app.MapAiopsClusterAudit()</c>.</summary>
public static class AiopsClusterAuditEndpoints
{
    /// <summary>The largest <c>limit</c> the endpoint accepts.</summary>
    private const int MaxLimit = 1000;

    /// <summary>
    /// Maps <c>GET {pattern}?limit=</c>: the cluster's audit log (decisions, approval answers and execution outcomes made on
    /// any replica, durable in the cluster's grain storage), newest first, as a JSON array of the audit entries the
    /// <c>GET audit</c> endpoint of <c>MapAiopsApi</c> lists for one replica; <c>limit</c> defaults to 100 (at most 1,000), and
    /// records older than 7 days are not read. Requires the read policy <see cref="AiopsApiOptions.ReadPolicy"/>. The host must
    /// be a silo or client of the cluster (<c>UseOrleans</c>). Call it during startup only.
    /// </summary>
    /// <param name="endpoints">The endpoint route builder.</param>
    /// <param name="pattern">The route. Default: <c>/aiops/api/cluster/audit</c>.</param>
    /// <returns>The endpoint, to add authorization, rate limiting or metadata to it.</returns>
    public static RouteHandlerBuilder MapAiopsClusterAudit(this IEndpointRouteBuilder endpoints, string pattern = "/aiops/api/cluster/audit")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        return endpoints.MapGet(pattern, ListAsync)
            .WithTags("Audit")
            .WithSummary("Lists the cluster's audit entries (decisions, approvals, executions of every replica), newest first.")
            .RequireAuthorization(AiopsApiOptions.ReadPolicy);
    }

    private static async Task ListAsync(HttpContext context, string? limit = null)
    {
        var max = 100;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out max) || max < 1 || max > MaxLimit))
        {
            await Results.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "Invalid parameter 'limit'",
                detail: $"'{limit}' is not a valid limit; expected a whole number from 1 to {MaxLimit}.").ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        var services = context.RequestServices;
        var now = (services.GetService<TimeProvider>() ?? TimeProvider.System).GetUtcNow();
        var entries = await ClusterAudit.ReadAsync(services.GetRequiredService<IGrainFactory>(), now, max, context.RequestAborted).ConfigureAwait(false);

        // The entries are stored as the audit log's JSON lines: written as they are.
        var json = new StringBuilder(2 + entries.Sum(static e => e.Length + 1));
        json.Append('[').AppendJoin(',', entries).Append(']');
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(json.ToString(), context.RequestAborted).ConfigureAwait(false);
    }
}
