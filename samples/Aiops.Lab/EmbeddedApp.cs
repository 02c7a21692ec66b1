using System.Diagnostics.Metrics;
using Aiops.Lab.App;
using Aiops.Lab.Shared;

namespace Aiops.Lab;

/// <summary>
/// The lab app's behaviour without HTTP or Prometheus, for the embedded lab: arrivals at the load rate go to frontend,
/// which calls checkout (the same <see cref="CapacityModel"/> as the app's), which calls store and payment. Each service's
/// golden signals are published on a <see cref="Meter"/> under the names the exporter's queries have (<c>rps</c> as a
/// counter, <c>latency_p95</c> as a histogram, <c>error_ratio</c> as an observable gauge), tagged with its <c>service</c>.
/// Latencies are computed, not waited for: a caller's latency is its own work plus its callees'. Thread-safe.
/// </summary>
internal sealed class EmbeddedApp : ILoad, IAsyncDisposable
{
    /// <summary>The meter the embedded lab's source watches.</summary>
    public const string MeterName = "Aiops.Lab.Embedded";

    // The app's defaults (samples/Aiops.Lab.App/appsettings.json), in seconds.
    private const double FrontendSeconds = 0.003;
    private const double CheckoutSeconds = 0.012;
    private const double StoreSeconds = 0.003;
    private const double PaymentSeconds = 0.008;
    private const double PaymentFaultSeconds = 0.300;
    private const double BadDeployErrorRate = 0.4;
    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _latency;
    private readonly CapacityModel _capacity = new(new CapacityOptions(), TimeProvider.System);
    private readonly Random _random = new(42);
    private readonly LoadCounts _counts = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (int Requests, int Errors)> _window = LabTopology.Services.ToDictionary(s => s, _ => (0, 0), StringComparer.Ordinal);
    private readonly BackgroundLoop _arrivals;
    private double _rate;
    private volatile bool _badDeploy;
    private volatile bool _slowPayment;

    public EmbeddedApp(double rate)
    {
        _rate = rate;
        _requests = _meter.CreateCounter<long>(LabAutomation.RequestRate, "{request}", "Requests a service served (a rate once collected).");
        _latency = _meter.CreateHistogram<double>(LabAutomation.LatencyP95, "s", "A service's request latency (its p95 once collected).");
        _meter.CreateObservableGauge(LabAutomation.ErrorRatio, ObserveErrorRatios, "1", "Share of a service's requests answered 5xx since the last collection.");
        _arrivals = new BackgroundLoop(stop => RatePacer.RunAsync(() => Rate, Serve, stop));
    }

    /// <summary>Gets or sets the arrival rate, requests per second.</summary>
    public double Rate
    {
        get => Volatile.Read(ref _rate);
        set => Volatile.Write(ref _rate, Math.Max(0, value));
    }

    /// <summary>Gets or sets a value indicating whether a bad deploy makes 40 % of checkout's requests fail.</summary>
    public bool BadDeploy
    {
        get => _badDeploy;
        set => _badDeploy = value;
    }

    /// <summary>Gets or sets a value indicating whether payment answers 300 ms slower.</summary>
    public bool SlowPayment
    {
        get => _slowPayment;
        set => _slowPayment = value;
    }

    /// <summary>Takes the counts since the last call, as the load generator reports them.</summary>
    public LoadSecond TakeSecond() => _counts.Take(Rate);

    public async ValueTask DisposeAsync()
    {
        await _arrivals.DisposeAsync().ConfigureAwait(false);
        _meter.Dispose();
    }

    private void Serve()
    {
        var admission = _capacity.Admit();
        int status;
        double checkout;
        if (admission.Shed)
        {
            (status, checkout) = (503, 0.001);
        }
        else if (_badDeploy && Chance(BadDeployErrorRate))
        {
            (status, checkout) = (500, admission.QueueDelay.TotalSeconds + Jitter(CheckoutSeconds));
        }
        else
        {
            var store = Record(LabTopology.Store, Jitter(StoreSeconds), failed: false);
            var payment = Record(LabTopology.Payment, Jitter(PaymentSeconds) + (_slowPayment ? PaymentFaultSeconds : 0), failed: false);
            (status, checkout) = (200, admission.QueueDelay.TotalSeconds + Jitter(CheckoutSeconds) + store + payment);
        }

        Record(LabTopology.Checkout, checkout, failed: status != 200);
        var frontend = Record(LabTopology.Frontend, Jitter(FrontendSeconds) + checkout, failed: status != 200);
        _counts.Sent();
        _counts.Answered(status, frontend * 1000);
    }

    private double Record(string service, double seconds, bool failed)
    {
        var tag = new KeyValuePair<string, object?>("service", service);
        _requests.Add(1, tag);
        _latency.Record(seconds, tag);
        lock (_gate)
        {
            var (requests, errors) = _window[service];
            _window[service] = (requests + 1, errors + (failed ? 1 : 0));
        }

        return seconds;
    }

    private double Jitter(double seconds)
    {
        lock (_gate)
        {
            return seconds * (0.75 + (0.5 * _random.NextDouble()));
        }
    }

    private bool Chance(double p)
    {
        lock (_gate)
        {
            return _random.NextDouble() < p;
        }
    }

    private IEnumerable<Measurement<double>> ObserveErrorRatios()
    {
        lock (_gate)
        {
            var ratios = new List<Measurement<double>>(_window.Count);
            foreach (var service in LabTopology.Services)
            {
                var (requests, errors) = _window[service];
                ratios.Add(new Measurement<double>(requests == 0 ? 0 : (double)errors / requests, new KeyValuePair<string, object?>("service", service)));
                _window[service] = (0, 0);
            }

            return ratios;
        }
    }
}
