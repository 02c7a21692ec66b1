using Aiops.Hosting.Alertmanager;
using Aiops.Hosting.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the Alertmanager webhook endpoint: <c>app.MapAiopsAlertmanager()</c>.</summary>
public static class AlertmanagerEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps a POST endpoint that receives Alertmanager's version "4" webhook and queues one alert signal per alert for
    /// correlation. Authentication, body limit and duplicate window follow <c>Aiops:Alertmanager</c>
    /// (<see cref="Aiops.Hosting.AlertmanagerWebhookOptions"/>). Responses: 200 <c>{accepted, duplicate, signals}</c>
    /// (an identical notification within the duplicate window is acknowledged but not queued again); 400 with a problem
    /// body for a malformed payload; 401 for missing or wrong credentials; 413 for a body over the limit; 503 when the
    /// pipeline does not accept the signals in time (Alertmanager retries). A web host refuses to start when the endpoint has no
    /// authentication (neither credentials in <c>Aiops:Alertmanager</c> nor <c>RequireAuthorization()</c> on the endpoint)
    /// unless <see cref="Aiops.Hosting.AiopsOptions.AllowAnonymous"/> is set in Development. Requires <c>AddAiops()</c>.
    /// </summary>
    /// <param name="endpoints">The endpoint route builder.</param>
    /// <param name="pattern">The route pattern. Default: <c>/aiops/alertmanager</c>.</param>
    /// <returns>The endpoint's convention builder, to add authorization, rate limiting or metadata.</returns>
    public static IEndpointConventionBuilder MapAiopsAlertmanager(this IEndpointRouteBuilder endpoints, string pattern = "/aiops/alertmanager")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        var services = endpoints.ServiceProvider;

        // Resolved on the first request, after the host has started and validated the options.
        var handler = new Lazy<AlertmanagerWebhookHandler>(
            () => ActivatorUtilities.GetServiceOrCreateInstance<AlertmanagerWebhookHandler>(services),
            LazyThreadSafetyMode.ExecutionAndPublication);
        return endpoints
            .MapPost(pattern, context => handler.Value.HandleAsync(context))
            .WithDisplayName("Aiops Alertmanager webhook")
            .WithMetadata(new AiopsWriteEndpointMetadata(AiopsWriteEndpoint.Webhook));
    }
}
