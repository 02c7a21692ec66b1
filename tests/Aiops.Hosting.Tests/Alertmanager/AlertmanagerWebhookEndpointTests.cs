using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Aiops.Correlation;
using Aiops.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Aiops.Hosting.Tests.Alertmanager;

public sealed class AlertmanagerWebhookEndpointTests
{
    private const string Path = "/aiops/alertmanager";

    [RecordedPayloadFact]
    public async Task Post_RecordedFiringPayload_WritesFiringAlertSignal()
    {
        await using var host = await AlertmanagerTestHost.StartAsync();

        using var response = await PostAsync(host, RecordedPayloads.Firing);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.True(body["accepted"]!.GetValue<bool>());
        Assert.False(body["duplicate"]!.GetValue<bool>());
        Assert.Equal(1, body["signals"]!.GetValue<int>());
        var alert = Assert.IsType<AlertSignal>(Assert.Single(host.DrainSignals()));
        Assert.Equal("298f9fb4484a739f", alert.Fingerprint);
        Assert.Equal("HighValue", alert.Name);
        Assert.Equal(AlertStatus.Firing, alert.Status);
        Assert.Equal(DateTimeOffset.Parse("2026-11-24T22:34:16.418Z", System.Globalization.CultureInfo.InvariantCulture), alert.Onset);
        Assert.Null(alert.EndsAt);
        Assert.Equal("warning", alert.Severity);
        Assert.Equal("127.0.0.1:18000", alert.Label("instance"));
        Assert.Equal("app", alert.Label("job"));
        Assert.Equal(4, alert.Labels.Count);
        Assert.Empty(alert.Annotations);
    }

    [RecordedPayloadFact]
    public async Task Post_RecordedResolvedPayload_WritesResolvedAlertSignalWithEndsAt()
    {
        await using var host = await AlertmanagerTestHost.StartAsync();

        using var response = await PostAsync(host, RecordedPayloads.Resolved);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var alert = Assert.IsType<AlertSignal>(Assert.Single(host.DrainSignals()));
        Assert.Equal("298f9fb4484a739f", alert.Fingerprint);
        Assert.Equal(AlertStatus.Resolved, alert.Status);
        Assert.Equal(DateTimeOffset.Parse("2026-11-24T22:34:18.418Z", System.Globalization.CultureInfo.InvariantCulture), alert.EndsAt);
    }

    [RecordedPayloadFact]
    public async Task Post_FiringThenResolved_BothWritten()
    {
        await using var host = await AlertmanagerTestHost.StartAsync();

        using var firing = await PostAsync(host, RecordedPayloads.Firing);
        using var resolved = await PostAsync(host, RecordedPayloads.Resolved);

        Assert.Equal(HttpStatusCode.OK, firing.StatusCode);
        Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        Assert.Equal([AlertStatus.Firing, AlertStatus.Resolved], host.DrainSignals().Cast<AlertSignal>().Select(a => a.Status));
    }

    [RecordedPayloadFact]
    public async Task Post_ReplayedIdenticalPayload_AcknowledgedAsDuplicateAndNotWrittenAgain()
    {
        await using var host = await AlertmanagerTestHost.StartAsync();
        using var collector = Requests(host);

        using var first = await PostAsync(host, RecordedPayloads.Firing);
        using var replay = await PostAsync(host, RecordedPayloads.Firing);

        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        var body = await JsonAsync(replay);
        Assert.True(body["accepted"]!.GetValue<bool>());
        Assert.True(body["duplicate"]!.GetValue<bool>());
        Assert.Equal(0, body["signals"]!.GetValue<int>());
        Assert.Single(host.DrainSignals());
        Assert.Equal(["accepted", "duplicate"], Outcomes(collector));
    }

    [RecordedPayloadFact]
    public async Task Post_ReplayAfterDuplicateWindow_WrittenAgain()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-24T22:35:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var host = await AlertmanagerTestHost.StartAsync(new Dictionary<string, string?> { ["Aiops:Alertmanager:DuplicateWindow"] = "00:01:00" }, time);

        using var first = await PostAsync(host, RecordedPayloads.Firing);
        time.Advance(TimeSpan.FromSeconds(59));
        using var within = await PostAsync(host, RecordedPayloads.Firing);
        time.Advance(TimeSpan.FromSeconds(2));
        using var after = await PostAsync(host, RecordedPayloads.Firing);

        Assert.True((await JsonAsync(within))["duplicate"]!.GetValue<bool>());
        Assert.False((await JsonAsync(after))["duplicate"]!.GetValue<bool>());
        Assert.Equal(2, host.DrainSignals().Count);
    }

    [Fact]
    public async Task Post_SameAlertsInOtherOrder_Duplicate()
    {
        await using var host = await AlertmanagerTestHost.StartAsync();

        using var first = await PostAsync(host, Payload(Alert("a", "A"), Alert("b", "B")));
        using var reordered = await PostAsync(host, Payload(Alert("b", "B"), Alert("a", "A")));
        using var otherGroup = await PostAsync(host, Payload(Alert("a", "A"), Alert("b", "B")).Replace("\"g1\"", "\"g2\"", StringComparison.Ordinal));

        Assert.True((await JsonAsync(reordered))["duplicate"]!.GetValue<bool>());
        Assert.False((await JsonAsync(otherGroup))["duplicate"]!.GetValue<bool>());
        Assert.Equal(4, host.DrainSignals().Count);
    }

    [Fact]
    public async Task Post_AlertWithoutFingerprint_FingerprintIsStableHashOfLabels()
    {
        await using var host = await AlertmanagerTestHost.StartAsync();
        const string first = """{"version":"4","groupKey":"g","alerts":[{"status":"firing","labels":{"alertname":"X","job":"a"},"startsAt":"2026-01-01T00:00:00Z"}]}""";
        const string reordered = """{"version":"4","groupKey":"h","alerts":[{"status":"firing","labels":{"job":"a","alertname":"X"},"startsAt":"2026-01-01T00:00:00Z"}]}""";

        using var r1 = await PostAsync(host, first);
        using var r2 = await PostAsync(host, reordered);

        var signals = host.DrainSignals();
        Assert.Equal(2, signals.Count);
        Assert.Matches("^[0-9a-f]{16}$", signals[0].Fingerprint);
        Assert.Equal(signals[0].Fingerprint, signals[1].Fingerprint);
    }

    [Fact]
    public async Task Post_CorrectBearerToken_Accepted()
    {
        await using var host = await AlertmanagerTestHost.StartAsync(new Dictionary<string, string?> { ["Aiops:Alertmanager:BearerToken"] = "s3cret" });

        using var response = await PostAsync(host, Payload(Alert("a", "A")), new AuthenticationHeaderValue("Bearer", "s3cret"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(host.DrainSignals());
    }

    [Theory]
    [InlineData("Bearer", "wrong")]
    [InlineData("Bearer", "s3cret2")]
    [InlineData("Basic", "czNjcmV0")]
    [InlineData(null, null)]
    public async Task Post_WrongOrMissingBearerToken_Unauthorized(string? scheme, string? token)
    {
        await using var host = await AlertmanagerTestHost.StartAsync(new Dictionary<string, string?> { ["Aiops:Alertmanager:BearerToken"] = "s3cret" });
        using var collector = Requests(host);

        using var response = await PostAsync(host, Payload(Alert("a", "A")), scheme is null ? null : new AuthenticationHeaderValue(scheme, token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        Assert.Empty(host.DrainSignals());
        Assert.Equal(["unauthorized"], Outcomes(collector));
    }

    [Fact]
    public async Task Post_BasicAuth_AcceptsRightCredentialsAndRejectsWrongOnes()
    {
        await using var host = await AlertmanagerTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Aiops:Alertmanager:BasicAuthUser"] = "am",
            ["Aiops:Alertmanager:BasicAuthPassword"] = "p:ss",
        });

        using var right = await PostAsync(host, Payload(Alert("a", "A")), Basic("am", "p:ss"));
        using var wrong = await PostAsync(host, Payload(Alert("b", "B")), Basic("am", "pass"));
        using var garbage = await PostAsync(host, Payload(Alert("c", "C")), new AuthenticationHeaderValue("Basic", "not base64!"));
        using var missing = await PostAsync(host, Payload(Alert("d", "D")));

        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, garbage.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Contains(missing.Headers.WwwAuthenticate, h => h.Scheme == "Basic");
        Assert.Equal("a", Assert.Single(host.DrainSignals()).Fingerprint);
    }

    [Fact]
    public async Task Post_OversizedBodyWithContentLength_PayloadTooLarge()
    {
        await using var host = await AlertmanagerTestHost.StartAsync(new Dictionary<string, string?> { ["Aiops:Alertmanager:MaxBodyBytes"] = "2048" });
        using var collector = Requests(host);

        using var content = new StringContent(Oversized(4096), Encoding.UTF8, "application/json");
        using var response = await host.Client.PostAsync(Path, content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("2048", (await JsonAsync(response))["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(host.DrainSignals());
        Assert.Equal(["too_large"], Outcomes(collector));
    }

    [Fact]
    public async Task Post_OversizedChunkedBodyWithoutContentLength_PayloadTooLarge()
    {
        await using var host = await AlertmanagerTestHost.StartAsync(new Dictionary<string, string?> { ["Aiops:Alertmanager:MaxBodyBytes"] = "2048" });

        using var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new ChunkedContent(Encoding.UTF8.GetBytes(Oversized(4096))) };
        request.Headers.TransferEncodingChunked = true;
        using var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Null(request.Content.Headers.ContentLength);
        Assert.Contains("exceeds the limit of 2048 bytes", (await JsonAsync(response))["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(host.DrainSignals());
    }

    [Fact]
    public async Task Post_ChunkedBodyFarOverLimit_PayloadTooLargeWithoutReadingItAll()
    {
        await using var host = await AlertmanagerTestHost.StartAsync(new Dictionary<string, string?> { ["Aiops:Alertmanager:MaxBodyBytes"] = "2048" });

        using var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new ChunkedContent(Encoding.UTF8.GetBytes(Oversized(256 * 1024))) };
        request.Headers.TransferEncodingChunked = true;
        using var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(host.DrainSignals());
    }

    [Fact]
    public async Task Post_ChunkedBodyWithinLimit_Accepted()
    {
        await using var host = await AlertmanagerTestHost.StartAsync(new Dictionary<string, string?> { ["Aiops:Alertmanager:MaxBodyBytes"] = "2048" });

        using var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new ChunkedContent(Encoding.UTF8.GetBytes(Payload(Alert("a", "A")))) };
        request.Headers.TransferEncodingChunked = true;
        using var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(host.DrainSignals());
    }

    [Theory]
    [InlineData("{not json", "not a valid version 4 payload")]
    [InlineData("", "The body is empty.")]
    [InlineData("null", "must be a JSON object")]
    [InlineData("""{"version":"3","groupKey":"g","alerts":[]}""", "Unsupported payload version '3'")]
    [InlineData("""{"groupKey":"g","alerts":[]}""", "'version' is missing")]
    [InlineData("""{"version":"4","alerts":[]}""", "'groupKey' is missing")]
    [InlineData("""{"version":"4","groupKey":"g"}""", "'alerts' is missing")]
    [InlineData("""{"version":"4","groupKey":"g","alerts":[]}""", "'alerts' array is empty")]
    [InlineData("""{"version":"4","groupKey":"g","alerts":[{"labels":{"alertname":"X"},"startsAt":"2026-01-01T00:00:00Z"}]}""", "'alerts[0].status' is missing")]
    [InlineData("""{"version":"4","groupKey":"g","alerts":[{"status":"pending","labels":{"alertname":"X"},"startsAt":"2026-01-01T00:00:00Z"}]}""", "expected 'firing' or 'resolved'")]
    [InlineData("""{"version":"4","groupKey":"g","alerts":[{"status":"firing","startsAt":"2026-01-01T00:00:00Z"}]}""", "'alerts[0].labels' is missing")]
    [InlineData("""{"version":"4","groupKey":"g","alerts":[{"status":"firing","labels":{"job":"x"},"startsAt":"2026-01-01T00:00:00Z"}]}""", "alertname' is missing")]
    [InlineData("""{"version":"4","groupKey":"g","alerts":[{"status":"firing","labels":{"alertname":"X"}}]}""", "'alerts[0].startsAt' is missing")]
    [InlineData("""{"version":"4","groupKey":"g","alerts":[{"status":"firing","labels":{"alertname":"X"},"startsAt":"yesterday"}]}""", "not a valid version 4 payload")]
    public async Task Post_InvalidPayload_BadRequestWithReason(string body, string reason)
    {
        await using var host = await AlertmanagerTestHost.StartAsync();
        using var collector = Requests(host);

        using var response = await PostAsync(host, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await JsonAsync(response);
        Assert.Equal(400, problem["status"]!.GetValue<int>());
        Assert.Contains(reason, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(host.DrainSignals());
        Assert.Equal(["malformed"], Outcomes(collector));
    }

    [Fact]
    public async Task Post_LabelWithNullValueAndNoFingerprint_BadRequestWithReason()
    {
        await using var host = await AlertmanagerTestHost.StartAsync();
        using var collector = Requests(host);
        const string body = """{"version":"4","groupKey":"g","alerts":[{"status":"firing","labels":{"alertname":"X","job":null},"startsAt":"2026-01-01T00:00:00Z"}]}""";

        using var response = await PostAsync(host, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(host.DrainSignals());
        Assert.Equal(["malformed"], Outcomes(collector));
    }

    [Fact]
    public async Task Post_ChangeLabelWithNullValueAfterValidAlert_BadRequestAndRetryNotLostAsDuplicate()
    {
        await using var host = await AlertmanagerTestHost.StartAsync();
        var nullChange = """{"status":"firing","labels":{"alertname":"Deployed","aiops_change":null},"annotations":{},"startsAt":"2026-01-01T00:00:00Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":"d1"}""";
        var body = Payload(Alert("a1", "HighErrorRate"), nullChange);

        using var first = await PostAsync(host, body);
        using var retry = await PostAsync(host, body);

        // A malformed alert is refused as a whole with a reason, not half-queued with a 500 and then acknowledged as a duplicate.
        var retryBody = await retry.Content.ReadAsStringAsync();
        Assert.Equal(
            (HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, 0),
            (first.StatusCode, retry.StatusCode, host.DrainSignals().Count));
        Assert.DoesNotContain("\"duplicate\":true", retryBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_Webhook_MethodNotAllowed()
    {
        await using var host = await AlertmanagerTestHost.StartAsync();

        using var response = await host.Client.GetAsync(Path);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task StartAsync_MaxBodyBytesOutOfRange_FailsNamingTheKey()
    {
        await using var app = AlertmanagerTestHost.Build(new Dictionary<string, string?> { ["Aiops:Alertmanager:MaxBodyBytes"] = "10" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("Aiops:Alertmanager:MaxBodyBytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_AlertWithChangeLabel_WrittenAsChangeSignalOfThatKind()
    {
        await using var host = await AlertmanagerTestHost.StartAsync();
        var deploy = """{"status":"firing","labels":{"alertname":"Deployed","service":"checkout","aiops_change":"Deploy"},"annotations":{"summary":"checkout 1.4.3 deployed"},"startsAt":"2026-01-01T00:00:00Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":"d1"}""";
        var odd = """{"status":"firing","labels":{"alertname":"FlagFlipped","aiops_change":"feature-flag"},"annotations":{},"startsAt":"2026-01-01T00:00:00Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":"d2"}""";

        using var response = await PostAsync(host, Payload(deploy, odd, Alert("a1", "HighErrorRate")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var signals = host.DrainSignals();
        var change = Assert.IsType<ChangeSignal>(signals[0]);
        Assert.Equal(("d1", "checkout 1.4.3 deployed", ChangeKind.Deploy, "checkout"), (change.Fingerprint, change.Name, change.Change, change.Label("service")));
        Assert.Equal(ChangeKind.Other, Assert.IsType<ChangeSignal>(signals[1]).Change);
        Assert.IsType<AlertSignal>(signals[2]);
    }

    [Fact]
    public async Task Post_ChangeLabelTurnedOff_AlertStaysAnAlert()
    {
        await using var host = await AlertmanagerTestHost.StartAsync(new Dictionary<string, string?> { ["Aiops:Alertmanager:ChangeLabel"] = "" });
        var deploy = """{"status":"firing","labels":{"alertname":"Deployed","aiops_change":"deploy"},"annotations":{},"startsAt":"2026-01-01T00:00:00Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":"d1"}""";

        using var response = await PostAsync(host, Payload(deploy));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.IsType<AlertSignal>(Assert.Single(host.DrainSignals()));
    }

    private static Task<HttpResponseMessage> PostAsync(AlertmanagerTestHost host, string body, AuthenticationHeaderValue? authorization = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = authorization;
        return host.Client.SendAsync(request);
    }

    private static async Task<JsonNode> JsonAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

    private static MetricCollector<long> Requests(AlertmanagerTestHost host) =>
        new(host.App.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), HostingTelemetry.MeterName, "aiops.hosting.alertmanager.requests");

    private static string[] Outcomes(MetricCollector<long> collector) =>
        [.. collector.GetMeasurementSnapshot().Select(m => (string)m.Tags["outcome"]!)];

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    private static string Alert(string fingerprint, string name) =>
        $$"""{"status":"firing","labels":{"alertname":"{{name}}","severity":"critical"},"annotations":{"summary":"s"},"startsAt":"2026-01-01T00:00:00Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":"{{fingerprint}}"}""";

    private static string Payload(params string[] alerts) =>
        $$"""{"receiver":"hook","status":"firing","version":"4","groupKey":"g1","alerts":[{{string.Join(',', alerts)}}]}""";

    private static string Oversized(int bytes)
    {
        var alert = Alert("a", "A");
        var alerts = string.Join(',', Enumerable.Repeat(alert, (bytes / alert.Length) + 1));
        return Payload(alerts);
    }

    /// <summary>Content without a length, so HttpClient sends it chunked.</summary>
    private sealed class ChunkedContent(byte[] body) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var offset = 0; offset < body.Length; offset += 512)
            {
                await stream.WriteAsync(body.AsMemory(offset, Math.Min(512, body.Length - offset)));
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
