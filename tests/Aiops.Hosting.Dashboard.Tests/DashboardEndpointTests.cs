using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Aiops.Detection;
using Aiops.Hosting.Tests;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Aiops.Hosting.Dashboard.Tests;

/// <summary>The dashboard's endpoints and the score history, over HTTP on a real Kestrel, without a browser.</summary>
public sealed class DashboardEndpointTests
{
    [Fact]
    public async Task GetPage_DefaultPrefix_HtmlWithStrictSecurityHeaders()
    {
        await using var host = await SeededHost.StartAsync(gates: false);

        foreach (var path in new[] { "/aiops", "/aiops/" })
        {
            using var response = await host.Client.GetAsync(new Uri(path, UriKind.Relative));

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
            AssertSecurityHeaders(response);
            Assert.True(response.Headers.CacheControl?.NoCache);
            var html = await response.Content.ReadAsStringAsync();
            Assert.Contains("data-api=\"/aiops/api\"", html, StringComparison.Ordinal);
            Assert.Matches("<script src=\"/aiops/dashboard\\.js\\?v=[0-9a-f]{16}\" defer>", html);
            Assert.Matches("<link rel=\"stylesheet\" href=\"/aiops/dashboard\\.css\\?v=[0-9a-f]{16}\">", html);
            Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
            Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("/aiops/dashboard.js", "text/javascript")]
    [InlineData("/aiops/dashboard.css", "text/css")]
    public async Task GetAsset_Embedded_ContentTypeCachingAndETag(string path, string mediaType)
    {
        await using var host = await SeededHost.StartAsync(gates: false);
        var html = await host.Client.GetStringAsync(new Uri("/aiops", UriKind.Relative));
        var versioned = System.Text.RegularExpressions.Regex.Match(html, System.Text.RegularExpressions.Regex.Escape(path) + "\\?v=[0-9a-f]+").Value;

        using var plain = await host.Client.GetAsync(new Uri(path, UriKind.Relative));
        using var immutable = await host.Client.GetAsync(new Uri(versioned, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Equal(mediaType, plain.Content.Headers.ContentType?.MediaType);
        AssertSecurityHeaders(plain);
        Assert.True(plain.Headers.CacheControl?.NoCache);
        Assert.NotNull(plain.Headers.ETag);
        var body = await plain.Content.ReadAsStringAsync();
        Assert.True(body.Length > 1000);
        Assert.DoesNotContain("https://", body, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromDays(365), immutable.Headers.CacheControl?.MaxAge);
        Assert.True(immutable.Headers.CacheControl?.Public);

        using var conditional = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        conditional.Headers.IfNoneMatch.Add(plain.Headers.ETag!);
        using var notModified = await host.Client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Theory]
    [InlineData("/aiops/nope.js")]
    [InlineData("/aiops/dashboard.js/x")]
    [InlineData("/aiops/index.html")]
    public async Task GetAsset_Unknown_404(string path)
    {
        await using var host = await SeededHost.StartAsync(gates: false);

        using var response = await host.Client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task MapAiopsDashboard_CustomPrefixes_PageUsesThem()
    {
        var builder = Loopback.CreateBuilder(new Dictionary<string, string?> { ["Aiops:Api:ApprovalToken"] = "dashboard-test-token" });
        builder.Services.AddAiops();
        await using var app = builder.Build();
        app.MapAiopsApi("/ops/api");
        var group = app.MapAiopsDashboard("/ops/board", "/ops/api");
        Assert.NotNull(group);
        var address = await Loopback.StartAsync(app);
        using var client = new HttpClient { BaseAddress = address };

        var html = await client.GetStringAsync(new Uri("/ops/board", UriKind.Relative));
        using var script = await client.GetAsync(new Uri("/ops/board/dashboard.js", UriKind.Relative));
        using var other = await client.GetAsync(new Uri("/aiops", UriKind.Relative));

        Assert.Contains("data-api=\"/ops/api\"", html, StringComparison.Ordinal);
        Assert.Contains("data-base=\"/ops/board\"", html, StringComparison.Ordinal);
        Assert.Contains("src=\"/ops/board/dashboard.js?v=", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        await app.StopAsync();
    }

    [Fact]
    public async Task GetState_RunningPipeline_HealthyJsonNoStore()
    {
        await using var host = await SeededHost.StartAsync(gates: false);

        using var response = await host.Client.GetAsync(new Uri("/aiops/state", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoStore);
        AssertSecurityHeaders(response);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("healthy", json.RootElement.GetProperty("status").GetString());
        Assert.Equal(0, json.RootElement.GetProperty("series").GetInt32());
        Assert.Equal(0, json.RootElement.GetProperty("openEpisodes").GetInt32());
        Assert.Equal(0, json.RootElement.GetProperty("samplesQueued").GetInt32());
    }

    [Fact]
    public async Task ScoreHistory_MoreSamplesThanLength_KeepsNewestOldestFirst()
    {
        await using var host = await SeededHost.StartAsync(gates: false, new Dictionary<string, string?> { ["Aiops:Detection:ScoreHistoryLength"] = "5" });
        var writer = host.App.Services.GetRequiredService<AiopsPipelineWriter>();
        var board = host.App.Services.GetRequiredService<ScoreBoard>();
        var key = new SeriesKey("queue_depth", [new("service", "worker")]);
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-1);
        for (var i = 0; i < 20; i++)
        {
            Assert.True(writer.TryWriteSample(new MetricSample(key, t0.AddSeconds(i), i)));
        }

        Assert.True(await SeededHost.WaitUntilAsync(() => Task.FromResult(board.TryGet(key, out var s) && s.Score.Value == 19)));

        var history = board.History(key);
        Assert.Equal([15d, 16, 17, 18, 19], history.Select(p => p.Value));
        Assert.Equal(history.Select(p => p.Value), board.History(key.ToString()).Select(p => p.Value));
        Assert.Empty(board.History(new SeriesKey("unknown")));

        using var json = await host.GetJsonAsync("/aiops/api/scores/history?series=" + Uri.EscapeDataString(key.ToString()) + "&series=unknown");
        var series = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(2, series.Count);
        Assert.Equal(key.ToString(), series[0].GetProperty("series").GetString());
        var points = series[0].GetProperty("points").EnumerateArray().ToList();
        Assert.Equal([15d, 16, 17, 18, 19], points.Select(p => p.GetProperty("value").GetDouble()));
        Assert.Equal(t0.AddSeconds(15), points[0].GetProperty("timestamp").GetDateTimeOffset());
        Assert.Equal("warmingUp", points[0].GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.False, points[0].GetProperty("anomalous").ValueKind);
        Assert.Equal("unknown", series[1].GetProperty("series").GetString());
        Assert.Empty(series[1].GetProperty("points").EnumerateArray());

        using var limited = await host.GetJsonAsync("/aiops/api/scores/history?limit=2&series=" + Uri.EscapeDataString(key.ToString()));
        Assert.Equal([18d, 19], limited.RootElement[0].GetProperty("points").EnumerateArray().Select(p => p.GetProperty("value").GetDouble()));

        // GET scores keeps answering the latest score only.
        using var scores = await host.GetJsonAsync("/aiops/api/scores");
        Assert.Equal(19, Assert.Single(scores.RootElement.EnumerateArray().ToList()).GetProperty("value").GetDouble());
    }

    [Fact]
    public async Task ScoreHistory_Disabled_NoPointsButLatestKept()
    {
        await using var host = await SeededHost.StartAsync(gates: false, new Dictionary<string, string?> { ["Aiops:Detection:ScoreHistoryLength"] = "0" });
        var writer = host.App.Services.GetRequiredService<AiopsPipelineWriter>();
        var board = host.App.Services.GetRequiredService<ScoreBoard>();
        var key = new SeriesKey("queue_depth");
        Assert.True(writer.TryWriteSample(new MetricSample(key, DateTimeOffset.UtcNow, 3)));

        Assert.True(await SeededHost.WaitUntilAsync(() => Task.FromResult(board.TryGet(key, out _))));

        Assert.Empty(board.History(key));
    }

    [Theory]
    [InlineData("", "series")]
    [InlineData("?series=", "series")]
    [InlineData("?series=a&limit=0", "limit")]
    [InlineData("?series=a&limit=x", "limit")]
    public async Task ScoreHistory_BadQuery_400ProblemNamingParameter(string query, string parameter)
    {
        await using var host = await SeededHost.StartAsync(gates: false);

        using var response = await host.Client.GetAsync(new Uri("/aiops/api/scores/history" + query, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(parameter, json.RootElement.GetProperty("parameter").GetString());
    }

    [Fact]
    public async Task ScoreHistory_TooManySeries_400()
    {
        await using var host = await SeededHost.StartAsync(gates: false);
        var query = string.Join('&', Enumerable.Range(0, 101).Select(i => "series=s" + i));

        using var response = await host.Client.GetAsync(new Uri("/aiops/api/scores/history?" + query, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("100001")]
    public async Task DetectionOptions_HistoryLengthOutOfRange_FailsNamingKey(string length)
    {
        var builder = Loopback.CreateBuilder(new Dictionary<string, string?> { ["Aiops:Detection:ScoreHistoryLength"] = length });
        builder.Services.AddAiops();
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("ScoreHistoryLength", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DetectionOptions_Default_HistoryLength360()
    {
        Assert.Equal(360, new DetectionStageOptions().ScoreHistoryLength);
        Assert.Equal(360, ScoreBoard.DefaultHistoryLength);
    }

    private static void AssertSecurityHeaders(HttpResponseMessage response)
    {
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.StartsWith("default-src 'self';", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }
}
