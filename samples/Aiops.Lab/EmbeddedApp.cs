using System.Diagnostics.Metrics;
using Aiops.Lab.App;
using Aiops.Lab.Shared;

namespace Aiops.Lab;

/// <summary>
/// The lab app's behaviour without HTTP or Prometheus, for the embedded lab: arrivals at the load rate go through the same
/// <see cref="CapacityModel"/> as the app's checkout, and the golden signals are published on a <see cref="Meter"/> under the
/// names the exporter's queries have (<c>rps</c> as a counter, <c>latency_p95</c> as a histogram, <c>error_ratio</c> as an
/// observable gauge), all with <c>service=checkout</c>. Thread-safe.
/// </summary>
internal sealed class EmbeddedApp : ILoad, IAsyncDisposable
{
    /// <summary>The meter the embedded lab's source watches.</summary>
    public const string MeterName = "Aiops.Lab.Embedded";

    private const double BaseLatencySeconds = 0.020;
    private const double BadDeployErrorRate = 0.4;
    private static readonly KeyValuePair<string, object?> Service = new("service", "checkout");
    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _latency;
    private readonly CapacityModel _capacity = new(new CapacityOptions(), TimeProvider.System);
    private readonly Random _random = new(42);
    private readonly LoadCounts _counts = new();
    private readonly Lock _gate = new();
    private readonly BackgroundLoop _arrivals;
    private double _rate;
    private volatile bool _badDeploy;
    private int _windowRequests;
    private int _windowErrors;

    public EmbeddedApp(double rate)
    {
        _rate = rate;
        _requests = _meter.CreateCounter<long>(LabAutomation.RequestRate, "{request}", "Checkout requests (a rate once collected).");
        _latency = _meter.CreateHistogram<double>(LabAutomation.LatencyP95, "s", "Checkout latency (its p95 once collected).");
        _meter.CreateObservableGauge(LabAutomation.ErrorRatio, ObserveErrorRatio, "1", "Share of checkout requests answered 5xx since the last collection.");
        _arrivals = new BackgroundLoop(stop => RatePacer.RunAsync(() => Rate, Serve, stop));
    }

    /// <summary>Gets or sets the arrival rate, requests per second.</summary>
    public double Rate
    {
        get => Volatile.Read(ref _rate);
        set => Volatile.Write(ref _rate, Math.Max(0, value));
    }

    /// <summary>Gets or sets a value indicating whether a bad deploy makes 40 % of requests fail.</summary>
    public bool BadDeploy
    {
        get => _badDeploy;
        set => _badDeploy = value;
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
        var failed = admission.Shed || (_badDeploy && _random.NextDouble() < BadDeployErrorRate);
        var latency = admission.Shed ? 0.001 : BaseLatencySeconds * (0.8 + (0.4 * _random.NextDouble())) + admission.QueueDelay.TotalSeconds;
        _requests.Add(1, Service);
        _latency.Record(latency, Service);
        _counts.Sent();
        _counts.Answered(failed ? 503 : 200, latency * 1000);
        lock (_gate)
        {
            _windowRequests++;
            if (failed)
            {
                _windowErrors++;
            }
        }
    }

    private Measurement<double> ObserveErrorRatio()
    {
        lock (_gate)
        {
            var ratio = _windowRequests == 0 ? 0 : (double)_windowErrors / _windowRequests;
            (_windowRequests, _windowErrors) = (0, 0);
            return new Measurement<double>(ratio, Service);
        }
    }
}
