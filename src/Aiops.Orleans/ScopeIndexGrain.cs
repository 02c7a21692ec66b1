using Aiops.Gates.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace Aiops.Orleans;

/// <summary>
/// The correlation scopes that hold open episodes (<see cref="IScopeIndexGrain"/>), persisted at every change. While active,
/// a timer resumes every listed scope every <see cref="AiopsOrleansOptions.ResumeInterval"/> (the first time at activation),
/// in parallel; a scope that cannot be reached (its silo not yet declared dead) is tried again at the next tick. The timer
/// interleaves with the grain's calls: a scope being resumed lists or drops itself here while the timer waits for it.
/// </summary>
internal sealed partial class ScopeIndexGrain(
    [PersistentState("scopes", AiopsGrains.StorageName)] IPersistentState<ScopeIndexState> state,
    IOptions<AiopsOrleansOptions> options,
    ILogger<ScopeIndexGrain> logger) : Grain, IScopeIndexGrain
{
    private readonly ILogger _logger = NonThrowingLogger.Wrap(logger);

    private IGrainTimer? _timer;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var interval = options.Value.ResumeInterval;
        _timer = this.RegisterGrainTimer(ResumeAllAsync, new GrainTimerCreationOptions(TimeSpan.Zero, interval) { KeepAlive = true, Interleave = true });
        return base.OnActivateAsync(cancellationToken);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        return base.OnDeactivateAsync(reason, cancellationToken);
    }

    public async Task SetAsync(string scope, bool open)
    {
        var listed = state.State.Scopes.Contains(scope);
        if (listed == open)
        {
            return;
        }

        if (open)
        {
            state.State.Scopes.Add(scope);
        }
        else
        {
            state.State.Scopes.Remove(scope);
        }

        await state.WriteStateAsync().ConfigureAwait(true);
    }

    public Task WakeAsync() => Task.CompletedTask;

    public Task<IReadOnlyList<string>> ListAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Scopes]);

    private async Task ResumeAllAsync(CancellationToken cancellationToken)
    {
        var scopes = state.State.Scopes.ToArray();
        var calls = new Task<int>[scopes.Length];
        for (var i = 0; i < scopes.Length; i++)
        {
            calls[i] = GrainFactory.GetGrain<ICorrelationScopeGrain>(scopes[i]).ResumeAsync();
        }

        for (var i = 0; i < calls.Length; i++)
        {
            try
            {
                var offered = await calls[i].ConfigureAwait(true);
                if (offered > 0)
                {
                    LogOffered(_logger, scopes[i], offered);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogResumeFailed(_logger, ex, scopes[i]);
            }
        }
    }

    [LoggerMessage(EventId = 5210, Level = LogLevel.Information, Message = "Scope {Scope} offered {Episodes} episodes to remediation again (no decision yet, or one that may still run)")]
    private static partial void LogOffered(ILogger logger, string scope, int episodes);

    [LoggerMessage(EventId = 5211, Level = LogLevel.Debug, Message = "Scope {Scope} could not be resumed; it is tried again at the next tick")]
    private static partial void LogResumeFailed(ILogger logger, Exception exception, string scope);
}

/// <summary>
/// Wakes the <see cref="IScopeIndexGrain"/> every <see cref="AiopsOrleansOptions.ResumeInterval"/> from every replica, so
/// that the index (and through it every scope with open episodes) comes back on a survivor when its silo dies.
/// </summary>
internal sealed partial class ScopeKeeper(IGrainFactory grains, IOptions<AiopsOrleansOptions> options, TimeProvider time, ILogger<ScopeKeeper> logger)
    : Microsoft.Extensions.Hosting.BackgroundService
{
    private readonly ILogger _logger = NonThrowingLogger.Wrap(logger);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ResumeInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await grains.GetGrain<IScopeIndexGrain>(AiopsGrains.ScopeIndexKey).WakeAsync().WaitAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException && !stoppingToken.IsCancellationRequested)
                {
                    // The cluster is starting, or the index's silo died and is not yet declared dead: the next tick tries again.
                    LogWakeFailed(_logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 5212, Level = LogLevel.Debug, Message = "The scope index could not be woken; the next tick tries again")]
    private static partial void LogWakeFailed(ILogger logger, Exception exception);
}
