using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Aiops.Lab;

/// <summary>The addresses of a running lab, all on 127.0.0.1.</summary>
/// <param name="App">The instrumented app.</param>
/// <param name="Exporter">The anomaly exporter.</param>
/// <param name="Receiver">The automation receiver (webhook, API, dashboard).</param>
/// <param name="Prometheus">Prometheus.</param>
/// <param name="Alertmanager">Alertmanager.</param>
internal sealed record LabUrls(Uri App, Uri Exporter, Uri Receiver, Uri Prometheus, Uri Alertmanager);

/// <summary>
/// Starts the lab's five services on free loopback ports with configuration rendered from <c>samples/lab</c> into a run
/// folder, waits until each is ready (Prometheus scraping both targets and knowing Alertmanager), and stops them all on
/// dispose.
/// </summary>
internal sealed class LabStack : IAsyncDisposable
{
    /// <summary>The bearer token Alertmanager sends to the receiver (the receiver's appsettings.json expects it).</summary>
    public const string ReceiverToken = "lab-receiver-token";

    private readonly List<ChildProcess> _processes = [];

    private LabStack(LabUrls urls, string runFolder)
    {
        Urls = urls;
        RunFolder = runFolder;
    }

    /// <summary>Gets the services' addresses.</summary>
    public LabUrls Urls { get; }

    /// <summary>Gets the process ids of the services, for checking that none outlives the lab.</summary>
    public IReadOnlyList<int> ProcessIds => [.. _processes.Select(p => p.Id)];

    /// <summary>Gets the run folder: rendered configuration, data and one log per service.</summary>
    public string RunFolder { get; }

    /// <summary>Starts the lab and waits until it is ready (at most <paramref name="timeout"/>).</summary>
    /// <exception cref="InvalidOperationException">A service exited or did not get ready; the message ends with its log.</exception>
    public static async Task<LabStack> StartAsync(Toolchain tools, TextWriter output, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var run = LabPaths.NewRunFolder();
        var ports = FreePorts(5);
        var urls = new LabUrls(Loopback(ports[0]), Loopback(ports[1]), Loopback(ports[2]), Loopback(ports[3]), Loopback(ports[4]));
        var stack = new LabStack(urls, run);
        try
        {
            RenderConfiguration(run, urls);
            stack.StartServices(tools, run);
            output.WriteLine($"Starting the lab in {Path.GetRelativePath(Environment.CurrentDirectory, run)} ...");
            await stack.WaitReadyAsync(output, timeout, cancellationToken).ConfigureAwait(false);
            return stack;
        }
        catch
        {
            await stack.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in Enumerable.Reverse(_processes))
        {
            await process.DisposeAsync().ConfigureAwait(false);
        }

        _processes.Clear();
    }

    /// <summary>Copies <c>samples/lab</c> into the run folder and fills in the ports and the receiver's address.</summary>
    internal static void RenderConfiguration(string run, LabUrls urls)
    {
        var target = Path.Combine(run, "config");
        CopyDirectory(LabPaths.ConfigTemplates, target);
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["${APP_TARGET}"] = urls.App.Authority,
            ["${EXPORTER_TARGET}"] = urls.Exporter.Authority,
            ["${RECEIVER_TARGET}"] = urls.Receiver.Authority,
            ["${RULES_DIR}"] = Path.Combine(target, "rules"),
            ["${ALERTMANAGER_TARGET}"] = urls.Alertmanager.Authority,
            ["${RECEIVER_URL}"] = new Uri(urls.Receiver, "/aiops/alertmanager").AbsoluteUri,
            ["${RECEIVER_TOKEN}"] = ReceiverToken,
        };
        foreach (var file in new[] { "prometheus.yml", "alertmanager.yml" })
        {
            var path = Path.Combine(target, file);
            var text = File.ReadAllText(path);
            foreach (var (key, value) in values)
            {
                text = text.Replace(key, value, StringComparison.Ordinal);
            }

            File.WriteAllText(path, text);
        }
    }

    private static Uri Loopback(int port) => new($"http://127.0.0.1:{port}/");

    private static List<int> FreePorts(int count)
    {
        // Held together so that the same port is not handed out twice.
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }

    private static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination, overwrite: true);
        }
    }

    private void StartServices(Toolchain tools, string run)
    {
        var config = Path.Combine(run, "config");
        var logs = Path.Combine(run, "logs");
        Directory.CreateDirectory(logs);
        var dotnet = Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet";
        var aspnet = new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" };

        StartService("app", "Aiops.Lab.App", Urls.App);
        StartService("receiver", "Aiops.Lab.Receiver", Urls.Receiver, "--Aiops:Remediation:AuditLogPath=" + Path.Combine(run, "data", "audit.jsonl"), "--Aiops:Sources:Prometheus:0:BaseAddress=" + Urls.Prometheus.AbsoluteUri);
        StartService("exporter", "Aiops.Lab.Exporter", Urls.Exporter, "--Aiops:Sources:Prometheus:0:BaseAddress=" + Urls.Prometheus.AbsoluteUri);
        Start(ChildProcess.Start("alertmanager", tools.Alertmanager,
        [
            "--config.file=" + Path.Combine(config, "alertmanager.yml"),
            "--storage.path=" + Path.Combine(run, "data", "alertmanager"),
            "--web.listen-address=" + Urls.Alertmanager.Authority,
            "--web.external-url=" + Urls.Alertmanager.AbsoluteUri,
            "--cluster.listen-address=",
        ], logs));
        Start(ChildProcess.Start("prometheus", tools.Prometheus,
        [
            "--config.file=" + Path.Combine(config, "prometheus.yml"),
            "--storage.tsdb.path=" + Path.Combine(run, "data", "prometheus"),
            "--web.listen-address=" + Urls.Prometheus.Authority,
            "--web.external-url=" + Urls.Prometheus.AbsoluteUri,
        ], logs, workingDirectory: config));

        // A .NET service runs in its output folder: its appsettings.json is read from the content root.
        void StartService(string name, string project, Uri url, params string[] arguments)
        {
            var assembly = Service(project);
            Start(ChildProcess.Start(name, dotnet, [assembly, "--urls", url.GetLeftPart(UriPartial.Authority), .. arguments], logs, Path.GetDirectoryName(assembly), aspnet));
        }
    }

    private void Start(ChildProcess process) => _processes.Add(process);

    private static string Service(string project)
    {
        var path = LabPaths.ServiceAssembly(project);
        return File.Exists(path)
            ? path
            : throw new InvalidOperationException($"{project} is not built ({path}): run `dotnet build samples/Aiops.Lab -c {LabPaths.Configuration}` first (the main command does).");
    }

    private async Task WaitReadyAsync(TextWriter output, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var checks = new (string Name, Func<Task<bool>> Ready)[]
        {
            ("app", () => Ok(http, new Uri(Urls.App, "healthz"))),
            ("receiver", () => Ok(http, new Uri(Urls.Receiver, "aiops/api/episodes"))),
            ("exporter", () => Ok(http, new Uri(Urls.Exporter, "metrics"))),
            ("alertmanager", () => Ok(http, new Uri(Urls.Alertmanager, "-/ready"))),
            ("prometheus", () => Ok(http, new Uri(Urls.Prometheus, "-/ready"))),
            ("prometheus targets up", () => TargetsUpAsync(http)),
            ("prometheus → alertmanager", () => AlertmanagerKnownAsync(http)),
        };
        foreach (var (name, ready) in checks)
        {
            while (!await ready().ConfigureAwait(false))
            {
                if (_processes.FirstOrDefault(p => p.HasExited) is { } exited)
                {
                    throw new InvalidOperationException($"{exited.Name} exited during startup. Its log ({exited.LogPath}):{Environment.NewLine}{exited.Tail()}");
                }

                try
                {
                    await Task.Delay(200, deadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    var process = _processes.FirstOrDefault(p => name.StartsWith(p.Name, StringComparison.Ordinal));
                    throw new InvalidOperationException($"The lab was not ready within {timeout.TotalSeconds:0} s: waiting for {name}." + (process is null ? string.Empty : $" Its log ({process.LogPath}):{Environment.NewLine}{process.Tail()}"));
                }
            }

            output.WriteLine($"  ✓ {name}");
        }
    }

    private static async Task<bool> Ok(HttpClient http, Uri uri)
    {
        try
        {
            using var response = await http.GetAsync(uri).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private async Task<bool> TargetsUpAsync(HttpClient http)
    {
        var targets = await JsonAsync(http, new Uri(Urls.Prometheus, "api/v1/targets")).ConfigureAwait(false);
        var active = targets?["data"]?["activeTargets"]?.AsArray();
        return active is { Count: >= 2 } && active.All(t => (string?)t?["health"] == "up");
    }

    private async Task<bool> AlertmanagerKnownAsync(HttpClient http)
    {
        var managers = await JsonAsync(http, new Uri(Urls.Prometheus, "api/v1/alertmanagers")).ConfigureAwait(false);
        return managers?["data"]?["activeAlertmanagers"]?.AsArray() is { Count: > 0 };
    }

    internal static async Task<JsonNode?> JsonAsync(HttpClient http, Uri uri)
    {
        try
        {
            return JsonNode.Parse(await http.GetStringAsync(uri).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
