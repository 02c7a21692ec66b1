using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Aiops.Correlation;
using Aiops.Correlation.Serialization;
using Aiops.Detection;
using Aiops.Gates;
using Aiops.Gates.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Aiops.Hosting.Api;

/// <summary>The request handlers of <c>MapAiopsApi</c>. Stateless; services are resolved per request.</summary>
internal static class AiopsApiHandlers
{
    public const string JsonContentType = "application/json";

    public const int DefaultLimit = 100;

    public const int MaxLimit = 1000;

    private const string ProblemContentType = "application/problem+json";

    private const int MaxApprovalBodyBytes = 64 * 1024;

    private static readonly JsonTypeInfo<ApprovalRecord> ApprovalRecordInfo = (JsonTypeInfo<ApprovalRecord>)GatesJson.Options.GetTypeInfo(typeof(ApprovalRecord));

    public static async Task ListEpisodesAsync(HttpContext context, string? state = null, string? entity = null, string? since = null, string? limit = null)
    {
        if (!TryParseLimit(limit, out var max, out var error))
        {
            await BadParameterAsync(context, "limit", error).ConfigureAwait(false);
            return;
        }

        EpisodeState? stateFilter = null;
        if (state is not null)
        {
            if (!TryParseState(state, out var parsed))
            {
                await BadParameterAsync(context, "state", $"'{state}' is not an episode state; expected one of: inactive, pending, firing, resolved.").ConfigureAwait(false);
                return;
            }

            stateFilter = parsed;
        }

        if (entity is not null && string.IsNullOrWhiteSpace(entity))
        {
            await BadParameterAsync(context, "entity", "The entity must not be empty.").ConfigureAwait(false);
            return;
        }

        DateTimeOffset? sinceFilter = null;
        if (since is not null)
        {
            if (!DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var at))
            {
                await BadParameterAsync(context, "since", $"'{since}' is not an ISO 8601 date and time (e.g. 2026-03-02T09:00:00Z).").ConfigureAwait(false);
                return;
            }

            sinceFilter = at;
        }

        if (await EpisodeStoreAsync(context).ConfigureAwait(false) is not { } store)
        {
            return;
        }

        var list = await store.ListAsync(new EpisodeQuery(stateFilter, entity, sinceFilter, max), context.RequestAborted).ConfigureAwait(false);
        await WriteJsonAsync(context, list, CorrelationJson.EpisodeList).ConfigureAwait(false);
    }

    public static async Task GetEpisodeAsync(HttpContext context, string id)
    {
        if (await FindEpisodeAsync(context, id).ConfigureAwait(false) is { } episode)
        {
            await WriteJsonAsync(context, episode, CorrelationJson.Episode).ConfigureAwait(false);
        }
    }

    public static async Task GetTimelineAsync(HttpContext context, string id)
    {
        if (await FindEpisodeAsync(context, id).ConfigureAwait(false) is { } episode)
        {
            await WriteJsonAsync(context, episode.Timeline(), CorrelationJson.Timeline).ConfigureAwait(false);
        }
    }

    public static async Task GetScoresAsync(HttpContext context, string? limit = null)
    {
        if (!TryParseLimit(limit, out var max, out var error))
        {
            await BadParameterAsync(context, "limit", error).ConfigureAwait(false);
            return;
        }

        var board = context.RequestServices.GetService<ScoreBoard>();
        var snapshot = board?.Snapshot() ?? [];

        // Beyond the limit, the series in an anomaly are kept first, then the flagged ones (a bounded answer keeps what
        // matters); the answer stays in the board's order (by name), so the dashboard's charts do not move.
        var chosen = snapshot.Count <= max ? snapshot : snapshot
            .Select(static (s, i) => (Score: s, Index: i))
            .OrderByDescending(static x => x.Score.InAnomaly).ThenByDescending(static x => x.Score.IsAnomalous).ThenBy(static x => x.Index)
            .Take(max).OrderBy(static x => x.Index).Select(static x => x.Score).ToList();
        var scores = new List<SeriesScoreResponse>(chosen.Count);
        foreach (var s in chosen)
        {
            var score = s.Score;
            scores.Add(new SeriesScoreResponse(
                s.Series.ToString(),
                Finite(score.Value),
                score.Probability,
                Finite(score.Expected),
                Finite(score.Lower),
                Finite(score.Upper),
                s.IsAnomalous,
                JsonNamingPolicy.CamelCase.ConvertName(score.Status.ToString()),
                score.Timestamp,
                s.UpdatedAt,
                s.InAnomaly));
        }

        await WriteJsonAsync(context, (IReadOnlyList<SeriesScoreResponse>)scores, ApiJsonContext.Default.IReadOnlyListSeriesScoreResponse).ConfigureAwait(false);
    }

    /// <summary>The most series one history request may name.</summary>
    public const int MaxHistorySeries = 100;

    public static async Task GetScoreHistoryAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var series = query["series"];
        if (series.Count == 0 || series.Any(string.IsNullOrEmpty))
        {
            await BadParameterAsync(context, "series", "Name at least one series: ?series=metric{label=\"value\"} (repeat the parameter for more).").ConfigureAwait(false);
            return;
        }

        if (series.Count > MaxHistorySeries)
        {
            await BadParameterAsync(context, "series", $"At most {MaxHistorySeries} series may be named in one request.").ConfigureAwait(false);
            return;
        }

        var limitText = query["limit"];
        var max = int.MaxValue;
        if (limitText.Count > 0)
        {
            if (limitText.Count > 1 || !int.TryParse(limitText[0], NumberStyles.None, CultureInfo.InvariantCulture, out max) || max < 1 || max > 100_000)
            {
                await BadParameterAsync(context, "limit", $"'{limitText}' is not a valid limit; expected a whole number from 1 to 100000.").ConfigureAwait(false);
                return;
            }
        }

        var board = context.RequestServices.GetService<ScoreBoard>();
        var result = new List<SeriesHistoryResponse>(series.Count);
        foreach (var name in series)
        {
            var history = board?.History(name!) ?? [];
            var skip = Math.Max(0, history.Count - max);
            var points = new List<ScorePointResponse>(history.Count - skip);
            for (var i = skip; i < history.Count; i++)
            {
                var p = history[i];
                points.Add(new ScorePointResponse(
                    p.Timestamp,
                    Finite(p.Value),
                    p.Probability,
                    Finite(p.Expected),
                    Finite(p.Lower),
                    Finite(p.Upper),
                    p.IsAnomalous,
                    JsonNamingPolicy.CamelCase.ConvertName(p.Status.ToString())));
            }

            result.Add(new SeriesHistoryResponse(name!, points));
        }

        await WriteJsonAsync(context, (IReadOnlyList<SeriesHistoryResponse>)result, ApiJsonContext.Default.IReadOnlyListSeriesHistoryResponse).ConfigureAwait(false);
    }

    public static async Task ListDecisionsAsync(HttpContext context, string? limit = null)
    {
        if (!TryParseLimit(limit, out var max, out var error))
        {
            await BadParameterAsync(context, "limit", error).ConfigureAwait(false);
            return;
        }

        if (await AuditLogAsync(context).ConfigureAwait(false) is not { } log)
        {
            return;
        }

        var recent = new Queue<Decision>(Math.Min(max, 64));
        await foreach (var entry in log.ReadAllAsync(context.RequestAborted).ConfigureAwait(false))
        {
            if (entry is DecisionEntry { Decision: { } decision })
            {
                if (recent.Count == max)
                {
                    recent.Dequeue();
                }

                recent.Enqueue(decision);
            }
        }

        var newestFirst = recent.Reverse();
        await WriteAsync(context, StatusCodes.Status200OK, JsonContentType, json =>
        {
            json.WriteStartArray();
            foreach (var decision in newestFirst)
            {
                JsonSerializer.Serialize(json, decision, GatesJson.Decision);
            }

            json.WriteEndArray();
        }).ConfigureAwait(false);
    }

    public static async Task GetDecisionAsync(HttpContext context, string id)
    {
        if (await AuditLogAsync(context).ConfigureAwait(false) is not { } log)
        {
            return;
        }

        Decision? decision = null;
        var related = new List<AuditEntry>();
        await foreach (var entry in log.ReadAllAsync(context.RequestAborted).ConfigureAwait(false))
        {
            switch (entry)
            {
                case DecisionEntry d when d.Decision.DecisionId == id:
                    decision ??= d.Decision;
                    break;
                case ApprovalEntry a when a.Approval.DecisionId == id:
                    related.Add(a);
                    break;
                case ExecutionEntry e when e.Execution.DecisionId == id:
                    related.Add(e);
                    break;
            }
        }

        var engine = context.RequestServices.GetService<DecisionEngine>();
        if (decision is null && engine is not null && engine.TryGetDecision(id, out var known))
        {
            decision = known;
        }

        if (decision is null)
        {
            await WriteProblemAsync(context, StatusCodes.Status404NotFound, "Decision not found", $"No decision '{id}' is recorded.").ConfigureAwait(false);
            return;
        }

        ApprovalState? approvalState = engine is null ? null : await Approvals(context, engine).GetStateAsync(id, context.RequestAborted).ConfigureAwait(false);
        await WriteAsync(context, StatusCodes.Status200OK, JsonContentType, json =>
        {
            json.WriteStartObject();
            json.WritePropertyName("decision");
            JsonSerializer.Serialize(json, decision, GatesJson.Decision);
            if (approvalState is { } approval)
            {
                json.WriteString("approvalState", JsonNamingPolicy.CamelCase.ConvertName(approval.ToString()));
            }
            else
            {
                json.WriteNull("approvalState");
            }

            json.WritePropertyName("entries");
            JsonSerializer.Serialize(json, (IReadOnlyList<AuditEntry>)related, GatesJson.AuditEntryList);
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }

    public static async Task ListAuditAsync(HttpContext context, string? limit = null)
    {
        if (!TryParseLimit(limit, out var max, out var error))
        {
            await BadParameterAsync(context, "limit", error).ConfigureAwait(false);
            return;
        }

        if (await AuditLogAsync(context).ConfigureAwait(false) is not { } log)
        {
            return;
        }

        var recent = new Queue<AuditEntry>(Math.Min(max, 64));
        await foreach (var entry in log.ReadAllAsync(context.RequestAborted).ConfigureAwait(false))
        {
            if (recent.Count == max)
            {
                recent.Dequeue();
            }

            recent.Enqueue(entry);
        }

        IReadOnlyList<AuditEntry> newestFirst = [.. recent.Reverse()];
        await WriteJsonAsync(context, newestFirst, GatesJson.AuditEntryList).ConfigureAwait(false);
    }

    public static async Task ListApprovalsAsync(HttpContext context)
    {
        if (await EngineAsync(context).ConfigureAwait(false) is not { } engine)
        {
            return;
        }

        var pending = await Approvals(context, engine).ListPendingAsync(context.RequestAborted).ConfigureAwait(false);
        await WriteAsync(context, StatusCodes.Status200OK, JsonContentType, json =>
        {
            json.WriteStartArray();
            foreach (var p in pending)
            {
                json.WriteStartObject();
                json.WritePropertyName("decision");
                JsonSerializer.Serialize(json, p.Decision, GatesJson.Decision);
                json.WriteString("expiresAt", p.ExpiresAt);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }).ConfigureAwait(false);
    }

    public static Task ApproveAsync(HttpContext context, string decisionId) => AnswerAsync(context, decisionId, approve: true);

    public static Task RejectAsync(HttpContext context, string decisionId) => AnswerAsync(context, decisionId, approve: false);

    private static async Task AnswerAsync(HttpContext context, string decisionId, bool approve)
    {
        // The endpoint requires the approval policy; this guards a host that maps it without the authorization middleware's checks.
        var user = context.User;
        if (user.Identity is not { IsAuthenticated: true } identity)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await WriteProblemAsync(context, StatusCodes.Status401Unauthorized, "Authentication required", "Approving or rejecting a decision requires an authenticated user.").ConfigureAwait(false);
            return;
        }

        if (await EngineAsync(context).ConfigureAwait(false) is not { } engine)
        {
            return;
        }

        ApprovalRequest? request;
        try
        {
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            {
                size.MaxRequestBodySize = MaxApprovalBodyBytes;
            }

            request = await JsonSerializer.DeserializeAsync(context.Request.Body, ApiJsonContext.Default.ApprovalRequest, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            await WriteProblemAsync(context, StatusCodes.Status400BadRequest, "Invalid request body", $"The body must be a JSON object {{\"by\":\"...\",\"why\":\"...\"}}: {ex.Message}").ConfigureAwait(false);
            return;
        }
        catch (BadHttpRequestException ex)
        {
            await WriteProblemAsync(context, ex.StatusCode, "Invalid request body", ex.Message).ConfigureAwait(false);
            return;
        }

        if (request is null || string.IsNullOrWhiteSpace(request.Why))
        {
            await BadParameterAsync(context, "why", "The body must give a non-empty 'why'.").ConfigureAwait(false);
            return;
        }

        string? by;
        if (identity.AuthenticationType == AiopsApiOptions.ApprovalTokenScheme)
        {
            by = string.IsNullOrWhiteSpace(request.By) ? ApprovalTokenAuthenticationHandler.TokenUserName : request.By.Trim();
        }
        else
        {
            by = identity.Name ?? user.FindFirst(ClaimTypes.NameIdentifier)?.Value ?? user.FindFirst("sub")?.Value;
        }

        if (string.IsNullOrWhiteSpace(by))
        {
            await WriteProblemAsync(context, StatusCodes.Status403Forbidden, "Unnamed user", "The authenticated user has no name to record in the audit log.").ConfigureAwait(false);
            return;
        }

        var result = await Approvals(context, engine).AnswerAsync(decisionId, approve, by, request.Why.Trim(), context.RequestAborted).ConfigureAwait(false);
        var status = result.Status switch
        {
            ApprovalResultStatus.Approved or ApprovalResultStatus.Rejected => StatusCodes.Status200OK,
            ApprovalResultStatus.NotPending => StatusCodes.Status404NotFound,
            ApprovalResultStatus.Expired or ApprovalResultStatus.AlreadyAnswered => StatusCodes.Status409Conflict,
            _ => StatusCodes.Status400BadRequest,
        };

        if (status != StatusCodes.Status200OK)
        {
            var title = result.Status switch
            {
                ApprovalResultStatus.NotPending => "No pending approval",
                ApprovalResultStatus.Expired => "Approval expired",
                ApprovalResultStatus.AlreadyAnswered => "Already answered",
                _ => "Invalid answer",
            };
            await WriteProblemAsync(context, status, title, result.Message).ConfigureAwait(false);
            return;
        }

        await WriteAsync(context, status, JsonContentType, json =>
        {
            json.WriteStartObject();
            json.WriteString("status", JsonNamingPolicy.CamelCase.ConvertName(result.Status.ToString()));
            json.WriteBoolean("accepted", result.Accepted);
            json.WriteString("message", result.Message);
            json.WritePropertyName("record");
            if (result.Record is { } record)
            {
                JsonSerializer.Serialize(json, record, ApprovalRecordInfo);
            }
            else
            {
                json.WriteNullValue();
            }

            json.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private static async Task<Episode?> FindEpisodeAsync(HttpContext context, string id)
    {
        if (await EpisodeStoreAsync(context).ConfigureAwait(false) is not { } store)
        {
            return null;
        }

        var episode = await store.GetAsync(id, context.RequestAborted).ConfigureAwait(false);
        if (episode is null)
        {
            await WriteProblemAsync(context, StatusCodes.Status404NotFound, "Episode not found", $"No episode '{id}' is stored.").ConfigureAwait(false);
        }

        return episode;
    }

    private static async Task<IEpisodeStore?> EpisodeStoreAsync(HttpContext context)
    {
        var store = context.RequestServices.GetService<IEpisodeStore>();
        if (store is null)
        {
            await WriteProblemAsync(context, StatusCodes.Status503ServiceUnavailable, "Episode store not configured", "No IEpisodeStore is registered; call AddAiops().").ConfigureAwait(false);
        }

        return store;
    }

    /// <summary>The host's approvals (a cluster's, when it replaced them), or this process's queue.</summary>
    private static IApprovalCoordinator Approvals(HttpContext context, DecisionEngine engine) =>
        context.RequestServices.GetService<IApprovalCoordinator>() ?? new LocalApprovalCoordinator(engine);

    private static async Task<DecisionEngine?> EngineAsync(HttpContext context)
    {
        var engine = context.RequestServices.GetService<DecisionEngine>();
        if (engine is null)
        {
            await WriteProblemAsync(context, StatusCodes.Status503ServiceUnavailable, "Gates not configured", "No DecisionEngine is registered in this host, so there are no decisions or approvals.").ConfigureAwait(false);
        }

        return engine;
    }

    private static async Task<IAuditLog?> AuditLogAsync(HttpContext context)
    {
        var log = context.RequestServices.GetService<DecisionEngine>()?.AuditLog ?? context.RequestServices.GetService<IAuditLog>();
        if (log is null)
        {
            await WriteProblemAsync(context, StatusCodes.Status503ServiceUnavailable, "Gates not configured", "Neither a DecisionEngine nor an IAuditLog is registered in this host, so there is no audit log.").ConfigureAwait(false);
        }

        return log;
    }

    /// <summary>
    /// Parses one episode state by its name, in any case. Only names: <see cref="Enum.TryParse{TEnum}(string?, bool, out TEnum)"/>
    /// would also take a number, surrounding spaces and a comma-separated list (the names ORed, so <c>pending,firing</c> would be resolved).
    /// </summary>
    internal static bool TryParseState(string text, out EpisodeState state)
    {
        foreach (var value in Enum.GetValues<EpisodeState>())
        {
            if (string.Equals(value.ToString(), text, StringComparison.OrdinalIgnoreCase))
            {
                state = value;
                return true;
            }
        }

        state = default;
        return false;
    }

    internal static bool TryParseLimit(string? text, out int limit, out string error)
    {
        error = string.Empty;
        if (text is null)
        {
            limit = DefaultLimit;
            return true;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > MaxLimit)
        {
            error = $"'{text}' is not a valid limit; expected a whole number from 1 to {MaxLimit}.";
            return false;
        }

        return true;
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;

    private static Task BadParameterAsync(HttpContext context, string parameter, string detail) =>
        WriteProblemAsync(context, StatusCodes.Status400BadRequest, $"Invalid parameter '{parameter}'", detail, parameter);

    private static Task WriteProblemAsync(HttpContext context, int status, string title, string detail, string? parameter = null) =>
        WriteAsync(context, status, ProblemContentType, json =>
        {
            json.WriteStartObject();
            json.WriteString("type", "about:blank");
            json.WriteString("title", title);
            json.WriteNumber("status", status);
            json.WriteString("detail", detail);
            json.WriteString("instance", context.Request.Path.Value);
            if (parameter is not null)
            {
                json.WriteString("parameter", parameter);
            }

            json.WriteEndObject();
        });

    private static Task WriteJsonAsync<T>(HttpContext context, T value, JsonTypeInfo<T> info) =>
        WriteAsync(context, StatusCodes.Status200OK, JsonContentType, json => JsonSerializer.Serialize(json, value, info));

    private static async Task WriteAsync(HttpContext context, int status, string contentType, Action<Utf8JsonWriter> write)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = contentType;
        using (var json = new Utf8JsonWriter(response.BodyWriter))
        {
            write(json);
        }

        await response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }
}
