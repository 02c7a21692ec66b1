using System.Diagnostics.Metrics;

namespace Aiops.Hosting;

/// <summary>Counters of the hosted stages, on the <see cref="HostingTelemetry.MeterName"/> meter. Thread-safe.</summary>
internal sealed class PipelineTelemetry
{
    private readonly Counter<long> _errors;
    private readonly Counter<long> _processed;
    private readonly Counter<long> _signals;
    private long _detectionErrors;
    private long _correlationErrors;
    private long _remediationErrors;

    public PipelineTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(HostingTelemetry.MeterName);
        _errors = meter.CreateCounter<long>("aiops.hosting.stage.errors", "{item}", "Items a pipeline stage failed to process and skipped, by stage (detection, correlation, remediation).");
        _processed = meter.CreateCounter<long>("aiops.hosting.stage.processed", "{item}", "Items a pipeline stage processed, by stage (detection, correlation, remediation).");
        _signals = meter.CreateCounter<long>("aiops.hosting.detection.signals", "{signal}", "Anomaly signals the detection stage sent to correlation, by kind (onset, repeat).");
    }

    public long DetectionErrors => Interlocked.Read(ref _detectionErrors);

    public long CorrelationErrors => Interlocked.Read(ref _correlationErrors);

    public long RemediationErrors => Interlocked.Read(ref _remediationErrors);

    public void Error(string stage)
    {
        switch (stage)
        {
            case "detection":
                Interlocked.Increment(ref _detectionErrors);
                break;
            case "correlation":
                Interlocked.Increment(ref _correlationErrors);
                break;
            default:
                Interlocked.Increment(ref _remediationErrors);
                break;
        }

        _errors.Add(1, new KeyValuePair<string, object?>("stage", stage));
    }

    public void Processed(string stage, int count)
    {
        if (count > 0)
        {
            _processed.Add(count, new KeyValuePair<string, object?>("stage", stage));
        }
    }

    public void SignalSent(string kind) => _signals.Add(1, new KeyValuePair<string, object?>("kind", kind));
}
