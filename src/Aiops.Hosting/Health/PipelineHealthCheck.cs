using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Aiops.Hosting.Health;

/// <summary>
/// <c>pipeline</c>: Healthy while the host runs both stages and their channels are open; Degraded when a channel is full
/// (samples are being dropped, or new signals refused until correlation catches up); Unhealthy when a stage is not registered, the host has not started or is stopping, or a
/// channel is closed.
/// </summary>
internal sealed class PipelineHealthCheck(
    AiopsPipelineWriter writer,
    IEnumerable<IHostedService> hostedServices,
    IOptions<AiopsOptions> options,
    IHostApplicationLifetime? lifetime = null) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var samples = writer.Samples.Reader;
        var signals = writer.Signals.Reader;
        var channels = options.Value.Channels;
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["samples_queued"] = samples.CanCount ? samples.Count : -1,
            ["signals_queued"] = signals.CanCount ? signals.Count : -1,
            ["episodes_queued"] = writer.Episodes.Count,
        };

        string? problem = null;
        var hosted = hostedServices.ToList();
        if (!hosted.OfType<DetectionStage>().Any() || !hosted.OfType<CorrelationStage>().Any())
        {
            problem = "The pipeline stages are not running in this host.";
        }
        else if (lifetime is not null && lifetime.ApplicationStopping.IsCancellationRequested)
        {
            problem = "The host is stopping.";
        }
        else if (lifetime is not null && !lifetime.ApplicationStarted.IsCancellationRequested)
        {
            problem = "The host has not started.";
        }
        else if (samples.Completion.IsCompleted || signals.Completion.IsCompleted)
        {
            problem = "A pipeline channel is closed: a stage has stopped.";
        }

        if (problem is not null)
        {
            return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus, problem, data: data));
        }

        if ((samples.CanCount && samples.Count >= channels.SampleCapacity) || (signals.CanCount && signals.Count >= channels.SignalCapacity))
        {
            return Task.FromResult(HealthCheckResult.Degraded("A pipeline channel is full: samples are being dropped or new signals refused (the webhook answers 503 and Alertmanager retries).", data: data));
        }

        return Task.FromResult(HealthCheckResult.Healthy("Detection and correlation are running.", data));
    }
}
