namespace Aiops.Hosting;

/// <summary>
/// Options of the JSON HTTP API mapped by <c>app.MapAiopsApi()</c>, bound from <c>Aiops:Api</c> (<see cref="SectionName"/>).
/// </summary>
/// <remarks>
/// <para>
/// The approval endpoints (<c>POST {prefix}/approvals/{decisionId}/approve</c> and <c>/reject</c>) require the authorization
/// policy <see cref="ApprovalPolicy"/>. A host that configures its own authentication defines that policy itself
/// (<c>services.AddAuthorization(o =&gt; o.AddPolicy(AiopsApiOptions.ApprovalPolicy, p =&gt; p.RequireRole("oncall")))</c>).
/// When it does not, the policy requires an authenticated user, authenticated by the host's default scheme or by the built-in
/// <see cref="ApprovalTokenScheme"/>: <c>Authorization: Bearer &lt;token&gt;</c> with <see cref="ApprovalToken"/>, compared
/// in constant time. With neither, every approval is refused (401); nothing is ever approved anonymously.
/// </para>
/// </remarks>
public sealed class AiopsApiOptions
{
    /// <summary>The configuration section the options bind from: <c>Aiops:Api</c>.</summary>
    public const string SectionName = "Aiops:Api";

    /// <summary>The name of the authorization policy the approval endpoints require: <c>AiopsApproval</c>.</summary>
    public const string ApprovalPolicy = "AiopsApproval";

    /// <summary>
    /// The name of the authorization policy every read endpoint (the API's GETs, the dashboard) requires: <c>AiopsRead</c>.
    /// Unless the host defines it, it admits anyone, or with <see cref="RequireAuthenticatedReads"/> an authenticated user
    /// (the host's default scheme or the approval token).
    /// </summary>
    public const string ReadPolicy = "AiopsRead";

    /// <summary>The name of the built-in bearer-token authentication scheme: <c>AiopsApprovalToken</c>.</summary>
    public const string ApprovalTokenScheme = "AiopsApprovalToken";

    /// <summary>The name of the API's OpenAPI document, served at <c>{prefix}/openapi/aiops.json</c>.</summary>
    public const string OpenApiDocumentName = "aiops";

    /// <summary>
    /// Gets or sets the bearer token of the built-in approval scheme; <see langword="null"/> or empty disables the scheme.
    /// A token authenticates its caller as <c>approval-token</c>; the request's <c>by</c> field names who approves.
    /// </summary>
    public string? ApprovalToken { get; set; }

    /// <summary>
    /// Gets or sets whether the read endpoints (episodes, scores, decisions, audit, approvals list, the dashboard) require an
    /// authenticated user (policy <see cref="ReadPolicy"/>): one switch for hosts where episode and audit data are
    /// confidential. Ignored when the host defines <see cref="ReadPolicy"/> itself. Default: <see langword="false"/>.
    /// </summary>
    public bool RequireAuthenticatedReads { get; set; }
}
