using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Aiops.Correlation;
using Aiops.Gates;
using Aiops.Gates.Actions;
using Aiops.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Aiops.LoadTest;

/// <summary>
/// A long run of the whole hosted pipeline under a steady alert load, through the webhook on loopback: every second
/// <c>--rate</c> noise alerts (payloads of 100, each alert re-sent every second like Alertmanager's repeats, replaced by a
/// new generation on other services every minute when the old one is sent resolved) and, every <c>--incident-every</c> seconds, an incident
/// (two alerts on one of ten shop services, firing for 20 s, then resolved) that one rule remediates. The host uses a
/// durable directory (audit log and episode store), as a production host would. Measures the heap after a full collection
/// every 10 s (flat: after a warm-up of a third of the run, at most 15 min, the second half within 10 % of the first), whether every incident got a
/// decision, and the responses (no 5xx).
/// </summary>
internal static class SoakCommand
{
    private const int Batch = 100;
    private const int ShopServices = 10;
    private const int NoiseGenerationSeconds = 60;
    private const int IncidentSeconds = 20;
    private const string Token = "soak";

    public static async Task<int> RunAsync(CommandLine options)
    {
        var seconds = options.Int("seconds", 3600, min: 60);
        var rate = options.Int("rate", 5000, min: Batch);
        var incidentEvery = options.Int("incident-every", 30, min: 5);
        var directory = Path.Combine(Path.GetTempPath(), "aiops-soak-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            return await RunAsync(seconds, rate, incidentEvery, directory);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<int> RunAsync(int seconds, int rate, int incidentEvery, string directory)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Aiops:Alertmanager:BearerToken"] = Token,
            ["Aiops:Remediation:AuditLogPath"] = Path.Combine(directory, "audit.jsonl"),
            ["Aiops:Correlation:PendingFor"] = "00:00:05",
            ["Aiops:Correlation:ResolveAfter"] = "00:00:10",
            ["Aiops:Correlation:ReopenWindow"] = "00:00:30",
        });
        builder.AddAiops(aiops => aiops
            .AddAction(new SimulatedAction("restart", RiskClass.Low))
            .ConfigureRemediation(o => o.Rules.Add(new RemediationRule { Action = "restart", Entities = [.. Enumerable.Range(0, ShopServices).Select(Shop)] })));
        await using var app = builder.Build();
        app.MapAiopsAlertmanager("/aiops/alertmanager");
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var correlator = app.Services.GetRequiredService<Correlator>();
        var engine = app.Services.GetRequiredService<DecisionEngine>();

        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 16, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        using var client = new HttpClient(handler) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        var counts = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        long alertsSent = 0;
        var incidents = new List<(int Index, string Service, DateTimeOffset Start)>();
        var memory = new List<(double Second, long Heap, long WorkingSet)>();
        // The bounded caches fill first (the webhook's duplicate window is 10 min; its memory of resolved alerts, 65,536
        // instances, fills in about 13 min at 5,000 alerts/s): flatness is judged after them.
        var warmup = Math.Min(seconds / 3, 900);

        Console.WriteLine($"soak: {seconds} s at {rate:N0} alerts/s (payloads of {Batch}), an incident every {incidentEvery} s, webhook {address}aiops/alertmanager, durable directory {directory}");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores; heap measured after a full collection every 10 s; warm-up {warmup} s excluded from the flatness check");
        Console.WriteLine("   time      alerts   alerts/s   heap MiB   working set MiB   open episodes   decisions   2xx   503   other 5xx   other");
        var started = DateTimeOffset.UtcNow;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        for (var t = 0; t < seconds; t++)
        {
            var now = DateTimeOffset.UtcNow;
            var payloads = new List<string>();
            var generation = t / NoiseGenerationSeconds;
            var generationStart = started.AddSeconds(generation * NoiseGenerationSeconds);
            for (var b = 0; b * Batch < rate; b++)
            {
                payloads.Add(Payload($"noise-{b}-t{t}", "firing", Enumerable.Range(b * Batch, Math.Min(Batch, rate - (b * Batch))).Select(k => ($"n-{generation}-{k}", $"Noise{k % 5}", Noisy(generation, k, rate), generationStart)), null));
                if (t > 0 && t % NoiseGenerationSeconds == 0)
                {
                    var previous = started.AddSeconds((generation - 1) * NoiseGenerationSeconds);
                    payloads.Add(Payload($"noise-{b}-t{t}-resolved", "resolved", Enumerable.Range(b * Batch, Math.Min(Batch, rate - (b * Batch))).Select(k => ($"n-{generation - 1}-{k}", $"Noise{k % 5}", Noisy(generation - 1, k, rate), previous)), now));
                }
            }

            if (t % incidentEvery == 0 && t + IncidentSeconds + 15 < seconds)
            {
                incidents.Add((incidents.Count, Shop(incidents.Count % ShopServices), now));
            }

            // Incident i starts at tick i × incidentEvery. Its schedule goes by tick, not by the wall clock: a late iteration (a
            // busy machine) must not skip its one resolve, which would leave the episode firing until the alerts go stale.
            foreach (var (index, service, start) in incidents.Where(i => t - (i.Index * incidentEvery) <= IncidentSeconds))
            {
                var resolved = t - (index * incidentEvery) == IncidentSeconds;
                payloads.Add(Payload($"incident-{index}-t{t}", resolved ? "resolved" : "firing", [($"inc-{index}-rate", "HighRequestRate", service, start), ($"inc-{index}-err", "HighErrorRate", service, start)], resolved ? now : null));
            }

            await Parallel.ForEachAsync(payloads, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (body, _) =>
            {
                var outcome = await PostAsync(client, body);
                counts.AddOrUpdate(outcome, 1, static (_, n) => n + 1);
            });
            alertsSent += payloads.Sum(static p => (long)Count(p));

            if (t % 10 == 9)
            {
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                GC.WaitForPendingFinalizers();
                memory.Add((t + 1, GC.GetTotalMemory(forceFullCollection: false), Environment.WorkingSet));
            }

            if (t % 60 == 59)
            {
                var decisions = await engine.AuditLog.ReadAllAsync().OfType<DecisionEntry>().CountAsync();
                var (_, heap, ws) = memory[^1];
                Console.WriteLine($"{TimeSpan.FromSeconds(t + 1),7:hh\\:mm\\:ss} {alertsSent,11:N0} {alertsSent / (DateTimeOffset.UtcNow - started).TotalSeconds,10:N0} {MemoryProbe.Mib(heap),10} {MemoryProbe.Mib(ws),17} {correlator.OpenCount,15:N0} {decisions,11:N0} {counts.GetValueOrDefault("2xx"),5:N0} {counts.GetValueOrDefault("503"),5:N0} {counts.GetValueOrDefault("5xx"),11:N0} {counts.GetValueOrDefault("other"),7:N0}");
            }

            if (!await timer.WaitForNextTickAsync())
            {
                break;
            }
        }

        var elapsed = DateTimeOffset.UtcNow - started;

        // The last incident fires after PendingFor and is decided on the next tick: give the pipeline time to catch up.
        var all = await DecidedAsync(engine, incidents, incidentEvery);
        for (var wait = 0; wait < 30 && all.Decided < incidents.Count; wait++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            all = await DecidedAsync(engine, incidents, incidentEvery);
        }

        await app.StopAsync();
        var measured = memory.Where(m => m.Second > warmup).ToList();
        var half = measured.Count / 2;
        var first = half > 0 ? measured.Take(half).Average(static m => (double)m.Heap) : double.NaN;
        var second = half > 0 ? measured.Skip(half).Average(static m => (double)m.Heap) : double.NaN;
        var growth = (second / first) - 1;
        var fiveXx = counts.GetValueOrDefault("503") + counts.GetValueOrDefault("5xx");
        var flat = Math.Abs(growth) <= 0.10;
        Console.WriteLine();
        Console.WriteLine($"  duration               {elapsed:hh\\:mm\\:ss} ({alertsSent:N0} alerts, {alertsSent / elapsed.TotalSeconds:N0}/s achieved; target {rate:N0}/s)");
        Console.WriteLine($"  responses              2xx {counts.GetValueOrDefault("2xx"):N0}, 503 {counts.GetValueOrDefault("503"):N0}, other 5xx {counts.GetValueOrDefault("5xx"):N0}, other {counts.GetValueOrDefault("other"):N0}");
        Console.WriteLine($"  incidents decided      {all.Decided} of {incidents.Count}{(all.Missing.Count == 0 ? string.Empty : " (missing: " + string.Join(", ", all.Missing) + ")")}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  heap after full GC     first half {first / (1024 * 1024):F1} MiB, second half {second / (1024 * 1024):F1} MiB: {growth:+0.0%;-0.0%} ({measured.Count} samples after the warm-up); peak {MemoryProbe.Mib(memory.Count == 0 ? 0 : memory.Max(static m => m.Heap))}"));
        Console.WriteLine($"  working set            at the end {MemoryProbe.Mib(memory.Count == 0 ? 0 : memory[^1].WorkingSet)}, peak {MemoryProbe.Mib(memory.Count == 0 ? 0 : memory.Max(static m => m.WorkingSet))}");
        var pass = flat && fiveXx == 0 && all.Decided == incidents.Count;
        Console.WriteLine($"  verdict                {(pass ? "PASS" : "FAIL")}: memory {(flat ? "flat" : "NOT flat")} (±10 %), {fiveXx} × 5xx, {all.Decided}/{incidents.Count} incidents decided");
        return pass ? 0 : 1;
    }

    /// <summary>
    /// The service of noise alert <paramref name="k"/> (five alerts a service) in a generation: generations take turns over
    /// three sets of services, so a service is quiet for two minutes between its noisy minutes and its episode closes (a
    /// service that never goes quiet keeps one episode open, which only grows up to its member limit).
    /// </summary>
    private static string Noisy(int generation, int k, int rate) =>
        "svc-" + (((generation % 3) * ((rate + 4) / 5)) + (k / 5)).ToString(CultureInfo.InvariantCulture);

    private static string Shop(int index) => "shop-" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>An incident is decided when a decision targets its service, proposed after it started and before the next incident on that service.</summary>
    private static async Task<(int Decided, List<int> Missing)> DecidedAsync(DecisionEngine engine, List<(int Index, string Service, DateTimeOffset Start)> incidents, int incidentEvery)
    {
        var decisions = await engine.AuditLog.ReadAllAsync().OfType<DecisionEntry>().Select(static d => d.Decision.Proposal).ToListAsync();
        var missing = incidents
            .Where(i => !decisions.Exists(p => p.Targets.Contains(i.Service) && p.ProposedAt >= i.Start && p.ProposedAt < i.Start.AddSeconds(incidentEvery * ShopServices)))
            .Select(static i => i.Index)
            .ToList();
        return (incidents.Count - missing.Count, missing);
    }

    private static async Task<string> PostAsync(HttpClient client, string body)
    {
        try
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await client.PostAsync(new Uri("aiops/alertmanager", UriKind.Relative), content);
            var status = (int)response.StatusCode;
            return status switch
            {
                >= 200 and < 300 => "2xx",
                (int)HttpStatusCode.ServiceUnavailable => "503",
                >= 500 => "5xx",
                _ => "other",
            };
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return "other";
        }
    }

    private static int Count(string payload) => (payload.Length - payload.Replace("\"fingerprint\"", string.Empty, StringComparison.Ordinal).Length) / "\"fingerprint\"".Length;

    private static string Payload(string groupKey, string status, IEnumerable<(string Fingerprint, string Name, string Service, DateTimeOffset StartsAt)> alerts, DateTimeOffset? endsAt)
    {
        var json = new StringBuilder(Batch * 260);
        json.Append(CultureInfo.InvariantCulture, $$"""{"version":"4","groupKey":"{{groupKey}}","status":"{{status}}","receiver":"aiops","alerts":[""");
        var first = true;
        foreach (var (fingerprint, name, service, startsAt) in alerts)
        {
            json.Append(first ? string.Empty : ",");
            json.Append(CultureInfo.InvariantCulture, $$"""{"status":"{{status}}","labels":{"alertname":"{{name}}","service":"{{service}}"},"annotations":{},"startsAt":"{{startsAt:O}}","endsAt":"{{(endsAt ?? DateTimeOffset.MinValue):O}}","fingerprint":"{{fingerprint}}"}""");
            first = false;
        }

        return json.Append("]}").ToString();
    }
}
