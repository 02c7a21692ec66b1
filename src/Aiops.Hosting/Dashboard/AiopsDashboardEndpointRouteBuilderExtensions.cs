using Aiops.Hosting.Dashboard;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the Aiops on-call dashboard: <c>app.MapAiopsDashboard()</c>.</summary>
public static class AiopsDashboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the on-call dashboard under <paramref name="prefix"/>: one self-contained page (HTML, JavaScript and CSS embedded in
    /// this assembly; no CDN, no external fonts, works offline) that reads the JSON API mapped by
    /// <see cref="AiopsApiEndpointRouteBuilderExtensions.MapAiopsApi"/> at <paramref name="apiPrefix"/> and refreshes every
    /// few seconds. It shows the pipeline's state, an anomaly score chart per series (value, expected value, band, anomalous
    /// points, current probability), the episodes with the selected one's timeline and root-cause summary, and the automation
    /// log (every decision with each gate's verdict, approvals and executions).
    /// <list type="bullet">
    /// <item><c>GET {prefix}</c> (and <c>{prefix}/</c>): the page, <c>text/html</c>, <c>Cache-Control: no-cache</c>.</item>
    /// <item><c>GET {prefix}/dashboard.js</c>, <c>{prefix}/dashboard.css</c>: the assets, with an <c>ETag</c>; cached for a
    /// year when requested with the page's <c>?v=</c> version, otherwise revalidated.</item>
    /// <item><c>GET {prefix}/state</c>: the pipeline's state as JSON (status, queued items, series, open episodes), <c>no-store</c>.</item>
    /// </list>
    /// Every response carries a strict <c>Content-Security-Policy</c> (<c>default-src 'self'</c>, no inline script or style),
    /// <c>X-Content-Type-Options: nosniff</c>, <c>Referrer-Policy: no-referrer</c> and <c>X-Frame-Options: DENY</c>. The page
    /// is read-only (it never approves or rejects). Requires <c>AddAiops()</c>; map the API too, or the panels show what is missing.
    /// Thread-safe; the assets are read once.
    /// </summary>
    /// <param name="endpoints">The endpoint route builder.</param>
    /// <param name="prefix">The route prefix of the page. Default: <c>/aiops</c>.</param>
    /// <param name="apiPrefix">The route prefix the API is mapped at (the page requests it relative to the host's path base). Default: <c>/aiops/api</c>.</param>
    /// <returns>The group of the dashboard's endpoints, to add authorization, rate limiting or metadata to all of them.</returns>
    public static RouteGroupBuilder MapAiopsDashboard(this IEndpointRouteBuilder endpoints, string prefix = "/aiops", string apiPrefix = "/aiops/api")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        ArgumentException.ThrowIfNullOrEmpty(apiPrefix);

        var handlers = new DashboardHandlers(DashboardAssets.Shared, prefix, apiPrefix);
        var group = endpoints.MapGroup(prefix).RequireAuthorization(Aiops.Hosting.AiopsApiOptions.ReadPolicy);
        group.MapGet("/", (Func<HttpContext, Task>)handlers.PageAsync).WithDisplayName("Aiops dashboard").ExcludeFromDescription();
        group.MapGet("/" + DashboardAssets.ScriptName, (Func<HttpContext, Task>)handlers.ScriptAsync).WithDisplayName("Aiops dashboard script").ExcludeFromDescription();
        group.MapGet("/" + DashboardAssets.StyleName, (Func<HttpContext, Task>)handlers.StyleAsync).WithDisplayName("Aiops dashboard style").ExcludeFromDescription();
        group.MapGet("/state", (Func<HttpContext, Task>)DashboardHandlers.StateAsync).WithDisplayName("Aiops dashboard state").ExcludeFromDescription();
        return group;
    }
}
