using System.Threading.Channels;
using Aiops.Gates.Internal;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aiops.Hosting;

/// <summary>
/// A hosted stage that reads one pipeline channel: it processes items as they come, runs optional background work beside
/// them (lifecycle ticks, approval polls), and on stop completes its channel, processes what it still holds (or gives up
/// when the host's shutdown timeout fires), stops the background work and then runs <see cref="OnDrainedAsync"/>. An item
/// that fails is the derived stage's to log and count; one whose failure escapes it is counted and logged here, and the loop
/// never stops for one. So is a failure that escapes the background work: it ends that work, but not the drain.
/// </summary>
/// <typeparam name="T">The channel's items.</typeparam>
internal abstract class ChannelStage<T> : IHostedService, IDisposable
{
    private readonly Channel<T> _channel;
    private readonly string _stage;
    private readonly PipelineTelemetry _telemetry;
    private readonly CancellationTokenSource _abort = new();
    private readonly CancellationTokenSource _background = new();
    private volatile bool _stopping;
    private Task? _loop;

    protected ChannelStage(Channel<T> channel, string stage, PipelineTelemetry telemetry, ILogger logger)
    {
        _channel = channel;
        _stage = stage;
        _telemetry = telemetry;
        Logger = NonThrowingLogger.Wrap(logger);
    }

    /// <summary>Gets the stage's logger, which never throws: a failing logger provider must not end the loop from a catch block.</summary>
    protected ILogger Logger { get; }

    /// <summary>Gets the token that fires when the host's shutdown timeout cuts the drain short.</summary>
    protected CancellationToken Aborted => _abort.Token;

    public virtual Task StartAsync(CancellationToken cancellationToken)
    {
        // Runs even when stop follows start at once, so that what was queued before is drained.
        _loop = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        _channel.Writer.TryComplete();
        using (cancellationToken.Register(static s => ((CancellationTokenSource)s!).Cancel(), _abort))
        {
            if (_loop is not null)
            {
                await Task.WhenAny(_loop, Task.Delay(Timeout.Infinite, cancellationToken)).ConfigureAwait(false);
                if (!_loop.IsCompleted)
                {
                    // The shutdown timeout cut the drain short (Aborted has fired): what must still be recorded before the host
                    // disposes the services is the derived stage's to wait for.
                    await OnAbortedAsync().ConfigureAwait(false);
                }
            }
        }
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Processes one item; must not throw for a bad item (log and count it instead).</summary>
    protected abstract ValueTask ProcessAsync(T item);

    /// <summary>Work beside the items until <paramref name="stopping"/> fires (after the drain); by default none.</summary>
    /// <param name="stopping">Fires once the channel is drained.</param>
    protected virtual Task RunBackgroundAsync(CancellationToken stopping) => Task.CompletedTask;

    /// <summary>
    /// Runs when the host's shutdown timeout cut the drain short, after <see cref="Aborted"/> fired and before the stage stops;
    /// it must finish promptly (work it waits for has been told to stop). By default nothing.
    /// </summary>
    protected virtual Task OnAbortedAsync() => Task.CompletedTask;

    /// <summary>Runs once after the drain and the background work, to persist state; by default nothing.</summary>
    protected virtual Task OnDrainedAsync() => Task.CompletedTask;

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _abort.Dispose();
            _background.Dispose();
        }
    }

    /// <summary>
    /// Processes one item; a failure the stage did not catch itself (a defect) is counted and logged, and the loop goes on: one
    /// item must not stop every later one. Only the shutdown timeout's cancellation ends the loop.
    /// </summary>
    private async ValueTask ProcessGuardedAsync(T item)
    {
        try
        {
            await ProcessAsync(item).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException && !(ex is OperationCanceledException && _abort.IsCancellationRequested))
        {
            _telemetry.Error(_stage);
            PipelineLog.ItemFailed(Logger, ex, _stage);
        }
    }

    /// <summary>
    /// Runs the background work; a failure it does not handle (a defect) is counted and logged when it happens, and does not
    /// end the stage: the items are still drained and <see cref="OnDrainedAsync"/> still runs (before, the stop rethrew it
    /// and skipped the final save, or the wait for running actions' records).
    /// </summary>
    private async Task RunBackgroundGuardedAsync()
    {
        var stopping = _background.Token;
        try
        {
            await RunBackgroundAsync(stopping).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException && !(ex is OperationCanceledException && stopping.IsCancellationRequested))
        {
            _telemetry.Error(_stage);
            PipelineLog.BackgroundFailed(Logger, ex, _stage);
        }
    }

    private async Task RunAsync()
    {
        var background = RunBackgroundGuardedAsync();
        var reader = _channel.Reader;
        long drained = 0;
        try
        {
            while (await reader.WaitToReadAsync(_abort.Token).ConfigureAwait(false))
            {
                var count = 0;
                while (!_abort.IsCancellationRequested && reader.TryRead(out var item))
                {
                    await ProcessGuardedAsync(item).ConfigureAwait(false);
                    count++;
                }

                _telemetry.Processed(_stage, count);
                if (_stopping)
                {
                    drained += count;
                }
            }

            if (drained > 0)
            {
                PipelineLog.Drained(Logger, _stage, drained);
            }
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            PipelineLog.DrainAborted(Logger, _stage);
        }
        finally
        {
            await _background.CancelAsync().ConfigureAwait(false);
            await background.ConfigureAwait(false);
        }

        await OnDrainedAsync().ConfigureAwait(false);
    }
}
