using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aiops.Lab.App;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Aiops.Lab.App.Tests;

/// <summary>The app on a real Kestrel at 127.0.0.1:0.</summary>
public sealed class LabAppEndpointTests : IAsyncLifetime
{
    private WebApplication? _app;
    private HttpClient _http = new();

    private static readonly Dictionary<string, string?> FastSettings = new()
    {
        ["Lab:BaseLatencyMs"] = "1",
        ["Lab:PaymentLatencyMs"] = "1",
        ["Lab:FrontendLatencyMs"] = "1",
        ["Lab:StoreLatencyMs"] = "1",
        ["Lab:Seed"] = "7",
    };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private async Task StartAsync(Dictionary<string, string?>? settings = null)
    {
        _app = LabApplication.Create(["--urls", "http://127.0.0.1:0"], builder =>
            builder.Configuration.AddInMemoryCollection(FastSettings.Concat(settings ?? [])));
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Assert.StartsWith("http://127.0.0.1:", address, StringComparison.Ordinal);
        _http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };
    }

    private async Task<string> MetricsAsync() => await _http.GetStringAsync("/metrics");

    [Fact]
    public async Task GetCheckout_Normal_Returns200AndCountsTheRequest()
    {
        await StartAsync();

        using var response = await _http.GetAsync("/api/checkout");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", body.GetProperty("status").GetString());
        Assert.Equal("1.4.2", body.GetProperty("version").GetString());
        var metrics = await MetricsAsync();
        Assert.Equal(1, MetricsText.Value(metrics, "lab_http_requests_total", ("service", "frontend"), ("route", "/api/checkout"), ("code", "200")));
        Assert.Equal(1, MetricsText.Value(metrics, "lab_http_request_duration_seconds_count", ("service", "frontend"), ("route", "/api/checkout")));
        Assert.Equal(1, MetricsText.Value(metrics, "lab_http_requests_total", ("service", "checkout"), ("route", "/internal/checkout"), ("code", "200")));
        Assert.Equal(1, MetricsText.Value(metrics, "lab_client_requests_total", ("service", "frontend"), ("peer", "checkout"), ("outcome", "ok")));
        Assert.Equal(1, MetricsText.Value(metrics, "lab_client_requests_total", ("service", "checkout"), ("peer", "payment"), ("outcome", "ok")));
        Assert.Equal(1, MetricsText.Value(metrics, "lab_client_requests_total", ("service", "checkout"), ("peer", "store"), ("outcome", "ok")));
    }

    [Fact]
    public async Task GetMetrics_AfterStart_ExposesEveryLabSeriesAtZero()
    {
        await StartAsync();

        var metrics = await MetricsAsync();

        foreach (var service in new[] { "frontend", "checkout", "store", "payment" })
        {
            var route = service == "frontend" ? "/api/checkout" : "/internal/" + service;
            foreach (var code in new[] { "200", "500", "503" })
            {
                Assert.Equal(0, MetricsText.Value(metrics, "lab_http_requests_total", ("service", service), ("route", route), ("code", code)));
            }

            Assert.Equal(0, MetricsText.Value(metrics, "lab_http_request_duration_seconds_bucket", ("service", service), ("route", route), ("le", "0.005")));
            Assert.Equal(0, MetricsText.Value(metrics, "lab_http_requests_in_flight", ("service", service)));
        }

        // The call graph, visible before any request: frontend → checkout → store, payment.
        foreach (var (service, peer) in new[] { ("frontend", "checkout"), ("checkout", "store"), ("checkout", "payment") })
        {
            foreach (var outcome in new[] { "ok", "error", "rejected" })
            {
                Assert.Equal(0, MetricsText.Value(metrics, "lab_client_requests_total", ("service", service), ("peer", peer), ("outcome", outcome)));
            }

            Assert.Equal(0, MetricsText.Value(metrics, "lab_client_request_duration_seconds_count", ("service", service), ("peer", peer)));
        }

        Assert.Null(MetricsText.Value(metrics, "lab_client_requests_total", ("service", "payment"), ("peer", "checkout"), ("outcome", "ok")));
        Assert.Equal(1, MetricsText.Value(metrics, "lab_build_info", ("service", "checkout"), ("version", "1.4.2")));
    }

    [Fact]
    public async Task PostScenario_BadDeploy_SwitchesVersionLabelAndFailsCheckout()
    {
        await StartAsync();

        using var start = await _http.PostAsync("/scenario/bad-deploy?seconds=60&rate=1", null);
        using var checkout = await _http.GetAsync("/api/checkout");
        var scenario = await _http.GetFromJsonAsync<JsonElement>("/scenario");

        Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, checkout.StatusCode);
        Assert.Equal("bad-deploy", scenario.GetProperty("name").GetString());
        Assert.Equal("1.4.3-bad", scenario.GetProperty("version").GetString());
        Assert.InRange(scenario.GetProperty("remainingSeconds").GetDouble(), 50, 60);
        var metrics = await MetricsAsync();
        Assert.Equal(1, MetricsText.Value(metrics, "lab_build_info", ("service", "checkout"), ("version", "1.4.3-bad")));
        Assert.Null(MetricsText.Value(metrics, "lab_build_info", ("service", "checkout"), ("version", "1.4.2")));
        Assert.Equal(1, MetricsText.Value(metrics, "lab_http_requests_total", ("service", "checkout"), ("route", "/internal/checkout"), ("code", "500")));
        Assert.Equal(1, MetricsText.Value(metrics, "lab_http_requests_total", ("service", "frontend"), ("route", "/api/checkout"), ("code", "500")));
    }

    [Fact]
    public async Task PostScenario_ErrorsWithPaymentDown_RetriesAmplifyPaymentErrors()
    {
        await StartAsync();

        using var start = await _http.PostAsync("/scenario/errors?rate=1", null);
        using var checkout = await _http.GetAsync("/api/checkout");
        var body = await checkout.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, checkout.StatusCode);
        Assert.Equal(3, body.GetProperty("attempts").GetInt32());
        var metrics = await MetricsAsync();
        Assert.Equal(3, MetricsText.Value(metrics, "lab_client_requests_total", ("service", "checkout"), ("peer", "payment"), ("outcome", "error")));
        Assert.Equal(3, MetricsText.Value(metrics, "lab_http_requests_total", ("service", "payment"), ("route", "/internal/payment"), ("code", "500")));
    }

    [Fact]
    public async Task PostScenario_Latency_SlowsPaymentBy300Ms()
    {
        await StartAsync();

        using var start = await _http.PostAsync("/scenario/latency?seconds=30", null);
        var stopwatch = Stopwatch.StartNew();
        using var checkout = await _http.GetAsync("/api/checkout");
        stopwatch.Stop();

        Assert.Equal(HttpStatusCode.OK, checkout.StatusCode);
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(295), $"took {stopwatch.Elapsed}");
        var metrics = await MetricsAsync();
        Assert.InRange(MetricsText.Value(metrics, "lab_client_request_duration_seconds_sum", ("service", "checkout"), ("peer", "payment"))!.Value, 0.29, 5);
        Assert.Equal(0, MetricsText.Value(metrics, "lab_http_request_duration_seconds_bucket", ("service", "payment"), ("route", "/internal/payment"), ("le", "0.25")));
        Assert.Equal(1, MetricsText.Value(metrics, "lab_http_request_duration_seconds_bucket", ("service", "store"), ("route", "/internal/store"), ("le", "0.25")));
    }

    [Fact]
    public async Task PostScenario_Reset_ReturnsToNone()
    {
        await StartAsync();
        using var start = await _http.PostAsync("/scenario/latency", null);

        using var reset = await _http.PostAsync("/scenario/reset", null);
        var scenario = await _http.GetFromJsonAsync<JsonElement>("/scenario");

        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.Equal("none", scenario.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, scenario.GetProperty("endsAt").ValueKind);
    }

    [Theory]
    [InlineData("/scenario/meteor", HttpStatusCode.NotFound)]
    [InlineData("/scenario/latency?seconds=0", HttpStatusCode.BadRequest)]
    [InlineData("/scenario/latency?seconds=abc", HttpStatusCode.BadRequest)]
    [InlineData("/scenario/errors?rate=2", HttpStatusCode.BadRequest)]
    [InlineData("/flags/ok-name", HttpStatusCode.BadRequest)]
    [InlineData("/flags/ok-name?on=maybe", HttpStatusCode.BadRequest)]
    [InlineData("/flags/Bad%20Name?on=true", HttpStatusCode.BadRequest)]
    public async Task Post_InvalidInput_IsRejected(string path, HttpStatusCode expected)
    {
        await StartAsync();

        using var response = await _http.PostAsync(path, null);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("none", (await _http.GetFromJsonAsync<JsonElement>("/scenario")).GetProperty("name").GetString());
    }

    [Fact]
    public async Task PostFlags_SetAndClear_GetFlagsReflectsThem()
    {
        await StartAsync(new() { ["Lab:Flags:recommendations"] = "true" });
        Assert.True((await _http.GetFromJsonAsync<Dictionary<string, bool>>("/flags"))!["recommendations"]);

        using var on = await _http.PostAsync("/flags/disable-retries?on=true", null);
        using var off = await _http.PostAsync("/flags/recommendations?on=false", null);
        var flags = await _http.GetFromJsonAsync<Dictionary<string, bool>>("/flags");

        Assert.Equal(HttpStatusCode.OK, on.StatusCode);
        Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        Assert.NotNull(flags);
        Assert.True(flags["disable-retries"]);
        Assert.False(flags["recommendations"]);
        Assert.Equal(flags.Keys.Order(StringComparer.Ordinal), flags.Keys);
    }

    [Fact]
    public async Task GetHealthz_Running_ReturnsOk()
    {
        await StartAsync();

        var body = await _http.GetStringAsync("/healthz");

        Assert.Equal("ok", body);
    }

    [Fact]
    public async Task GetCheckout_ConcurrentBurstOverTinyCapacity_Sheds503()
    {
        await StartAsync(new()
        {
            ["Lab:CapacityRps"] = "2",
            ["Lab:BurstSeconds"] = "0",
            ["Lab:MaxBacklogSeconds"] = "2",
            ["Lab:ResumeBacklogSeconds"] = "1",
            ["Lab:MaxQueueDelaySeconds"] = "0.05",
        });

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            using var response = await _http.GetAsync("/api/checkout");
            return response.StatusCode;
        }));

        var shed = responses.Count(s => s == HttpStatusCode.ServiceUnavailable);
        Assert.InRange(shed, 10, 16);
        Assert.Equal(20 - shed, responses.Count(s => s == HttpStatusCode.OK));
        var metrics = await MetricsAsync();
        Assert.Equal(shed, MetricsText.Value(metrics, "lab_http_requests_total", ("service", "frontend"), ("route", "/api/checkout"), ("code", "503")));
    }

    [Fact]
    public async Task LoadGenerator_Enabled_DrivesFrontendTraffic()
    {
        await StartAsync(new() { ["Lab:LoadRps"] = "100" });

        double? count = 0;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (count < 20 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            count = MetricsText.Value(await MetricsAsync(), "lab_http_requests_total", ("service", "frontend"), ("route", "/api/checkout"), ("code", "200"));
        }

        Assert.True(count >= 20, $"only {count} requests");
    }

    [Fact]
    public void Create_WithoutUrls_BindsLoopbackDefaultPort()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_URLS")) || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_HTTP_PORTS")))
        {
            return; // the environment chooses the address; nothing to check here
        }

        var app = LabApplication.Create([]);

        Assert.Equal("http://127.0.0.1:5090", app.Configuration["urls"]);
        Assert.Equal(LabApplication.DefaultUrl, app.Configuration["urls"]);
    }
}
