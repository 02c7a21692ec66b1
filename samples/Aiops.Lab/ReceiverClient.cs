using System.Net.Http.Json;
using System.Text.Json;
using Aiops.Correlation;
using Aiops.Gates;
using Aiops.Correlation.Serialization;
using Aiops.Gates.Serialization;

namespace Aiops.Lab;

/// <summary>One Alertmanager notification as the receiver recorded it (<c>GET /lab/notifications</c>).</summary>
internal sealed record Notification(DateTimeOffset ReceivedAt, string Status, string GroupKey, IReadOnlyList<NotifiedAlert> Alerts);

/// <summary>One alert of a notification.</summary>
internal sealed record NotifiedAlert(string Name, string Service, string Status, DateTimeOffset StartsAt);

/// <summary>Reads the receiver's episodes, audit log and recorded notifications through its HTTP API.</summary>
internal sealed class ReceiverClient(Uri receiver) : IDisposable
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http = new() { BaseAddress = receiver, Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>The episodes, newest first.</summary>
    public async Task<IReadOnlyList<Episode>> EpisodesAsync(CancellationToken cancellationToken) =>
        await _http.GetFromJsonAsync("aiops/api/episodes?limit=100", CorrelationJson.EpisodeList, cancellationToken).ConfigureAwait(false) ?? [];

    /// <summary>The audit log's entries, oldest first.</summary>
    public async Task<IReadOnlyList<AuditEntry>> AuditAsync(CancellationToken cancellationToken)
    {
        var newestFirst = await _http.GetFromJsonAsync("aiops/api/audit?limit=1000", GatesJson.AuditEntryList, cancellationToken).ConfigureAwait(false) ?? [];
        return [.. newestFirst.Reverse()];
    }

    /// <summary>The notifications Alertmanager sent, oldest first.</summary>
    public async Task<IReadOnlyList<Notification>> NotificationsAsync(CancellationToken cancellationToken) =>
        await _http.GetFromJsonAsync<List<Notification>>("lab/notifications", Web, cancellationToken).ConfigureAwait(false) ?? [];

    public void Dispose() => _http.Dispose();
}
