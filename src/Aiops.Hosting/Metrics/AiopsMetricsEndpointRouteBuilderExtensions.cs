using Aiops.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the Prometheus metrics of Aiops: <c>app.MapAiopsMetrics()</c>.</summary>
public static class AiopsMetricsEndpointRouteBuilderExtensions
{
    /// <summary>The content type of the Prometheus text exposition format, version 0.0.4.</summary>
    private const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>
    /// Maps a GET endpoint serving, in the Prometheus text format, the <see cref="AiopsMetricsRegistry"/> of the host (never
    /// prometheus-net's static default registry): <c>aiops_anomaly_score</c>, <c>aiops_anomaly_expected</c>,
    /// <c>aiops_anomaly_lower</c> and <c>aiops_anomaly_upper</c> per series (labels <c>metric</c> and the series' labels,
    /// at most <see cref="AiopsMetricsOptions.MaxSeries"/> series), <c>aiops_episodes{state}</c>,
    /// <c>aiops_gate_decisions_total{gate,verdict}</c>, <c>aiops_actions_executed_total{status}</c>,
    /// <c>aiops_pipeline_lag_seconds</c>, <c>aiops_dropped_items_total{channel}</c>, and the stages' processed and error
    /// counters. Requires <c>AddAiops()</c>.
    /// </summary>
    /// <param name="endpoints">The endpoint route builder.</param>
    /// <param name="pattern">The route pattern. Default: <c>/metrics</c>.</param>
    /// <returns>The endpoint's convention builder, to add authorization or metadata.</returns>
    public static IEndpointConventionBuilder MapAiopsMetrics(this IEndpointRouteBuilder endpoints, string pattern = "/metrics")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        var services = endpoints.ServiceProvider;
        return endpoints
            .MapGet(pattern, async context =>
            {
                var registry = services.GetRequiredService<AiopsMetricsRegistry>().Registry;
                context.Response.ContentType = ContentType;
                context.Response.Headers.CacheControl = "no-store";
                await registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
            })
            .WithDisplayName("Aiops Prometheus metrics");
    }
}
