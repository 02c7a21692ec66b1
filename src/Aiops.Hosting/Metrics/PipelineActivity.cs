namespace Aiops.Hosting.Metrics;

/// <summary>
/// When the pipeline's stages last processed items, as seen on their <c>aiops.hosting.stage.processed</c> counter; read by
/// the lag gauge and the freshness health check. The detection stage reports on that counter whenever its channel is
/// empty and, under sustained load, every 1,024 samples and at least every 100 ms, so the time here keeps moving while
/// the stage drains a backlog. Thread-safe.
/// </summary>
internal sealed class PipelineActivity(TimeProvider timeProvider)
{
    private long _lastSampleTicks = -1;
    private long _lastSignalTicks = -1;

    /// <summary>Gets when this tracker was created (about when the host was built).</summary>
    public DateTimeOffset StartedAt { get; } = timeProvider.GetUtcNow();

    /// <summary>Gets the clock of the host.</summary>
    public TimeProvider Time { get; } = timeProvider;

    /// <summary>Gets when the detection stage last processed a sample, or <see langword="null"/> when it never has.</summary>
    public DateTimeOffset? LastSampleAt => Read(ref _lastSampleTicks);

    /// <summary>Gets when the correlation stage last processed a signal, or <see langword="null"/> when it never has.</summary>
    public DateTimeOffset? LastSignalAt => Read(ref _lastSignalTicks);

    public void Processed(string? stage)
    {
        var now = Time.GetUtcNow().UtcTicks;
        switch (stage)
        {
            case "detection":
                Volatile.Write(ref _lastSampleTicks, now);
                break;
            case "correlation":
                Volatile.Write(ref _lastSignalTicks, now);
                break;
        }
    }

    private static DateTimeOffset? Read(ref long ticks)
    {
        var value = Volatile.Read(ref ticks);
        return value < 0 ? null : new DateTimeOffset(value, TimeSpan.Zero);
    }
}
