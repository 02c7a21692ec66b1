using System.Text.Json;

namespace Aiops.Lab.Receiver;

/// <summary>One Alertmanager notification as the receiver saw it: when, the group's status, and each alert's name and status.</summary>
/// <param name="ReceivedAt">When it arrived.</param>
/// <param name="Status">The group's status (firing or resolved).</param>
/// <param name="GroupKey">Alertmanager's group key.</param>
/// <param name="Alerts">Each alert as <c>alertname{service}=status</c>.</param>
public sealed record Notification(DateTimeOffset ReceivedAt, string Status, string GroupKey, IReadOnlyList<NotifiedAlert> Alerts);

/// <summary>One alert of a notification.</summary>
/// <param name="Name">Its <c>alertname</c>.</param>
/// <param name="Service">Its <c>service</c> label.</param>
/// <param name="Status">firing or resolved.</param>
/// <param name="StartsAt">Its <c>startsAt</c>.</param>
public sealed record NotifiedAlert(string Name, string Service, string Status, DateTimeOffset StartsAt);

/// <summary>
/// The last notifications Alertmanager sent (at most 1,000), so the lab can show that alerts were repeated and resolved
/// while the receiver acted once. Thread-safe.
/// </summary>
public sealed class NotificationLog(TimeProvider time)
{
    private const int Capacity = 1_000;
    private readonly Queue<Notification> _entries = new();
    private readonly Lock _gate = new();

    /// <summary>Records a notification body; one that is not a webhook payload is ignored (the endpoint answers it).</summary>
    public void Record(ReadOnlySpan<byte> body)
    {
        Notification notification;
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            var root = document.RootElement;
            var alerts = root.GetProperty("alerts").EnumerateArray().Select(a => new NotifiedAlert(
                Label(a, "alertname"),
                Label(a, "service"),
                a.GetProperty("status").GetString() ?? string.Empty,
                a.GetProperty("startsAt").GetDateTimeOffset())).ToList();
            notification = new Notification(time.GetUtcNow(), root.GetProperty("status").GetString() ?? string.Empty, root.GetProperty("groupKey").GetString() ?? string.Empty, alerts);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return;
        }

        lock (_gate)
        {
            if (_entries.Count == Capacity)
            {
                _entries.Dequeue();
            }

            _entries.Enqueue(notification);
        }
    }

    /// <summary>The notifications, oldest first.</summary>
    public IReadOnlyList<Notification> Snapshot()
    {
        lock (_gate)
        {
            return [.. _entries];
        }
    }

    private static string Label(JsonElement alert, string name) =>
        alert.TryGetProperty("labels", out var labels) && labels.TryGetProperty(name, out var value) ? value.GetString() ?? string.Empty : string.Empty;
}

/// <summary>Records the webhook bodies the Aiops endpoint accepted.</summary>
public static class NotificationLogMiddleware
{
    private const int MaxRecordedBytes = 1024 * 1024;

    /// <summary>
    /// Keeps each POST body to <paramref name="path"/>, lets the endpoint handle it, and records it in the
    /// <see cref="NotificationLog"/> only when the endpoint accepted it: a request the endpoint refuses (no or wrong
    /// credentials, a malformed or oversized body) leaves no trace in the log.
    /// </summary>
    public static IApplicationBuilder UseNotificationLog(this IApplicationBuilder app, string path) =>
        app.Use(async (context, next) =>
        {
            if (!HttpMethods.IsPost(context.Request.Method) || !context.Request.Path.Equals(path, StringComparison.Ordinal)
                || context.Request.ContentLength is not (> 0 and <= MaxRecordedBytes))
            {
                await next(context);
                return;
            }

            context.Request.EnableBuffering();
            await next(context);
            if (context.Response.StatusCode == StatusCodes.Status200OK)
            {
                // The endpoint authenticated and accepted the body; read it again from the buffer.
                context.Request.Body.Position = 0;
                using var copy = new MemoryStream();
                await context.Request.Body.CopyToAsync(copy, context.RequestAborted);
                context.RequestServices.GetRequiredService<NotificationLog>().Record(copy.GetBuffer().AsSpan(0, (int)copy.Length));
            }
        });
}
