using System.Globalization;
using Aiops.Hosting.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Aiops.Hosting.Health;

/// <summary>
/// <c>source-freshness</c>: Degraded when detection has processed no sample for
/// <see cref="AiopsHealthOptions.StaleAfterIntervals"/> × <see cref="AiopsHealthOptions.SourceInterval"/> (counted from
/// the start when no sample has arrived yet), Healthy otherwise.
/// </summary>
internal sealed class SourceFreshnessHealthCheck(PipelineActivity activity, IOptions<AiopsHealthOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        var threshold = settings.SourceInterval * settings.StaleAfterIntervals;
        var now = activity.Time.GetUtcNow();
        var last = activity.LastSampleAt;
        var age = now - (last ?? activity.StartedAt);
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["last_sample_at"] = last?.ToString("O", CultureInfo.InvariantCulture) ?? "never",
            ["age_seconds"] = Math.Round(age.TotalSeconds, 3),
            ["stale_after_seconds"] = threshold.TotalSeconds,
        };

        if (age <= threshold)
        {
            return Task.FromResult(HealthCheckResult.Healthy(last is null ? "Waiting for the first sample." : "Samples are arriving.", data));
        }

        var description = string.Create(
            CultureInfo.InvariantCulture,
            $"No sample for {age.TotalSeconds:0.###} s (more than {settings.StaleAfterIntervals} × {settings.SourceInterval.TotalSeconds:0.###} s).");
        return Task.FromResult(HealthCheckResult.Degraded(description, data: data));
    }
}
