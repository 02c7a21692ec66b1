using Aiops.Correlation;
using Aiops.Gates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Aiops.Hosting;

/// <summary>
/// The hosted correlation stage: adds every signal to the <see cref="Correlator"/>, advances episode lifecycles every
/// <see cref="CorrelationStageOptions.TickInterval"/> on the <see cref="TimeProvider"/>, and saves changed episodes to the
/// <see cref="IEpisodeStore"/> and offers them to remediation. Change signals are also recorded on the
/// <see cref="InMemoryChangeFeed"/> that recent-change gates read. A signal or save that fails is logged, counted and
/// skipped. On stop, the signals channel is completed, what it holds is correlated, and every open episode is saved. When
/// an <see cref="ISignalRouter"/> is registered (a cluster), signals go to it instead of the local correlator.
/// </summary>
internal sealed class CorrelationStage : ChannelStage<Signal>
{
    private const string Stage = "correlation";
    private readonly AiopsPipelineWriter _writer;
    private readonly Correlator _correlator;
    private readonly IEpisodeStore _store;
    private readonly CorrelationStageOptions _options;
    private readonly TimeProvider _time;
    private readonly PipelineTelemetry _telemetry;
    private readonly InMemoryChangeFeed? _changes;
    private readonly SemaphoreSlim _flushGate = new(1, 1);
    private readonly ISignalRouter? _router;

    public CorrelationStage(
        AiopsPipelineWriter writer,
        Correlator correlator,
        IEpisodeStore store,
        IOptions<CorrelationStageOptions> options,
        TimeProvider timeProvider,
        PipelineTelemetry telemetry,
        ILogger<CorrelationStage> logger,
        InMemoryChangeFeed? changes = null,
        ISignalRouter? router = null)
        : base(writer.Signals, Stage, telemetry, logger)
    {
        _router = router;
        _changes = changes;
        _writer = writer;
        _correlator = correlator;
        _store = store;
        _options = options.Value;
        _time = timeProvider;
        _telemetry = telemetry;
    }

    protected override ValueTask ProcessAsync(Signal item)
    {
        if (_router is not null)
        {
            return RouteAsync(item);
        }

        Add(item);
        return ValueTask.CompletedTask;
    }

    protected override async Task RunBackgroundAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(_options.TickInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                Tick();
                await FlushAsync(Drain()).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>Persists state: the last lifecycle step and every open episode.</summary>
    protected override async Task OnDrainedAsync()
    {
        Tick();
        await FlushAsync(Drain()).ConfigureAwait(false);
        await FlushAsync(_correlator.Snapshot()).ConfigureAwait(false);
    }

    // The changed episodes' snapshots; a failure is counted and the loop goes on (the next tick drains again).
    private IReadOnlyList<Episode> Drain()
    {
        try
        {
            return _correlator.DrainChanged();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _telemetry.Error(Stage);
            PipelineLog.TickFailed(Logger, ex);
            return [];
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _flushGate.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Add(Signal signal)
    {
        try
        {
            _correlator.Add(signal);
            if (signal is ChangeSignal change && _changes is not null)
            {
                _changes.Add(new ChangeNotice(change.Label("service") ?? change.Name, change.Change.ToString().ToLowerInvariant(), change.Onset) { Description = change.Name });
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _telemetry.Error(Stage);
            PipelineLog.CorrelationFailed(Logger, ex, signal?.Fingerprint ?? "(null)");
        }
    }

    /// <summary>A routed signal is correlated elsewhere (a cluster); change signals still feed this replica's recent-change gates.</summary>
    private async ValueTask RouteAsync(Signal signal)
    {
        try
        {
            await _router!.RouteAsync(signal, Aborted).ConfigureAwait(false);
            if (signal is ChangeSignal change && _changes is not null)
            {
                _changes.Add(new ChangeNotice(change.Label("service") ?? change.Name, change.Change.ToString().ToLowerInvariant(), change.Onset) { Description = change.Name });
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException && !(ex is OperationCanceledException && Aborted.IsCancellationRequested))
        {
            _telemetry.Error(Stage);
            PipelineLog.CorrelationFailed(Logger, ex, signal?.Fingerprint ?? "(null)");
        }
    }

    private void Tick()
    {
        try
        {
            _correlator.Tick();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _telemetry.Error(Stage);
            PipelineLog.TickFailed(Logger, ex);
        }
    }

    private async Task FlushAsync(IReadOnlyList<Episode> episodes)
    {
        if (episodes.Count == 0)
        {
            return;
        }

        await _flushGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            foreach (var episode in episodes)
            {
                try
                {
                    await _store.SaveAsync(episode, Aborted).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    _telemetry.Error(Stage);
                    PipelineLog.SaveFailed(Logger, ex, episode.Id);
                }

                _writer.TryWriteEpisode(episode);
            }
        }
        finally
        {
            _flushGate.Release();
        }
    }
}
