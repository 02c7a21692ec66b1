using System.Globalization;
using System.Net;
using Aiops.Detection;
using Aiops.Gates;
using Aiops.Hosting;
using Aiops.Orleans;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Orleans.Configuration;
using StackExchange.Redis;

// Usage: Aiops.Orleans.ClusterHost <redis> <service-id> <silo-port> <gateway-port> <runs-file>. One silo of an Aiops cluster
// clustered and stored through Redis, detection sharded by series (snapshots every 50 points), the webhook and the API on
// 127.0.0.1 (token "cluster-test"), one rule (restart the root-cause service with an action that appends its idempotency key to
// <runs-file>, one line per execution, across processes). Prints "SILO <address>" and "LISTENING <url>" once it serves; exits
// when its stdin closes (so it never outlives the test). Test endpoints: POST /test/detect?series=&from=&count= scores points
// i = from..from+count-1 (value SeriesValue(i)) through the series' shard and returns {restored, probabilities}; GET
// /test/where?series= returns the silo the shard is active on; GET /test/scope?name= returns a correlation scope's episodes.
if (args.Length != 5)
{
    Console.Error.WriteLine("usage: Aiops.Orleans.ClusterHost <redis> <service-id> <silo-port> <gateway-port> <runs-file>");
    return 2;
}

var (redis, serviceId, siloPort, gatewayPort, runsFile) = (args[0], args[1], int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture), args[4]);
var builder = WebApplication.CreateSlimBuilder();
builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Aiops:Alertmanager:BearerToken"] = "cluster-test",
    ["Aiops:Api:ApprovalToken"] = "cluster-test",
    ["Aiops:Correlation:PendingFor"] = "00:00:00",
    ["Aiops:Correlation:TickInterval"] = "00:00:00.100",
});
builder.UseOrleans(silo => silo
    .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (serviceId, serviceId))
    .UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(redis))
    .AddRedisGrainStorage(AiopsGrains.StorageName, o => o.ConfigurationOptions = ConfigurationOptions.Parse(redis))
    .ConfigureEndpoints(IPAddress.Loopback, siloPort, gatewayPort)
    .Configure<ClusterMembershipOptions>(o =>
    {
        // Declare a killed silo dead within seconds (the production default takes about a minute).
        o.ProbeTimeout = TimeSpan.FromSeconds(1);
        o.NumMissedProbesLimit = 2;
        o.NumVotesForDeathDeclaration = 1;
    })
    .AddAiopsGrains());
// One gate, generous: every incident's decision allows its execution, so "at most once per key" is tested on real runs.
var gates = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Policies:0:Type"] = GateNames.RateLimit,
    ["Policies:0:MaxExecutions"] = "1000",
    ["Policies:0:Window"] = "01:00:00",
}).Build();
builder.Services.AddSingleton(sp => GatesConfiguration.Load(gates, TimeProvider.System, sp.GetService<IChangeFeed>()));
builder.Services.AddAiops(aiops => aiops
    .UseOrleans(o =>
    {
        o.ScopeLabel = "namespace";
        o.Detection = DetectionPlacement.SeriesGrain;
        o.SnapshotEveryPoints = 50;
        o.ResumeInterval = TimeSpan.FromSeconds(1);
    })
    .AddAction(new AppendingAction("restart", runsFile))
    .ConfigureRemediation(o => o.Rules.Add(new RemediationRule { Action = "restart" })));

var app = builder.Build();
app.MapAiopsAlertmanager();
app.MapAiopsApi();
app.MapAiopsClusterAudit();
app.MapPost("/test/detect", async (IGrainFactory grains, string series, int from, int count) =>
{
    var key = new SeriesKey("cpu", [new("pod", series)]);
    var reply = await grains.GetGrain<ISeriesDetectionGrain>(key.ToString()).DetectAsync(new SeriesBatch(
        [new SeriesRef(key.ToString(), key.Metric, SeriesDetectionGrain.Flatten(key))],
        new int[count],
        [.. Enumerable.Range(from, count).Select(i => SeriesTime(i).UtcTicks)],
        [.. Enumerable.Range(from, count).Select(SeriesValue)],
        ReturnScores: true));
    return Results.Json(new { restored = reply.Restored, probabilities = reply.Probabilities!.Select(p => double.IsNaN(p) ? -1 : p).ToArray() });
});
app.MapGet("/test/where", async (IGrainFactory grains, string series) =>
    await grains.GetGrain<ISeriesDetectionGrain>(new SeriesKey("cpu", [new("pod", series)]).ToString()).GetSiloAsync());
app.MapGet("/test/scope", async (IGrainFactory grains, string name) =>
    Results.Text(await grains.GetGrain<ICorrelationScopeGrain>(name).GetEpisodesAsync(), "application/json"));
await app.StartAsync();
Console.WriteLine("SILO " + app.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress);
Console.WriteLine("LISTENING " + app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
_ = Task.Run(async () =>
{
    await Console.In.ReadToEndAsync();
    await app.StopAsync();
});
await app.WaitForShutdownAsync();
return 0;

static DateTimeOffset SeriesTime(int i) => new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(10 * i);

static double SeriesValue(int i) => 50 + (5 * Math.Sin(2 * Math.PI * i / 60)) + ((i * 7919 % 100) / 100.0);

/// <summary>An action that appends its idempotency key to a file shared by the cluster's processes, one line per execution.</summary>
internal sealed class AppendingAction(string id, string path) : IRemediationAction
{
    private static readonly Lock Gate = new();

    public string Id => id;

    public RiskClass Risk => RiskClass.Low;

    public ValueTask<ActionOutcome> ExecuteAsync(Decision decision, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            // O_APPEND: lines of concurrent processes do not interleave; written through before the outcome is recorded.
            File.AppendAllText(path, decision.Proposal.IdempotencyKey + Environment.NewLine);
        }

        return ValueTask.FromResult(ActionOutcome.Success("appended"));
    }
}
