using Verify = Aiops.Analyzers.Tests.Verifiers.CSharpCodeFixVerifier<Aiops.Analyzers.PrometheusNamingAnalyzer, Aiops.Analyzers.PrometheusNamingCodeFix>;

namespace Aiops.Analyzers.Tests;

public sealed class PrometheusNamingAnalyzerTests
{
    private const string Prefix = """
        using Prometheus;

        public static class Telemetry
        {
        """;

    private const string Suffix = """

        }
        """;

    [Fact]
    public async Task CreateCounter_PascalCaseName_ReportsAndRenamesToSnakeCaseTotal()
    {
        var source = Prefix + """
                public static readonly Counter Requests = Metrics.CreateCounter({|#0:"RequestCount"|}, "Requests handled.");
            """ + Suffix;
        var fixedSource = Prefix + """
                public static readonly Counter Requests = Metrics.CreateCounter("request_count_total", "Requests handled.");
            """ + Suffix;

        await Verify.VerifyCodeFixAsync(source, fixedSource, Verify.Diagnostic().WithLocation(0)
            .WithArguments("RequestCount", "names are snake_case; a counter's name ends in '_total' (use 'request_count_total')"));
    }

    [Fact]
    public async Task CreateCounter_ConventionalNamesAndLabels_DoesNotReport()
    {
        var source = Prefix + """
                public static readonly Counter Requests = Metrics.CreateCounter("http_requests_total", "Requests.", "method", "status_code");
                public static readonly Gauge Depth = Metrics.CreateGauge("queue_depth", "Items waiting.");
                public static readonly Histogram Latency = Metrics.CreateHistogram("http_request_duration_seconds", "Latency.", new HistogramConfiguration { LabelNames = new[] { "route" } });
                public static readonly Summary Size = Metrics.CreateSummary("response_size_bytes", "Size.");
                public static Counter Dynamic(string name) => Metrics.CreateCounter(name, "Not a constant: not checked.");
            """ + Suffix;

        await Verify.VerifyCodeFixAsync(source, source);
    }

    [Fact]
    public async Task CreateGauge_TotalSuffix_ReportsAndRemovesTotal()
    {
        var source = Prefix + """
                public static readonly Gauge Depth = Metrics.CreateGauge({|#0:"queue_depth_total"|}, "Items waiting.");
            """ + Suffix;
        var fixedSource = Prefix + """
                public static readonly Gauge Depth = Metrics.CreateGauge("queue_depth", "Items waiting.");
            """ + Suffix;

        await Verify.VerifyCodeFixAsync(source, fixedSource, Verify.Diagnostic().WithLocation(0)
            .WithArguments("queue_depth_total", "only counters end in '_total', and this is a gauge (use 'queue_depth')"));
    }

    [Fact]
    public async Task CreateHistogram_MillisecondUnit_ReportsWithoutFix()
    {
        var source = Prefix + """
                public static readonly Histogram Latency = Metrics.CreateHistogram({|#0:"request_latency_ms"|}, "Latency.");
            """ + Suffix;

        await Verify.VerifyCodeFixAsync(source, source, Verify.Diagnostic().WithLocation(0)
            .WithArguments("request_latency_ms", "'_ms' is not a base unit; record seconds (and convert the values) as '_seconds'"));
    }

    [Fact]
    public async Task CreateCounter_ReservedPrefix_ReportsWithoutFix()
    {
        var source = Prefix + """
                public static readonly Counter Internal = Metrics.CreateCounter({|#0:"__internal_total"|}, "Reserved.");
            """ + Suffix;

        await Verify.VerifyCodeFixAsync(source, source, Verify.Diagnostic().WithLocation(0)
            .WithArguments("__internal_total", "the prefix '__' is reserved for Prometheus' internal use"));
    }

    [Fact]
    public async Task CreateCounter_BadLabelNames_ReportsEachAndFixesTheSnakeCaseOne()
    {
        var source = Prefix + """
                public static readonly Counter Requests = Metrics.CreateCounter("http_requests_total", "Requests.", {|#0:"statusCode"|}, {|#1:"__shard"|});
                public static readonly Histogram Latency = Metrics.CreateHistogram("http_request_duration_seconds", "Latency.", new HistogramConfiguration { LabelNames = new[] { {|#2:"le"|} } });
            """ + Suffix;
        var fixedSource = Prefix + """
                public static readonly Counter Requests = Metrics.CreateCounter("http_requests_total", "Requests.", "status_code", {|#1:"__shard"|});
                public static readonly Histogram Latency = Metrics.CreateHistogram("http_request_duration_seconds", "Latency.", new HistogramConfiguration { LabelNames = new[] { {|#2:"le"|} } });
            """ + Suffix;

        var test = new Verify.Test { TestCode = source, FixedCode = fixedSource };
        test.ExpectedDiagnostics.Add(Verify.Diagnostic().WithLocation(0).WithArguments("statusCode", "label: label names are snake_case (use 'status_code')"));
        test.ExpectedDiagnostics.Add(Verify.Diagnostic().WithLocation(1).WithArguments("__shard", "label: the prefix '__' is reserved for Prometheus' internal use"));
        test.ExpectedDiagnostics.Add(Verify.Diagnostic().WithLocation(2).WithArguments("le", "label: 'le' is reserved by the histogram itself"));
        test.FixedState.ExpectedDiagnostics.Add(Verify.Diagnostic().WithLocation(1).WithArguments("__shard", "label: the prefix '__' is reserved for Prometheus' internal use"));
        test.FixedState.ExpectedDiagnostics.Add(Verify.Diagnostic().WithLocation(2).WithArguments("le", "label: 'le' is reserved by the histogram itself"));
        await test.RunAsync();
    }

    [Fact]
    public async Task FactoryCreateCounter_CustomRegistry_Reports()
    {
        var source = Prefix + """
                public static Counter Create(CollectorRegistry registry) => Metrics.WithCustomRegistry(registry).CreateCounter({|#0:"jobs-processed"|}, "Jobs.");
            """ + Suffix;
        var fixedSource = Prefix + """
                public static Counter Create(CollectorRegistry registry) => Metrics.WithCustomRegistry(registry).CreateCounter("jobs_processed_total", "Jobs.");
            """ + Suffix;

        await Verify.VerifyCodeFixAsync(source, fixedSource, Verify.Diagnostic().WithLocation(0)
            .WithArguments("jobs-processed", "names contain only [a-z0-9_]; use snake_case; a counter's name ends in '_total' (use 'jobs_processed_total')"));
    }

    [Theory]
    [InlineData("RequestCount", "request_count")]
    [InlineData("HTTPRequests", "http_requests")]
    [InlineData("requestLatencyP99", "request_latency_p99")]
    [InlineData("jobs.processed-count", "jobs_processed_count")]
    [InlineData("already_snake", "already_snake")]
    public void ToSnakeCase_Names_Converts(string name, string expected) => Assert.Equal(expected, PrometheusNames.ToSnakeCase(name));
}
