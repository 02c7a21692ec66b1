using System.Text.Json;
using System.Text.Json.Serialization;

namespace Aiops.Hosting.Api;

/// <summary>The latest score of one series, as <c>GET {prefix}/scores</c> lists it. Values the detector has not (yet) are <see langword="null"/>.</summary>
/// <param name="Series">The series, as text (<c>metric{label="value",...}</c>).</param>
/// <param name="Value">The latest value.</param>
/// <param name="Probability">The anomaly probability, in [0, 1].</param>
/// <param name="Expected">The expected value.</param>
/// <param name="Lower">The band's lower edge.</param>
/// <param name="Upper">The band's upper edge.</param>
/// <param name="Anomalous">Whether the latest point was flagged anomalous.</param>
/// <param name="Status">The point's status (<c>scored</c>, <c>warmingUp</c>, ...).</param>
/// <param name="Timestamp">The point's timestamp.</param>
/// <param name="UpdatedAt">When the score was recorded.</param>
/// <param name="InAnomaly">Whether the series is in an anomaly (from its onset until it is back to its pre-onset baseline).</param>
internal sealed record SeriesScoreResponse(
    string Series,
    double? Value,
    double Probability,
    double? Expected,
    double? Lower,
    double? Upper,
    bool Anomalous,
    string Status,
    DateTimeOffset Timestamp,
    DateTimeOffset UpdatedAt,
    bool InAnomaly);

/// <summary>The recent scores of one series, as <c>GET {prefix}/scores/history</c> lists them.</summary>
/// <param name="Series">The series, as text (<c>metric{label="value",...}</c>), as requested.</param>
/// <param name="Points">Its recent points, oldest first; empty when the series is unknown or history is off.</param>
internal sealed record SeriesHistoryResponse(string Series, IReadOnlyList<ScorePointResponse> Points);

/// <summary>One recorded score of a series. Values the detector has not (yet) are <see langword="null"/>.</summary>
/// <param name="Timestamp">The point's timestamp.</param>
/// <param name="Value">The point's value.</param>
/// <param name="Probability">The anomaly probability, in [0, 1].</param>
/// <param name="Expected">The expected value.</param>
/// <param name="Lower">The band's lower edge.</param>
/// <param name="Upper">The band's upper edge.</param>
/// <param name="Anomalous">Whether the point counted as anomalous.</param>
/// <param name="Status">The point's status (<c>scored</c>, <c>warmingUp</c>, ...).</param>
internal sealed record ScorePointResponse(
    DateTimeOffset Timestamp,
    double? Value,
    double Probability,
    double? Expected,
    double? Lower,
    double? Upper,
    bool Anomalous,
    string Status);

/// <summary>The body of an approve or reject request.</summary>
/// <param name="By">Who answers; only used with the approval token (otherwise the authenticated user's name is used).</param>
/// <param name="Why">Why (required).</param>
internal sealed record ApprovalRequest(string? By, string? Why);

/// <summary>Source-generated (reflection-free) metadata for the API's own request and response types: camelCase.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(IReadOnlyList<SeriesScoreResponse>))]
[JsonSerializable(typeof(IReadOnlyList<SeriesHistoryResponse>))]
[JsonSerializable(typeof(ApprovalRequest))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
