using System.Text.Encodings.Web;
using System.Text.Json;
using Aiops.Correlation;
using Aiops.Hosting.Health;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Net.Http.Headers;

namespace Aiops.Hosting.Dashboard;

/// <summary>The request handlers of <c>MapAiopsDashboard</c>. Immutable after construction; services are resolved per request.</summary>
internal sealed class DashboardHandlers
{
    /// <summary>The page's policy: only this origin's script, style and API; no inline code, no framing, no plugins.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; "
        + "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private const string HtmlContentType = "text/html; charset=utf-8";

    private const string JsonContentType = "application/json; charset=utf-8";

    private readonly DashboardAssets _assets;
    private readonly string _prefix;
    private readonly string _apiPrefix;

    public DashboardHandlers(DashboardAssets assets, string prefix, string apiPrefix)
    {
        _assets = assets;
        _prefix = Normalize(prefix);
        _apiPrefix = Normalize(apiPrefix);
    }

    public Task PageAsync(HttpContext context)
    {
        var pathBase = context.Request.PathBase.Value ?? string.Empty;
        var html = HtmlEncoder.Default;
        var basePath = pathBase + _prefix;
        var page = _assets.PageTemplate
            .Replace("{{base}}", html.Encode(basePath), StringComparison.Ordinal)
            .Replace("{{api}}", html.Encode(pathBase + _apiPrefix), StringComparison.Ordinal)
            .Replace("{{js}}", html.Encode($"{basePath}/{DashboardAssets.ScriptName}?v={_assets.Script.Version}"), StringComparison.Ordinal)
            .Replace("{{css}}", html.Encode($"{basePath}/{DashboardAssets.StyleName}?v={_assets.Style.Version}"), StringComparison.Ordinal);

        var response = context.Response;
        SecurityHeaders(response);
        response.Headers.CacheControl = "no-cache";
        response.ContentType = HtmlContentType;
        return response.WriteAsync(page, context.RequestAborted);
    }

    public Task ScriptAsync(HttpContext context) => AssetAsync(context, _assets.Script);

    public Task StyleAsync(HttpContext context) => AssetAsync(context, _assets.Style);

    public static async Task StateAsync(HttpContext context)
    {
        var services = context.RequestServices;
        string status;
        string description;
        IReadOnlyDictionary<string, object> data;
        if (services.GetService<AiopsPipelineWriter>() is null)
        {
            (status, description, data) = ("Unhealthy", "Aiops is not registered in this host; call AddAiops().", new Dictionary<string, object>());
        }
        else
        {
            var check = ActivatorUtilities.CreateInstance<PipelineHealthCheck>(services);
            var registration = new HealthCheckRegistration("pipeline", check, HealthStatus.Unhealthy, tags: null);
            var result = await check.CheckHealthAsync(new HealthCheckContext { Registration = registration }, context.RequestAborted).ConfigureAwait(false);
            (status, description, data) = (result.Status.ToString(), result.Description ?? string.Empty, result.Data);
        }

        var board = services.GetService<ScoreBoard>();
        var correlator = services.GetService<Correlator>();
        var response = context.Response;
        SecurityHeaders(response);
        response.Headers.CacheControl = "no-store";
        response.ContentType = JsonContentType;
        using (var json = new Utf8JsonWriter(response.BodyWriter))
        {
            json.WriteStartObject();
            json.WriteString("status", JsonNamingPolicy.CamelCase.ConvertName(status));
            json.WriteString("description", description);
            json.WriteNumber("series", board?.Count ?? 0);
            if (correlator is not null)
            {
                json.WriteNumber("openEpisodes", correlator.OpenCount);
            }
            else
            {
                json.WriteNull("openEpisodes");
            }

            WriteCount(json, "samplesQueued", data, "samples_queued");
            WriteCount(json, "signalsQueued", data, "signals_queued");
            json.WriteString("now", (services.GetService<TimeProvider>() ?? TimeProvider.System).GetUtcNow());
            json.WriteEndObject();
        }

        await response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task AssetAsync(HttpContext context, DashboardAssets.Asset asset)
    {
        var request = context.Request;
        var response = context.Response;
        SecurityHeaders(response);
        response.Headers.ETag = asset.ETag;
        response.Headers.CacheControl = string.Equals(request.Query["v"], asset.Version, StringComparison.Ordinal)
            ? "public, max-age=31536000, immutable"
            : "no-cache";
        if (request.Headers.IfNoneMatch.Count > 0
            && EntityTagHeaderValue.TryParseList(request.Headers.IfNoneMatch, out var tags)
            && tags.Any(t => t.Compare(new EntityTagHeaderValue(asset.ETag), useStrongComparison: false) || t.Equals(EntityTagHeaderValue.Any)))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Content.Length;
        await response.Body.WriteAsync(asset.Content, context.RequestAborted).ConfigureAwait(false);
    }

    private static void SecurityHeaders(HttpResponse response)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
    }

    private static void WriteCount(Utf8JsonWriter json, string name, IReadOnlyDictionary<string, object> data, string key)
    {
        if (data.TryGetValue(key, out var value) && value is int count && count >= 0)
        {
            json.WriteNumber(name, count);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static string Normalize(string prefix)
    {
        var trimmed = prefix.Trim().TrimEnd('/');
        return trimmed.Length == 0 || trimmed[0] == '/' ? trimmed : "/" + trimmed;
    }
}
