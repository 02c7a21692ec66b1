using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Aiops.Hosting.Health;

/// <summary>What the sources know of the systems they read (Prometheus): which are failing, since when and why. Thread-safe.</summary>
internal sealed class DependencyHealth
{
    private readonly ConcurrentDictionary<string, (DateTimeOffset Since, string Reason)> _failing = new(StringComparer.Ordinal);

    /// <summary>Records that <paramref name="dependency"/> is failing (the first time keeps its start).</summary>
    public void Failing(string dependency, DateTimeOffset since, string reason) =>
        _failing.AddOrUpdate(dependency, (since, reason), (_, known) => (known.Since, reason));

    /// <summary>Records that <paramref name="dependency"/> answers again.</summary>
    public void Recovered(string dependency) => _failing.TryRemove(dependency, out _);

    /// <summary>The failing dependencies, by name.</summary>
    public IReadOnlyDictionary<string, (DateTimeOffset Since, string Reason)> Snapshot() => new Dictionary<string, (DateTimeOffset, string)>(_failing, StringComparer.Ordinal);
}

/// <summary><c>dependencies</c>: Degraded while a source's dependency (a Prometheus server) fails, Healthy otherwise.</summary>
internal sealed class DependencyHealthCheck(DependencyHealth dependencies) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var failing = dependencies.Snapshot();
        if (failing.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy("Every dependency answers."));
        }

        var data = failing.ToDictionary(
            static p => p.Key,
            static p => (object)string.Create(CultureInfo.InvariantCulture, $"failing since {p.Value.Since:O}: {p.Value.Reason}"),
            StringComparer.Ordinal);
        return Task.FromResult(HealthCheckResult.Degraded($"{failing.Count} dependenc{(failing.Count == 1 ? "y is" : "ies are")} failing: {string.Join(", ", failing.Keys)}.", data: data));
    }
}
