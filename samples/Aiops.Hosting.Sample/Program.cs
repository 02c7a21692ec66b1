using System.Net;
using Aiops.Gates;
using Aiops.Gates.Actions;
using Aiops.Hosting;
using Aiops.Hosting.Sample;
using Aiops.Orleans;
using Orleans.Configuration;
using StackExchange.Redis;

var builder = WebApplication.CreateBuilder(args);
// Loopback unless Sample:ListenAnyAddress is set (in a container, where the compose file's load balancer reaches it).
var address = builder.Configuration.GetValue<bool>("Sample:ListenAnyAddress") ? IPAddress.Any : IPAddress.Loopback;
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(address, builder.Configuration.GetValue("Sample:Port", 5080)));

// Scale-out (README, "Scale-out on Orleans"): with Sample:Redis set (a StackExchange.Redis configuration string), this host
// is one silo of an Aiops cluster clustered and stored through Redis; the compose profile `cluster` runs three of them.
var redis = builder.Configuration["Sample:Redis"];
var clustered = !string.IsNullOrEmpty(redis);
if (clustered)
{
    builder.UseOrleans(silo => silo
        .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = ("aiops-sample", "aiops-sample"))
        .UseRedisClustering(redis!)
        .AddRedisGrainStorage(AiopsGrains.StorageName, o => o.ConfigurationOptions = ConfigurationOptions.Parse(redis!))
        .AddAiopsGrains());
}

// The app's own metrics, and a generator of normal traffic that /chaos/* can disturb.
builder.Services.AddSingleton<ShopTraffic>();
builder.Services.AddHostedService<TrafficGenerator>();

// Aiops watches the app's meter; its options bind from the "Aiops" section of appsettings.json, where a rule proposes the
// (simulated) restart for incidents and the default safety gates decide.
builder.AddAiops(aiops => aiops
    .AddMeterSource(meters =>
    {
        meters.Meters.Add(ShopTraffic.MeterName);
        meters.CollectInterval = TimeSpan.FromSeconds(builder.Configuration.GetValue("Sample:CollectIntervalSeconds", 1.0));
    })
    .AddAction(new SimulatedAction("restart-instance", RiskClass.Medium, "restart")));
if (clustered)
{
    builder.AddAiops(aiops => aiops.UseOrleans());
}

var app = builder.Build();
app.MapAiopsAlertmanager("/aiops/alertmanager");   // point Alertmanager's webhook_configs here
app.MapAiopsApi("/aiops/api");                     // GET /aiops/api/scores, /aiops/api/episodes, ...
app.MapAiopsMetrics("/metrics");                   // aiops_anomaly_score{...}, aiops_episodes{state}, ...
app.MapAiopsHealth("/aiops/health");
app.MapAiopsDashboard("/aiops");                   // the on-call page: scores, episodes, timeline, RCA, decisions

// /chaos changes what the app does, so it is a write endpoint like approvals: it needs the approval token (Aiops:Api:ApprovalToken),
// except in Development with Aiops:AllowAnonymous (appsettings.Development.json), where the sample runs open on loopback.
var chaos = app.MapGroup("/chaos");
if (!(app.Environment.IsDevelopment() && app.Configuration.GetValue<bool>("Aiops:AllowAnonymous")))
{
    chaos.RequireAuthorization(AiopsApiOptions.ApprovalPolicy);
}

chaos.MapPost("/spike", (ShopTraffic traffic, int? seconds) => traffic.Disturb(Disturbance.Spike, seconds));
chaos.MapPost("/latency", (ShopTraffic traffic, int? seconds) => traffic.Disturb(Disturbance.Latency, seconds));
chaos.MapPost("/errors", (ShopTraffic traffic, int? seconds) => traffic.Disturb(Disturbance.Errors, seconds));
chaos.MapDelete("/", (ShopTraffic traffic) => traffic.Calm());

app.MapGet("/", () => Results.Text("""
    Aiops sample: a shop's traffic, watched by Aiops.
      GET  /aiops                the dashboard
      GET  /aiops/api/scores     latest anomaly score and band per series
      GET  /aiops/api/episodes   episodes (incidents), newest first
      GET  /aiops/api/decisions  what the safety gates decided, newest first
      GET  /metrics              Prometheus metrics of Aiops
      GET  /aiops/health         pipeline health
      POST /chaos/spike?seconds=60     a burst of requests
      POST /chaos/latency?seconds=60   slow responses
      POST /chaos/errors?seconds=60    failing requests
      DELETE /chaos              back to normal
    """));

app.Run();
