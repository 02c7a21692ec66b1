using System.ComponentModel.DataAnnotations;

namespace Aiops.Correlation.Tests;

public sealed class SignalClassifierTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("http_requests_total", SignalClass.Traffic)]
    [InlineData("HTTP_REQUESTS_TOTAL", SignalClass.Traffic)]
    [InlineData("api_rps", SignalClass.Traffic)]
    [InlineData("ingress_throughput", SignalClass.Traffic)]
    [InlineData("http_request_duration_seconds", SignalClass.Latency)]
    [InlineData("http_request_duration_seconds_bucket", SignalClass.Latency)]
    [InlineData("HighRequestLatency", SignalClass.Latency)]
    [InlineData("http_request_duration_seconds_count", SignalClass.Traffic)]
    [InlineData("http_request_errors_total", SignalClass.Errors)]
    [InlineData("HighErrorRate", SignalClass.Errors)]
    [InlineData("payment_failures_total", SignalClass.Errors)]
    [InlineData("http_5xx_rate", SignalClass.Errors)]
    [InlineData("unhandled_exceptions_total", SignalClass.Errors)]
    [InlineData("container_cpu_usage_seconds_total", SignalClass.Saturation)]
    [InlineData("node_memory_MemAvailable_bytes", SignalClass.Saturation)]
    [InlineData("db_connections_in_use", SignalClass.Saturation)]
    [InlineData("KafkaConsumerBacklog", SignalClass.Saturation)]
    [InlineData("aiops_anomaly_score", SignalClass.Other)]
    [InlineData("payload_size_bytes", SignalClass.Other)]
    [InlineData("", SignalClass.Other)]
    public void Classify_Name_MatchesDefaultPatterns(string name, SignalClass expected)
    {
        Assert.Equal(expected, SignalClassifier.Default.Classify(name));
    }

    [Fact]
    public void Classify_NullName_Other()
    {
        Assert.Equal(SignalClass.Other, SignalClassifier.Default.Classify((string?)null));
    }

    [Fact]
    public void Classify_SecondsWithoutHistogram_NotLatency()
    {
        var plain = SignalClassifier.Default.Classify("rpc_seconds");
        var summary = SignalClassifier.Default.Classify("rpc_seconds", new Dictionary<string, string> { ["quantile"] = "0.99" });
        var sum = SignalClassifier.Default.Classify("rpc_seconds_sum");

        Assert.Equal(SignalClass.Other, plain);
        Assert.Equal(SignalClass.Latency, summary);
        Assert.Equal(SignalClass.Latency, sum);
    }

    [Theory]
    [InlineData("503", SignalClass.Errors)]
    [InlineData("5xx", SignalClass.Errors)]
    [InlineData("error", SignalClass.Errors)]
    [InlineData("200", SignalClass.Traffic)]
    [InlineData("404", SignalClass.Traffic)]
    public void Classify_TrafficWithStatusLabel_ErrorsOnlyFor5xx(string code, SignalClass expected)
    {
        var labels = new Dictionary<string, string> { ["service"] = "api", ["code"] = code };

        Assert.Equal(expected, SignalClassifier.Default.Classify("http_requests_total", labels));
    }

    [Theory]
    [InlineData("saturation", SignalClass.Saturation)]
    [InlineData("ERRORS", SignalClass.Errors)]
    [InlineData("error", SignalClass.Errors)]
    [InlineData(" latency ", SignalClass.Latency)]
    [InlineData("other", SignalClass.Other)]
    [InlineData("banana", SignalClass.Traffic)]
    public void Classify_OverrideLabel_WinsOverName(string value, SignalClass expected)
    {
        var signal = new AnomalySignal(
            "fp",
            "http_requests_total",
            At,
            new Dictionary<string, string> { ["service"] = "api", [SignalClassifierOptions.DefaultOverrideKey] = value },
            0.9,
            Direction.Up);

        Assert.Equal(expected, SignalClassifier.Default.Classify(signal));
    }

    [Fact]
    public void Classify_AlertAnnotationOverride_WinsOverName()
    {
        var alert = Alert("HighRequestRate", annotations: new Dictionary<string, string> { ["aiops_signal_class"] = "Saturation" });

        Assert.Equal(SignalClass.Saturation, SignalClassifier.Default.Classify(alert));
    }

    [Fact]
    public void Classify_LabelAndAnnotationOverride_LabelWins()
    {
        var alert = Alert(
            "HighRequestRate",
            labels: new Dictionary<string, string> { ["aiops_signal_class"] = "latency" },
            annotations: new Dictionary<string, string> { ["aiops_signal_class"] = "saturation" });

        Assert.Equal(SignalClass.Latency, SignalClassifier.Default.Classify(alert));
    }

    [Fact]
    public void Classify_AlertByName_UsesPatterns()
    {
        Assert.Equal(SignalClass.Errors, SignalClassifier.Default.Classify(Alert("APIHighErrorRate")));
        Assert.Equal(SignalClass.Saturation, SignalClassifier.Default.Classify(Alert("KubeCPUOvercommit")));
    }

    [Fact]
    public void Classify_ChangeOrNull_Other()
    {
        var change = new ChangeSignal("d1", "deploy requests-service", At, new Dictionary<string, string>(), ChangeKind.Deploy);

        Assert.Equal(SignalClass.Other, SignalClassifier.Default.Classify(change));
        Assert.Equal(SignalClass.Other, SignalClassifier.Default.Classify((Signal?)null));
    }

    [Fact]
    public void Classify_CustomPatterns_ReplaceDefaults()
    {
        var classifier = new SignalClassifier(new SignalClassifierOptions { TrafficPatterns = ["widgets_sold"], OverrideKey = "kind" });

        Assert.Equal(SignalClass.Traffic, classifier.Classify("WIDGETS_SOLD_total"));
        Assert.Equal(SignalClass.Other, classifier.Classify("http_requests_total"));
        Assert.Equal(SignalClass.Errors, classifier.Classify("anything", new Dictionary<string, string> { ["kind"] = "errors" }));
        Assert.Equal(SignalClass.Other, classifier.Classify("anything", new Dictionary<string, string> { ["aiops_signal_class"] = "errors" }));
    }

    [Fact]
    public void Constructor_EmptyPattern_Throws()
    {
        var options = new SignalClassifierOptions { ErrorPatterns = ["error", ""] };

        var error = Assert.Throws<ValidationException>(() => new SignalClassifier(options));
        Assert.Contains(nameof(SignalClassifierOptions.ErrorPatterns), error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ops", SignalClass.Traffic)]
    [InlineData("frontend_ops", SignalClass.Traffic)]
    [InlineData("ts-order-service_workload", SignalClass.Traffic)]
    [InlineData("cart_err", SignalClass.Errors)]
    [InlineData("checkout.p95", SignalClass.Latency)]
    [InlineData("http_requests_p95", SignalClass.Latency)]
    [InlineData("payment_rss", SignalClass.Saturation)]
    [InlineData("MemUsed", SignalClass.Saturation)]
    [InlineData("cpuLoad", SignalClass.Saturation)]
    [InlineData("redis_hits", SignalClass.Traffic)]
    public void Classify_AbbreviationAsAWord_ClassOfTheWord(string name, SignalClass expected)
    {
        Assert.Equal(expected, SignalClassifier.Default.Classify(name));
    }

    [Theory]
    [InlineData("devops_builds_total")]
    [InlineData("stderr_lines")]
    [InlineData("payload_size_bytes")]
    [InlineData("memo_entries")]
    [InlineData("p95x")]
    [InlineData("Topsoil")]
    public void Classify_AbbreviationInsideAWord_NotMatched(string name)
    {
        Assert.Equal(SignalClass.Other, SignalClassifier.Default.Classify(name));
    }

    [Fact]
    public void Classify_NameWordsEmptiedOrReplaced_OnlyTheListedWordsCount()
    {
        var none = new SignalClassifier(new SignalClassifierOptions { NameWords = new Dictionary<string, SignalClass>() });
        var custom = new SignalClassifier(new SignalClassifierOptions { NameWords = new Dictionary<string, SignalClass> { ["Qty"] = SignalClass.Traffic } });

        Assert.Equal(SignalClass.Other, none.Classify("frontend_ops"));
        Assert.Equal(SignalClass.Traffic, custom.Classify("orders_qty"));
        Assert.Equal(SignalClass.Other, custom.Classify("frontend_ops"));
    }

    [Theory]
    [InlineData("p 95")]
    [InlineData("p_95")]
    [InlineData("")]
    public void Constructor_NameWordNotASingleWord_Throws(string word)
    {
        var options = new SignalClassifierOptions { NameWords = new Dictionary<string, SignalClass> { [word] = SignalClass.Latency } };

        var error = Assert.Throws<ValidationException>(() => new SignalClassifier(options));
        Assert.Contains(nameof(SignalClassifierOptions.NameWords), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_EmptyOverrideKey_Throws()
    {
        Assert.Throws<ValidationException>(() => new SignalClassifier(new SignalClassifierOptions { OverrideKey = string.Empty }));
    }

    [Fact]
    public void Constructor_OptionsChangedAfterwards_ClassifierUnaffected()
    {
        var options = new SignalClassifierOptions();
        var classifier = new SignalClassifier(options);

        options.TrafficPatterns.Clear();

        Assert.Equal(SignalClass.Traffic, classifier.Classify("http_requests_total"));
    }

    private static AlertSignal Alert(string name, Dictionary<string, string>? labels = null, Dictionary<string, string>? annotations = null) =>
        new($"{name}/api", name, At, labels ?? new Dictionary<string, string> { ["service"] = "api" }, AlertStatus.Firing, null, "warning", annotations ?? []);
}
