using Aiops.Correlation;
using Aiops.Gates;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Aiops.Hosting;

/// <summary>
/// The hosted correlation stage: adds every signal to the <see cref="Correlator"/>, advances episode lifecycles every
/// <see cref="CorrelationStageOptions.TickInterval"/> on the <see cref="TimeProvider"/>, and saves changed episodes to the
/// <see cref="IEpisodeStore"/> and offers them to remediation. Change signals are also recorded on the
/// <see cref="InMemoryChangeFeed"/> that recent-change gates read. A signal or save that fails is logged, counted and
/// skipped. On stop, the signals channel is completed, what it holds is correlated, and every open episode is saved.
/// </summary>
internal sealed class CorrelationStage : IHostedService, IDisposable
{
    private const string Stage = "correlation";
    private readonly AiopsPipelineWriter _writer;
    private readonly Correlator _correlator;
    private readonly IEpisodeStore _store;
    private readonly CorrelationStageOptions _options;
    private readonly TimeProvider _time;
    private readonly PipelineTelemetry _telemetry;
    private readonly ILogger<CorrelationStage> _logger;
    private readonly InMemoryChangeFeed? _changes;
    private readonly CancellationTokenSource _abort = new();
    private readonly SemaphoreSlim _flushGate = new(1, 1);
    private volatile bool _stopping;
    private Task? _loop;
    private PeriodicTimer? _timer;

    public CorrelationStage(
        AiopsPipelineWriter writer,
        Correlator correlator,
        IEpisodeStore store,
        IOptions<CorrelationStageOptions> options,
        TimeProvider timeProvider,
        PipelineTelemetry telemetry,
        ILogger<CorrelationStage> logger,
        InMemoryChangeFeed? changes = null)
    {
        _changes = changes;
        _writer = writer;
        _correlator = correlator;
        _store = store;
        _options = options.Value;
        _time = timeProvider;
        _telemetry = telemetry;
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Runs even when stop follows start at once, so that what was queued before is drained.
        _timer = new PeriodicTimer(_options.TickInterval, _time);
        _loop = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        _writer.Signals.Writer.TryComplete();
        using (cancellationToken.Register(static s => ((CancellationTokenSource)s!).Cancel(), _abort))
        {
            if (_loop is not null)
            {
                await Task.WhenAny(_loop, Task.Delay(Timeout.Infinite, cancellationToken)).ConfigureAwait(false);
            }
        }
    }

    public void Dispose()
    {
        _abort.Dispose();
        _flushGate.Dispose();
    }

    private async Task RunAsync()
    {
        using var timer = _timer ?? new PeriodicTimer(_options.TickInterval, _time);
        var ticks = TickLoopAsync(timer);
        var reader = _writer.Signals.Reader;
        long drained = 0;
        try
        {
            while (await reader.WaitToReadAsync(_abort.Token).ConfigureAwait(false))
            {
                var count = 0;
                while (!_abort.IsCancellationRequested && reader.TryRead(out var signal))
                {
                    Add(signal);
                    count++;
                }

                _telemetry.Processed(Stage, count);
                if (_stopping)
                {
                    drained += count;
                }
            }

            if (drained > 0)
            {
                PipelineLog.Drained(_logger, Stage, drained);
            }
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            PipelineLog.DrainAborted(_logger, Stage);
        }
        finally
        {
            timer.Dispose();
            await ticks.ConfigureAwait(false);
        }

        // Persist state: the last lifecycle step and every open episode.
        Tick();
        await FlushAsync(_correlator.DrainChanged()).ConfigureAwait(false);
        await FlushAsync(_correlator.Snapshot()).ConfigureAwait(false);
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
            PipelineLog.CorrelationFailed(_logger, ex, signal?.Fingerprint ?? "(null)");
        }
    }

    private async Task TickLoopAsync(PeriodicTimer timer)
    {
        try
        {
            while (await timer.WaitForNextTickAsync(_abort.Token).ConfigureAwait(false))
            {
                Tick();
                await FlushAsync(_correlator.DrainChanged()).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
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
            PipelineLog.TickFailed(_logger, ex);
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
                    await _store.SaveAsync(episode, _abort.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    _telemetry.Error(Stage);
                    PipelineLog.SaveFailed(_logger, ex, episode.Id);
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
