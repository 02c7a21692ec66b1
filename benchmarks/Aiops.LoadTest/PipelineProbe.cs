using System.Diagnostics.Metrics;
using Aiops.Hosting;

namespace Aiops.LoadTest;

/// <summary>
/// Counts what the hosted pipeline reports on its <c>Aiops.Hosting</c> meter: items processed per stage, anomaly signals,
/// drops and webhook outcomes. Create it before the host, so no measurement is missed.
/// </summary>
internal sealed class PipelineProbe : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _detected;
    private long _correlated;
    private long _onsets;
    private long _repeats;
    private long _droppedSamples;
    private long _droppedSignals;
    private long _webhookAccepted;
    private long _webhookDuplicate;
    private long _webhookOther;

    public PipelineProbe()
    {
        _listener.InstrumentPublished = static (instrument, listener) =>
        {
            if (instrument.Meter.Name == HostingTelemetry.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        _listener.Start();
    }

    public long Detected => Interlocked.Read(ref _detected);

    public long Correlated => Interlocked.Read(ref _correlated);

    public long Onsets => Interlocked.Read(ref _onsets);

    public long Signals => Interlocked.Read(ref _onsets) + Interlocked.Read(ref _repeats);

    public long DroppedSamples => Interlocked.Read(ref _droppedSamples);

    public long DroppedSignals => Interlocked.Read(ref _droppedSignals);

    public long WebhookAccepted => Interlocked.Read(ref _webhookAccepted);

    public long WebhookDuplicate => Interlocked.Read(ref _webhookDuplicate);

    public long WebhookOther => Interlocked.Read(ref _webhookOther);

    public void Dispose() => _listener.Dispose();

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            return tag.Value as string;
        }

        return null;
    }

    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        var tag = Tag(tags);
        switch (instrument.Name)
        {
            case "aiops.hosting.stage.processed" when tag == "detection":
                Interlocked.Add(ref _detected, value);
                break;
            case "aiops.hosting.stage.processed" when tag == "correlation":
                Interlocked.Add(ref _correlated, value);
                break;
            case "aiops.hosting.detection.signals":
                Interlocked.Add(ref tag == "onset" ? ref _onsets : ref _repeats, value);
                break;
            case "aiops.hosting.channel.dropped":
                Interlocked.Add(ref tag == "samples" ? ref _droppedSamples : ref _droppedSignals, value);
                break;
            case "aiops.hosting.alertmanager.requests":
                if (tag == "accepted")
                {
                    Interlocked.Add(ref _webhookAccepted, value);
                }
                else
                {
                    Interlocked.Add(ref tag == "duplicate" ? ref _webhookDuplicate : ref _webhookOther, value);
                }

                break;
        }
    }
}
