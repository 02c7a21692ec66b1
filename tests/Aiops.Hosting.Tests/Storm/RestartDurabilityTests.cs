using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Aiops.Hosting.Tests.Storm;

/// <summary>
/// kill -9 mid-incident: a real child process (tests/Aiops.Hosting.CrashHost) runs the pipeline on a durable directory; the
/// test makes it decide on an incident, kills it with SIGKILL, starts it again on the same directory, and requires the
/// incident to resume under its id, new episodes to get new ids, and no second decision for the same alert.
/// </summary>
public sealed class RestartDurabilityTests(ITestOutputHelper output) : IDisposable
{
    private const string Token = "crash-test";
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(60);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "aiops-hosting-crash-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Kill9_MidIncident_RestartResumesTheEpisodeUnderItsIdAndNewIdsDoNotRepeat()
    {
        Directory.CreateDirectory(_directory);
        var onset = DateTimeOffset.UtcNow;
        string incident;
        using (var first = await ChildHost.StartAsync(_directory, output.WriteLine))
        {
            await first.PostAsync("g-checkout", "a1", "HighErrorRate", "checkout", onset);
            var decision = await first.WaitForAsync("decisions", list => list.Count == 1 ? list[0] : null);
            incident = (string)decision["proposal"]!["episodeId"]!;
            first.Kill();
        }

        using var second = await ChildHost.StartAsync(_directory, output.WriteLine);

        // The incident is back as it was (firing), a new alert of its service joins it, and Alertmanager's repeat of the first
        // alert decides nothing again.
        var resumed = await second.WaitForAsync("episodes", list => list.FirstOrDefault(e => (string?)e["id"] == incident));
        Assert.Equal("firing", ((string?)resumed["state"])?.ToLowerInvariant());
        await second.PostAsync("g-checkout", "a1", "HighErrorRate", "checkout", onset);
        await second.PostAsync("g-checkout-2", "a2", "HighLatency", "checkout", DateTimeOffset.UtcNow);
        var joined = await second.WaitForAsync("episodes", list => list.FirstOrDefault(e => (string?)e["id"] == incident && e["members"]!.AsArray().Count == 2));

        // Another incident gets a new id, after the old ones.
        await second.PostAsync("g-billing", "b1", "HighErrorRate", "billing", DateTimeOffset.UtcNow);
        var billing = await second.WaitForAsync("episodes", list => list.FirstOrDefault(e => e["entities"]!.AsArray().Any(x => (string?)x == "billing")));
        Assert.True(string.CompareOrdinal((string)billing["id"]!, incident) > 0, $"new episode {billing["id"]} should come after {incident}");
        var episodes = await second.GetAsync("episodes");
        Assert.Equal(episodes.Count, episodes.Select(e => (string?)e!["id"]).Distinct(StringComparer.Ordinal).Count());
        Assert.Single(episodes, e => e!["entities"]!.AsArray().Any(x => (string?)x == "checkout"));

        await second.WaitForAsync("decisions", list => list.Any(d => (string?)d["proposal"]!["episodeId"] == (string?)billing["id"]) ? list : null);
        var decisions = await second.GetAsync("decisions");
        Assert.Single(decisions, d => (string?)d!["proposal"]!["episodeId"] == incident);
        Assert.NotNull(joined);
    }

    /// <summary>The crash host, started as a child process on a directory.</summary>
    private sealed class ChildHost : IDisposable
    {
        private readonly Process _process;
        private readonly HttpClient _client;

        private ChildHost(Process process, Uri address)
        {
            _process = process;
            _client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
            _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        }

        public static async Task<ChildHost> StartAsync(string directory, Action<string> log)
        {
            var start = new ProcessStartInfo(DotnetHost)
            {
                RedirectStandardInput = true, // never written: the host exits when it closes, should the test die first
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(Locate());
            start.ArgumentList.Add(directory);
            var process = Process.Start(start)!;
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { log("crash host: " + e.Data); } };
            process.BeginErrorReadLine();
            using var timeout = new CancellationTokenSource(Budget);
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith("LISTENING ", StringComparison.Ordinal))
                {
                    return new ChildHost(process, new Uri(line["LISTENING ".Length..]));
                }
            }

            await process.WaitForExitAsync(timeout.Token);
            throw new InvalidOperationException($"The crash host exited ({process.ExitCode}) before listening.");
        }

        public async Task PostAsync(string groupKey, string fingerprint, string name, string service, DateTimeOffset startsAt)
        {
            var body = StormTestHost.Payload(groupKey, [(fingerprint, name, service)], startsAt);
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await _client.PostAsync(new Uri("/aiops/alertmanager", UriKind.Relative), content);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        public async Task<JsonArray> GetAsync(string resource) =>
            JsonNode.Parse(await _client.GetStringAsync(new Uri("/aiops/api/" + resource, UriKind.Relative)))!.AsArray();

        /// <summary>Polls the API until <paramref name="pick"/> returns something.</summary>
        public async Task<T> WaitForAsync<T>(string resource, Func<IReadOnlyList<JsonNode>, T?> pick)
            where T : class
        {
            var deadline = DateTime.UtcNow + Budget;
            while (true)
            {
                var list = (await GetAsync(resource)).Select(n => n!).ToList();
                if (pick(list) is { } found)
                {
                    return found;
                }

                Assert.True(DateTime.UtcNow < deadline, $"{resource} never matched: {string.Join(", ", list.Select(n => n.ToJsonString()))}");
                await Task.Delay(50);
            }
        }

        public void Kill()
        {
            _process.Kill(entireProcessTree: true); // SIGKILL on Unix: no shutdown, no drain, no flush
            _process.WaitForExit(10_000);
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

        private static string DotnetHost =>
            Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

        /// <summary>The crash host's dll, built next to this test project by its project reference.</summary>
        private static string Locate()
        {
            var baseDirectory = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
            var configuration = typeof(ChildHost).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
            var dll = Path.GetFullPath(Path.Combine(baseDirectory, "..", "..", "..", "..", "Aiops.Hosting.CrashHost", "bin", configuration, Path.GetFileName(baseDirectory), "Aiops.Hosting.CrashHost.dll"));
            return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build tests/Aiops.Hosting.Tests first: {dll} is missing.", dll);
        }
    }
}
