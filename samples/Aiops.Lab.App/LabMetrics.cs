using Prometheus;

namespace Aiops.Lab.App;

/// <summary>The lab's metrics, in a private prometheus-net registry (so several apps can live in one test process).</summary>
public sealed class LabMetrics
{
    /// <summary>The service label of checkout.</summary>
    public const string Checkout = "checkout";

    /// <summary>The service label of the simulated downstream dependency.</summary>
    public const string Payments = "payments";

    /// <summary>The route label of the checkout endpoint.</summary>
    public const string CheckoutRoute = "/api/checkout";

    private static readonly double[] Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
    private readonly Lock _versionLock = new();
    private string? _version;

    /// <summary>Creates the metrics and their label series (at zero) in a new registry.</summary>
    public LabMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        Requests = factory.CreateCounter("lab_http_requests_total", "HTTP requests checkout answered, by route and status code.", ["service", "route", "code"]);
        Duration = factory.CreateHistogram("lab_http_request_duration_seconds", "Duration of checkout's HTTP requests.", ["service", "route"], new HistogramConfiguration { Buckets = Buckets });
        InFlight = factory.CreateGauge("lab_http_requests_in_flight", "HTTP requests checkout is serving now.", ["service"]);
        Downstream = factory.CreateCounter("lab_downstream_requests_total", "Calls to the payments dependency, by outcome (ok, error).", ["service", "outcome"]);
        DownstreamDuration = factory.CreateHistogram("lab_downstream_request_duration_seconds", "Duration of calls to the payments dependency.", ["service"], new HistogramConfiguration { Buckets = Buckets });
        BuildInfo = factory.CreateGauge("lab_build_info", "1 for the version of checkout that runs now.", ["service", "version"]);

        foreach (var code in new[] { "200", "500", "503" })
        {
            Requests.WithLabels(Checkout, CheckoutRoute, code);
        }

        Downstream.WithLabels(Payments, "ok");
        Downstream.WithLabels(Payments, "error");
        Duration.WithLabels(Checkout, CheckoutRoute);
        DownstreamDuration.WithLabels(Payments);
        InFlight.WithLabels(Checkout).Set(0);
    }

    /// <summary>The private registry served on /metrics.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>lab_http_requests_total{service, route, code}.</summary>
    public Counter Requests { get; }

    /// <summary>lab_http_request_duration_seconds{service, route}.</summary>
    public Histogram Duration { get; }

    /// <summary>lab_http_requests_in_flight{service}.</summary>
    public Gauge InFlight { get; }

    /// <summary>lab_downstream_requests_total{service, outcome}.</summary>
    public Counter Downstream { get; }

    /// <summary>lab_downstream_request_duration_seconds{service}.</summary>
    public Histogram DownstreamDuration { get; }

    /// <summary>lab_build_info{service, version}.</summary>
    public Gauge BuildInfo { get; }

    /// <summary>Makes <paramref name="version"/> the only version with lab_build_info = 1 (the previous one is removed).</summary>
    public void SetVersion(string version)
    {
        lock (_versionLock)
        {
            if (_version == version)
            {
                return;
            }

            if (_version is not null)
            {
                BuildInfo.RemoveLabelled(Checkout, _version);
            }

            BuildInfo.WithLabels(Checkout, version).Set(1);
            _version = version;
        }
    }
}
