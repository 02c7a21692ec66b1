using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Aiops.Gates.Serialization;

/// <summary>
/// The JSON contract of the gates model: <see cref="Aiops.Gates.AuditEntry"/> (the lines of the audit log) and everything inside
/// it (<see cref="Aiops.Gates.Decision"/>, <see cref="Aiops.Gates.RemediationProposal"/>, <see cref="GateEvaluation"/>,
/// <see cref="ApprovalRecord"/>, <see cref="ExecutionRecord"/>), source-generated (trimming- and AOT-safe).
/// <see cref="JsonLinesAuditLog"/> writes with it; hosts reuse it for an HTTP API. Every member is thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// Conventions: property names in camelCase (<c>decisionId</c>, <c>idempotencyKey</c>); label and gate-data keys are written as
/// they are; enum values as camelCase strings (<c>"requireApproval"</c>, <c>"destructive"</c>, <c>"awaitingApproval"</c>), read
/// case-insensitively (<c>"Deny"</c> and numbers are accepted too); <see cref="DateTimeOffset"/> as ISO 8601 with its offset;
/// <see cref="TimeSpan"/> (<see cref="GateEvaluation.Elapsed"/>) as <c>"00:00:00.0012000"</c>; non-finite numbers as the strings
/// <c>"NaN"</c>/<c>"Infinity"</c>; <see langword="null"/> values are written (<c>"failure":null</c>). Output is compact: one
/// object never spans lines.
/// </para>
/// <para>
/// An <see cref="Aiops.Gates.AuditEntry"/> carries the discriminator <c>"type"</c> as its first property: <c>"decision"</c>,
/// <c>"approval"</c> or <c>"execution"</c>; when reading, it may appear anywhere in the object. A line looks like
/// <c>{"type":"decision","decision":{"decisionId":"dec-1","proposal":{...},"evaluations":[...],"verdict":"allow",...}}</c>.
/// </para>
/// <para>
/// Reading is strict about the model's contract: a missing constructor parameter or a <see langword="null"/> for a non-nullable
/// property is a <see cref="JsonException"/>, and so is writing a <see langword="null"/> where none is allowed. Unknown properties
/// are ignored, so documents written by a newer version stay readable. The optional properties of a proposal
/// (<see cref="RemediationProposal.Evidence"/>, <see cref="RemediationProposal.Labels"/>, <see cref="RemediationProposal.FleetSize"/>)
/// keep their defaults when missing or <see langword="null"/>, so older documents stay readable too. List items and dictionary
/// values are not checked for <see langword="null"/>; <see cref="JsonLinesAuditLog"/> refuses and skips entries that hold one.
/// </para>
/// <para>
/// Use the typed <see cref="JsonTypeInfo{T}"/> properties for direct (AOT-safe) calls, <see cref="Default"/> to combine the
/// contract with a host's own (add it to <see cref="JsonSerializerOptions.TypeInfoResolverChain"/>), or <see cref="Options"/>
/// where an API wants <see cref="JsonSerializerOptions"/>.
/// </para>
/// </remarks>
public static class GatesJson
{
    /// <summary>Gets the source-generated context; an <see cref="IJsonTypeInfoResolver"/> for every type listed on <see cref="GatesJson"/>.</summary>
    public static JsonSerializerContext Default => GatesJsonContext.Default;

    /// <summary>
    /// Gets the serializer options of <see cref="Default"/>: camelCase, string enums, the generated contract as resolver.
    /// Read-only; copy it (<c>new JsonSerializerOptions(GatesJson.Options)</c>) to change a setting.
    /// </summary>
    public static JsonSerializerOptions Options => GatesJsonContext.Default.Options;

    /// <summary>Gets the contract of an <see cref="Aiops.Gates.AuditEntry"/> of any type, with its <c>"type"</c> discriminator: one audit log line.</summary>
    public static JsonTypeInfo<AuditEntry> AuditEntry => GatesJsonContext.Default.AuditEntry;

    /// <summary>Gets the contract of a list of audit entries of any type (for an audit API).</summary>
    public static JsonTypeInfo<IReadOnlyList<AuditEntry>> AuditEntryList => GatesJsonContext.Default.IReadOnlyListAuditEntry;

    /// <summary>Gets the contract of a <see cref="Aiops.Gates.Decision"/> on its own (no discriminator).</summary>
    public static JsonTypeInfo<Decision> Decision => GatesJsonContext.Default.Decision;

    /// <summary>Gets the contract of a <see cref="Aiops.Gates.RemediationProposal"/>, its init-only properties included.</summary>
    public static JsonTypeInfo<RemediationProposal> RemediationProposal => GatesJsonContext.Default.RemediationProposal;
}

/// <summary>The generated context behind <see cref="GatesJson"/>; internal so that its generated members stay out of the public API.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    UseStringEnumConverter = true,
    NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals,
    AllowOutOfOrderMetadataProperties = true,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    Converters =
    [
        typeof(CamelCaseEnumConverter<GateVerdict>),
        typeof(CamelCaseEnumConverter<RiskClass>),
        typeof(CamelCaseEnumConverter<ExecutionStatus>),
        typeof(RemediationProposalConverter),
    ])]
[JsonSerializable(typeof(AuditEntry))]
[JsonSerializable(typeof(IReadOnlyList<AuditEntry>))]
[JsonSerializable(typeof(Decision))]
[JsonSerializable(typeof(RemediationProposal))]
[JsonSerializable(typeof(RemediationProposalJson))]
internal sealed partial class GatesJsonContext : JsonSerializerContext
{
    /// <summary>Writes and reads an enum as a camelCase string.</summary>
    /// <typeparam name="TEnum">The enum.</typeparam>
    private sealed class CamelCaseEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.CamelCase)
        where TEnum : struct, Enum;

    /// <summary>
    /// Reads and writes a <see cref="RemediationProposal"/> through <see cref="RemediationProposalJson"/>. The generated contract
    /// would pass every init-only property to the object initializer, so a missing <c>evidence</c> or <c>labels</c> would become
    /// <see langword="null"/> instead of the model's empty default; here missing (or <see langword="null"/>) keeps the default.
    /// </summary>
    private sealed class RemediationProposalConverter : JsonConverter<RemediationProposal>
    {
        public override RemediationProposal? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var json = JsonSerializer.Deserialize(ref reader, Contract(options));
            return json is null
                ? null
                : new RemediationProposal(json.ActionId, json.Targets, json.Risk, json.EpisodeId, json.Confidence, json.IdempotencyKey, json.ProposedAt)
                {
                    Evidence = json.Evidence ?? [],
                    Labels = json.Labels ?? new Dictionary<string, string>(),
                    FleetSize = json.FleetSize,
                };
        }

        public override void Write(Utf8JsonWriter writer, RemediationProposal value, JsonSerializerOptions options)
        {
            var json = new RemediationProposalJson(
                value.ActionId, value.Targets, value.Risk, value.EpisodeId, value.Confidence, value.IdempotencyKey, value.ProposedAt, value.Evidence, value.Labels, value.FleetSize);
            JsonSerializer.Serialize(writer, json, Contract(options));
        }

        private static JsonTypeInfo<RemediationProposalJson> Contract(JsonSerializerOptions options) =>
            (JsonTypeInfo<RemediationProposalJson>)options.GetTypeInfo(typeof(RemediationProposalJson));
    }
}

/// <summary>The JSON shape of a <see cref="RemediationProposal"/>: the same properties, in the same order, the optional ones nullable.</summary>
internal sealed record RemediationProposalJson(
    string ActionId,
    IReadOnlyList<string> Targets,
    RiskClass Risk,
    string EpisodeId,
    double Confidence,
    string IdempotencyKey,
    DateTimeOffset ProposedAt,
    IReadOnlyList<string>? Evidence = null,
    IReadOnlyDictionary<string, string>? Labels = null,
    int? FleetSize = null);
