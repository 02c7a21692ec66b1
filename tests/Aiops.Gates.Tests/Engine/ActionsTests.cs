using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Text.Json;
using Aiops.Gates.Actions;
using Microsoft.Extensions.Time.Testing;
using static Aiops.Gates.Tests.Engine.Fakes;

namespace Aiops.Gates.Tests.Engine;

public sealed class ActionsTests
{
    private static readonly Decision Decided = new(
        "dec-000007",
        new RemediationProposal("flag-cache-bypass", ["api-7f9c", "api-8d2e"], RiskClass.Low, "ep-1", 0.9, "am:group/flag", T0),
        [],
        GateVerdict.Allow,
        T0,
        DryRun: false);

    [Fact]
    public async Task SimulatedAction_RecordsWhatItWouldDo_ChangesNothing()
    {
        var action = new SimulatedAction("restart", RiskClass.Medium, "restart");

        var outcome = await action.ExecuteAsync(Decided, CancellationToken.None);

        Assert.True(outcome.Succeeded);
        Assert.Equal("simulated: would restart on targets api-7f9c, api-8d2e (decision dec-000007, episode ep-1); nothing was changed", outcome.Detail);
        Assert.Equal(RiskClass.Medium, action.Risk);
        Assert.Equal(1, action.RunCount);
        var run = Assert.Single(action.Runs);
        Assert.Equal(("dec-000007", "am:group/flag"), (run.DecisionId, run.IdempotencyKey));
    }

    [Fact]
    public async Task SimulatedAction_KeepsOnlyTheLastRuns()
    {
        var action = new SimulatedAction("restart", maxRecorded: 2);

        for (var i = 0; i < 5; i++)
        {
            await action.ExecuteAsync(Decided with { DecisionId = $"dec-{i}" }, CancellationToken.None);
        }

        Assert.Equal(5, action.RunCount);
        Assert.Equal(["dec-3", "dec-4"], action.Runs.Select(r => r.DecisionId));
    }

    [Fact]
    public async Task HttpAction_PostsDecisionAsJson_WithIdempotencyKey_2xxSucceeds()
    {
        var handler = new StubHandler((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.NoContent)));
        using var client = new HttpClient(handler);
        var options = new HttpActionOptions { Endpoint = new Uri("http://sample-app:8080/flags/cache-bypass"), Method = "PUT" };
        options.Fields["enabled"] = "true";
        var action = new HttpAction("flag-cache-bypass", client, options);

        var outcome = await action.ExecuteAsync(Decided, CancellationToken.None);

        Assert.True(outcome.Succeeded, outcome.Detail);
        Assert.Contains("HTTP 204", outcome.Detail, StringComparison.Ordinal);
        var request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Put, request.Method);
        Assert.Equal("am:group/flag", request.IdempotencyKey);
        Assert.Equal("application/json", request.ContentType);
        using var body = JsonDocument.Parse(request.Body);
        var root = body.RootElement;
        Assert.Equal("dec-000007", root.GetProperty("decisionId").GetString());
        Assert.Equal("flag-cache-bypass", root.GetProperty("actionId").GetString());
        Assert.Equal(["api-7f9c", "api-8d2e"], root.GetProperty("targets").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("Low", root.GetProperty("risk").GetString());
        Assert.Equal(0.9, root.GetProperty("confidence").GetDouble());
        Assert.Equal("true", root.GetProperty("enabled").GetString());
    }

    [Fact]
    public async Task HttpAction_Non2xx_FailureWithStatus()
    {
        using var client = new HttpClient(new StubHandler((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable))));
        var action = new HttpAction("flag", client, new HttpActionOptions { Endpoint = new Uri("http://sample-app/flags/x") });

        var outcome = await action.ExecuteAsync(Decided, CancellationToken.None);

        Assert.False(outcome.Succeeded);
        Assert.Contains("HTTP 503", outcome.Detail, StringComparison.Ordinal);
        Assert.Contains("POST http://sample-app/flags/x", outcome.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpAction_TransportError_Failure()
    {
        using var client = new HttpClient(new StubHandler((_, _) => throw new HttpRequestException("connection refused")));
        var action = new HttpAction("flag", client, new HttpActionOptions { Endpoint = new Uri("http://sample-app/flags/x") });

        var outcome = await action.ExecuteAsync(Decided, CancellationToken.None);

        Assert.False(outcome.Succeeded);
        Assert.Contains("connection refused", outcome.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpAction_OwnTimeout_FailureNamingTheTimeout()
    {
        var time = new FakeTimeProvider(T0);
        using var client = new HttpClient(new StubHandler(async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return new HttpResponseMessage(HttpStatusCode.OK);
        }));
        var action = new HttpAction("flag", client, new HttpActionOptions { Endpoint = new Uri("http://sample-app/flags/x"), Timeout = TimeSpan.FromSeconds(2) }, time);

        var pending = action.ExecuteAsync(Decided, CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromSeconds(2));
        var outcome = await pending;

        Assert.False(outcome.Succeeded);
        Assert.Contains("timed out", outcome.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpAction_ExecutorTokenFires_Propagates_ExecutorRecordsTimedOut()
    {
        using var client = new HttpClient(new StubHandler(async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return new HttpResponseMessage(HttpStatusCode.OK);
        }));
        var action = new HttpAction("flag", client, new HttpActionOptions { Endpoint = new Uri("http://sample-app/flags/x") });
        using var h = new Harness([new FakeGate("ok", GateVerdict.Allow)], actions: [action], actionTimeout: TimeSpan.FromSeconds(3));
        var decision = await h.Engine.DecideAsync(Proposal(action: "flag"));

        var pending = h.Executor.ExecuteAsync(decision).AsTask();
        h.Time.Advance(TimeSpan.FromSeconds(3));
        var outcome = await pending;

        Assert.Equal(ExecutionStatus.TimedOut, outcome.Status);
    }

    [Theory]
    [InlineData("/relative", "POST")]
    [InlineData("ftp://host/x", "POST")]
    [InlineData("http://host/x", "DELETE")]
    public void HttpAction_BadOptions_ValidationException(string endpoint, string method)
    {
        using var client = new HttpClient();

        var ex = Assert.Throws<ValidationException>(() => new HttpAction("flag", client, new HttpActionOptions { Endpoint = new Uri(endpoint, UriKind.RelativeOrAbsolute), Method = method }));

        Assert.Contains("HttpActionOptions.", ex.Message, StringComparison.Ordinal);
    }

    private sealed class StubHandler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> respond) : HttpMessageHandler
    {
        public List<(HttpMethod Method, string? IdempotencyKey, string? ContentType, string Body)> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
            Requests.Add((request.Method, request.Headers.TryGetValues("Idempotency-Key", out var keys) ? keys.Single() : null, request.Content?.Headers.ContentType?.MediaType, body));
            return await respond(request, cancellationToken);
        }
    }
}
