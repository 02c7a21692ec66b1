using System.ComponentModel.DataAnnotations;

namespace Aiops.Hosting;

/// <summary>One PromQL query polled by a Prometheus source (<c>AiopsBuilder.AddPrometheusSource</c>).</summary>
public sealed class PrometheusQuery
{
    /// <summary>
    /// Gets or sets the metric name of the query's series when the result has no <c>__name__</c> label (a <c>rate(...)</c> or an
    /// aggregation drops it). Optional: without it such series are named by <see cref="Expr"/>.
    /// </summary>
    public string? Name { get; set; }

    /// <summary>Gets or sets the PromQL expression, evaluated with <c>/api/v1/query_range</c>. Required.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Expr { get; set; } = string.Empty;
}

/// <summary>Options of a Prometheus HTTP API source (<c>AiopsBuilder.AddPrometheusSource</c>).</summary>
public sealed class PrometheusSourceOptions : IValidatableObject
{
    /// <summary>The most points per series that Prometheus returns for one <c>query_range</c> request.</summary>
    internal const int MaxPointsPerRequest = 11_000;

    /// <summary>Gets or sets the address of the Prometheus server, e.g. <c>http://127.0.0.1:9090</c>. Required; absolute http or https.</summary>
    [Required]
    public Uri? BaseAddress { get; set; }

    /// <summary>Gets the queries; each poll evaluates every one. At least one is required.</summary>
    public IList<PrometheusQuery> Queries { get; } = [];

    /// <summary>Gets or sets the resolution of <c>query_range</c>: one point per series every step. Default: 15 seconds. Range: [1 second, 1 hour].</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Step { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Gets or sets how often the queries are polled (on the host's <see cref="TimeProvider"/>). Default: 15 seconds. Range: [10 ms, 1 hour].</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Gets or sets how far back the first poll reaches, and the longest window any poll asks for (after an outage the
    /// older gap is skipped). Default: 10 minutes. Range: [0, 7 days], and at most 11,000 steps.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan Lookback { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Gets or sets the timeout of one HTTP attempt. Default: 5 seconds. Range: [10 ms, 5 minutes].</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Gets or sets how many times a failed request (connection error, timeout, 408, 429, 5xx) is retried, with exponential
    /// backoff and jitter. Default: 3. Range: [0, 10].
    /// </summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 3;

    /// <summary>Gets or sets the base delay of the exponential backoff between retries. Default: 1 second. Range: [0, 1 minute].</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets the largest response body read, in bytes: a larger answer (a query matching far more series than meant)
    /// fails the poll with the outcome <c>too_large</c> instead of exhausting memory, and its window is asked again.
    /// Default: 64 MiB (67,108,864). Range: [1 KiB, 2 GiB - 1].
    /// </summary>
    [Range(1024, int.MaxValue)]
    public int MaxResponseBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Gets or sets a bearer token sent as <c>Authorization: Bearer ...</c> on every request. Optional.</summary>
    public string? BearerToken { get; set; }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (BaseAddress is { } address && (!address.IsAbsoluteUri || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps)))
        {
            yield return new ValidationResult("The base address must be an absolute http or https address.", [nameof(BaseAddress)]);
        }

        if (Queries.Count == 0)
        {
            yield return new ValidationResult("At least one query is required.", [nameof(Queries)]);
        }

        for (var i = 0; i < Queries.Count; i++)
        {
            if (Queries[i] is null || string.IsNullOrWhiteSpace(Queries[i].Expr))
            {
                yield return new ValidationResult($"Query {i} has no PromQL expression.", [nameof(Queries)]);
            }
        }

        if (Step > TimeSpan.Zero && Lookback / Step > MaxPointsPerRequest)
        {
            yield return new ValidationResult($"The lookback spans more than {MaxPointsPerRequest} steps.", [nameof(Lookback)]);
        }
    }
}
