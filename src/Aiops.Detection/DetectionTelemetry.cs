using System.Diagnostics.Metrics;

namespace Aiops.Detection;

/// <summary>
/// The instruments through which detectors count what they did not score (bad input, gaps) and how
/// <see cref="DetectorSet"/> manages series. Meter name: <see cref="MeterName"/>.
/// </summary>
/// <remarks>Thread-safe. Recording allocates nothing.</remarks>
public sealed class DetectionTelemetry
{
    /// <summary>The name of the meter: <c>Aiops.Detection</c>.</summary>
    public const string MeterName = "Aiops.Detection";

    private readonly Counter<long> _skipped;
    private readonly Counter<long> _gapPoints;
    private readonly Counter<long> _seriesEvicted;
    private readonly Counter<long> _seriesRejected;
    private readonly Counter<long> _relearned;

    /// <summary>Initializes a new instance of the <see cref="DetectionTelemetry"/> class from a host's meter factory.</summary>
    /// <param name="meterFactory">The factory that owns the meter's lifetime.</param>
    public DetectionTelemetry(IMeterFactory meterFactory)
        : this(CreateMeter(meterFactory))
    {
    }

    private DetectionTelemetry(Meter meter)
    {
        _skipped = meter.CreateCounter<long>("aiops.detection.points.skipped", "{point}", "Points a detector ignored, by reason (non_finite, out_of_order, duplicate).");
        _gapPoints = meter.CreateCounter<long>("aiops.detection.gap.points", "{point}", "Points missing from series, inferred from gaps in their timestamps.");
        _seriesEvicted = meter.CreateCounter<long>("aiops.detection.series.evicted", "{series}", "Series dropped from a detector set, by reason (idle, capacity).");
        _seriesRejected = meter.CreateCounter<long>("aiops.detection.series.rejected", "{series}", "New series refused because a detector set was full.");
        _relearned = meter.CreateCounter<long>("aiops.detection.relearned", "{reset}", "Times a detector dropped its state to learn again because it could not score (values near ±double.MaxValue), by reason (non_finite_state, non_finite_score, failed_training).");
    }

    /// <summary>Gets the instance used when none is configured; its meter is static and never disposed.</summary>
    public static DetectionTelemetry Shared { get; } = new(new Meter(MeterName));

    internal void PointSkipped(string detector, PointStatus reason)
    {
        if (_skipped.Enabled)
        {
            _skipped.Add(1, new KeyValuePair<string, object?>("aiops.detector", detector), new KeyValuePair<string, object?>("reason", ReasonTag(reason)));
        }
    }

    internal void GapDetected(string detector, long missingPoints)
    {
        if (_gapPoints.Enabled)
        {
            _gapPoints.Add(missingPoints, new KeyValuePair<string, object?>("aiops.detector", detector));
        }
    }

    internal void Relearned(string detector, RelearnReason reason)
    {
        if (_relearned.Enabled)
        {
            _relearned.Add(1, new KeyValuePair<string, object?>("aiops.detector", detector), new KeyValuePair<string, object?>("reason", ReasonTag(reason)));
        }
    }

    internal void SeriesEvicted(string reason) => _seriesEvicted.Add(1, new KeyValuePair<string, object?>("reason", reason));

    internal void SeriesRejected() => _seriesRejected.Add(1);

    private static Meter CreateMeter(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        return meterFactory.Create(MeterName);
    }

    private static string ReasonTag(RelearnReason reason) => reason switch
    {
        RelearnReason.NonFiniteState => "non_finite_state",
        RelearnReason.NonFiniteScore => "non_finite_score",
        RelearnReason.FailedTraining => "failed_training",
        _ => "other",
    };

    private static string ReasonTag(PointStatus reason) => reason switch
    {
        PointStatus.SkippedNonFinite => "non_finite",
        PointStatus.SkippedOutOfOrder => "out_of_order",
        PointStatus.SkippedDuplicate => "duplicate",
        _ => "other",
    };
}

/// <summary>Why a detector dropped its state to learn again (the <c>reason</c> tag of <c>aiops.detection.relearned</c>).</summary>
internal enum RelearnReason
{
    /// <summary>The detector's own model became infinite or NaN (values near ±double.MaxValue) and it trained again.</summary>
    NonFiniteState,

    /// <summary>The last-resort guard of <see cref="AnomalyDetector"/>: a scored point had a NaN raw score.</summary>
    NonFiniteScore,

    /// <summary>Training failed (a covariance that overflows) and the detector started its training again.</summary>
    FailedTraining,
}
