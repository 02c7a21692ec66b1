using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Aiops.Correlation;
using Aiops.Detection;
using Aiops.Gates;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Aiops.Hosting.Tests.Api;

public sealed class AiopsApiEndpointTests
{
    private const string Token = "s3cret-approval-token";

    private static readonly Dictionary<string, string?> TokenSettings = new() { ["Aiops:Api:ApprovalToken"] = Token };

    [Fact]
    public async Task ListEpisodes_NoFilter_NewestFirstCamelCase()
    {
        await using var host = await StartWithEpisodesAsync();

        using var response = await host.Client.GetAsync(new Uri("/aiops/api/episodes", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = await ReadJsonAsync(response);
        var ids = json.RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToList();
        Assert.Equal(["ep-000003", "ep-000002", "ep-000001"], ids);
        Assert.Equal("pending", json.RootElement[0].GetProperty("state").GetString());
    }

    [Theory]
    [InlineData("?state=firing", new[] { "ep-000002" })]
    [InlineData("?state=Resolved", new[] { "ep-000001" })]
    [InlineData("?entity=db", new[] { "ep-000002", "ep-000001" })]
    [InlineData("?since=2026-03-02T09:10:00Z", new[] { "ep-000003", "ep-000002" })]
    [InlineData("?limit=1", new[] { "ep-000003" })]
    [InlineData("?entity=db&state=firing&limit=5", new[] { "ep-000002" })]
    public async Task ListEpisodes_Filter_ReturnsMatching(string query, string[] expected)
    {
        await using var host = await StartWithEpisodesAsync();

        using var json = await GetJsonAsync(host, "/aiops/api/episodes" + query);

        Assert.Equal(expected, json.RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToArray());
    }

    [Theory]
    [InlineData("?state=burning", "state")]
    [InlineData("?state=2", "state")]
    [InlineData("?entity=", "entity")]
    [InlineData("?since=yesterday", "since")]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=1001", "limit")]
    [InlineData("?limit=ten", "limit")]
    public async Task ListEpisodes_BadQuery_400ProblemNamingParameter(string query, string parameter)
    {
        await using var host = await StartWithEpisodesAsync();

        using var response = await host.Client.GetAsync(new Uri("/aiops/api/episodes" + query, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = await ReadJsonAsync(response);
        Assert.Equal(400, json.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(parameter, json.RootElement.GetProperty("parameter").GetString());
        Assert.Contains(parameter, json.RootElement.GetProperty("title").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("?state=pending,firing")] // Enum.TryParse ORs the names: Pending | Firing == Resolved
    [InlineData("?state=inactive,resolved")]
    public async Task ListEpisodes_CommaSeparatedStates_400ProblemNamingState(string query)
    {
        await using var host = await StartWithEpisodesAsync();

        using var response = await host.Client.GetAsync(new Uri("/aiops/api/episodes" + query, UriKind.Relative));

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
    }

    [Fact]
    public async Task GetEpisode_Known_DetailWithRootCause()
    {
        await using var host = await StartWithEpisodesAsync();

        using var json = await GetJsonAsync(host, "/aiops/api/episodes/ep-000002");

        var root = json.RootElement;
        Assert.Equal("ep-000002", root.GetProperty("id").GetString());
        Assert.Equal("firing", root.GetProperty("state").GetString());
        Assert.Equal(new string?[] { "api", "db" }, root.GetProperty("entities").EnumerateArray().Select(e => e.GetString()).ToArray());
        var rca = root.GetProperty("rootCause");
        Assert.Equal("changeInduced", rca.GetProperty("category").GetString());
        Assert.Equal("api", rca.GetProperty("hypotheses")[0].GetProperty("entity").GetString());
        Assert.Equal("alert", root.GetProperty("members")[0].GetProperty("signal").GetProperty("kind").GetString());
    }

    [Fact]
    public async Task GetEpisode_Unknown_404Problem()
    {
        await using var host = await StartWithEpisodesAsync();

        using var response = await host.Client.GetAsync(new Uri("/aiops/api/episodes/ep-999999", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task GetTimeline_Known_EntriesInTimeOrder()
    {
        await using var host = await StartWithEpisodesAsync();

        using var json = await GetJsonAsync(host, "/aiops/api/episodes/ep-000002/timeline");

        var entries = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(4, entries.Count);
        var times = entries.Select(e => e.GetProperty("at").GetDateTimeOffset()).ToList();
        Assert.Equal(times.Order().ToList(), times);
        Assert.Equal("deploy", entries[0].GetProperty("signal").GetProperty("name").GetString());
    }

    [Fact]
    public async Task GetTimeline_Unknown_404()
    {
        await using var host = await StartWithEpisodesAsync();

        using var response = await host.Client.GetAsync(new Uri("/aiops/api/episodes/nope/timeline", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task GetScores_BoardHasSeries_OnePerSeriesWithBand()
    {
        await using var host = await ApiTestHost.StartAsync();
        var board = host.App.Services.GetRequiredService<ScoreBoard>();
        var at = ApiTestHost.T0;
        board.Set(new SeriesScore(new SeriesKey("latency", [new("service", "api")]), AnomalyScore.Scored(at, 250, 0.97, 5, 0.9, 120, 80, 160), true, at));
        board.Set(new SeriesScore(new SeriesKey("errors"), AnomalyScore.WarmingUp(at, 1), false, at));

        using var json = await GetJsonAsync(host, "/aiops/api/scores");

        var scores = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(2, scores.Count);
        Assert.Equal("errors", scores[0].GetProperty("series").GetString());
        Assert.Equal(JsonValueKind.Null, scores[0].GetProperty("expected").ValueKind);
        Assert.Equal("warmingUp", scores[0].GetProperty("status").GetString());
        var latency = scores[1];
        Assert.StartsWith("latency", latency.GetProperty("series").GetString(), StringComparison.Ordinal);
        Assert.Equal(0.97, latency.GetProperty("probability").GetDouble());
        Assert.Equal(120, latency.GetProperty("expected").GetDouble());
        Assert.Equal(80, latency.GetProperty("lower").GetDouble());
        Assert.Equal(160, latency.GetProperty("upper").GetDouble());
        Assert.True(latency.GetProperty("anomalous").GetBoolean());
        Assert.Equal(at, latency.GetProperty("updatedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task Decisions_WithEngine_NewestFirstAndLimited()
    {
        var (engine, _, _) = ApiFixtures.Engine();
        await using var host = await StartWithEngineAsync(engine);
        var first = await engine.DecideAsync(ApiFixtures.Proposal("k1", "scale"));
        var second = await engine.DecideAsync(ApiFixtures.Proposal("k2"));

        using var all = await GetJsonAsync(host, "/aiops/api/decisions");
        using var one = await GetJsonAsync(host, "/aiops/api/decisions?limit=1");

        Assert.Equal(new string?[] { second.DecisionId, first.DecisionId }, all.RootElement.EnumerateArray().Select(e => e.GetProperty("decisionId").GetString()).ToArray());
        Assert.Equal("requireApproval", all.RootElement[0].GetProperty("verdict").GetString());
        Assert.Equal("allow", all.RootElement[1].GetProperty("verdict").GetString());
        Assert.Equal(second.DecisionId, Assert.Single(one.RootElement.EnumerateArray().ToList()).GetProperty("decisionId").GetString());
    }

    [Fact]
    public async Task Decisions_BadLimit_400()
    {
        var (engine, _, _) = ApiFixtures.Engine();
        await using var host = await StartWithEngineAsync(engine);

        using var response = await host.Client.GetAsync(new Uri("/aiops/api/decisions?limit=-1", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Decisions_DefaultHost_BuiltInEngineAnswersEmpty()
    {
        await using var host = await ApiTestHost.StartAsync();

        using var decisions = await host.Client.GetAsync(new Uri("/aiops/api/decisions", UriKind.Relative));
        using var approvals = await host.Client.GetAsync(new Uri("/aiops/api/approvals", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, decisions.StatusCode);
        Assert.Equal("[]", await decisions.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, approvals.StatusCode);
        Assert.Equal("[]", await approvals.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Audit_WithEngine_RawEntriesNewestFirst()
    {
        var (engine, log, _) = ApiFixtures.Engine();
        await using var host = await StartWithEngineAsync(engine);
        await engine.DecideAsync(ApiFixtures.Proposal("k1", "scale"));
        await engine.DecideAsync(ApiFixtures.Proposal("k2", "scale"));

        using var json = await GetJsonAsync(host, "/aiops/api/audit");

        var entries = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(log.Count, entries.Count);
        Assert.All(entries, e => Assert.Equal("decision", e.GetProperty("type").GetString()));
        Assert.Equal("dec-000002", entries[0].GetProperty("decision").GetProperty("decisionId").GetString());
    }

    [Fact]
    public async Task Approve_WithToken_RecordedThenExecutable()
    {
        var (engine, log, action) = ApiFixtures.Engine();
        await using var host = await StartWithEngineAsync(engine, TokenSettings);
        var decision = await engine.DecideAsync(ApiFixtures.Proposal("k1"));
        using (var pending = await GetJsonAsync(host, "/aiops/api/approvals"))
        {
            Assert.Equal(decision.DecisionId, Assert.Single(pending.RootElement.EnumerateArray().ToList()).GetProperty("decision").GetProperty("decisionId").GetString());
        }

        using var response = await PostAnswerAsync(host, decision.DecisionId, "approve", Token, """{"by":"alice","why":"known fix"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using (var result = await ReadJsonAsync(response))
        {
            Assert.Equal("approved", result.RootElement.GetProperty("status").GetString());
            Assert.Equal("alice", result.RootElement.GetProperty("record").GetProperty("by").GetString());
        }

        var approval = Assert.Single(log.Entries.OfType<ApprovalEntry>()).Approval;
        Assert.True(approval.Approved);
        Assert.Equal("alice", approval.By);
        Assert.Equal("known fix", approval.Why);

        var executor = new RemediationExecutor(engine);
        var outcome = await executor.ExecuteByIdAsync(decision.DecisionId);
        Assert.Equal(ExecutionStatus.Succeeded, outcome.Status);
        Assert.Equal(1, action.RunCount);

        using var detail = await GetJsonAsync(host, "/aiops/api/decisions/" + decision.DecisionId);
        Assert.Equal(decision.DecisionId, detail.RootElement.GetProperty("decision").GetProperty("decisionId").GetString());
        Assert.Equal("approved", detail.RootElement.GetProperty("approvalState").GetString());
        Assert.Equal(new string?[] { "approval", "execution" }, detail.RootElement.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToArray());
    }

    [Fact]
    public async Task Reject_WithTokenNoBy_RecordedAsTokenUser()
    {
        var (engine, log, _) = ApiFixtures.Engine();
        await using var host = await StartWithEngineAsync(engine, TokenSettings);
        var decision = await engine.DecideAsync(ApiFixtures.Proposal("k1"));

        using var response = await PostAnswerAsync(host, decision.DecisionId, "reject", Token, """{"why":"not now"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var record = Assert.Single(log.Entries.OfType<ApprovalEntry>()).Approval;
        Assert.False(record.Approved);
        Assert.Equal("approval-token", record.By);
    }

    [Fact]
    public async Task Approve_WithoutToken_401NothingRecorded()
    {
        var (engine, log, _) = ApiFixtures.Engine();
        await using var host = await StartWithEngineAsync(engine, TokenSettings);
        var decision = await engine.DecideAsync(ApiFixtures.Proposal("k1"));

        using var response = await PostAnswerAsync(host, decision.DecisionId, "approve", token: null, """{"by":"mallory","why":"x"}""");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(log.Entries.OfType<ApprovalEntry>());
    }

    [Fact]
    public async Task Approve_WrongToken_401NothingRecorded()
    {
        var (engine, log, _) = ApiFixtures.Engine();
        await using var host = await StartWithEngineAsync(engine, TokenSettings);
        var decision = await engine.DecideAsync(ApiFixtures.Proposal("k1"));

        using var response = await PostAnswerAsync(host, decision.DecisionId, "approve", "s3cret-approval-tokeN", """{"by":"mallory","why":"x"}""");

        Assert.True(response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, response.StatusCode.ToString());
        Assert.Empty(log.Entries.OfType<ApprovalEntry>());
    }

    [Fact]
    public async Task Approve_NoAuthenticationConfigured_401EvenWithToken()
    {
        var (engine, log, _) = ApiFixtures.Engine();
        await using var host = await StartWithEngineAsync(engine);
        var decision = await engine.DecideAsync(ApiFixtures.Proposal("k1"));

        using var anonymous = await PostAnswerAsync(host, decision.DecisionId, "approve", token: null, """{"by":"x","why":"x"}""");
        using var bearer = await PostAnswerAsync(host, decision.DecisionId, "approve", "anything", """{"by":"x","why":"x"}""");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, bearer.StatusCode);
        Assert.Empty(log.Entries.OfType<ApprovalEntry>());
    }

    [Fact]
    public async Task Approve_UnknownDecision_404()
    {
        var (engine, _, _) = ApiFixtures.Engine();
        await using var host = await StartWithEngineAsync(engine, TokenSettings);

        using var response = await PostAnswerAsync(host, "dec-999999", "approve", Token, """{"why":"x"}""");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Approve_AlreadyAnswered_409()
    {
        var (engine, _, _) = ApiFixtures.Engine();
        await using var host = await StartWithEngineAsync(engine, TokenSettings);
        var decision = await engine.DecideAsync(ApiFixtures.Proposal("k1"));
        using var first = await PostAnswerAsync(host, decision.DecisionId, "reject", Token, """{"why":"no"}""");

        using var second = await PostAnswerAsync(host, decision.DecisionId, "approve", Token, """{"why":"yes"}""");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
    }

    [Theory]
    [InlineData("""{"by":"alice"}""")]
    [InlineData("""{"why":"  "}""")]
    [InlineData("not json")]
    public async Task Approve_BadBody_400(string body)
    {
        var (engine, log, _) = ApiFixtures.Engine();
        await using var host = await StartWithEngineAsync(engine, TokenSettings);
        var decision = await engine.DecideAsync(ApiFixtures.Proposal("k1"));

        using var response = await PostAnswerAsync(host, decision.DecisionId, "approve", Token, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(log.Entries.OfType<ApprovalEntry>());
    }

    [Fact]
    public async Task OpenApi_Document_ListsEpisodeAndApprovalPaths()
    {
        await using var host = await ApiTestHost.StartAsync();

        using var json = await GetJsonAsync(host, "/aiops/api/openapi/aiops.json");

        var paths = json.RootElement.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/aiops/api/episodes", out _));
        Assert.True(paths.TryGetProperty("/aiops/api/episodes/{id}", out _));
        Assert.True(paths.TryGetProperty("/aiops/api/episodes/{id}/timeline", out _));
        Assert.True(paths.TryGetProperty("/aiops/api/approvals/{decisionId}/approve", out var approve));
        Assert.True(approve.TryGetProperty("post", out _));
        Assert.True(paths.TryGetProperty("/aiops/api/scores", out _));
    }

    [Fact]
    public async Task MapAiopsApi_CustomPrefix_Served()
    {
        await using var host = await ApiTestHost.StartAsync(map: app => app.MapAiopsApi("/ops"));

        using var response = await host.Client.GetAsync(new Uri("/ops/episodes", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<ApiTestHost> StartWithEpisodesAsync()
    {
        var store = await ApiFixtures.SeedAsync();
        return await ApiTestHost.StartAsync(configure: s => s.Replace(ServiceDescriptor.Singleton<IEpisodeStore>(store)));
    }

    private static Task<ApiTestHost> StartWithEngineAsync(DecisionEngine engine, IDictionary<string, string?>? settings = null) =>
        ApiTestHost.StartAsync(settings, s => s.AddSingleton(engine));

    private static async Task<HttpResponseMessage> PostAnswerAsync(ApiTestHost host, string decisionId, string verb, string? token, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/aiops/api/approvals/{decisionId}/{verb}", UriKind.Relative))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await host.Client.SendAsync(request);
    }

    private static async Task<JsonDocument> GetJsonAsync(ApiTestHost host, string path)
    {
        using var response = await host.Client.GetAsync(new Uri(path, UriKind.Relative));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await ReadJsonAsync(response);
    }

    private static async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync());

    [Fact]
    public async Task GetScores_MoreSeriesThanTheLimit_AnomalousFirstAndBounded()
    {
        await using var host = await ApiTestHost.StartAsync();
        var board = host.App.Services.GetRequiredService<ScoreBoard>();
        var at = ApiTestHost.T0;
        for (var i = 0; i < 1_500; i++)
        {
            board.Set(new SeriesScore(new SeriesKey("m" + i), AnomalyScore.WarmingUp(at, 1), i == 1_234, at));
        }

        using var unbounded = await host.Client.GetAsync(new Uri("/aiops/api/scores", UriKind.Relative));
        using var all = JsonDocument.Parse(await unbounded.Content.ReadAsStringAsync());
        using var ten = JsonDocument.Parse(await host.Client.GetStringAsync(new Uri("/aiops/api/scores?limit=10", UriKind.Relative)));
        using var tooMany = await host.Client.GetAsync(new Uri("/aiops/api/scores?limit=5000", UriKind.Relative));

        Assert.Equal(100, all.RootElement.GetArrayLength()); // the default limit
        Assert.Equal(10, ten.RootElement.GetArrayLength());
        Assert.Contains("m1234", ten.RootElement.EnumerateArray().Select(e => e.GetProperty("series").GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
    }
}
