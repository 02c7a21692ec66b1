using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Prometheus;

namespace Aiops.Lab.App;

/// <summary>Builds the lab app (also used by the tests, with their own settings and TimeProvider).</summary>
public static class LabApplication
{
    /// <summary>Where the app listens when neither --urls nor ASPNETCORE_URLS/ASPNETCORE_HTTP_PORTS says.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5090";

    /// <summary>Creates the app; <paramref name="configure"/> may replace services (e.g. the TimeProvider) or add settings.</summary>
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["http_ports"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, LabJsonContext.Default));
        builder.Services.AddOptions<LabOptions>().Bind(builder.Configuration.GetSection(LabOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<LabOptions>>().Value);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => new LabRandom(sp.GetRequiredService<LabOptions>().Seed));
        builder.Services.AddSingleton<LabMetrics>();
        builder.Services.AddSingleton(sp => new CapacityModel(sp.GetRequiredService<LabOptions>().Capacity, sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<ScenarioState>();
        builder.Services.AddSingleton(sp => new FeatureFlags(sp.GetRequiredService<LabOptions>().Flags));
        builder.Services.AddSingleton<Payment>();
        builder.Services.AddSingleton<Store>();
        builder.Services.AddSingleton<Checkout>();
        builder.Services.AddSingleton<Frontend>();
        builder.Services.AddHostedService<LoadGenerator>();
        configure?.Invoke(builder);

        var app = builder.Build();
        var metrics = app.Services.GetRequiredService<LabMetrics>();
        var scenarios = app.Services.GetRequiredService<ScenarioState>();
        metrics.Registry.AddBeforeCollectCallback(scenarios.Refresh);
        Map(app, metrics);
        return app;
    }

    private static void Map(WebApplication app, LabMetrics metrics)
    {
        app.MapGet("/", () => Results.Text("""
            Aiops lab app: three services and a store in one process, frontend -> checkout -> payment (and store).
              GET  /api/checkout                 the work, through frontend (200, 500, or 503 when checkout sheds)
              GET  /healthz                      liveness
              GET  /metrics                      lab_* metrics, per service (client calls with their peer)
              GET  /scenario                     the active scenario
              POST /scenario/{name}?seconds=30[&rate=0.3]   latency | errors | bad-deploy | surge | reset
              GET  /flags, POST /flags/{name}?on=true|false   feature flags
            """));

        app.MapGet(LabMetrics.FrontendRoute, async (Frontend frontend, ScenarioState scenarios, HttpContext http) =>
        {
            var result = await frontend.HandleAsync(http.RequestAborted).ConfigureAwait(false);
            return Results.Json(new CheckoutResponse(result.StatusCode == 200 ? "ok" : "error", scenarios.Snapshot().Version, result.Attempts), LabJsonContext.Default.CheckoutResponse, statusCode: result.StatusCode);
        });

        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapMetrics("/metrics", metrics.Registry);

        app.MapGet("/scenario", (ScenarioState scenarios) => scenarios.Snapshot());
        app.MapPost("/scenario/{name}", (string name, int? seconds, double? rate, ScenarioState scenarios) =>
        {
            if (!ScenarioNames.All.Contains(name))
            {
                return Results.Problem($"Unknown scenario '{name}'; one of: {string.Join(", ", ScenarioNames.All)}.", statusCode: StatusCodes.Status404NotFound);
            }

            if (seconds is < 1 or > 3600)
            {
                return Results.Problem("seconds must be in [1, 3600].", statusCode: StatusCodes.Status400BadRequest);
            }

            if (rate is < 0 or > 1)
            {
                return Results.Problem("rate must be in [0, 1].", statusCode: StatusCodes.Status400BadRequest);
            }

            return Results.Ok(scenarios.Start(name, TimeSpan.FromSeconds(seconds ?? 30), rate));
        });

        app.MapGet("/flags", (FeatureFlags flags) => flags.Snapshot());
        app.MapPost("/flags/{name}", (string name, string? on, FeatureFlags flags) =>
        {
            if (!bool.TryParse(on, out var value))
            {
                return Results.Problem("on must be true or false.", statusCode: StatusCodes.Status400BadRequest);
            }

            return flags.TrySet(name, value)
                ? Results.Ok(new FlagResponse(name, value))
                : Results.Problem($"Invalid flag name '{name}' (1-64 of [a-z0-9._-]) or more than {FeatureFlags.MaxFlags} flags.", statusCode: StatusCodes.Status400BadRequest);
        });
    }
}

/// <summary>The body of GET /api/checkout.</summary>
/// <param name="Status">ok or error.</param>
/// <param name="Version">Checkout's version.</param>
/// <param name="Attempts">Payment calls checkout made.</param>
public sealed record CheckoutResponse(string Status, string Version, int Attempts);

/// <summary>The body of POST /flags/{name}.</summary>
/// <param name="Name">The flag.</param>
/// <param name="On">Its new value.</param>
public sealed record FlagResponse(string Name, bool On);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(CheckoutResponse))]
[JsonSerializable(typeof(FlagResponse))]
[JsonSerializable(typeof(ScenarioSnapshot))]
[JsonSerializable(typeof(SortedDictionary<string, bool>))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails))]
internal sealed partial class LabJsonContext : JsonSerializerContext;
