using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Polly;

namespace Aiops.Hosting;

/// <summary>Adds Prometheus HTTP API sources to the Aiops pipeline.</summary>
public static class AiopsBuilderPrometheusExtensions
{
    private static int _sources;

    /// <summary>
    /// Polls PromQL queries through a Prometheus server's HTTP API (<c>/api/v1/query_range</c> with a step) and feeds every
    /// returned point to detection, in time order and without duplicates. Requests go through a named <see cref="HttpClient"/>
    /// with a resilience handler: a timeout per attempt and retries with exponential backoff and jitter. Failed polls are
    /// logged and counted (<c>aiops.hosting.prometheus.polls</c> by outcome) and never stop the source. Each call adds one source.
    /// </summary>
    /// <param name="builder">The Aiops builder.</param>
    /// <param name="configure">Sets the server address, the queries and the timing.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="System.ComponentModel.DataAnnotations.ValidationException">An option is missing or out of range.</exception>
    public static AiopsBuilder AddPrometheusSource(this AiopsBuilder builder, Action<PrometheusSourceOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new PrometheusSourceOptions();
        configure(options);
        return Add(builder, options, nameof(PrometheusSourceOptions), '.');
    }

    /// <summary>Validates the options (errors named <c>prefix{separator}Property</c>) and adds the source.</summary>
    internal static AiopsBuilder Add(AiopsBuilder builder, PrometheusSourceOptions options, string prefix, char separator)
    {
        AiopsSourceConfiguration.ThrowIfInvalid(options, prefix, separator);
        var name = PipelinePrefix + Interlocked.Increment(ref _sources).ToString(System.Globalization.CultureInfo.InvariantCulture);
        QuietRetries(builder.Services);
        var address = options.BaseAddress!.AbsoluteUri;
        var baseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        builder.Services.AddHttpClient(name, client =>
            {
                client.BaseAddress = baseAddress;
                client.Timeout = Timeout.InfiniteTimeSpan; // the resilience handler times each attempt
                client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                if (!string.IsNullOrEmpty(options.BearerToken))
                {
                    client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.BearerToken);
                }
            })
            .AddResilienceHandler(name, pipeline =>
            {
                // Network time is real time, whatever clock the host polls on.
                pipeline.TimeProvider = TimeProvider.System;
                if (options.MaxRetries > 0)
                {
                    pipeline.AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = options.MaxRetries,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        Delay = options.RetryDelay,
                        ShouldRetryAfterHeader = true,
                    });
                }

                pipeline.AddTimeout(options.Timeout);
            });
        builder.Services.AddSingleton<IHostedService>(sp => new PrometheusSource(
            options,
            name,
            sp.GetRequiredService<IHttpClientFactory>(),
            sp.GetRequiredService<AiopsPipelineWriter>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            sp.GetRequiredService<ILogger<PrometheusSource>>(),
            sp.GetService<Health.DependencyHealth>()));
        return builder;
    }

    private const string PipelinePrefix = "Aiops.Hosting.Prometheus.";

    /// <summary>
    /// Polly logs every retry attempt of an outage as a warning with its stack trace; the source itself says once when its
    /// server stops answering and once when it answers again, so the attempts of its own pipelines are logged at Debug.
    /// Other pipelines of the host keep their severities.
    /// </summary>
    private static void QuietRetries(IServiceCollection services)
    {
        if (services.Any(static d => d.ServiceType == typeof(QuietRetriesMarker)))
        {
            return;
        }

        services.AddSingleton<QuietRetriesMarker>();
        services.Configure<Polly.Telemetry.TelemetryOptions>(static options =>
        {
            var previous = options.SeverityProvider;
            options.SeverityProvider = args => args.Source.PipelineName?.StartsWith(PipelinePrefix, StringComparison.Ordinal) == true
                ? Polly.Telemetry.ResilienceEventSeverity.Debug
                : previous?.Invoke(args) ?? args.Event.Severity;
        });
    }

    /// <summary>Marks that the retry severities are configured.</summary>
    private sealed class QuietRetriesMarker;
}
