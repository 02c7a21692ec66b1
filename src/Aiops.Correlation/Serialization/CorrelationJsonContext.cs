using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Aiops.Correlation.Serialization;

/// <summary>
/// The JSON contract of the correlation model: <see cref="Episode"/> and everything inside it (members, the polymorphic
/// <see cref="Signal"/> hierarchy, changes, transitions, root-cause analysis), <see cref="TimelineEntry"/> and
/// <see cref="EpisodeQuery"/>, source-generated (trimming- and AOT-safe). <see cref="FileEpisodeStore"/> writes with it; hosts
/// reuse it for an HTTP API. Every member is thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// Conventions: property names in camelCase (<c>openedAt</c>, <c>signalCount</c>); label and annotation keys are written
/// as they are; enum values as camelCase strings (<c>"firing"</c>, <c>"changeInduced"</c>), read case-insensitively
/// (<c>"Firing"</c> and numbers are accepted too); <see cref="DateTimeOffset"/> as ISO 8601 with its offset; non-finite
/// numbers as the strings <c>"NaN"</c>/<c>"Infinity"</c>, so a snapshot with a NaN score still serialises.
/// </para>
/// <para>
/// A <see cref="Signal"/> written through its base type (an <see cref="EpisodeMember.Signal"/>, a
/// <see cref="TimelineEntry.Signal"/>) carries the discriminator <c>"kind"</c> as its first property: <c>"anomaly"</c>,
/// <c>"alert"</c> or <c>"change"</c>; when reading, it may appear anywhere in the object. <see cref="Episode.Changes"/> is
/// typed <see cref="ChangeSignal"/>, so its entries carry no discriminator.
/// </para>
/// <para>
/// Reading is strict about the model's contract: a missing constructor parameter or a <see langword="null"/> for a
/// non-nullable property is a <see cref="JsonException"/>, never a half-built object. Unknown properties are ignored, so
/// documents written by a newer version stay readable.
/// </para>
/// <para>
/// Use the typed <see cref="JsonTypeInfo{T}"/> properties for direct (AOT-safe) calls, <see cref="Default"/> to combine the
/// contract with a host's own (add it to <see cref="JsonSerializerOptions.TypeInfoResolverChain"/>), or <see cref="Options"/>
/// where an API wants <see cref="JsonSerializerOptions"/>.
/// </para>
/// </remarks>
public static class CorrelationJson
{
    /// <summary>Gets the source-generated context; an <see cref="IJsonTypeInfoResolver"/> for every type listed on <see cref="CorrelationJson"/>.</summary>
    public static JsonSerializerContext Default => CorrelationJsonContext.Default;

    /// <summary>
    /// Gets the serializer options of <see cref="Default"/>: camelCase, string enums, the generated contract as resolver.
    /// Read-only; copy it (<c>new JsonSerializerOptions(CorrelationJson.Options)</c>) to change a setting.
    /// </summary>
    public static JsonSerializerOptions Options => CorrelationJsonContext.Default.Options;

    /// <summary>Gets the contract of an <see cref="Aiops.Correlation.Episode"/>.</summary>
    public static JsonTypeInfo<Episode> Episode => CorrelationJsonContext.Default.Episode;

    /// <summary>Gets the contract of a list of episodes (what <see cref="IEpisodeStore.ListAsync"/> returns).</summary>
    public static JsonTypeInfo<IReadOnlyList<Episode>> EpisodeList => CorrelationJsonContext.Default.IReadOnlyListEpisode;

    /// <summary>Gets the contract of a <see cref="Aiops.Correlation.Signal"/> of any kind, with its <c>"kind"</c> discriminator.</summary>
    public static JsonTypeInfo<Signal> Signal => CorrelationJsonContext.Default.Signal;

    /// <summary>Gets the contract of a list of signals of any kind.</summary>
    public static JsonTypeInfo<IReadOnlyList<Signal>> SignalList => CorrelationJsonContext.Default.IReadOnlyListSignal;

    /// <summary>Gets the contract of an episode's timeline (what <see cref="Aiops.Correlation.Episode.Timeline"/> returns).</summary>
    public static JsonTypeInfo<IReadOnlyList<TimelineEntry>> Timeline => CorrelationJsonContext.Default.IReadOnlyListTimelineEntry;

    /// <summary>Gets the contract of a <see cref="Aiops.Correlation.RootCauseAnalysis"/>.</summary>
    public static JsonTypeInfo<RootCauseAnalysis> RootCauseAnalysis => CorrelationJsonContext.Default.RootCauseAnalysis;

    /// <summary>Gets the contract of an <see cref="Aiops.Correlation.EpisodeQuery"/>.</summary>
    public static JsonTypeInfo<EpisodeQuery> EpisodeQuery => CorrelationJsonContext.Default.EpisodeQuery;
}

/// <summary>The generated context behind <see cref="CorrelationJson"/>; internal so that its generated members stay out of the public API.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    UseStringEnumConverter = true,
    NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals,
    AllowOutOfOrderMetadataProperties = true,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    Converters =
    [
        typeof(CamelCaseEnumConverter<EpisodeState>),
        typeof(CamelCaseEnumConverter<Direction>),
        typeof(CamelCaseEnumConverter<Aiops.Detection.Tracking.AnomalyEndReason>),
        typeof(CamelCaseEnumConverter<AlertStatus>),
        typeof(CamelCaseEnumConverter<ChangeKind>),
        typeof(CamelCaseEnumConverter<TimelineEntryKind>),
        typeof(CamelCaseEnumConverter<EvidenceKind>),
        typeof(CamelCaseEnumConverter<IncidentCategory>),
    ])]
[JsonSerializable(typeof(Episode))]
[JsonSerializable(typeof(IReadOnlyList<Episode>))]
[JsonSerializable(typeof(Signal))]
[JsonSerializable(typeof(IReadOnlyList<Signal>))]
[JsonSerializable(typeof(IReadOnlyList<TimelineEntry>))]
[JsonSerializable(typeof(RootCauseAnalysis))]
[JsonSerializable(typeof(EpisodeQuery))]
internal sealed partial class CorrelationJsonContext : JsonSerializerContext
{
    /// <summary>Writes and reads an enum as a camelCase string.</summary>
    /// <typeparam name="TEnum">The enum.</typeparam>
    private sealed class CamelCaseEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.CamelCase)
        where TEnum : struct, Enum;
}
