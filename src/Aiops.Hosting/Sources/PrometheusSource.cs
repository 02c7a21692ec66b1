using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Aiops.Detection;
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
/// error body, malformed JSON, a result that is not a matrix) is logged and counted on <c>aiops.hosting.prometheus.polls</c>,
/// and the next poll asks again for the missed window. Polls are serialized.
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
    private readonly QueryState[] _queries;
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
        ILogger<PrometheusSource> logger)
    {
        _options = options;
        _clientName = clientName;
        _clients = clients;
        _writer = writer;
        _time = timeProvider;
        _logger = logger;
        var meter = meterFactory.Create(HostingTelemetry.MeterName);
        _polls = meter.CreateCounter<long>("aiops.hosting.prometheus.polls", "{query}", "Prometheus query_range polls, by outcome (success, http_error, timeout, error_status, malformed, unexpected_result, failed).");
        _samples = meter.CreateCounter<long>("aiops.hosting.prometheus.samples", "{sample}", "Samples read from Prometheus query_range results and written to the pipeline.");
        _queries = [.. options.Queries.Select(q => new QueryState(q))];
    }

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
            foreach (var query in _queries)
            {
                await PollAsync(query, now, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _pollGate.Release();
        }
    }

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
                }
                while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false));
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
        }
    }

    private async Task PollAsync(QueryState query, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var stepMs = (long)_options.Step.TotalMilliseconds;
        var endMs = AlignDown(now.ToUnixTimeMilliseconds(), stepMs);
        var earliest = AlignDown(endMs - (long)_options.Lookback.TotalMilliseconds, stepMs);
        var startMs = query.LastEndMs is { } last ? Math.Max(last + stepMs, earliest) : earliest;
        if (startMs > endMs)
        {
            return; // no new step yet
        }

        var uri = "api/v1/query_range?query=" + Uri.EscapeDataString(query.Query.Expr)
            + "&start=" + Seconds(startMs) + "&end=" + Seconds(endMs) + "&step=" + Seconds(stepMs);
        string outcome;
        try
        {
            var client = _clients.CreateClient(_clientName);
            using var response = await client.GetAsync(new Uri(uri, UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var body = await ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
            if (body is { Status: "error" })
            {
                outcome = "error_status";
                PrometheusSourceLog.ErrorStatus(_logger, query.Query.Expr, body.ErrorType ?? string.Empty, body.Error ?? string.Empty);
            }
            else if (!response.IsSuccessStatusCode)
            {
                outcome = "http_error";
                PrometheusSourceLog.HttpError(_logger, query.Query.Expr, (int)response.StatusCode);
            }
            else if (body is not { Status: "success", Data: { } data })
            {
                outcome = "malformed";
                PrometheusSourceLog.Malformed(_logger, null, query.Query.Expr);
            }
            else if (!string.Equals(data.ResultType, "matrix", StringComparison.Ordinal) || data.Result is null)
            {
                outcome = "unexpected_result";
                PrometheusSourceLog.UnexpectedResult(_logger, query.Query.Expr, data.ResultType ?? "(none)");
            }
            else
            {
                _samples.Add(Emit(query, data.Result, startMs));
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
            outcome = "malformed";
            PrometheusSourceLog.Malformed(_logger, ex, query.Query.Expr);
        }
        catch (Exception ex) when (ex is TimeoutRejectedException or TaskCanceledException or TimeoutException)
        {
            outcome = "timeout";
            PrometheusSourceLog.Failed(_logger, ex, query.Query.Expr, outcome);
        }
        catch (HttpRequestException ex)
        {
            outcome = "http_error";
            PrometheusSourceLog.Failed(_logger, ex, query.Query.Expr, outcome);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            outcome = "failed";
            PrometheusSourceLog.Failed(_logger, ex, query.Query.Expr, outcome);
        }

        _polls.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
    }

    /// <summary>Reads a JSON body; <see langword="null"/> for none. Malformed JSON throws only for a success status: an error page is just an error.</summary>
    private static async Task<PrometheusResponse?> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var media = response.Content.Headers.ContentType?.MediaType;
        if (response.Content.Headers.ContentLength is 0 || (media is not null && !media.Contains("json", StringComparison.OrdinalIgnoreCase)))
        {
            return null; // an HTML error page from a proxy, say
        }

        try
        {
            return await response.Content.ReadFromJsonAsync(PrometheusSourceJsonContext.Default.PrometheusResponse, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException) when (!response.IsSuccessStatusCode)
        {
            return null;
        }
    }

    /// <summary>Writes the points newer than each series' last one, all series merged in time order; returns how many.</summary>
    private int Emit(QueryState query, List<PrometheusSeries> result, long startMs)
    {
        var points = new List<MetricSample>();
        foreach (var series in result)
        {
            if (series.Values is not { Count: > 0 } values)
            {
                continue;
            }

            var key = query.KeyOf(series.Metric);
            var newest = query.LastMs.TryGetValue(key, out var lastMs) ? lastMs : long.MinValue;
            var before = newest;
            foreach (var point in values)
            {
                var ms = (long)Math.Round(point.Seconds * 1000, MidpointRounding.AwayFromZero);
                if (ms <= newest)
                {
                    continue; // already written, or out of order
                }

                points.Add(new MetricSample(key, DateTimeOffset.FromUnixTimeMilliseconds(ms), point.Value));
                newest = ms;
            }

            if (newest != before)
            {
                query.LastMs[key] = newest;
            }
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

    /// <summary>The state of one query: the end of its last successful window and the last point written per series.</summary>
    private sealed class QueryState(PrometheusQuery query)
    {
        public PrometheusQuery Query { get; } = query;

        public long? LastEndMs { get; set; }

        public Dictionary<SeriesKey, long> LastMs { get; } = [];

        public SeriesKey KeyOf(Dictionary<string, string>? metric)
        {
            var name = Query.Name is { Length: > 0 } n ? n : Query.Expr;
            if (metric is null || metric.Count == 0)
            {
                return new SeriesKey(name);
            }

            if (metric.TryGetValue("__name__", out var metricName) && metricName.Length > 0)
            {
                name = metricName;
            }

            return new SeriesKey(name, metric.Where(static p => p.Key != "__name__"));
        }
    }
}

/// <summary>The log messages of <see cref="PrometheusSource"/>.</summary>
internal static partial class PrometheusSourceLog
{
    [LoggerMessage(EventId = 5120, Level = LogLevel.Warning, Message = "Prometheus answered HTTP {StatusCode} to query {Query} after retries; the window will be asked again.")]
    public static partial void HttpError(ILogger logger, string query, int statusCode);

    [LoggerMessage(EventId = 5121, Level = LogLevel.Warning, Message = "Prometheus rejected query {Query}: {ErrorType}: {Error}.")]
    public static partial void ErrorStatus(ILogger logger, string query, string errorType, string error);

    [LoggerMessage(EventId = 5122, Level = LogLevel.Warning, Message = "Prometheus returned a malformed response to query {Query}; the window will be asked again.")]
    public static partial void Malformed(ILogger logger, Exception? exception, string query);

    [LoggerMessage(EventId = 5123, Level = LogLevel.Warning, Message = "Query {Query} returned a {ResultType} result, not a matrix; it was ignored.")]
    public static partial void UnexpectedResult(ILogger logger, string query, string resultType);

    [LoggerMessage(EventId = 5124, Level = LogLevel.Warning, Message = "Polling Prometheus query {Query} failed ({Outcome}); the window will be asked again.")]
    public static partial void Failed(ILogger logger, Exception exception, string query, string outcome);
}
