using System.Text.Json;
using Aiops.Hosting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the Aiops health checks: <c>app.MapAiopsHealth()</c>.</summary>
public static class AiopsHealthEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps a GET endpoint running the health checks tagged <c>aiops</c> (<c>pipeline</c>, <c>source-freshness</c>,
    /// <c>store-writable</c>) and answering JSON <c>{status, totalDurationMs, checks: {name: {status, description,
    /// durationMs, data}}}</c>: 200 when Healthy or Degraded, 503 when Unhealthy. Requires <c>AddAiops()</c>.
    /// </summary>
    /// <param name="endpoints">The endpoint route builder.</param>
    /// <param name="pattern">The route pattern. Default: <c>/aiops/health</c>.</param>
    /// <returns>The endpoint's convention builder, to add authorization or metadata.</returns>
    public static IEndpointConventionBuilder MapAiopsHealth(this IEndpointRouteBuilder endpoints, string pattern = "/aiops/health")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        return endpoints
            .MapHealthChecks(pattern, new HealthCheckOptions
            {
                Predicate = static r => r.Tags.Contains(AiopsHealthOptions.Tag),
                ResponseWriter = WriteJsonAsync,
            })
            .WithDisplayName("Aiops health");
    }

    private static async Task WriteJsonAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        var writer = new Utf8JsonWriter(context.Response.Body);
        await using (writer.ConfigureAwait(false))
        {
            writer.WriteStartObject();
            writer.WriteString("status", report.Status.ToString());
            writer.WriteNumber("totalDurationMs", Math.Round(report.TotalDuration.TotalMilliseconds, 3));
            writer.WriteStartObject("checks");
            foreach (var (name, entry) in report.Entries)
            {
                writer.WriteStartObject(name);
                writer.WriteString("status", entry.Status.ToString());
                writer.WriteString("description", entry.Description);
                writer.WriteNumber("durationMs", Math.Round(entry.Duration.TotalMilliseconds, 3));
                if (entry.Exception is not null)
                {
                    writer.WriteString("error", entry.Exception.GetType().Name);
                }

                writer.WriteStartObject("data");
                foreach (var (key, value) in entry.Data)
                {
                    switch (value)
                    {
                        case int number:
                            writer.WriteNumber(key, number);
                            break;
                        case long number:
                            writer.WriteNumber(key, number);
                            break;
                        case double number when double.IsFinite(number):
                            writer.WriteNumber(key, number);
                            break;
                        case bool flag:
                            writer.WriteBoolean(key, flag);
                            break;
                        default:
                            writer.WriteString(key, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
                            break;
                    }
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
            await writer.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        }
    }
}
