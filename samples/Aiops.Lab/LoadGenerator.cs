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
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<double> _latencies = [];
    private readonly Task _loop;
    private double _rate;
    private int _inFlight;
    private int _sent;
    private int _ok;
    private int _serverErrors;
    private int _failed;

    public LoadGenerator(Uri app, double rate)
    {
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = MaxInFlight, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = TimeSpan.FromSeconds(10),
        };
        _target = new Uri(app, "api/checkout");
        _rate = rate;
        _loop = Task.Run(PaceAsync);
    }

    /// <summary>Gets or sets the target rate in requests per second.</summary>
    public double Rate
    {
        get => Volatile.Read(ref _rate);
        set => Volatile.Write(ref _rate, Math.Max(0, value));
    }

    /// <summary>Takes the counts since the last call.</summary>
    public LoadSecond TakeSecond()
    {
        lock (_gate)
        {
            var p95 = 0d;
            if (_latencies.Count > 0)
            {
                _latencies.Sort();
                p95 = _latencies[(int)Math.Min(_latencies.Count - 1, Math.Ceiling(0.95 * _latencies.Count) - 1)];
            }

            var second = new LoadSecond(Rate, _sent, _ok, _serverErrors, _failed, p95);
            _latencies.Clear();
            (_sent, _ok, _serverErrors, _failed) = (0, 0, 0, 0);
            return second;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _http.Dispose();
        _stop.Dispose();
    }

    private Task PaceAsync() => RatePacer.RunAsync(() => Rate, Arrive, _stop.Token);

    private void Arrive()
    {
        if (Interlocked.Increment(ref _inFlight) > MaxInFlight)
        {
            Interlocked.Decrement(ref _inFlight);
            Count(ref _failed);
            return;
        }

        _ = SendAsync();
    }

    private async Task SendAsync()
    {
        Count(ref _sent);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await _http.GetAsync(_target, _stop.Token).ConfigureAwait(false);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            lock (_gate)
            {
                _latencies.Add(elapsed);
                if ((int)response.StatusCode >= 500)
                {
                    _serverErrors++;
                }
                else if (response.IsSuccessStatusCode)
                {
                    _ok++;
                }
                else
                {
                    _failed++;
                }
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            if (!_stop.IsCancellationRequested)
            {
                Count(ref _failed);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private void Count(ref int counter)
    {
        lock (_gate)
        {
            counter++;
        }
    }
}
