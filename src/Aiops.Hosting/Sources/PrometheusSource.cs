using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.Json;
using Aiops.Detection;
using Aiops.Gates.Internal;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Polly.Timeout;

namespace Aiops.Hosting;

/// <summary>
/// A hosted source that polls PromQL queries through the Prometheus HTTP API (<c>GET /api/v1/query_range</c>) every
/// <see cref="PrometheusSourceOptions.PollInterval"/> and writes one <see cref="MetricSample"/> per returned point, in time order.
/// </summary>
/// <remarks>
/// Windows are aligned to <see cref="PrometheusSourceOptions.Step"/>: the first poll reaches back
/// <see cref="PrometheusSourceOptions.Lookback"/>, each later one asks only for the steps after the last successful window, and
/// per series only points newer than the last one written are emitted. A failed poll (HTTP error after retries, timeout, an
/// error body, malformed JSON, a body over <see cref="PrometheusSourceOptions.MaxResponseBytes"/>, a result that is not a
/// matrix) is logged and counted on <c>aiops.hosting.prometheus.polls</c>, and the next poll asks again for the missed window.
/// Polls are serialized.
/// <para>
/// Points not written are counted on <c>aiops.hosting.prometheus.skipped</c> by reason, and never move their series'
/// watermark: <c>invalid_labels</c> (every point of a series whose labels cannot form a <see cref="SeriesKey"/>: a
/// <see langword="null"/> value, an empty or repeated name; the other series of the answer are written),
/// <c>invalid_timestamp</c> (not a finite time <see cref="DateTimeOffset"/> can hold), <c>future</c> (at or after the step
/// following the asked window: Prometheus never answers one, and accepting it would silence the series until then),
/// <c>duplicate</c> (the time of the last point written) and <c>out_of_order</c> (before it).
/// </para>
/// </remarks>
internal sealed class PrometheusSource : IHostedService, IDisposable
{
    private readonly PrometheusSourceOptions _options;
    private readonly IHttpClientFactory _clients;
    private readonly string _clientName;
    private readonly AiopsPipelineWriter _writer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Counter<long> _polls;
    private readonly Counter<long> _samples;
    private readonly Counter<long> _skipped;
    private readonly QueryState[] _queries;
    private readonly Health.DependencyHealth? _health;
    private readonly string _dependency;
    private int _failedRounds;
    private readonly SemaphoreSlim _pollGate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public PrometheusSource(
        PrometheusSourceOptions options,
        string clientName,
        IHttpClientFactory clients,
        AiopsPipelineWriter writer,
        TimeProvider timeProvider,
        IMeterFactory meterFactory,
        ILogger<PrometheusSource> logger,
        Health.DependencyHealth? health = null)
    {
        _health = health;
        _dependency = "prometheus " + (options.BaseAddress is { } address ? WithoutCredentials(address) : clientName);
        _options = options;
        _clientName = clientName;
        _clients = clients;
        _writer = writer;
        _time = timeProvider;
        _logger = NonThrowingLogger.Wrap(logger);
        var meter = meterFactory.Create(HostingTelemetry.MeterName);
        _polls = meter.CreateCounter<long>("aiops.hosting.prometheus.polls", "{query}", "Prometheus query_range polls, by outcome (success, http_error, timeout, error_status, malformed, too_large, unexpected_result, failed).");
        _samples = meter.CreateCounter<long>("aiops.hosting.prometheus.samples", "{sample}", "Samples read from Prometheus query_range results and written to the pipeline.");
        _skipped = meter.CreateCounter<long>("aiops.hosting.prometheus.skipped", "{sample}", "Points of Prometheus query_range results not written to the pipeline, by reason (invalid_labels, invalid_timestamp, future, duplicate, out_of_order).");
        _queries = [.. options.Queries.Select(q => new QueryState(q))];
    }

    // The dependency's name is shown on the health endpoint and in logs: a base address with a user and password
    // (http://user:secret@host/) keeps its host, not its secret.
    private static string WithoutCredentials(Uri address) =>
        string.IsNullOrEmpty(address.UserInfo) ? address.ToString() : new UriBuilder(address) { UserName = string.Empty, Password = string.Empty }.Uri.ToString();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(LoopAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await Task.WhenAny(_loop, Task.Delay(Timeout.Infinite, cancellationToken)).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        _stop.Dispose();
        _pollGate.Dispose();
    }

    /// <summary>Polls every query once for the window since its last successful poll. Never throws, except on cancellation.</summary>
    internal async Task PollOnceAsync(CancellationToken cancellationToken)
    {
        await _pollGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _time.GetUtcNow();
            var failed = 0;
            foreach (var query in _queries)
            {
                if (!await PollAsync(query, now, cancellationToken).ConfigureAwait(false))
                {
                    failed++;
                }
            }

            _failedRounds = failed == _queries.Length && failed > 0 ? _failedRounds + 1 : 0;
        }
        finally
        {
            _pollGate.Release();
        }
    }

    private const int MaxBackoffExponent = 5;

    /// <summary>The earliest Unix time in milliseconds a <see cref="DateTimeOffset"/> holds.</summary>
    private static readonly double MinMs = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();

    /// <summary>The latest Unix time in milliseconds a <see cref="DateTimeOffset"/> holds.</summary>
    private static readonly double MaxMs = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    private static long AlignDown(long ms, long stepMs) => ms - (((ms % stepMs) + stepMs) % stepMs);

    private static string Seconds(long ms) => (ms / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);

    private async Task LoopAsync()
    {
        var timer = new PeriodicTimer(_options.PollInterval, _time);
        using (timer)
        {
            try
            {
                do
                {
                    await PollOnceAsync(_stop.Token).ConfigureAwait(false);

                    // Every query failed: back off exponentially (2, 4, ... up to 32 intervals) so an outage is not hammered.
                    for (var skip = (1 << Math.Min(_failedRounds, MaxBackoffExponent)) - 1; skip > 0; skip--)
                    {
                        await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false);
                    }
                }
                while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false));
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
        }
    }

    private async Task<bool> PollAsync(QueryState query, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var stepMs = (long)_options.Step.TotalMilliseconds;
        var endMs = AlignDown(now.ToUnixTimeMilliseconds(), stepMs);
        var earliest = AlignDown(endMs - (long)_options.Lookback.TotalMilliseconds, stepMs);
        var startMs = query.LastEndMs is { } last ? Math.Max(last + stepMs, earliest) : earliest;
        if (startMs > endMs)
        {
            return true; // no new step yet
        }

        var uri = "api/v1/query_range?query=" + Uri.EscapeDataString(query.Query.Expr)
            + "&start=" + Seconds(startMs) + "&end=" + Seconds(endMs) + "&step=" + Seconds(stepMs);
        string outcome;
        string? problem = null;
        Exception? error = null;
        try
        {
            var client = _clients.CreateClient(_clientName);
            using var response = await client.GetAsync(new Uri(uri, UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var (body, tooLarge) = await ReadBodyAsync(response, _options.MaxResponseBytes, cancellationToken).ConfigureAwait(false);
            if (tooLarge)
            {
                outcome = "too_large";
                problem = $"the response is larger than MaxResponseBytes ({_options.MaxResponseBytes} bytes); narrow the query or raise the limit";
            }
            else if (body is { Status: "error" })
            {
                outcome = "error_status";
                problem = $"the query was rejected: {body.ErrorType}: {body.Error}";
            }
            else if (!response.IsSuccessStatusCode)
            {
                outcome = "http_error";
                problem = $"HTTP {(int)response.StatusCode} after retries";
            }
            else if (body is not { Status: "success", Data: { } data })
            {
                outcome = "malformed";
                problem = "the response is not a query_range answer";
            }
            else if (!string.Equals(data.ResultType, "matrix", StringComparison.Ordinal) || data.Result is null)
            {
                outcome = "unexpected_result";
                problem = $"a {data.ResultType ?? "(none)"} result, not a matrix; the query must return a range vector";
            }
            else
            {
                _samples.Add(Emit(query, data.Result, startMs, endMs));
                query.LastEndMs = endMs;
                outcome = "success";
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (JsonException ex)
        {
            (outcome, problem, error) = ("malformed", "the response is not valid JSON", ex);
        }
        catch (Exception ex) when (ex is TimeoutRejectedException or TaskCanceledException or TimeoutException)
        {
            (outcome, problem, error) = ("timeout", "no answer within the timeout", ex);
        }
        catch (HttpRequestException ex)
        {
            (outcome, problem, error) = ("http_error", ex.Message, ex);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            (outcome, problem, error) = ("failed", ex.Message, ex);
        }

        _polls.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        Report(query, outcome, problem, error, now);
        return problem is null;
    }

    // Once per change of state: the first failure of a kind is a warning without a stack trace (the message says what failed),
    // repeats of it are debug (with the exception, for who needs it), and the first success after failures says it recovered.
    private void Report(QueryState query, string outcome, string? problem, Exception? error, DateTimeOffset now)
    {
        var previous = query.Outcome;
        query.Outcome = outcome;
        if (problem is null)
        {
            if (query.FailingSince is { } since)
            {
                PrometheusSourceLog.Recovered(_logger, query.Query.Expr, query.Failures, (now - since).TotalSeconds);
                (query.FailingSince, query.Failures) = (null, 0);
                if (_queries.All(static q => q.FailingSince is null))
                {
                    _health?.Recovered(_dependency);
                }
            }

            return;
        }

        query.FailingSince ??= now;
        query.Failures++;
        _health?.Failing(_dependency, query.FailingSince.Value, $"{query.Query.Expr}: {problem}");
        if (!string.Equals(previous, outcome, StringComparison.Ordinal))
        {
            PrometheusSourceLog.Failing(_logger, _dependency, query.Query.Expr, outcome, problem);
        }
        else
        {
            PrometheusSourceLog.StillFailing(_logger, error, _dependency, query.Query.Expr, outcome, query.Failures);
        }
    }

    /// <summary>Reads the JSON body, at most <paramref name="maxBytes"/> of it: <c>TooLarge</c> when the body is longer.</summary>
    private static async Task<(PrometheusResponse? Body, bool TooLarge)> ReadBodyAsync(HttpResponseMessage response, int maxBytes, CancellationToken cancellationToken)
    {
        var media = response.Content.Headers.ContentType?.MediaType;
        if (response.Content.Headers.ContentLength is 0 || (media is not null && !media.Contains("json", StringComparison.OrdinalIgnoreCase)))
        {
            return (null, false); // an HTML error page from a proxy, say
        }

        if (response.Content.Headers.ContentLength > maxBytes)
        {
            return (null, true);
        }

        var limited = new LimitedReadStream(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), maxBytes);
        await using (limited.ConfigureAwait(false))
        {
            try
            {
                return (await JsonSerializer.DeserializeAsync(limited, PrometheusSourceJsonContext.Default.PrometheusResponse, cancellationToken).ConfigureAwait(false), false);
            }
            catch (Exception) when (limited.Exceeded)
            {
                return (null, true);
            }
            catch (JsonException) when (!response.IsSuccessStatusCode)
            {
                return (null, false);
            }
        }
    }

    /// <summary>
    /// Writes the points newer than each series' last one, all series merged in time order; returns how many. Points it does
    /// not write are counted as skipped, and the series' watermarks move only once every point to write is collected.
    /// </summary>
    private int Emit(QueryState query, List<PrometheusSeries> result, long startMs, long endMs)
    {
        var points = new List<MetricSample>();
        var newestOf = new Dictionary<SeriesKey, long>();
        var futureMs = endMs + (long)_options.Step.TotalMilliseconds; // the first step of the next window
        foreach (var series in result)
        {
            if (series?.Values is not { Count: > 0 } values)
            {
                continue;
            }

            if (!QueryState.TryKeyOf(query.Query, series.Metric, out var key))
            {
                Skipped("invalid_labels", values.Count);
                continue;
            }

            var newest = newestOf.TryGetValue(key, out var seen) ? seen
                : query.LastMs.TryGetValue(key, out var lastMs) ? lastMs : long.MinValue;
            foreach (var point in values)
            {
                var exact = Math.Round(point.Seconds * 1000, MidpointRounding.AwayFromZero);
                if (!(exact >= MinMs && exact <= MaxMs)) // NaN and infinities included
                {
                    Skipped("invalid_timestamp", 1);
                    continue;
                }

                var ms = (long)exact;
                if (ms >= futureMs)
                {
                    Skipped("future", 1);
                    continue;
                }

                if (ms <= newest)
                {
                    Skipped(ms == newest ? "duplicate" : "out_of_order", 1);
                    continue;
                }

                points.Add(new MetricSample(key, DateTimeOffset.FromUnixTimeMilliseconds(ms), point.Value));
                newest = ms;
            }

            if (newest != long.MinValue)
            {
                newestOf[key] = newest;
            }
        }

        // Every key is built and every point checked: only now do the watermarks move, so that nothing above, should it
        // fail, leaves points of this window marked as written that were not.
        foreach (var (key, newest) in newestOf)
        {
            query.LastMs[key] = newest;
        }

        // Series not seen since before this window cannot collide with later windows: forget them.
        foreach (var stale in query.LastMs.Where(p => p.Value < startMs - (long)_options.Step.TotalMilliseconds).Select(p => p.Key).ToList())
        {
            query.LastMs.Remove(stale);
        }

        points.Sort(static (a, b) => a.Timestamp.CompareTo(b.Timestamp)); // List.Sort is unstable; series order within a timestamp does not matter
        foreach (var sample in points)
        {
            _writer.TryWriteSample(sample);
        }

        return points.Count;
    }

    private void Skipped(string reason, int count) => _skipped.Add(count, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>The state of one query: the end of its last successful window and the last point written per series.</summary>
    private sealed class QueryState(PrometheusQuery query)
    {
        public PrometheusQuery Query { get; } = query;

        public long? LastEndMs { get; set; }

        public string? Outcome { get; set; }

        public DateTimeOffset? FailingSince { get; set; }

        public int Failures { get; set; }

        public Dictionary<SeriesKey, long> LastMs { get; } = [];

        /// <summary>The key of a result series; <see langword="false"/> when its labels cannot form one (a null value, an empty or repeated name).</summary>
        public static bool TryKeyOf(PrometheusQuery query, Dictionary<string, string>? metric, [NotNullWhen(true)] out SeriesKey? key)
        {
            var name = query.Name is { Length: > 0 } n ? n : query.Expr;
            if (metric is null || metric.Count == 0)
            {
                key = new SeriesKey(name);
                return true;
            }

            foreach (var (label, value) in metric)
            {
                if (string.IsNullOrEmpty(label) || value is null)
                {
                    key = null;
                    return false;
                }
            }

            if (metric.TryGetValue("__name__", out var metricName) && metricName.Length > 0)
            {
                name = metricName;
            }

            try
            {
                key = new SeriesKey(name, metric.Where(static p => p.Key != "__name__"));
                return true;
            }
            catch (ArgumentException)
            {
                key = null; // anything else SeriesKey refuses
                return false;
            }
        }
    }
}

/// <summary>The log messages of <see cref="PrometheusSource"/>.</summary>
internal static partial class PrometheusSourceLog
{
    [LoggerMessage(EventId = 5120, Level = LogLevel.Warning, Message = "Polling {Dependency} for query {Query} fails ({Outcome}: {Problem}); retrying with backoff, the window will be asked again. Logged once until the state changes.")]
    public static partial void Failing(ILogger logger, string dependency, string query, string outcome, string problem);

    [LoggerMessage(EventId = 5121, Level = LogLevel.Debug, Message = "Polling {Dependency} for query {Query} still fails ({Outcome}), {Failures} times in a row.")]
    public static partial void StillFailing(ILogger logger, Exception? exception, string dependency, string query, string outcome, int failures);

    [LoggerMessage(EventId = 5122, Level = LogLevel.Information, Message = "Query {Query} answers again after {Failures} failed polls ({Seconds:0.#} s).")]
    public static partial void Recovered(ILogger logger, string query, int failures, double seconds);
}
