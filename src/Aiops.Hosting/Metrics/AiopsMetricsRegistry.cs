using System.Diagnostics.Metrics;
using Aiops.Correlation;
using Aiops.Detection;
using Aiops.Gates;
using Aiops.Hosting.Metrics;
using Microsoft.Extensions.Options;
using Prometheus;

namespace Aiops.Hosting;

/// <summary>
/// The prometheus-net registry Aiops exports on <c>MapAiopsMetrics</c>: a private <see cref="CollectorRegistry"/>, never
/// <see cref="Prometheus.Metrics.DefaultRegistry"/>. A <see cref="MeterListener"/> mirrors the counters of the Aiops meters
/// (of this host's <see cref="IMeterFactory"/>, or their shared static instances) into it, and a before-collect callback
/// refreshes the per-series scores from the <see cref="ScoreBoard"/> and the episodes from the <see cref="Correlator"/>.
/// Thread-safe; one per host.
/// </summary>
public sealed class AiopsMetricsRegistry : IDisposable
{
    private static readonly string[] States = ["inactive", "pending", "firing", "resolved"];
    private readonly MeterListener _listener;
    private readonly IMeterFactory _meterFactory;
    private readonly ScoreBoard _board;
    private readonly Correlator? _correlator;
    private readonly PipelineActivity _activity;
    private readonly int _maxSeries;
    private readonly int _maxEpisodes;
    private readonly Counter _episodeInfoOmitted;
    private readonly MetricFactory _factory;
    private readonly Dictionary<(string Meter, string Instrument), Mirror> _mirrors;
    private readonly Gauge _episodes;
    private readonly Gauge _episodeInfo;
    private readonly Lock _episodeGate = new();
    private Dictionary<string, string[]> _episodeInfoExported = new(StringComparer.Ordinal);
    private HashSet<string>? _episodeInfoLeftOut;
    private readonly Gauge _lag;
    private readonly Lock _seriesGate = new();
    private readonly Dictionary<string, SeriesFamily> _families = new(StringComparer.Ordinal);
    private HashSet<(string Family, string Values)> _exported = [];
    private readonly Dictionary<(string Family, string Values), string[]> _exportedValues = [];

    internal AiopsMetricsRegistry(
        IMeterFactory meterFactory,
        ScoreBoard board,
        Correlator? correlator,
        PipelineActivity activity,
        IOptions<AiopsMetricsOptions> options)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(board);
        ArgumentNullException.ThrowIfNull(activity);
        ArgumentNullException.ThrowIfNull(options);
        _meterFactory = meterFactory;
        _board = board;
        _correlator = correlator;
        _activity = activity;
        _maxSeries = options.Value.MaxSeries;
        _maxEpisodes = options.Value.MaxEpisodes;
        Registry = Prometheus.Metrics.NewCustomRegistry();
        _factory = Prometheus.Metrics.WithCustomRegistry(Registry);

        _episodes = _factory.CreateGauge("aiops_episodes", "Episodes the correlator holds (open, and closed within the reopen window), by state.", ["state"]);
        foreach (var state in States)
        {
            _episodes.WithLabels(state).Set(0);
        }

        _episodeInfo = _factory.CreateGauge(
            "aiops_episode_info",
            "One series per episode the correlator holds: its state, root-cause category, most likely root cause and entities; the value is that root cause's score in [0, 1] (0 before any analysis).",
            ["episode", "state", "category", "root_cause", "entities"]);

        _episodeInfoOmitted = _factory.CreateCounter(
            "aiops_episode_info_omitted_total",
            "Episodes aiops_episode_info left out (beyond Aiops:Metrics:MaxEpisodes): each counted when a scrape leaves it out and the previous one did not.");

        _lag = _factory.CreateGauge("aiops_pipeline_lag_seconds", "Seconds since the detection stage last processed a sample (since start when it never has).");

        var dropped = _factory.CreateCounter("aiops_dropped_items_total", "Items dropped or refused by a full or closed pipeline channel, by channel (samples: dropped; signals: refused, the writer was told).", ["channel"]);
        var replays = _factory.CreateCounter("aiops_alertmanager_replays_ignored_total", "Firing alerts the webhook left out because it saw the same alert instance (fingerprint and startsAt) resolved.");
        var coalesced = _factory.CreateCounter("aiops_episode_updates_coalesced_total", "Episode updates replaced by a newer one of the same episode before remediation read them (the latest state wins; nothing is lost).");
        var processed = _factory.CreateCounter("aiops_pipeline_processed_total", "Items a pipeline stage processed, by stage (detection, correlation).", ["stage"]);
        var errors = _factory.CreateCounter("aiops_pipeline_errors_total", "Items a pipeline stage failed to process and skipped, by stage (detection, correlation).", ["stage"]);
        var decisions = _factory.CreateCounter("aiops_gate_decisions_total", "Gate evaluations, by gate and verdict (allow, require_approval, deny).", ["gate", "verdict"]);
        var executed = _factory.CreateCounter("aiops_actions_executed_total", "Execution attempts of remediation actions, by status.", ["status"]);
        var webhook = _factory.CreateCounter("aiops_alertmanager_requests_total", "Alertmanager webhook requests, by outcome.", ["outcome"]);
        foreach (var channel in (string[])["samples", "signals"])
        {
            dropped.WithLabels(channel);
        }

        foreach (var stage in (string[])["detection", "correlation"])
        {
            processed.WithLabels(stage);
            errors.WithLabels(stage);
        }

        _mirrors = new()
        {
            [(HostingTelemetry.MeterName, "aiops.hosting.channel.dropped")] = new Mirror(dropped, ["channel"]),
            [(HostingTelemetry.MeterName, "aiops.hosting.episodes.coalesced")] = new Mirror(coalesced, []),
            [(HostingTelemetry.MeterName, "aiops.hosting.alertmanager.replays")] = new Mirror(replays, []),
            [(HostingTelemetry.MeterName, "aiops.hosting.stage.processed")] = new Mirror(processed, ["stage"], activity.Processed),
            [(HostingTelemetry.MeterName, "aiops.hosting.stage.errors")] = new Mirror(errors, ["stage"]),
            [(HostingTelemetry.MeterName, "aiops.hosting.alertmanager.requests")] = new Mirror(webhook, ["outcome"]),
            [(GatesTelemetry.MeterName, "aiops.gates.evaluations")] = new Mirror(decisions, ["gate", "verdict"]),
            [(GatesTelemetry.MeterName, "aiops.gates.executions")] = new Mirror(executed, ["status"]),
        };

        Registry.AddBeforeCollectCallback(Refresh);

        _listener = new MeterListener { InstrumentPublished = OnInstrumentPublished };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        _listener.SetMeasurementEventCallback<int>(static (instrument, value, tags, state) => OnMeasurement(instrument, value, tags, state));
        _listener.Start();
    }

    /// <summary>Gets the registry: what <c>MapAiopsMetrics</c> serves. An application may add its own collectors to it.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>The meters whose instruments are mirrored (those listed in the design; others are ignored).</summary>
    internal static IReadOnlyList<string> MeterNames { get; } =
        [DetectionTelemetry.MeterName, CorrelationTelemetry.MeterName, GatesTelemetry.MeterName, HostingTelemetry.MeterName];

    /// <summary>Stops mirroring the meters.</summary>
    public void Dispose() => _listener.Dispose();

    /// <summary>Refreshes the gauges now (the registry does it before every collection).</summary>
    internal void Refresh()
    {
        var now = _activity.Time.GetUtcNow();
        var last = _activity.LastSampleAt ?? _activity.StartedAt;
        _lag.Set(Math.Max(0, (now - last).TotalSeconds));
        RefreshEpisodes();
        RefreshSeries();
    }

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        // Only this host's meters (a factory scopes them) or the shared static ones: parallel hosts in one process each
        // export their own pipeline.
        var meter = instrument.Meter;
        if ((meter.Scope is not null && !ReferenceEquals(meter.Scope, _meterFactory))
            || !_mirrors.TryGetValue((meter.Name, instrument.Name), out var mirror))
        {
            return;
        }

        listener.EnableMeasurementEvents(instrument, mirror);
    }

    private static void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (state is not Mirror mirror || value <= 0)
        {
            return;
        }

        var values = new string[mirror.Tags.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = string.Empty;
            foreach (var tag in tags)
            {
                if (string.Equals(tag.Key, mirror.Tags[i], StringComparison.Ordinal))
                {
                    values[i] = tag.Value?.ToString() ?? string.Empty;
                    break;
                }
            }
        }

        if (values.Length == 0)
        {
            mirror.Counter.Inc(value);
            return;
        }

        mirror.Counter.WithLabels(values).Inc(value);
        mirror.OnMeasurement?.Invoke(values[0]);
    }

    private void RefreshEpisodes()
    {
        if (_correlator is null)
        {
            return;
        }

        Span<int> counts = stackalloc int[States.Length];
        var exported = new Dictionary<string, string[]>(StringComparer.Ordinal);
        lock (_episodeGate)
        {
            var snapshot = _correlator.Snapshot();
            foreach (var episode in snapshot)
            {
                var index = (int)episode.State;
                if ((uint)index < (uint)counts.Length)
                {
                    counts[index]++;
                }
            }

            IEnumerable<Episode> chosen = snapshot;
            HashSet<string>? leftOut = null;
            if (snapshot.Count > _maxEpisodes)
            {
                // What on-call needs during a storm: firing, then pending, then closed; the newest of each first.
                var ordered = snapshot
                    .OrderBy(static e => e.State switch { EpisodeState.Firing => 0, EpisodeState.Pending => 1, _ => 2 })
                    .ThenByDescending(static e => e.UpdatedAt)
                    .ToList();
                chosen = ordered.Take(_maxEpisodes);

                // Counted once per stretch an episode stays left out, so the count does not depend on how often /metrics is scraped.
                leftOut = new HashSet<string>(ordered.Count - _maxEpisodes, StringComparer.Ordinal);
                var newly = 0;
                for (var i = _maxEpisodes; i < ordered.Count; i++)
                {
                    if (leftOut.Add(ordered[i].Id) && _episodeInfoLeftOut?.Contains(ordered[i].Id) != true)
                    {
                        newly++;
                    }
                }

                _episodeInfoOmitted.Inc(newly);
            }

            _episodeInfoLeftOut = leftOut;
            foreach (var episode in chosen)
            {
                var index = (int)episode.State;
                var top = episode.RootCause is { Hypotheses.Count: > 0 } analysis ? analysis.Hypotheses[0] : null;
                string[] values =
                [
                    episode.Id,
                    (uint)index < (uint)States.Length ? States[index] : episode.State.ToString(),
                    episode.RootCause is { } rca ? System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(rca.Category.ToString()) : string.Empty,
                    top?.Entity ?? string.Empty,
                    string.Join(',', episode.Entities),
                ];
                exported[episode.Id] = values;
                _episodeInfo.WithLabels(values).Set(top?.Score ?? 0);
            }

            // An episode that changed state or root cause gets a new series; the old one, and those of forgotten episodes, go.
            foreach (var (id, values) in _episodeInfoExported)
            {
                if (!exported.TryGetValue(id, out var now) || !now.AsSpan().SequenceEqual(values))
                {
                    _episodeInfo.RemoveLabelled(values);
                }
            }

            _episodeInfoExported = exported;
        }

        for (var i = 0; i < States.Length; i++)
        {
            _episodes.WithLabels(States[i]).Set(counts[i]);
        }
    }

    private void RefreshSeries()
    {
        var snapshot = _board.Snapshot();
        IEnumerable<SeriesScore> chosen = snapshot;
        if (snapshot.Count > _maxSeries)
        {
            // The most anomalous first; ties (and NaN) by series text, which the snapshot is sorted by.
            chosen = snapshot
                .OrderByDescending(static s => double.IsNaN(s.Score.Probability) ? double.NegativeInfinity : s.Score.Probability)
                .Take(_maxSeries);
        }

        lock (_seriesGate)
        {
            var exported = new HashSet<(string Family, string Values)>();
            foreach (var entry in chosen)
            {
                var (names, values) = Labels(entry.Series);
                var key = string.Join(',', names);
                if (!_families.TryGetValue(key, out var family))
                {
                    family = new SeriesFamily(_factory, names);
                    _families[key] = family;
                }

                var id = (key, string.Join('\u001f', values));
                if (!exported.Add(id))
                {
                    continue;
                }

                _exportedValues[id] = values;
                var score = entry.Score;
                Set(family.Score, values, score.Probability);
                Set(family.Expected, values, score.Expected);
                Set(family.Lower, values, score.Lower);
                Set(family.Upper, values, score.Upper);
                Set(family.Active, values, entry.InAnomaly ? 1 : 0);
            }

            foreach (var id in _exported)
            {
                if (!exported.Contains(id) && _exportedValues.Remove(id, out var values))
                {
                    var family = _families[id.Family];
                    family.Score.RemoveLabelled(values);
                    family.Expected.RemoveLabelled(values);
                    family.Lower.RemoveLabelled(values);
                    family.Upper.RemoveLabelled(values);
                    family.Active.RemoveLabelled(values);
                }
            }

            _exported = exported;
        }
    }

    private static void Set(Gauge gauge, string[] values, double value)
    {
        if (double.IsFinite(value))
        {
            gauge.WithLabels(values).Set(value);
        }
        else
        {
            gauge.RemoveLabelled(values);
        }
    }

    /// <summary>The label names (<c>metric</c> first, then the series' labels sanitised and sorted) and values of a series.</summary>
    internal static (string[] Names, string[] Values) Labels(SeriesKey series)
    {
        var pairs = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var label in series.Labels)
        {
            var name = SanitizeLabelName(label.Key);
            if (name == "metric")
            {
                name = "exported_metric";
            }

            pairs.TryAdd(name, label.Value ?? string.Empty);
        }

        var names = new string[pairs.Count + 1];
        var values = new string[pairs.Count + 1];
        names[0] = "metric";
        values[0] = series.Metric;
        var i = 1;
        foreach (var pair in pairs)
        {
            names[i] = pair.Key;
            values[i] = pair.Value;
            i++;
        }

        return (names, values);
    }

    /// <summary>Makes a valid Prometheus label name: <c>[a-zA-Z_][a-zA-Z0-9_]*</c>, not starting with the reserved <c>__</c>.</summary>
    internal static string SanitizeLabelName(string name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "label_";
        }

        var chars = new char[name.Length];
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            chars[i] = char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_';
        }

        var result = new string(chars);
        if (char.IsAsciiDigit(result[0]))
        {
            result = "_" + result;
        }

        return result.StartsWith("__", StringComparison.Ordinal) ? "label" + result : result;
    }

    private sealed record Mirror(Counter Counter, string[] Tags, Action<string>? OnMeasurement = null);

    private sealed class SeriesFamily(MetricFactory factory, string[] names)
    {
        public Gauge Score { get; } = factory.CreateGauge("aiops_anomaly_score", "Anomaly probability [0, 1] of the latest point of a series.", names);

        public Gauge Expected { get; } = factory.CreateGauge("aiops_anomaly_expected", "Value the detector expected for the latest point of a series.", names);

        public Gauge Lower { get; } = factory.CreateGauge("aiops_anomaly_lower", "Lower bound of the normal band of a series.", names);

        public Gauge Upper { get; } = factory.CreateGauge("aiops_anomaly_upper", "Upper bound of the normal band of a series.", names);

        public Gauge Active { get; } = factory.CreateGauge("aiops_anomaly_active", "1 while a series is in an anomaly (from its onset until it is back to its pre-onset baseline), else 0.", names);
    }
}
