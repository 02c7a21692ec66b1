using Aiops.Lab.Shared;
using Prometheus;

namespace Aiops.Lab.App;

/// <summary>
/// The lab's metrics, in a private prometheus-net registry (so several apps can live in one test process). Every series
/// carries the <c>service</c> that records it; the client-call series also carry the <c>peer</c> it called, so Prometheus
/// sees the call graph (<c>group by (service, peer) (lab_client_requests_total)</c>). Thread-safe.
/// </summary>
public sealed class LabMetrics
{
    /// <summary>The route label of frontend's endpoint (the one the load calls).</summary>
    public const string FrontendRoute = "/api/checkout";

    /// <summary>The outcome of a call that succeeded.</summary>
    public const string Ok = "ok";

    /// <summary>The outcome of a call that failed (the peer answered 500, or an error).</summary>
    public const string Error = "error";

    /// <summary>The outcome of a call the peer shed (503): load, not a fault of the peer.</summary>
    public const string Rejected = "rejected";

    private static readonly double[] Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
    private readonly Lock _versionLock = new();
    private string? _version;

    /// <summary>Creates the metrics and their label series (at zero) in a new registry.</summary>
    public LabMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        Requests = factory.CreateCounter("lab_http_requests_total", "Requests a service answered, by route and status code.", ["service", "route", "code"]);
        Duration = factory.CreateHistogram("lab_http_request_duration_seconds", "Duration of a service's requests, as it served them.", ["service", "route"], new HistogramConfiguration { Buckets = Buckets });
        InFlight = factory.CreateGauge("lab_http_requests_in_flight", "Requests a service is serving now.", ["service"]);
        ClientCalls = factory.CreateCounter("lab_client_requests_total", "Calls a service made to another (peer), by outcome (ok, error, rejected: the peer shed it).", ["service", "peer", "outcome"]);
        ClientDuration = factory.CreateHistogram("lab_client_request_duration_seconds", "Duration of a service's calls to a peer, as the caller saw them.", ["service", "peer"], new HistogramConfiguration { Buckets = Buckets });
        BuildInfo = factory.CreateGauge("lab_build_info", "1 for the version of a service that runs now.", ["service", "version"]);

        foreach (var service in LabTopology.Services)
        {
            foreach (var code in new[] { "200", "500", "503" })
            {
                Requests.WithLabels(service, RouteOf(service), code);
            }

            Duration.WithLabels(service, RouteOf(service));
            InFlight.WithLabels(service).Set(0);
        }

        foreach (var (service, peer) in LabTopology.Calls)
        {
            foreach (var outcome in new[] { Ok, Error, Rejected })
            {
                ClientCalls.WithLabels(service, peer, outcome);
            }

            ClientDuration.WithLabels(service, peer);
        }
    }

    /// <summary>The private registry served on /metrics.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>lab_http_requests_total{service, route, code}.</summary>
    public Counter Requests { get; }

    /// <summary>lab_http_request_duration_seconds{service, route}.</summary>
    public Histogram Duration { get; }

    /// <summary>lab_http_requests_in_flight{service}.</summary>
    public Gauge InFlight { get; }

    /// <summary>lab_client_requests_total{service, peer, outcome}.</summary>
    public Counter ClientCalls { get; }

    /// <summary>lab_client_request_duration_seconds{service, peer}.</summary>
    public Histogram ClientDuration { get; }

    /// <summary>lab_build_info{service="checkout", version}: checkout's version (the bad deploy changes it).</summary>
    public Gauge BuildInfo { get; }

    /// <summary>The route a service serves: frontend's public endpoint, or the internal one of a backend service.</summary>
    public static string RouteOf(string service) => service == LabTopology.Frontend ? FrontendRoute : "/internal/" + service;

    /// <summary>Records one request <paramref name="service"/> answered with <paramref name="statusCode"/> after <paramref name="elapsed"/>.</summary>
    public void Served(string service, int statusCode, TimeSpan elapsed)
    {
        var route = RouteOf(service);
        Requests.WithLabels(service, route, statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc();
        Duration.WithLabels(service, route).Observe(elapsed.TotalSeconds);
    }

    /// <summary>Records one call from <paramref name="service"/> to <paramref name="peer"/> that got <paramref name="statusCode"/>, as the caller saw it.</summary>
    public void Called(string service, string peer, int statusCode, TimeSpan elapsed)
    {
        ClientCalls.WithLabels(service, peer, statusCode switch { 200 => Ok, 503 => Rejected, _ => Error }).Inc();
        ClientDuration.WithLabels(service, peer).Observe(elapsed.TotalSeconds);
    }

    /// <summary>Makes <paramref name="version"/> the only checkout version with lab_build_info = 1 (the previous one is removed).</summary>
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
                BuildInfo.RemoveLabelled(LabTopology.Checkout, _version);
            }

            BuildInfo.WithLabels(LabTopology.Checkout, version).Set(1);
            _version = version;
        }
    }
}
