using System.Diagnostics;

namespace Aiops.Lab;

/// <summary>What the load generator saw in one second.</summary>
/// <param name="Rate">The target rate, requests per second.</param>
/// <param name="Sent">Requests started.</param>
/// <param name="Ok">2xx answers.</param>
/// <param name="ServerErrors">5xx answers.</param>
/// <param name="Failed">Requests that got no answer (connection errors, timeouts) or were not sent because too many were in flight.</param>
/// <param name="P95Milliseconds">The 95th percentile of answered requests' latency, or 0 without answers.</param>
internal readonly record struct LoadSecond(double Rate, int Sent, int Ok, int ServerErrors, int Failed, double P95Milliseconds);

/// <summary>
/// Calls the lab app's <c>/api/checkout</c> at a target rate (changeable at any time) from a pacing loop with at most
/// <see cref="MaxInFlight"/> requests in flight, and reports each second's counts and latency. Thread-safe.
/// </summary>
internal sealed class LoadGenerator : ILoad, IAsyncDisposable
{
    /// <summary>The most requests in flight; beyond it a request is counted as failed rather than queued.</summary>
    public const int MaxInFlight = 512;

    private readonly HttpClient _http;
    private readonly Uri _target;
    private readonly LoadCounts _counts = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly BackgroundLoop _pacer;
    private double _rate;
    private int _inFlight;

    public LoadGenerator(Uri app, double rate)
    {
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = MaxInFlight, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = TimeSpan.FromSeconds(10),
        };
        _target = new Uri(app, "api/checkout");
        _rate = rate;
        _pacer = new BackgroundLoop(stop => RatePacer.RunAsync(() => Rate, Arrive, stop));
    }

    /// <summary>Gets or sets the target rate in requests per second.</summary>
    public double Rate
    {
        get => Volatile.Read(ref _rate);
        set => Volatile.Write(ref _rate, Math.Max(0, value));
    }

    /// <summary>Takes the counts since the last call.</summary>
    public LoadSecond TakeSecond() => _counts.Take(Rate);

    public async ValueTask DisposeAsync()
    {
        await _pacer.DisposeAsync().ConfigureAwait(false);
        await _abort.CancelAsync().ConfigureAwait(false);
        _http.Dispose();
        _abort.Dispose();
    }

    private void Arrive()
    {
        if (Interlocked.Increment(ref _inFlight) > MaxInFlight)
        {
            Interlocked.Decrement(ref _inFlight);
            _counts.Failed();
            return;
        }

        _ = SendAsync();
    }

    private async Task SendAsync()
    {
        _counts.Sent();
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await _http.GetAsync(_target, _abort.Token).ConfigureAwait(false);
            _counts.Answered((int)response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            if (!_abort.IsCancellationRequested)
            {
                _counts.Failed();
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
