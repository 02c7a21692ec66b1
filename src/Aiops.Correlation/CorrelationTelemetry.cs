using System.Diagnostics.Metrics;

namespace Aiops.Correlation;

/// <summary>The instruments of the correlator. Meter name: <see cref="MeterName"/>. Thread-safe.</summary>
public sealed class CorrelationTelemetry
{
    /// <summary>The name of the meter: <c>Aiops.Correlation</c>.</summary>
    public const string MeterName = "Aiops.Correlation";

    private readonly Counter<long> _signals;
    private readonly Counter<long> _transitions;
    private readonly UpDownCounter<long> _open;
    private readonly Counter<long> _rankingFailures;

    /// <summary>Initializes a new instance of the <see cref="CorrelationTelemetry"/> class from a host's meter factory.</summary>
    /// <param name="meterFactory">The factory that owns the meter's lifetime.</param>
    public CorrelationTelemetry(IMeterFactory meterFactory)
        : this(CreateMeter(meterFactory))
    {
    }

    private CorrelationTelemetry(Meter meter)
    {
        _signals = meter.CreateCounter<long>("aiops.correlation.signals", "{signal}", "Signals received, by kind and outcome (opened, joined, repeat, merged, context, ignored, rejected) and, for rejections, reason.");
        _transitions = meter.CreateCounter<long>("aiops.correlation.episode.transitions", "{transition}", "Episode lifecycle transitions, by target state.");
        _open = meter.CreateUpDownCounter<long>("aiops.correlation.episodes.open", "{episode}", "Episodes currently open (pending or firing).");
        _rankingFailures = meter.CreateCounter<long>("aiops.correlation.ranking.failures", "{snapshot}", "Episode snapshots taken without a root-cause analysis because the ranker threw.");
    }

    /// <summary>Gets the instance used when none is configured; its meter is static and never disposed.</summary>
    public static CorrelationTelemetry Shared { get; } = new(new Meter(MeterName));

    internal void Signal(string kind, CorrelationOutcome outcome, string? reason)
    {
        if (_signals.Enabled)
        {
            _signals.Add(
                1,
                new KeyValuePair<string, object?>("kind", kind),
                new KeyValuePair<string, object?>("outcome", OutcomeTag(outcome)),
                new KeyValuePair<string, object?>("reason", reason ?? string.Empty));
        }
    }

    internal void Transition(EpisodeState to)
    {
        _transitions.Add(1, new KeyValuePair<string, object?>("to", StateTag(to)));
        if (to == EpisodeState.Pending)
        {
            _open.Add(1);
        }
        else if (to is EpisodeState.Resolved or EpisodeState.Inactive)
        {
            _open.Add(-1);
        }
    }

    internal void Reopened() => _open.Add(1);

    internal void RankingFailed() => _rankingFailures.Add(1);

    private static Meter CreateMeter(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        return meterFactory.Create(MeterName);
    }

    private static string OutcomeTag(CorrelationOutcome outcome) => outcome switch
    {
        CorrelationOutcome.Opened => "opened",
        CorrelationOutcome.Joined => "joined",
        CorrelationOutcome.Repeat => "repeat",
        CorrelationOutcome.Merged => "merged",
        CorrelationOutcome.Context => "context",
        CorrelationOutcome.Ignored => "ignored",
        _ => "rejected",
    };

    private static string StateTag(EpisodeState state) => state switch
    {
        EpisodeState.Pending => "pending",
        EpisodeState.Firing => "firing",
        EpisodeState.Resolved => "resolved",
        _ => "inactive",
    };
}
