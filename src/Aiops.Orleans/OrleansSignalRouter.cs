using System.Text.Json;
using Aiops.Correlation;
using Aiops.Correlation.Serialization;
using Aiops.Gates.Internal;
using Aiops.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Aiops.Orleans;

/// <summary>
/// Sends each signal to the <see cref="ICorrelationScopeGrain"/> of its scope (<see cref="AiopsOrleansOptions.ScopeLabel"/>).
/// A call that fails (the scope's silo died and the cluster has not yet declared it dead, so the scope cannot move) is
/// tried again, with a growing pause of up to 2 seconds, for <see cref="AiopsOrleansOptions.RouteRetryFor"/>: the webhook
/// acknowledges a notification once and correlates it once, so a signal dropped here would never reach its scope, however
/// often Alertmanager repeats it. Signals behind it wait meanwhile (the correlation stage routes one at a time). Thread-safe.
/// </summary>
internal sealed partial class OrleansSignalRouter(IGrainFactory grains, IOptions<AiopsOrleansOptions> options, TimeProvider time, ILogger<OrleansSignalRouter> logger) : ISignalRouter
{
    private readonly ILogger _logger = NonThrowingLogger.Wrap(logger);

    private readonly AiopsOrleansOptions _options = options.Value;

    public async ValueTask RouteAsync(Signal signal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(signal);
        var scope = _options.ScopeOf(signal.Labels);
        var json = JsonSerializer.Serialize(signal, CorrelationJson.Signal);
        var until = time.GetUtcNow() + _options.RouteRetryFor;
        var pause = TimeSpan.FromMilliseconds(100);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await grains.GetGrain<ICorrelationScopeGrain>(scope).AddAsync(json).WaitAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException && !cancellationToken.IsCancellationRequested && time.GetUtcNow() + pause < until)
            {
                LogRetry(_logger, ex, signal.Fingerprint, scope, attempt);
                await Task.Delay(pause, time, cancellationToken).ConfigureAwait(false);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.TicksPerSecond * 2));
            }
        }
    }

    [LoggerMessage(EventId = 5220, Level = LogLevel.Warning, Message = "Signal {Fingerprint} could not reach scope {Scope} (attempt {Attempt}); trying again")]
    private static partial void LogRetry(ILogger logger, Exception exception, string fingerprint, string scope, int attempt);
}
