using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Aiops.Detection;
using Aiops.Hosting.Tests.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Aiops.Hosting.Tests.Sources;

public sealed class PrometheusSourceTests
{
    private static readonly long StartSeconds = PipelineTestHost.Start.ToUnixTimeSeconds();
    private static readonly ConditionalWeakTable<IHost, MetricCollector<long>> Collectors = new();

    [Fact]
    public async Task PollOnce_MatrixResult_WritesSamplesWithKeysTimestampsAndValuesInTimeOrder()
    {
        await using var prometheus = await FakePrometheus.StartAsync();
        prometheus.Handler = q => (200, q["query"] == "up"
            ? Matrix(q, Series("up", [("job", "api"), ("instance", "a:1")]), Series("up", [("job", "db")]))
            : Matrix(q, Series(null, [("job", "api")])));
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var host = Build(time, prometheus, o =>
        {
            o.Queries.Add(new PrometheusQuery { Expr = "up" });
            o.Queries.Add(new PrometheusQuery { Name = "request_rate", Expr = "sum by (job) (rate(http_requests_total[5m]))" });
        });

        await Source(host).PollOnceAsync(CancellationToken.None);
        var samples = Drain(host);

        var requests = prometheus.Requests.ToList();
        Assert.Equal(2, requests.Count);
        Assert.Equal("up", requests[0]["query"]);
        Assert.Equal("sum by (job) (rate(http_requests_total[5m]))", requests[1]["query"]);
        Assert.All(requests, r =>
        {
            Assert.Equal("/api/v1/query_range", r["path"]);
            Assert.Equal((StartSeconds - 60).ToString(CultureInfo.InvariantCulture), r["start"]);
            Assert.Equal(StartSeconds.ToString(CultureInfo.InvariantCulture), r["end"]);
            Assert.Equal("15", r["step"]);
        });

        var apiA = new SeriesKey("up", [new("job", "api"), new("instance", "a:1")]);
        var db = new SeriesKey("up", [new("job", "db")]);
        var rate = new SeriesKey("request_rate", [new("job", "api")]);
        Assert.Equal(15, samples.Count); // 5 steps (start to end inclusive) for each of 3 series
        foreach (var key in new[] { apiA, db, rate })
        {
            var points = samples.Where(s => s.Series.Equals(key)).ToList();
            Assert.Equal(Enumerable.Range(0, 5).Select(i => PipelineTestHost.Start.AddSeconds(-60 + (15 * i))), points.Select(p => p.Timestamp));
            Assert.Equal(points.Select(p => ValueAt(p.Timestamp.ToUnixTimeSeconds())), points.Select(p => p.Value));
        }

        // Each query's samples are merged across series in time order.
        var firstQuery = samples.Take(10).Select(s => s.Timestamp).ToList();
        Assert.Equal(firstQuery.Order(), firstQuery);
        Assert.Equal(2, Polls(host, "success")); // two queries polled successfully
    }

    [Fact]
    public async Task PollOnce_SecondPoll_AsksOnlyForNewWindowAndEmitsNoDuplicates()
    {
        await using var prometheus = await FakePrometheus.StartAsync();
        // The server answers one step more than asked for, as a server with a lagging or unaligned window might.
        prometheus.Handler = q => (200, Matrix(q, Series("up", [("job", "api")]), extraBefore: 1));
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var host = Build(time, prometheus, o => o.Queries.Add(new PrometheusQuery { Expr = "up" }));
        var source = Source(host);

        await source.PollOnceAsync(CancellationToken.None);
        var first = Drain(host);
        time.Advance(TimeSpan.FromSeconds(37)); // two new steps, and part of a third
        await source.PollOnceAsync(CancellationToken.None);
        var second = Drain(host);
        await source.PollOnceAsync(CancellationToken.None); // no new step: no request
        var third = Drain(host);

        Assert.Equal(6, first.Count); // the extra step before the window, then the 5 steps of the window
        var requests = prometheus.Requests.ToList();
        Assert.Equal(2, requests.Count);
        Assert.Equal((StartSeconds + 15).ToString(CultureInfo.InvariantCulture), requests[1]["start"]);
        Assert.Equal((StartSeconds + 30).ToString(CultureInfo.InvariantCulture), requests[1]["end"]);
        Assert.Equal([PipelineTestHost.Start.AddSeconds(15), PipelineTestHost.Start.AddSeconds(30)], second.Select(s => s.Timestamp));
        Assert.Empty(third);
        Assert.Equal(first.Count + second.Count, first.Concat(second).Select(s => s.Timestamp).Distinct().Count());
    }

    [Fact]
    public async Task PollOnce_ServerErrorTwiceThenOk_RetriedAndSucceeds()
    {
        await using var prometheus = await FakePrometheus.StartAsync();
        var calls = 0;
        prometheus.Handler = q => Interlocked.Increment(ref calls) <= 2
            ? (500, "upstream failure")
            : (200, Matrix(q, Series("up", [("job", "api")])));
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var host = Build(time, prometheus, o => o.Queries.Add(new PrometheusQuery { Expr = "up" }));

        await Source(host).PollOnceAsync(CancellationToken.None);

        Assert.Equal(3, prometheus.Requests.Count);
        Assert.Equal(5, Drain(host).Count);
        Assert.Equal(1, Polls(host, "success"));
        Assert.Equal(0, Polls(host, "http_error"));
    }

    [Fact]
    public async Task PollOnce_ErrorBodyMalformedJsonAndVector_CountedAndSourceKeepsPolling()
    {
        await using var prometheus = await FakePrometheus.StartAsync();
        var calls = 0;
        prometheus.Handler = q => Interlocked.Increment(ref calls) switch
        {
            1 => (200, Matrix(q, Series("up", [("job", "api")]))),
            2 => (400, """{"status":"error","errorType":"bad_data","error":"parse error at char 3"}"""),
            3 => (200, """{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"""),
            4 => (200, """{"status":"success","data":{"resultType":"vector","result":[]}}"""),
            5 => (503, "not json at all"),
            _ => (200, Matrix(q, Series("up", [("job", "api")]))),
        };
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var host = Build(time, prometheus, o =>
        {
            o.Queries.Add(new PrometheusQuery { Expr = "up" });
            o.MaxRetries = 0;
        });
        var source = Source(host);

        for (var i = 0; i < 6; i++)
        {
            await source.PollOnceAsync(CancellationToken.None);
            time.Advance(TimeSpan.FromSeconds(15));
        }

        Assert.Equal(1, Polls(host, "error_status"));
        Assert.Equal(1, Polls(host, "malformed"));
        Assert.Equal(1, Polls(host, "unexpected_result"));
        Assert.Equal(1, Polls(host, "http_error"));
        Assert.Equal(2, Polls(host, "success"));
        // The failed polls did not move the window: the sixth asks again for every step after the first poll's end.
        var last = prometheus.Requests.Last();
        Assert.Equal((StartSeconds + 15).ToString(CultureInfo.InvariantCulture), last["start"]);
        Assert.Equal((StartSeconds + 75).ToString(CultureInfo.InvariantCulture), last["end"]);
        var samples = Drain(host);
        Assert.Equal(10, samples.Count);
        Assert.Equal(10, samples.Select(s => s.Timestamp).Distinct().Count());
    }

    [Fact]
    public async Task PollOnce_SlowServer_TimesOutPerAttemptAndIsCounted()
    {
        await using var prometheus = await FakePrometheus.StartAsync();
        prometheus.Handler = q => (200, Matrix(q, Series("up", [("job", "api")])));
        prometheus.Delay = TimeSpan.FromSeconds(5);
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var host = Build(time, prometheus, o =>
        {
            o.Queries.Add(new PrometheusQuery { Expr = "up" });
            o.Timeout = TimeSpan.FromMilliseconds(100);
            o.MaxRetries = 1;
        });

        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Source(host).PollOnceAsync(CancellationToken.None);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(4), $"took {watch.Elapsed}");
        Assert.Equal(2, prometheus.Requests.Count); // the attempt and one retry
        Assert.Equal(1, Polls(host, "timeout"));
        Assert.Empty(Drain(host));
    }

    [Fact]
    public async Task PollOnce_NaNAndInfinities_PassThrough()
    {
        await using var prometheus = await FakePrometheus.StartAsync();
        prometheus.Handler = _ => (200, $$$"""
            {"status":"success","data":{"resultType":"matrix","result":[
              {"metric":{"__name__":"ratio"},"values":[[{{{StartSeconds - 30}}},"NaN"],[{{{StartSeconds - 15}}}.5,"+Inf"],[{{{StartSeconds}}},"-Inf"],[{{{StartSeconds}}}.25,"1e3"]]}
            ]}}
            """);
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var host = Build(time, prometheus, o => o.Queries.Add(new PrometheusQuery { Expr = "ratio" }));

        await Source(host).PollOnceAsync(CancellationToken.None);
        var samples = Drain(host);

        Assert.Equal(4, samples.Count);
        Assert.True(double.IsNaN(samples[0].Value));
        Assert.Equal(double.PositiveInfinity, samples[1].Value);
        Assert.Equal(PipelineTestHost.Start.AddSeconds(-14.5), samples[1].Timestamp);
        Assert.Equal(double.NegativeInfinity, samples[2].Value);
        Assert.Equal(1000.0, samples[3].Value);
        Assert.All(samples, s => Assert.Equal(new SeriesKey("ratio"), s.Series));
    }

    [Fact]
    public async Task PollOnce_LabelWithNullValue_WritesKeyThatFormatsOrSkips()
    {
        await using var prometheus = await FakePrometheus.StartAsync();
        prometheus.Handler = _ => (200, $$$"""
            {"status":"success","data":{"resultType":"matrix","result":[
              {"metric":{"__name__":"up","job":null},"values":[[{{{StartSeconds}}},"1"]]}
            ]}}
            """);
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var host = Build(time, prometheus, o => o.Queries.Add(new PrometheusQuery { Expr = "up" }));

        await Source(host).PollOnceAsync(CancellationToken.None);
        var samples = Drain(host);

        // Every series the source writes must be usable downstream: its text names the series in signals, logs and the API.
        Assert.All(samples, s => Assert.NotEmpty(s.Series.ToString()));
    }

    [Fact]
    public async Task PollOnce_BadSeriesAfterGoodOne_GoodSeriesPointsNotLostOnNextPoll()
    {
        await using var prometheus = await FakePrometheus.StartAsync();
        var calls = 0;
        prometheus.Handler = q => Interlocked.Increment(ref calls) == 1
            ? (200, Matrix(q, Series("up", [("job", "api")]), Series("up", [("", "empty label name")])))
            : (200, Matrix(q, Series("up", [("job", "api")])));
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var host = Build(time, prometheus, o =>
        {
            o.Queries.Add(new PrometheusQuery { Expr = "up" });
            o.MaxRetries = 0;
        });
        var source = Source(host);

        await source.PollOnceAsync(CancellationToken.None); // the answer holds a series with an empty label name
        var first = Drain(host);
        await source.PollOnceAsync(CancellationToken.None); // the same window again, now without it
        var second = Drain(host);

        var api = new SeriesKey("up", [new("job", "api")]);
        Assert.Equal(5, first.Concat(second).Count(s => s.Series.Equals(api))); // the 5 steps of the window, written once
    }

    [Fact]
    public async Task PollOnce_PointFarOutsideAskedWindow_LaterPointsOfSeriesStillWritten()
    {
        await using var prometheus = await FakePrometheus.StartAsync();
        var calls = 0;
        prometheus.Handler = q =>
        {
            var end = long.Parse(q["end"]!, CultureInfo.InvariantCulture);
            return Interlocked.Increment(ref calls) == 1
                ? (200, $$$"""{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"up"},"values":[[{{{end}}},"1"],[9999999999,"1"]]}]}}""")
                : (200, $$$"""{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"up"},"values":[[{{{end}}},"2"]]}]}}""");
        };
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var host = Build(time, prometheus, o => o.Queries.Add(new PrometheusQuery { Expr = "up" }));
        var source = Source(host);

        await source.PollOnceAsync(CancellationToken.None); // one point in the year 2286, outside the asked window
        Drain(host);
        time.Advance(TimeSpan.FromSeconds(15));
        await source.PollOnceAsync(CancellationToken.None);
        var second = Drain(host);

        // The next step's point is written (or at least its drop is counted); here it vanishes, as will every later one until 2286.
        var point = Assert.Single(second);
        Assert.Equal(2, point.Value);
    }

    [Fact]
    public async Task PollOnce_PointsNotWritten_CountedByReasonAndGoodPointsWritten()
    {
        await using var prometheus = await FakePrometheus.StartAsync();
        prometheus.Handler = _ => (200, $$$"""
            {"status":"success","data":{"resultType":"matrix","result":[
              {"metric":{"__name__":"up","job":null},"values":[[{{{StartSeconds - 15}}},"1"],[{{{StartSeconds}}},"1"]]},
              {"metric":{"__name__":"up","job":"api"},"values":[[{{{StartSeconds - 30}}},"1"],[{{{StartSeconds - 30}}},"2"],[{{{StartSeconds - 45}}},"3"],[1e300,"4"],[{{{StartSeconds - 15}}},"5"],[{{{StartSeconds + 15}}},"6"]]}
            ]}}
            """);
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var host = Build(time, prometheus, o => o.Queries.Add(new PrometheusQuery { Expr = "up" }));
        using var skipped = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), HostingTelemetry.MeterName, "aiops.hosting.prometheus.skipped");

        await Source(host).PollOnceAsync(CancellationToken.None);
        var samples = Drain(host);

        Assert.Equal([1.0, 5.0], samples.Select(s => s.Value));
        Assert.Equal(1, Polls(host, "success"));
        var counted = skipped.GetMeasurementSnapshot().GroupBy(m => (string)m.Tags["reason"]!).ToDictionary(g => g.Key, g => g.Sum(m => m.Value));
        Assert.Equal(
            new Dictionary<string, long> { ["invalid_labels"] = 2, ["duplicate"] = 1, ["out_of_order"] = 1, ["invalid_timestamp"] = 1, ["future"] = 1 },
            counted);
    }

    [Theory]
    [InlineData(false)] // chunked: refused while it is read
    [InlineData(true)] // with a Content-Length: refused before it is read
    public async Task PollOnce_ResponseOverMaxResponseBytes_CountedTooLargeAndWindowAskedAgain(bool declareLength)
    {
        await using var prometheus = await FakePrometheus.StartAsync();
        prometheus.DeclareLength = declareLength;
        var calls = 0;
        prometheus.Handler = q => Interlocked.Increment(ref calls) == 1
            ? (200, Matrix(q, Series("up", [("job", new string('x', 4096))])))
            : (200, Matrix(q, Series("up", [("job", "api")])));
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var host = Build(time, prometheus, o =>
        {
            o.Queries.Add(new PrometheusQuery { Expr = "up" });
            o.MaxRetries = 0;
            o.MaxResponseBytes = 1024;
        });
        var source = Source(host);

        await source.PollOnceAsync(CancellationToken.None);
        var first = Drain(host);
        await source.PollOnceAsync(CancellationToken.None);
        var second = Drain(host);

        Assert.Empty(first);
        Assert.Equal(5, second.Count);
        Assert.Equal((1L, 1L), (Polls(host, "too_large"), Polls(host, "success")));
        var requests = prometheus.Requests.ToList();
        Assert.Equal(requests[0]["start"], requests[1]["start"]); // the refused window is asked again
    }

    [Fact]
    public async Task Start_PollInterval_PollsOnTheTimeProviderWithBearerToken()
    {
        await using var prometheus = await FakePrometheus.StartAsync();
        prometheus.Handler = q => (200, Matrix(q, Series("up", [("job", "api")])));
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var host = Build(time, prometheus, o =>
        {
            o.Queries.Add(new PrometheusQuery { Expr = "up" });
            o.PollInterval = TimeSpan.FromSeconds(30);
            o.BearerToken = "s3cret";
        });

        await host.StartAsync();
        Assert.True(await PipelineTestHost.WaitUntilAsync(() => prometheus.Requests.Count == 1)); // the first poll runs at start
        Assert.True(await PipelineTestHost.WaitUntilAsync(() => Polls(host, "success") == 1));
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(await PipelineTestHost.WaitUntilAsync(() => prometheus.Requests.Count == 2));
        await host.StopAsync();

        Assert.All(prometheus.Requests, r => Assert.Equal("Bearer s3cret", r["authorization"]));
        Assert.Equal((StartSeconds + 30).ToString(CultureInfo.InvariantCulture), prometheus.Requests.Last()["end"]);
    }

    [Fact]
    public void AddPrometheusSource_InvalidOptions_Throws()
    {
        var services = new ServiceCollection();
        var builder = new AiopsBuilder(services);

        Assert.Throws<ValidationException>(() => builder.AddPrometheusSource(o => o.Queries.Add(new PrometheusQuery { Expr = "up" })));
        Assert.Throws<ValidationException>(() => builder.AddPrometheusSource(o => o.BaseAddress = new Uri("http://127.0.0.1:9090")));
        Assert.Throws<ValidationException>(() => builder.AddPrometheusSource(o =>
        {
            o.BaseAddress = new Uri("ftp://127.0.0.1:9090");
            o.Queries.Add(new PrometheusQuery { Expr = "up" });
        }));
        Assert.Throws<ValidationException>(() => builder.AddPrometheusSource(o =>
        {
            o.BaseAddress = new Uri("http://127.0.0.1:9090");
            o.Queries.Add(new PrometheusQuery { Expr = "up" });
            o.Step = TimeSpan.FromSeconds(1);
            o.Lookback = TimeSpan.FromDays(1);
        }));
        Assert.Empty(services);
    }

    private static double ValueAt(long seconds) => (seconds - StartSeconds) / 15.0;

    private static IHost Build(FakeTimeProvider time, FakePrometheus prometheus, Action<PrometheusSourceOptions> configure)
    {
        var host = PipelineTestHost.Build(
            time,
            b => b.AddPrometheusSource(o =>
            {
                o.BaseAddress = prometheus.Address;
                o.Step = TimeSpan.FromSeconds(15);
                o.Lookback = TimeSpan.FromMinutes(1);
                o.PollInterval = TimeSpan.FromHours(1);
                o.RetryDelay = TimeSpan.FromMilliseconds(10);
                o.Timeout = TimeSpan.FromSeconds(10);
                configure(o);
            }),
            pipeline: false);
        Collectors.Add(host, new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), HostingTelemetry.MeterName, "aiops.hosting.prometheus.polls"));
        return host;
    }

    private static PrometheusSource Source(IHost host) => host.Services.GetServices<IHostedService>().OfType<PrometheusSource>().Single();

    private static long Polls(IHost host, string outcome)
    {
        Assert.True(Collectors.TryGetValue(host, out var collector));
        return collector.GetMeasurementSnapshot().Where(m => Equals(m.Tags["outcome"], outcome)).Sum(m => m.Value);
    }

    private static List<MetricSample> Drain(IHost host)
    {
        var reader = host.Services.GetRequiredService<AiopsPipelineWriter>().Samples.Reader;
        var samples = new List<MetricSample>();
        while (reader.TryRead(out var sample))
        {
            samples.Add(sample);
        }

        return samples;
    }

    private static (string? Name, (string Key, string Value)[] Labels) Series(string? name, (string, string)[] labels) => (name, labels);

    /// <summary>A matrix with one point per step of the asked window (value: steps since the test's start), per series.</summary>
    private static string Matrix(IQueryCollection query, (string? Name, (string Key, string Value)[] Labels) a, (string? Name, (string Key, string Value)[] Labels)? b = null, int extraBefore = 0)
    {
        var start = long.Parse(query["start"]!, CultureInfo.InvariantCulture);
        var end = long.Parse(query["end"]!, CultureInfo.InvariantCulture);
        var step = long.Parse(query["step"]!, CultureInfo.InvariantCulture);
        var result = new JsonArray();
        foreach (var series in b is { } other ? [a, other] : new[] { a })
        {
            var metric = new JsonObject();
            if (series.Name is not null)
            {
                metric["__name__"] = series.Name;
            }

            foreach (var (key, value) in series.Labels)
            {
                metric[key] = value;
            }

            var values = new JsonArray();
            for (var t = start - (extraBefore * step); t <= end; t += step)
            {
                values.Add(new JsonArray(t, ValueAt(t).ToString("R", CultureInfo.InvariantCulture)));
            }

            result.Add(new JsonObject { ["metric"] = metric, ["values"] = values });
        }

        return new JsonObject
        {
            ["status"] = "success",
            ["data"] = new JsonObject { ["resultType"] = "matrix", ["result"] = result },
        }.ToJsonString();
    }

    /// <summary>A fake Prometheus on a real Kestrel (127.0.0.1, ephemeral port) answering <c>/api/v1/query_range</c>.</summary>
    private sealed class FakePrometheus : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private FakePrometheus(WebApplication app, Uri address)
        {
            _app = app;
            Address = address;
        }

        public Uri Address { get; }

        public ConcurrentQueue<Dictionary<string, string?>> Requests { get; } = new();

        public TimeSpan Delay { get; set; }

        public bool DeclareLength { get; set; }

        public Func<IQueryCollection, (int Status, string Body)> Handler { get; set; } = _ => (404, string.Empty);

        [SuppressMessage("Reliability", "CA2000", Justification = "The fake owns the application.")]
        public static async Task<FakePrometheus> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            FakePrometheus? fake = null;
            app.MapGet("/api/v1/query_range", async (HttpContext context) =>
            {
                var request = context.Request;
                fake!.Requests.Enqueue(new Dictionary<string, string?>
                {
                    ["path"] = request.Path.Value,
                    ["query"] = request.Query["query"],
                    ["start"] = request.Query["start"],
                    ["end"] = request.Query["end"],
                    ["step"] = request.Query["step"],
                    ["authorization"] = request.Headers.Authorization.ToString(),
                });
                if (fake.Delay > TimeSpan.Zero)
                {
                    await Task.Delay(fake.Delay, context.RequestAborted);
                }

                var (status, body) = fake.Handler(request.Query);
                context.Response.StatusCode = status;
                context.Response.ContentType = "application/json";
                if (fake.DeclareLength)
                {
                    context.Response.ContentLength = System.Text.Encoding.UTF8.GetByteCount(body);
                }

                await context.Response.WriteAsync(body);
            });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            fake = new FakePrometheus(app, new Uri(address));
            return fake;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
