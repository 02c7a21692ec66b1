using Aiops.Hosting;
using Aiops.Hosting.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the Aiops JSON HTTP API: <c>app.MapAiopsApi()</c>.</summary>
public static class AiopsApiEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the JSON HTTP API under <paramref name="prefix"/> (camelCase JSON; errors as RFC 7807 <c>application/problem+json</c>):
    /// <list type="bullet">
    /// <item><c>GET episodes?state=&amp;entity=&amp;since=&amp;limit=</c>: episodes, newest first (limit default 100, at most 1000);
    /// <c>GET episodes/{id}</c>: one episode with its root-cause ranking; <c>GET episodes/{id}/timeline</c>: its timeline.</item>
    /// <item><c>GET scores</c>: the latest anomaly score and band per series; <c>GET scores/history?series=&amp;limit=</c>: the recent
    /// scores of the named series (repeat <c>series</c>, at most 100; text as <c>GET scores</c> lists it), oldest first, each at most
    /// <see cref="DetectionStageOptions.ScoreHistoryLength"/> points (<c>limit</c> keeps the newest; unknown series have none).</item>
    /// <item><c>GET decisions?limit=</c>: recent decisions, newest first; <c>GET decisions/{id}</c>: one decision with its approval
    /// and execution entries; <c>GET audit?limit=</c>: the audit log's entries, newest first.</item>
    /// <item><c>GET approvals</c>: decisions waiting for approval; <c>POST approvals/{decisionId}/approve</c> and <c>/reject</c>
    /// with <c>{"by":"...","why":"..."}</c>: authenticated, see <see cref="AiopsApiOptions"/> (policy
    /// <see cref="AiopsApiOptions.ApprovalPolicy"/>). 200 with the outcome, 404 when nothing awaits approval under the id, 409
    /// when expired or already answered.</item>
    /// <item><c>GET openapi/aiops.json</c>: the OpenAPI document of these endpoints.</item>
    /// </list>
    /// Every endpoint requires the read policy <see cref="AiopsApiOptions.ReadPolicy"/> (open unless
    /// <see cref="AiopsApiOptions.RequireAuthenticatedReads"/> is set or the host defines the policy). A web host whose approval
    /// endpoints cannot authenticate anyone (no <see cref="AiopsApiOptions.ApprovalToken"/>, no scheme of the host's) refuses
    /// to start unless <see cref="Aiops.Hosting.AiopsOptions.AllowAnonymous"/> is set in Development.
    /// The gates endpoints answer 503 when no <c>DecisionEngine</c> (or, for decisions and audit, <c>IAuditLog</c>) is registered.
    /// Requires <c>AddAiops()</c>.
    /// </summary>
    /// <param name="endpoints">The endpoint route builder.</param>
    /// <param name="prefix">The route prefix. Default: <c>/aiops/api</c>.</param>
    /// <returns>The group of the API's endpoints, to add authorization, rate limiting or metadata to all of them.</returns>
    public static RouteGroupBuilder MapAiopsApi(this IEndpointRouteBuilder endpoints, string prefix = "/aiops/api")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(prefix);

        var group = endpoints.MapGroup(prefix).WithGroupName(AiopsApiOptions.OpenApiDocumentName).RequireAuthorization(AiopsApiOptions.ReadPolicy);

        var episodes = group.MapGroup("/episodes").WithTags("Episodes");
        episodes.MapGet("/", AiopsApiHandlers.ListEpisodesAsync)
            .WithSummary("Lists episodes, newest first.")
            .Produces(StatusCodes.Status200OK, contentType: AiopsApiHandlers.JsonContentType)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        episodes.MapGet("/{id}", AiopsApiHandlers.GetEpisodeAsync)
            .WithSummary("Gets an episode with its root-cause ranking.")
            .Produces(StatusCodes.Status200OK, contentType: AiopsApiHandlers.JsonContentType)
            .ProducesProblem(StatusCodes.Status404NotFound);
        episodes.MapGet("/{id}/timeline", AiopsApiHandlers.GetTimelineAsync)
            .WithSummary("Gets an episode's timeline: signals in onset order with its lifecycle transitions.")
            .Produces(StatusCodes.Status200OK, contentType: AiopsApiHandlers.JsonContentType)
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/scores", AiopsApiHandlers.GetScoresAsync)
            .WithTags("Scores")
            .WithSummary("Lists the latest anomaly score and band of the series by name, at most ?limit= (default 100, at most 1000; beyond it those in an anomaly are kept first).")
            .Produces(StatusCodes.Status200OK, contentType: AiopsApiHandlers.JsonContentType)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/scores/history", (Func<HttpContext, Task>)AiopsApiHandlers.GetScoreHistoryAsync)
            .WithTags("Scores")
            .WithSummary("Lists the recent scores (value, expected value, band, probability) of the named series, oldest first.")
            .Produces(StatusCodes.Status200OK, contentType: AiopsApiHandlers.JsonContentType)
            .ProducesProblem(StatusCodes.Status400BadRequest);

        var decisions = group.MapGroup("/decisions").WithTags("Decisions");
        decisions.MapGet("/", AiopsApiHandlers.ListDecisionsAsync)
            .WithSummary("Lists recent decisions, newest first.")
            .Produces(StatusCodes.Status200OK, contentType: AiopsApiHandlers.JsonContentType)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        decisions.MapGet("/{id}", AiopsApiHandlers.GetDecisionAsync)
            .WithSummary("Gets a decision with its approval and execution entries.")
            .Produces(StatusCodes.Status200OK, contentType: AiopsApiHandlers.JsonContentType)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapGet("/audit", AiopsApiHandlers.ListAuditAsync)
            .WithTags("Decisions")
            .WithSummary("Lists audit log entries (decisions, approvals, executions), newest first.")
            .Produces(StatusCodes.Status200OK, contentType: AiopsApiHandlers.JsonContentType)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        var approvals = group.MapGroup("/approvals").WithTags("Approvals");
        approvals.MapGet("/", (Func<HttpContext, Task>)AiopsApiHandlers.ListApprovalsAsync)
            .WithSummary("Lists the decisions waiting for approval, oldest first.")
            .Produces(StatusCodes.Status200OK, contentType: AiopsApiHandlers.JsonContentType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        MapAnswer(approvals.MapPost("/{decisionId}/approve", AiopsApiHandlers.ApproveAsync), "Approves");
        MapAnswer(approvals.MapPost("/{decisionId}/reject", AiopsApiHandlers.RejectAsync), "Rejects");

        group.MapOpenApi("/openapi/{documentName}.json");
        return group;
    }

    // Approve and reject share their contract: authorised by the approval policy, a JSON body, the same outcomes.
    private static void MapAnswer(RouteHandlerBuilder endpoint, string verb) => endpoint
        .WithSummary($"{verb} a pending decision. Requires the approval policy.")
        .RequireAuthorization(AiopsApiOptions.ApprovalPolicy)
        .WithMetadata(new Aiops.Hosting.Security.AiopsWriteEndpointMetadata(Aiops.Hosting.Security.AiopsWriteEndpoint.Approval))
        .Accepts<ApprovalRequest>(AiopsApiHandlers.JsonContentType)
        .Produces(StatusCodes.Status200OK, contentType: AiopsApiHandlers.JsonContentType)
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .Produces(StatusCodes.Status401Unauthorized)
        .Produces(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
