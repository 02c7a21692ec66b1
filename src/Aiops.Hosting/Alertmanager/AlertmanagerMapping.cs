using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Aiops.Correlation;

namespace Aiops.Hosting.Alertmanager;

/// <summary>Validates a version "4" payload and maps its alerts to <see cref="AlertSignal"/>s. Stateless; thread-safe.</summary>
internal static class AlertmanagerMapping
{
    /// <summary>The only payload version accepted.</summary>
    public const string SupportedVersion = "4";

    /// <summary>How far ahead of the receiver's clock a <c>startsAt</c> may be (clock skew between hosts), at most.</summary>
    public static readonly TimeSpan MaxFutureSkew = TimeSpan.FromDays(1);

    /// <summary>The earliest plausible <c>startsAt</c>: anything before is a zero or made-up time, not when an alert began.</summary>
    public static readonly DateTimeOffset Earliest = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>(0);

    /// <summary>Maps the payload's alerts, or explains why the payload is invalid.</summary>
    /// <param name="payload">The deserialized payload (<see langword="null"/> for a JSON <c>null</c>).</param>
    /// <param name="now">The receiver's clock, to reject start times far in the future.</param>
    /// <param name="signals">The signals, one per alert, in payload order.</param>
    /// <param name="error">Why the payload was rejected.</param>
    /// <returns><see langword="true"/> when the payload is valid.</returns>
    public static bool TryMap(AlertmanagerPayload? payload, DateTimeOffset now, out AlertSignal[] signals, out string? error)
    {
        signals = [];
        if (payload is null)
        {
            error = "The body must be a JSON object.";
            return false;
        }

        if (payload.Version is null)
        {
            error = "The required field 'version' is missing.";
            return false;
        }

        if (payload.Version != SupportedVersion)
        {
            error = $"Unsupported payload version '{payload.Version}'; only version \"{SupportedVersion}\" is accepted.";
            return false;
        }

        if (payload.GroupKey is null)
        {
            error = "The required field 'groupKey' is missing.";
            return false;
        }

        if (payload.Alerts is null)
        {
            error = "The required field 'alerts' is missing.";
            return false;
        }

        if (payload.Alerts.Count == 0)
        {
            error = "The 'alerts' array is empty.";
            return false;
        }

        var result = new AlertSignal[payload.Alerts.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var alert = payload.Alerts[i];
            if (alert is null)
            {
                error = $"alerts[{i}] is null.";
                return false;
            }

            AlertStatus status;
            if (alert.Status == "firing")
            {
                status = AlertStatus.Firing;
            }
            else if (alert.Status == "resolved")
            {
                status = AlertStatus.Resolved;
            }
            else
            {
                error = alert.Status is null
                    ? $"The required field 'alerts[{i}].status' is missing."
                    : $"alerts[{i}].status is '{alert.Status}'; expected 'firing' or 'resolved'.";
                return false;
            }

            if (alert.Labels is null)
            {
                error = $"The required field 'alerts[{i}].labels' is missing.";
                return false;
            }

            // Checked for every alert before any is queued (and before the fingerprint, AsSignal and the duplicate key read
            // them): a null value would otherwise fail the request half-way, after some alerts were queued.
            if (NullValueOf(alert.Labels) is { } nullLabel)
            {
                error = $"alerts[{i}].labels.{nullLabel} is null; label values must be strings.";
                return false;
            }

            if (alert.Annotations is not null && NullValueOf(alert.Annotations) is { } nullAnnotation)
            {
                error = $"alerts[{i}].annotations.{nullAnnotation} is null; annotation values must be strings.";
                return false;
            }

            if (!alert.Labels.TryGetValue("alertname", out var name) || string.IsNullOrEmpty(name))
            {
                error = $"The required label 'alerts[{i}].labels.alertname' is missing.";
                return false;
            }

            if (alert.StartsAt is not { } startsAt)
            {
                error = $"The required field 'alerts[{i}].startsAt' is missing.";
                return false;
            }

            // Silently dropping such an alert later (as too old or in the future) would lose it without telling the sender.
            if (startsAt < Earliest)
            {
                error = $"alerts[{i}].startsAt is {startsAt:yyyy-MM-ddTHH:mm:ssZ}, before {Earliest:yyyy}: not a real start time.";
                return false;
            }

            if (startsAt > now + MaxFutureSkew)
            {
                error = $"alerts[{i}].startsAt is {startsAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}, more than a day ahead of this receiver's clock ({now.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}); check the sender's clock.";
                return false;
            }

            // Firing alerts carry endsAt = 0001-01-01T00:00:00Z (or a provisional resolve time): no end yet.
            DateTimeOffset? endsAt = status == AlertStatus.Resolved && alert.EndsAt is { } end && end.Year > 1 ? end : null;
            var fingerprint = string.IsNullOrEmpty(alert.Fingerprint) ? FingerprintOf(alert.Labels) : alert.Fingerprint;
            result[i] = new AlertSignal(
                fingerprint,
                name,
                startsAt,
                alert.Labels,
                status,
                endsAt,
                alert.Labels.TryGetValue("severity", out var severity) ? severity : null,
                alert.Annotations ?? Empty);
        }

        signals = result;
        error = null;
        return true;
    }

    /// <summary>
    /// The signal an alert stands for: a <see cref="ChangeSignal"/> when it carries <paramref name="changeLabel"/> (its value
    /// names the kind: deploy, config or scaling, any case; anything else is <see cref="ChangeKind.Other"/>), else the alert.
    /// Never throws for an alert <see cref="TryMap"/> produced (its labels and annotations hold no <see langword="null"/> value).
    /// </summary>
    /// <param name="alert">The mapped alert.</param>
    /// <param name="changeLabel">The change label; <see langword="null"/> or empty maps nothing.</param>
    /// <returns>The signal to correlate.</returns>
    public static Signal AsSignal(AlertSignal alert, string? changeLabel)
    {
        if (string.IsNullOrEmpty(changeLabel) || !alert.Labels.TryGetValue(changeLabel, out var kind))
        {
            return alert;
        }

        var change = kind.ToUpperInvariant() switch
        {
            "DEPLOY" => ChangeKind.Deploy,
            "CONFIG" => ChangeKind.Config,
            "SCALING" => ChangeKind.Scaling,
            _ => ChangeKind.Other,
        };
        var title = alert.Annotations.TryGetValue("summary", out var summary) && !string.IsNullOrEmpty(summary) ? summary : alert.Name;
        return new ChangeSignal(alert.Fingerprint, title, alert.Onset, alert.Labels, change);
    }

    /// <summary>The name of the first entry whose value is <see langword="null"/> (a JSON <c>null</c>), or <see langword="null"/> when none is.</summary>
    private static string? NullValueOf(Dictionary<string, string> values)
    {
        foreach (var pair in values)
        {
            if (pair.Value is null)
            {
                return pair.Key;
            }
        }

        return null;
    }

    /// <summary>
    /// A stable fingerprint of a label set, for alerts that carry none: FNV-1a (64 bit) over the labels sorted by name
    /// (ordinal), as 16 lower-case hex digits like Alertmanager's own.
    /// </summary>
    /// <param name="labels">The labels.</param>
    /// <returns>The fingerprint.</returns>
    public static string FingerprintOf(IReadOnlyDictionary<string, string> labels)
    {
        var names = new string[labels.Count];
        var n = 0;
        foreach (var key in labels.Keys)
        {
            names[n++] = key;
        }

        Array.Sort(names, StringComparer.Ordinal);
        var hash = 14695981039346656037UL;
        foreach (var key in names)
        {
            hash = Fnv(hash, key);
            hash = Fnv(hash, 0xFF);
            hash = Fnv(hash, labels[key]);
            hash = Fnv(hash, 0xFF);
        }

        return hash.ToString("x16", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The identity of a notification for duplicate detection: SHA-256 (first 128 bits) of the group key and the
    /// order-independent set of (fingerprint, status, startsAt, endsAt) of its alerts.
    /// </summary>
    /// <param name="groupKey">The payload's group key.</param>
    /// <param name="signals">The mapped alerts.</param>
    /// <returns>The key.</returns>
    public static UInt128 NotificationKey(string groupKey, AlertSignal[] signals)
    {
        var entries = new string[signals.Length];
        for (var i = 0; i < signals.Length; i++)
        {
            var s = signals[i];
            entries[i] = string.Create(
                CultureInfo.InvariantCulture,
                $"{s.Fingerprint}\u001f{(int)s.Status}\u001f{s.Onset.UtcTicks}\u001f{s.EndsAt?.UtcTicks ?? 0}");
        }

        Array.Sort(entries, StringComparer.Ordinal);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Append(hash, groupKey);
        foreach (var entry in entries)
        {
            Append(hash, "\u001e");
            Append(hash, entry);
        }

        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return BinaryPrimitives.ReadUInt128LittleEndian(digest);
    }

    /// <summary>
    /// The identity of one alert instance, whatever its status: its fingerprint and <c>startsAt</c> (an alert that fires
    /// again after resolving gets a new <c>startsAt</c>).
    /// </summary>
    /// <param name="alert">The mapped alert.</param>
    /// <returns>The key.</returns>
    public static UInt128 InstanceKey(AlertSignal alert)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Append(hash, string.Create(CultureInfo.InvariantCulture, $"{alert.Fingerprint}\u001f{alert.Onset.UtcTicks}"));
        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return BinaryPrimitives.ReadUInt128LittleEndian(digest);
    }

    private static void Append(IncrementalHash hash, string text)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (max <= 512)
        {
            Span<byte> buffer = stackalloc byte[512];
            hash.AppendData(buffer[..Encoding.UTF8.GetBytes(text, buffer)]);
        }
        else
        {
            hash.AppendData(Encoding.UTF8.GetBytes(text));
        }
    }

    private static ulong Fnv(ulong hash, string text)
    {
        foreach (var c in text)
        {
            hash = Fnv(hash, (byte)c);
            hash = Fnv(hash, (byte)(c >> 8));
        }

        return hash;
    }

    private static ulong Fnv(ulong hash, byte b) => (hash ^ b) * 1099511628211UL;
}
