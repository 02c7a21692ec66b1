namespace Aiops.Detection;

/// <summary>
/// Base class of the built-in detectors. It owns input hygiene so that every detector treats bad input alike:
/// <list type="bullet">
/// <item>NaN and ±Infinity are skipped (<see cref="PointStatus.SkippedNonFinite"/>).</item>
/// <item>A timestamp earlier than the last accepted one is skipped (<see cref="PointStatus.SkippedOutOfOrder"/>).</item>
/// <item>A timestamp equal to the last accepted one is skipped; the first value wins (<see cref="PointStatus.SkippedDuplicate"/>).</item>
/// <item>A gap (a step of at least twice the smallest step seen so far) is counted; the detector then carries on as if the
/// points were adjacent, because imputing values would invent data the series never had.</item>
/// </list>
/// Every skip and gap is counted through <see cref="DetectionTelemetry"/>. Nothing on this path throws or allocates.
/// </summary>
/// <remarks>Instances are not thread-safe.</remarks>
public abstract class AnomalyDetector : IAnomalyDetector
{
    private readonly DetectionTelemetry _telemetry;
    private long _lastTicks = long.MinValue;
    private long _smallestStep = long.MaxValue;

    /// <summary>Initializes a new instance of the <see cref="AnomalyDetector"/> class.</summary>
    /// <param name="name">The catalogue name reported by <see cref="Name"/> and used as the telemetry tag.</param>
    /// <param name="options">The validated options; <see cref="AnomalyDetectorOptions.Threshold"/> sets the flag.</param>
    protected AnomalyDetector(string name, AnomalyDetectorOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Name = name;
        Threshold = options.Threshold;
        _telemetry = options.Telemetry ?? DetectionTelemetry.Shared;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Gets the probability at or above which a point is flagged.</summary>
    public double Threshold { get; }

    /// <inheritdoc />
    public abstract int StateSizeBytes { get; }

    /// <inheritdoc />
    public AnomalyScore Update(DateTimeOffset timestamp, double value)
    {
        if (!double.IsFinite(value))
        {
            return Skip(timestamp, value, PointStatus.SkippedNonFinite);
        }

        var ticks = timestamp.UtcTicks;
        if (ticks <= _lastTicks)
        {
            return Skip(timestamp, value, ticks == _lastTicks ? PointStatus.SkippedDuplicate : PointStatus.SkippedOutOfOrder);
        }

        if (_lastTicks != long.MinValue)
        {
            var step = ticks - _lastTicks;
            if (step >= 2 * _smallestStep)
            {
                _telemetry.GapDetected(Name, (step / _smallestStep) - 1);
            }

            _smallestStep = Math.Min(_smallestStep, step);
        }

        _lastTicks = ticks;
        return UpdateCore(timestamp, value);
    }

    /// <summary>Scores a point that a composing detector (the ensemble) has already validated.</summary>
    internal AnomalyScore UpdateValidated(DateTimeOffset timestamp, double value) => UpdateCore(timestamp, value);

    /// <inheritdoc />
    public void Reset()
    {
        _lastTicks = long.MinValue;
        _smallestStep = long.MaxValue;
        ResetCore();
    }

    /// <summary>Scores and learns a point that passed validation (finite value, strictly increasing timestamp).</summary>
    /// <param name="timestamp">The point's timestamp.</param>
    /// <param name="value">The point's finite value.</param>
    /// <returns>The score.</returns>
    protected abstract AnomalyScore UpdateCore(DateTimeOffset timestamp, double value);

    /// <summary>Clears the algorithm's state.</summary>
    protected abstract void ResetCore();

    private AnomalyScore Skip(DateTimeOffset timestamp, double value, PointStatus reason)
    {
        _telemetry.PointSkipped(Name, reason);
        return AnomalyScore.Skipped(timestamp, value, reason);
    }
}
