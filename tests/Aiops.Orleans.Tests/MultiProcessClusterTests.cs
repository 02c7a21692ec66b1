using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Aiops.Orleans.Tests;

/// <summary>
/// Three silo processes (tests/Aiops.Orleans.ClusterHost) on one redis-server: Alertmanager notifications round-robin over
/// their three webhooks and replayed, a silo killed with SIGKILL during the storm; every decision a silo listed before the
/// kill is in Redis, no idempotency key executes twice, and the dead silo's series resume on the survivors from their snapshots.
/// </summary>
public sealed class MultiProcessClusterTests(RedisServer redis, ITestOutputHelper output) : IClassFixture<RedisServer>, IDisposable
{
    private const string Token = "cluster-test";
    private const int Incidents = 12;
    private const int Replays = 10;
    private const int SeriesCount = 9;
    private const int WarmPoints = 400; // snapshots every 50: the last one holds all of them
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(60);
    private readonly string _runs = Path.Combine(Path.GetTempPath(), "aiops-cluster-runs-" + Guid.NewGuid().ToString("N") + ".txt");

    public void Dispose() => File.Delete(_runs);

    [Fact]
    public async Task Kill9_OneOfThreeSiloProcessesDuringStorm_DecisionsDurableNoDoubleExecutionSeriesResume()
    {
        var serviceId = "aiops-mp-" + Guid.NewGuid().ToString("N")[..8];
        File.WriteAllText(_runs, string.Empty);
        var hosts = new List<SiloProcess>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                hosts.Add(await SiloProcess.StartAsync(redis.Configuration, serviceId, _runs, output.WriteLine));
            }

            // Series learnt through every silo: their shards spread over the three.
            for (var s = 0; s < SeriesCount; s++)
            {
                for (var from = 0; from < WarmPoints; from += 50)
                {
                    await hosts[(s + from) % 3].DetectAsync($"pod-{s}", from, 50);
                }
            }

            var victim = hosts[1];
            var placed = new Dictionary<string, string>();
            for (var s = 0; s < SeriesCount; s++)
            {
                placed[$"pod-{s}"] = await hosts[0].WhereAsync($"pod-{s}");
            }

            var victimSeries = placed.Where(p => p.Value == victim.Silo).Select(p => p.Key).ToList();
            output.WriteLine($"victim {victim.Silo} holds {victimSeries.Count} of {SeriesCount} series");

            // The storm: each incident's notification replayed, round-robin over the three webhooks, the victim killed halfway.
            var acknowledged = new HashSet<string>(StringComparer.Ordinal);
            var decisionsByKey = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            var start = DateTimeOffset.UtcNow;
            var posts = 0;
            var killedAt = TimeSpan.Zero;
            var clock = Stopwatch.StartNew();
            for (var replay = 0; replay < Replays; replay++)
            {
                for (var incident = 0; incident < Incidents; incident++)
                {
                    if (replay == 1 && incident == Incidents / 2)
                    {
                        // Mid-storm, once some incidents are decided: what the silos have acknowledged must survive the kill.
                        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
                        do
                        {
                            await Task.Delay(100);
                            foreach (var host in hosts)
                            {
                                await host.CollectAsync(acknowledged, decisionsByKey);
                            }
                        }
                        while (acknowledged.Count < Incidents / 3 && DateTime.UtcNow < until);

                        victim.Kill();
                        killedAt = clock.Elapsed;
                    }

                    var body = ClusterWorld.Payload($"g-{incident}", $"svc-{incident}", $"ns-{incident % 4}", start, "HighErrorRate");
                    var alive = hosts.Where(h => !h.Killed).ToList();
                    await alive[posts++ % alive.Count].PostAsync(body);
                }
            }

            // Let every incident be decided, by whichever silo correlates its scope (not asserted: a scope that was on the
            // victim resumes its episodes, and their decisions, on a survivor).
            var survivors = hosts.Where(h => !h.Killed).ToList();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (decisionsByKey.Count < Incidents && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
                foreach (var host in survivors)
                {
                    await host.CollectAsync([], decisionsByKey);
                }
            }

            // One decision per idempotency key, whichever silo listed it, before or after the kill.
            Assert.All(decisionsByKey, pair => Assert.Single(pair.Value));

            var verdicts = new List<string>();
            foreach (var host in survivors)
            {
                verdicts.AddRange(await host.VerdictsAsync());
            }

            output.WriteLine($"{posts} notifications, {acknowledged.Count} decisions acknowledged before the kill, {decisionsByKey.Count} idempotency keys decided; survivors' verdicts: {string.Join(", ", verdicts.GroupBy(v => v).Select(g => $"{g.Key} {g.Count()}"))}");

            // Every decision acknowledged before the kill is in the store.
            var stored = string.Join('\n', (await redis.DumpAsync()).Values);
            Assert.All(acknowledged, id => Assert.Contains(id, stored, StringComparison.Ordinal));

            // No idempotency key executed twice, whichever process ran it.
            var runs = File.ReadAllLines(_runs).Where(l => l.Length > 0).ToList();
            Assert.Equal(runs.Count, runs.Distinct(StringComparer.Ordinal).Count());
            output.WriteLine($"{runs.Count} executions, all distinct");

            // The victim's series resume on a survivor from their snapshots: the first point is scored (no warm-up).
            var resumeStart = clock.Elapsed;
            foreach (var series in victimSeries)
            {
                JsonNode? reply = null;
                while (reply is null && clock.Elapsed - resumeStart < Budget)
                {
                    try
                    {
                        reply = await survivors[0].DetectAsync(series, WarmPoints, 1);
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                    {
                        await Task.Delay(100);
                    }
                }

                Assert.NotNull(reply);
                Assert.Equal(1, (int)reply["restored"]!);
                Assert.True((double)reply["probabilities"]![0]! >= 0, $"{series} was not scored after resuming");
                Assert.NotEqual(victim.Silo, await survivors[0].WhereAsync(series));
            }

            output.WriteLine($"the victim's series resumed {(clock.Elapsed - resumeStart).TotalSeconds:F1} s after the first try ({(clock.Elapsed - killedAt).TotalSeconds:F1} s after the kill)");
        }
        finally
        {
            foreach (var host in hosts)
            {
                host.Dispose();
            }
        }
    }

    /// <summary>One silo process.</summary>
    private sealed class SiloProcess : IDisposable
    {
        private readonly Process _process;
        private readonly HttpClient _client;

        private SiloProcess(Process process, Uri address, string silo)
        {
            _process = process;
            Silo = silo;
            _client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
            _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        }

        public string Silo { get; }

        public bool Killed { get; private set; }

        public static async Task<SiloProcess> StartAsync(string redis, string serviceId, string runs, Action<string> log)
        {
            var start = new ProcessStartInfo(DotnetHost)
            {
                RedirectStandardInput = true, // never written: the host exits when it closes, should the test die first
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(Locate());
            foreach (var arg in new[] { redis, serviceId, FreePort().ToString(CultureInfo.InvariantCulture), FreePort().ToString(CultureInfo.InvariantCulture), runs })
            {
                start.ArgumentList.Add(arg);
            }

            var process = Process.Start(start)!;
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { log("silo: " + e.Data); } };
            process.BeginErrorReadLine();
            using var timeout = new CancellationTokenSource(Budget);
            string? silo = null;
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith("SILO ", StringComparison.Ordinal))
                {
                    silo = line["SILO ".Length..];
                }
                else if (line.StartsWith("LISTENING ", StringComparison.Ordinal))
                {
                    return new SiloProcess(process, new Uri(line["LISTENING ".Length..]), silo!);
                }
            }

            await process.WaitForExitAsync(timeout.Token);
            throw new InvalidOperationException($"The silo process exited ({process.ExitCode}) before listening.");
        }

        public async Task PostAsync(string body)
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await _client.PostAsync(new Uri("/aiops/alertmanager", UriKind.Relative), content);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        public async Task<JsonNode> DetectAsync(string series, int from, int count)
        {
            using var response = await _client.PostAsync(new Uri($"/test/detect?series={series}&from={from}&count={count}", UriKind.Relative), null);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"detect {series}: {response.StatusCode}");
            }

            return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        }

        public Task<string> WhereAsync(string series) => _client.GetStringAsync(new Uri($"/test/where?series={series}", UriKind.Relative));

        /// <summary>Adds the decisions this silo lists: their ids, and their ids by idempotency key.</summary>
        public async Task CollectAsync(HashSet<string> ids, Dictionary<string, HashSet<string>> byKey)
        {
            foreach (var decision in await DecisionsAsync())
            {
                var id = (string)decision!["decisionId"]!;
                var key = (string)decision["proposal"]!["idempotencyKey"]!;
                ids.Add(id);
                if (!byKey.TryGetValue(key, out var set))
                {
                    byKey[key] = set = new HashSet<string>(StringComparer.Ordinal);
                }

                set.Add(id);
            }
        }

        public async Task<IEnumerable<string>> VerdictsAsync() =>
            (await DecisionsAsync()).Select(d => d!["verdict"]!.ToString() + (d["evaluations"] is JsonArray e ? "[" + string.Join("|", e.Where(x => x!["verdict"]!.ToString() != "Allow" && x["verdict"]!.ToString() != "allow").Select(x => x!["gate"]?.ToString() ?? x.ToJsonString())) + "]" : string.Empty));

        public void Kill()
        {
            _process.Kill(entireProcessTree: true); // SIGKILL on Unix: no shutdown, no deactivation, no flush
            _process.WaitForExit(10_000);
            Killed = true;
        }

        public void Dispose()
        {
            _client.Dispose();
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }

            _process.Dispose();
        }

        private async Task<JsonArray> DecisionsAsync() =>
            JsonNode.Parse(await _client.GetStringAsync(new Uri("/aiops/api/decisions", UriKind.Relative)))!.AsArray();

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        private static string DotnetHost =>
            Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

        /// <summary>The silo host's dll, built next to this test project by its project reference.</summary>
        private static string Locate()
        {
            var baseDirectory = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
            var configuration = typeof(SiloProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
            var dll = Path.GetFullPath(Path.Combine(baseDirectory, "..", "..", "..", "..", "Aiops.Orleans.ClusterHost", "bin", configuration, Path.GetFileName(baseDirectory), "Aiops.Orleans.ClusterHost.dll"));
            return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build tests/Aiops.Orleans.Tests first: {dll} is missing.", dll);
        }
    }
}
