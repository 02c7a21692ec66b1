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
    private const int Replays = 100;
    private const int SeriesCount = 9;
    private const int WarmPoints = 400; // snapshots every 50: the last one holds all of them
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(60);

    /// <summary>The bound on resuming after SIGKILL: ten times (NumMissedProbesLimit 2 + 1) × ProbeTimeout 1 s of the silo host.</summary>
    private static readonly TimeSpan ResumeBound = TimeSpan.FromSeconds(10 * (2 + 1) * 1);
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
            Task<TimeSpan> probe = Task.FromResult(TimeSpan.Zero);
            var clock = Stopwatch.StartNew();
            for (var replay = 0; replay < Replays; replay++)
            {
                for (var incident = 0; incident < Incidents; incident++)
                {
                    if (replay == 0 && incident == (2 * Incidents) / 3)
                    {
                        // Early in the storm, as soon as a few incidents are decided and others are still being correlated or
                        // decided (some of them by the victim): what the silos have acknowledged must survive the kill.
                        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
                        do
                        {
                            await Task.Delay(100);
                            foreach (var host in hosts)
                            {
                                await host.CollectAsync(acknowledged, decisionsByKey);
                            }
                        }
                        while (acknowledged.Count < 2 && DateTime.UtcNow < until);

                        victim.Kill();
                        killedAt = clock.Elapsed;
                        probe = ProbeResumeAsync(hosts.Where(h => !h.Killed).ToList(), victimSeries, clock, killedAt);
                    }

                    var body = ClusterWorld.Payload($"g-{incident}", $"svc-{incident}", $"ns-{incident % 4}", start, "HighErrorRate");
                    var alive = hosts.Where(h => !h.Killed).ToList();
                    await alive[posts++ % alive.Count].PostAsync(body);
                }
            }

            // Every incident is decided, by whichever silo correlates its scope: a scope that was on the victim resumes on a
            // survivor and offers again the episodes whose decisions were not made (or may still run). Counted from the
            // cluster's audit log, which holds the decisions of every silo, the victim's included.
            var survivors = hosts.Where(h => !h.Killed).ToList();
            var decidedAfterKill = TimeSpan.MaxValue;
            var deadline = clock.Elapsed + Budget;
            while (clock.Elapsed < deadline)
            {
                try
                {
                    await survivors[0].CollectClusterAsync(decisionsByKey);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    // An hour of the audit on the dead silo, not yet declared dead: asked again.
                }

                if (decisionsByKey.Count >= Incidents)
                {
                    decidedAfterKill = clock.Elapsed - killedAt;
                    break;
                }

                await Task.Delay(200);
            }

            foreach (var host in survivors)
            {
                await host.CollectAsync([], decisionsByKey);
            }

            var verdicts = new List<string>();
            foreach (var host in survivors)
            {
                verdicts.AddRange(await host.VerdictsAsync());
            }

            output.WriteLine($"{posts} notifications, {acknowledged.Count} decisions acknowledged before the kill, {decisionsByKey.Count} idempotency keys decided ({decidedAfterKill.TotalSeconds:F1} s after the kill); survivors' verdicts: {string.Join(", ", verdicts.GroupBy(v => v).Select(g => $"{g.Key} {g.Count()}"))}");

            if (decisionsByKey.Count < Incidents)
            {
                // What the scopes hold, to tell an incident that never reached its scope from one that was not decided.
                output.WriteLine("decided keys: " + string.Join(" | ", decisionsByKey.Keys));
                for (var n = 0; n < 4; n++)
                {
                    output.WriteLine($"scope ns-{n}: " + await survivors[0].ScopeEpisodesAsync($"ns-{n}"));
                }
            }

            // Every incident decided, once per idempotency key, whichever silo listed it, before or after the kill.
            Assert.Equal(Incidents, decisionsByKey.Count);
            Assert.All(decisionsByKey, pair => Assert.Single(pair.Value));

            // Every decision acknowledged before the kill is in the store.
            var stored = string.Join('\n', (await redis.DumpAsync()).Values);
            Assert.All(acknowledged, id => Assert.Contains(id, stored, StringComparison.Ordinal));

            // No idempotency key executed twice, whichever process ran it (the action appends its key to a shared file). Every
            // allowed decision runs once, unless the victim died between admitting it and running it (the key stays claimed:
            // at most once wins over at least once), so the count is reported, not asserted.
            await ClusterWorld.WaitUntilAsync(() => Task.FromResult(File.ReadAllLines(_runs).Count(l => l.Length > 0) >= Incidents), 10);
            var runs = File.ReadAllLines(_runs).Where(l => l.Length > 0).ToList();
            Assert.Equal(runs.Count, runs.Distinct(StringComparer.Ordinal).Count());
            Assert.All(runs, key => Assert.Contains(key, decisionsByKey.Keys));
            output.WriteLine($"{runs.Count} executions of {decisionsByKey.Count} decided keys, all distinct");

            // The victim's series resume on a survivor from their snapshots: the first point is scored (no warm-up).
            var resumed = await probe;
            foreach (var series in victimSeries)
            {
                var reply = await survivors[0].DetectAsync(series, WarmPoints, 1);
                Assert.Equal(1, (int)reply["restored"]!);
                Assert.True((double)reply["probabilities"]![0]! >= 0, $"{series} was not scored after resuming");
                Assert.NotEqual(victim.Silo, await survivors[0].WhereAsync(series));
            }

            // The stated resume time: the membership settings of the silo host (ProbeTimeout 1 s, NumMissedProbesLimit 2, one
            // vote) declare a silo dead after about (2 + 1) probe periods; a generous tenfold of that, not a timing claim.
            output.WriteLine($"resume after SIGKILL: series and scopes answer on survivors {resumed.TotalSeconds:F1} s after the kill; all {Incidents} incidents decided {decidedAfterKill.TotalSeconds:F1} s after it");
            Assert.True(resumed < ResumeBound, $"the victim's series and scopes answered {resumed} after the kill");
            Assert.True(decidedAfterKill < ResumeBound + ResumeBound, $"every incident decided {decidedAfterKill} after the kill");
        }
        finally
        {
            foreach (var host in hosts)
            {
                host.Dispose();
            }
        }
    }

    /// <summary>
    /// How long after the kill the victim's series shards and every scope answer on a survivor (calls that do not change them:
    /// where a shard is, a scope's episodes). Retried until then; a call the dead silo never answers fails when the cluster
    /// declares it dead, or on the client's timeout.
    /// </summary>
    private static async Task<TimeSpan> ProbeResumeAsync(List<SiloProcess> survivors, List<string> series, Stopwatch clock, TimeSpan killedAt)
    {
        var pending = new List<Func<Task<bool>>>();
        pending.AddRange(series.Select(s => (Func<Task<bool>>)(async () => await survivors[0].WhereAsync(s) is { Length: > 0 })));
        pending.AddRange(Enumerable.Range(0, 4).Select(n => (Func<Task<bool>>)(async () => await survivors[^1].ScopeAnswersAsync($"ns-{n}"))));
        while (pending.Count > 0 && clock.Elapsed - killedAt < Budget)
        {
            var done = new List<Func<Task<bool>>>();
            foreach (var check in pending)
            {
                try
                {
                    if (await check())
                    {
                        done.Add(check);
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                }
            }

            pending.RemoveAll(done.Contains);
            if (pending.Count > 0)
            {
                await Task.Delay(100);
            }
        }

        return pending.Count == 0 ? clock.Elapsed - killedAt : TimeSpan.MaxValue;
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
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Log(log, "silo: " + e.Data); } };
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
                    // Drained from now on (the host logs warnings to it): a full pipe would block the silo's logging.
                    _ = Task.Run(async () =>
                    {
                        while (await process.StandardOutput.ReadLineAsync() is { } more)
                        {
                            Log(log, "silo: " + more);
                        }
                    });
                    return new SiloProcess(process, new Uri(line["LISTENING ".Length..]), silo!);
                }
            }

            await process.WaitForExitAsync(timeout.Token);
            throw new InvalidOperationException($"The silo process exited ({process.ExitCode}) before listening.");
        }

        /// <summary>Writes a line of a silo to the test's output, which refuses lines once the test has ended.</summary>
        private static void Log(Action<string> log, string line)
        {
            try
            {
                log(line);
            }
            catch (InvalidOperationException)
            {
            }
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

        public Task<string> ScopeEpisodesAsync(string scope) => _client.GetStringAsync(new Uri($"/test/scope?name={scope}", UriKind.Relative));

        public async Task<bool> ScopeAnswersAsync(string scope)
        {
            using var response = await _client.GetAsync(new Uri($"/test/scope?name={scope}", UriKind.Relative));
            return response.IsSuccessStatusCode;
        }

        /// <summary>Adds the decisions of the cluster's audit log (every silo's, the dead one's included), by idempotency key.</summary>
        public async Task CollectClusterAsync(Dictionary<string, HashSet<string>> byKey)
        {
            var entries = JsonNode.Parse(await _client.GetStringAsync(new Uri("/aiops/api/cluster/audit?limit=1000", UriKind.Relative)))!.AsArray();
            foreach (var entry in entries.Where(e => (string?)e!["type"] == "decision"))
            {
                var decision = entry!["decision"]!;
                var key = (string)decision["proposal"]!["idempotencyKey"]!;
                if (!byKey.TryGetValue(key, out var set))
                {
                    byKey[key] = set = new HashSet<string>(StringComparer.Ordinal);
                }

                set.Add((string)decision["decisionId"]!);
            }
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
