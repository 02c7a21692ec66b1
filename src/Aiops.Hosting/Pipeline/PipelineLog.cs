using Microsoft.Extensions.Logging;

namespace Aiops.Hosting;

/// <summary>The log messages of the hosted stages and sources.</summary>
internal static partial class PipelineLog
{
    [LoggerMessage(EventId = 5100, Level = LogLevel.Warning, Message = "Detection failed for a sample of series {Series}; the sample was skipped.")]
    public static partial void DetectionFailed(ILogger logger, Exception exception, string series);

    [LoggerMessage(EventId = 5101, Level = LogLevel.Warning, Message = "Correlation failed for signal {Fingerprint}; the signal was skipped.")]
    public static partial void CorrelationFailed(ILogger logger, Exception exception, string fingerprint);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "Saving episode {EpisodeId} to the episode store failed.")]
    public static partial void SaveFailed(ILogger logger, Exception exception, string episodeId);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Warning, Message = "The correlation tick failed.")]
    public static partial void TickFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5104, Level = LogLevel.Information, Message = "The {Stage} stage drained {Count} queued items on shutdown.")]
    public static partial void Drained(ILogger logger, string stage, long count);

    [LoggerMessage(EventId = 5105, Level = LogLevel.Warning, Message = "The {Stage} stage stopped before draining its queue: the shutdown timeout elapsed.")]
    public static partial void DrainAborted(ILogger logger, string stage);

    [LoggerMessage(EventId = 5108, Level = LogLevel.Error, Message = "The {Stage} stage failed on an item in a way it does not handle (a defect); the item was skipped and the stage goes on.")]
    public static partial void ItemFailed(ILogger logger, Exception exception, string stage);

    [LoggerMessage(EventId = 5109, Level = LogLevel.Error, Message = "The {Stage} stage's background work (lifecycle ticks, approval polls) failed in a way it does not handle (a defect) and stopped; the stage still drains its queue on stop.")]
    public static partial void BackgroundFailed(ILogger logger, Exception exception, string stage);

    [LoggerMessage(EventId = 5110, Level = LogLevel.Warning, Message = "Collecting meter instruments failed; the interval was skipped.")]
    public static partial void CollectFailed(ILogger logger, Exception exception);
}
