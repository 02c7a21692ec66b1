using System.Text.Json.Serialization;

namespace Aiops.Hosting.Alertmanager;

/// <summary>The body of Alertmanager's webhook notification, version "4". Only what the mapping needs is read.</summary>
internal sealed class AlertmanagerPayload
{
    [JsonPropertyName("version")]
    public string? Version { get; set; }

    [JsonPropertyName("groupKey")]
    public string? GroupKey { get; set; }

    [JsonPropertyName("status")]
    public string? Status { get; set; }

    [JsonPropertyName("receiver")]
    public string? Receiver { get; set; }

    [JsonPropertyName("truncatedAlerts")]
    public int TruncatedAlerts { get; set; }

    [JsonPropertyName("alerts")]
    public List<AlertmanagerAlert>? Alerts { get; set; }
}

/// <summary>One alert of an <see cref="AlertmanagerPayload"/>.</summary>
internal sealed class AlertmanagerAlert
{
    [JsonPropertyName("status")]
    public string? Status { get; set; }

    [JsonPropertyName("labels")]
    public Dictionary<string, string>? Labels { get; set; }

    [JsonPropertyName("annotations")]
    public Dictionary<string, string>? Annotations { get; set; }

    [JsonPropertyName("startsAt")]
    public DateTimeOffset? StartsAt { get; set; }

    [JsonPropertyName("endsAt")]
    public DateTimeOffset? EndsAt { get; set; }

    [JsonPropertyName("fingerprint")]
    public string? Fingerprint { get; set; }
}

/// <summary>Source-generated (reflection-free) metadata for the webhook payload.</summary>
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata, AllowTrailingCommas = false)]
[JsonSerializable(typeof(AlertmanagerPayload))]
internal sealed partial class AlertmanagerJsonContext : JsonSerializerContext;
