using Aiops.Correlation;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Aiops.Hosting.Health;

/// <summary>
/// <c>store-writable</c>: the <see cref="IEpisodeStore"/> answers a one-episode query within
/// <see cref="AiopsHealthOptions.StoreTimeout"/>, and, for a <see cref="FileEpisodeStore"/>, a probe file can be created in
/// its directory. Otherwise the registration's failure status (Unhealthy).
/// </summary>
internal sealed class StoreWritableHealthCheck(IEpisodeStore store, IOptions<AiopsHealthOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var timeout = options.Value.StoreTimeout;
        var data = new Dictionary<string, object>(StringComparer.Ordinal) { ["store"] = store.GetType().Name };
        try
        {
            await store.ListAsync(new EpisodeQuery(Limit: 1), cancellationToken).AsTask().WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            if (store is FileEpisodeStore file)
            {
                var directory = Path.GetDirectoryName(file.FilePath) ?? ".";
                data["directory"] = directory;
                await ProbeAsync(directory, cancellationToken).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            }

            return HealthCheckResult.Healthy("The episode store answers.", data);
        }
        catch (TimeoutException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"The episode store did not answer within {timeout}.", data: data);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "The episode store failed: " + ex.Message, ex, data);
        }
    }

    private static async Task ProbeAsync(string directory, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, ".aiops-health-" + Guid.NewGuid().ToString("N") + ".tmp");
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync("ok"u8.ToArray(), cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
