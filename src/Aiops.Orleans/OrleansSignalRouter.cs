using System.Text.Json;
using Aiops.Correlation;
using Aiops.Correlation.Serialization;
using Aiops.Hosting;
using Microsoft.Extensions.Options;

namespace Aiops.Orleans;

/// <summary>Sends each signal to the <see cref="ICorrelationScopeGrain"/> of its scope (<see cref="AiopsOrleansOptions.ScopeLabel"/>). Thread-safe.</summary>
internal sealed class OrleansSignalRouter(IGrainFactory grains, IOptions<AiopsOrleansOptions> options) : ISignalRouter
{
    private readonly AiopsOrleansOptions _options = options.Value;

    public async ValueTask RouteAsync(Signal signal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(signal);
        await grains.GetGrain<ICorrelationScopeGrain>(_options.ScopeOf(signal.Labels))
            .AddAsync(JsonSerializer.Serialize(signal, CorrelationJson.Signal))
            .WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
