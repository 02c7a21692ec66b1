using Aiops.Correlation;

namespace Aiops.Hosting;

/// <summary>
/// Sends signals to where they are correlated instead of this process's <see cref="Correlator"/>. None is registered by
/// default (single-process mode correlates locally); a cluster (Aiops.Orleans) registers one so that an incident's signals
/// meet in one place whichever replica received them. Whoever correlates a routed signal offers the changed episodes to its
/// own remediation stage (<see cref="AiopsPipelineWriter.TryWriteEpisode"/>).
/// </summary>
/// <remarks>Implementations are thread-safe. A route that throws is logged and counted as a correlation error; the signal is skipped.</remarks>
public interface ISignalRouter
{
    /// <summary>Routes one signal to its correlator.</summary>
    /// <param name="signal">The signal.</param>
    /// <param name="cancellationToken">Cancels the route.</param>
    /// <returns>A task that completes when the signal has been correlated.</returns>
    ValueTask RouteAsync(Signal signal, CancellationToken cancellationToken);
}
