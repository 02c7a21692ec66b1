using System.Diagnostics.Metrics;

namespace Aiops.Hosting;

/// <summary>The instruments of the hosted pipeline. Meter name: <see cref="MeterName"/>. Thread-safe.</summary>
public sealed class HostingTelemetry
{
    /// <summary>The name of the meter: <c>Aiops.Hosting</c>.</summary>
    public const string MeterName = "Aiops.Hosting";

    private readonly Counter<long> _dropped;
    private readonly Counter<long> _webhook;
    private readonly Counter<long> _coalesced;
    private readonly Counter<long> _replays;

    /// <summary>Initializes a new instance of the <see cref="HostingTelemetry"/> class.</summary>
    /// <param name="meterFactory">The factory that owns the meter's lifetime.</param>
    public HostingTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _dropped = meter.CreateCounter<long>("aiops.hosting.channel.dropped", "{item}", "Items dropped or refused by a full pipeline channel, by channel (samples: dropped; signals: refused, the writer was told).");
        _replays = meter.CreateCounter<long>("aiops.hosting.alertmanager.replays", "{alert}", "Firing alerts the webhook left out because it saw the same alert instance (fingerprint and startsAt) resolved: replays of alerts that ended.");
        _coalesced = meter.CreateCounter<long>("aiops.hosting.episodes.coalesced", "{update}", "Episode updates replaced by a newer one of the same episode before remediation read them (the latest state wins; nothing is lost).");
        _webhook = meter.CreateCounter<long>("aiops.hosting.alertmanager.requests", "{request}", "Alertmanager webhook requests, by outcome (accepted, duplicate, unauthorized, too_large, malformed, unavailable).");
    }

    internal void Dropped(string channel) => _dropped.Add(1, new KeyValuePair<string, object?>("channel", channel));

    internal void ReplayIgnored() => _replays.Add(1);

    internal void EpisodeCoalesced() => _coalesced.Add(1);

    internal void Webhook(string outcome) => _webhook.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}
