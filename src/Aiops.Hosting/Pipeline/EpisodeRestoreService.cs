using Aiops.Correlation;
using Aiops.Gates.Internal;
using Aiops.Hosting.Alertmanager;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aiops.Hosting;

/// <summary>
/// Starts before the correlation stage: hands the episodes of the <see cref="IEpisodeStore"/> to the <see cref="Correlator"/>,
/// so that after a restart episode ids continue (an id in the audit log never names two episodes) and an incident that was
/// open resumes under its id; the resolved alerts of the stored episodes seed the webhook's <see cref="ResolvedAlertMemory"/>,
/// so a replay of one after the restart opens nothing. A store that cannot be read is logged and the pipeline starts empty: a restart must not be
/// blocked by the history it would resume (nor by a store that does not answer within <see cref="Timeout"/>).
/// </summary>
internal sealed partial class EpisodeRestoreService(IEpisodeStore store, Correlator correlator, ResolvedAlertMemory resolved, ILogger<EpisodeRestoreService> logger) : IHostedService
{
    /// <summary>How long the start waits for the store: a store that hangs must not keep the host from starting.</summary>
    internal static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly ILogger _logger = NonThrowingLogger.Wrap(logger);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<Episode> episodes;
        try
        {
            episodes = await store.ListAsync(null, cancellationToken).AsTask().WaitAsync(Timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            RestoreFailed(_logger, ex);
            return;
        }

        if (episodes.Count == 0)
        {
            return;
        }

        try
        {
            var resumed = correlator.Restore(episodes);
            var remembered = resolved.Seed(episodes);
            Restored(_logger, episodes.Count, resumed, remembered);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A stored episode the correlator cannot take must not keep the host from starting either.
            RestoreFailed(_logger, ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 5106, Level = LogLevel.Information, Message = "Restored from the episode store: {Count} episodes, {Resumed} still open resumed under their ids; {Resolved} resolved alerts remembered, so their replays open nothing.")]
    private static partial void Restored(ILogger logger, int count, int resumed, int resolved);

    [LoggerMessage(EventId = 5107, Level = LogLevel.Error, Message = "Reading the episode store failed; episodes start afresh (ids may repeat those in the store).")]
    private static partial void RestoreFailed(ILogger logger, Exception exception);
}
