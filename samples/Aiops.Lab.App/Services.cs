using System.Diagnostics;
using Aiops.Lab.Shared;

namespace Aiops.Lab.App;

/// <summary>The result of one checkout request, as frontend answers it.</summary>
/// <param name="StatusCode">200, 500 (checkout or payment failed) or 503 (checkout shed it).</param>
/// <param name="Attempts">Payment calls checkout made (0 when shed or when checkout failed before calling).</param>
public readonly record struct CheckoutResult(int StatusCode, int Attempts);

/// <summary>
/// Serves one request as <paramref name="service"/>: counts it in flight while <paramref name="serve"/> runs, then records
/// its status code and duration (500 when <paramref name="serve"/> throws; nothing when the request is cancelled).
/// </summary>
internal static class ServedRequest
{
    public static async Task<T> RunAsync<T>(string service, LabMetrics metrics, TimeProvider time, Func<Task<T>> serve, Func<T, int> statusOf)
    {
        var started = time.GetTimestamp();
        var inFlight = metrics.InFlight.WithLabels(service);
        inFlight.Inc();
        var status = 0;
        try
        {
            var result = await serve().ConfigureAwait(false);
            status = statusOf(result);
            return result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            status = 500;
            throw;
        }
        finally
        {
            inFlight.Dec();
            if (status != 0)
            {
                metrics.Served(service, status, time.GetElapsedTime(started));
            }
        }
    }
}

/// <summary>The payment service: a delay on the TimeProvider and a failure chance (the lab's latency and errors scenarios).</summary>
public sealed class Payment(LabOptions options, ScenarioState scenarios, LabMetrics metrics, LabRandom random, TimeProvider time)
{
    /// <summary>One charge; true when it succeeded (200), false when it failed (500).</summary>
    public Task<bool> ChargeAsync(CancellationToken cancellationToken) =>
        ServedRequest.RunAsync(LabTopology.Payment, metrics, time, async () =>
        {
            var snapshot = scenarios.Snapshot();
            var delay = random.Jitter(options.PaymentLatencyMs, options.JitterFraction);
            if (snapshot.Name == ScenarioNames.Latency)
            {
                delay += TimeSpan.FromMilliseconds(options.LatencyScenarioMs);
            }

            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            return !random.Chance(snapshot.Name == ScenarioNames.Errors ? snapshot.Rate ?? options.ErrorsScenarioRate : options.BaselinePaymentErrorRate);
        }, ok => ok ? 200 : 500);
}

/// <summary>The store: reserves stock for a checkout; always healthy (a sibling of payment that the payment faults leave alone).</summary>
public sealed class Store(LabOptions options, LabMetrics metrics, LabRandom random, TimeProvider time)
{
    /// <summary>One reservation; always succeeds.</summary>
    public Task<bool> ReserveAsync(CancellationToken cancellationToken) =>
        ServedRequest.RunAsync(LabTopology.Store, metrics, time, async () =>
        {
            await Task.Delay(random.Jitter(options.StoreLatencyMs, options.JitterFraction), time, cancellationToken).ConfigureAwait(false);
            return true;
        }, ok => ok ? 200 : 500);
}

/// <summary>
/// The checkout service: its capacity model (503 when shedding), its own work, a stock reservation in store, then payment
/// with retries; it records its own requests and its calls to store and payment.
/// </summary>
public sealed class Checkout(LabOptions options, CapacityModel capacity, ScenarioState scenarios, Store store, Payment payment, LabMetrics metrics, LabRandom random, TimeProvider time)
{
    /// <summary>Serves one checkout request and records it.</summary>
    public Task<CheckoutResult> HandleAsync(CancellationToken cancellationToken) =>
        ServedRequest.RunAsync(LabTopology.Checkout, metrics, time, () => ServeAsync(cancellationToken), r => r.StatusCode);

    private async Task<CheckoutResult> ServeAsync(CancellationToken cancellationToken)
    {
        var admission = capacity.Admit();
        if (admission.Shed)
        {
            return new CheckoutResult(503, 0);
        }

        await Task.Delay(admission.QueueDelay + random.Jitter(options.BaseLatencyMs, options.JitterFraction), time, cancellationToken).ConfigureAwait(false);
        var snapshot = scenarios.Snapshot();
        if (snapshot.Name == ScenarioNames.BadDeploy && random.Chance(snapshot.Rate ?? options.BadDeployErrorRate))
        {
            return new CheckoutResult(500, 0);
        }

        if (!await CallAsync(LabTopology.Store, store.ReserveAsync, cancellationToken).ConfigureAwait(false))
        {
            return new CheckoutResult(500, 0);
        }

        var attempts = 0;
        while (attempts <= options.MaxRetries)
        {
            attempts++;
            if (await CallAsync(LabTopology.Payment, payment.ChargeAsync, cancellationToken).ConfigureAwait(false))
            {
                return new CheckoutResult(200, attempts);
            }
        }

        return new CheckoutResult(500, attempts);
    }

    private async Task<bool> CallAsync(string peer, Func<CancellationToken, Task<bool>> call, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var ok = await call(cancellationToken).ConfigureAwait(false);
        metrics.Called(LabTopology.Checkout, peer, ok ? 200 : 500, time.GetElapsedTime(started));
        return ok;
    }
}

/// <summary>The frontend: the entry point the load calls; its own work, then checkout, whose status it passes on.</summary>
public sealed class Frontend(LabOptions options, Checkout checkout, LabMetrics metrics, LabRandom random, TimeProvider time)
{
    /// <summary>Serves one request and records it, and its call to checkout.</summary>
    public Task<CheckoutResult> HandleAsync(CancellationToken cancellationToken) =>
        ServedRequest.RunAsync(LabTopology.Frontend, metrics, time, async () =>
        {
            await Task.Delay(random.Jitter(options.FrontendLatencyMs, options.JitterFraction), time, cancellationToken).ConfigureAwait(false);
            var started = time.GetTimestamp();
            var result = await checkout.HandleAsync(cancellationToken).ConfigureAwait(false);
            metrics.Called(LabTopology.Frontend, LabTopology.Checkout, result.StatusCode, time.GetElapsedTime(started));
            return result;
        }, r => r.StatusCode);
}

/// <summary>
/// The built-in load generator, off unless <c>Lab:LoadRps</c> &gt; 0 (docker compose turns it on; the lab runner brings its
/// own). Every 100 ms it starts the due number of frontend requests in-process; during the surge scenario it runs at
/// <c>Lab:SurgeRps</c>.
/// </summary>
public sealed class LoadGenerator(LabOptions options, Frontend frontend, ScenarioState scenarios, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.LoadRps <= 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(Tick, time);
        var due = 0.0;
        var last = time.GetTimestamp();
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                var now = time.GetTimestamp();
                var rps = scenarios.Active == ScenarioNames.Surge ? options.SurgeRps : options.LoadRps;
                due += rps * Math.Min(1, (now - last) / (double)time.TimestampFrequency);
                last = now;
                for (; due >= 1; due--)
                {
                    _ = RunOneAsync(stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RunOneAsync(CancellationToken stoppingToken)
    {
        try
        {
            await frontend.HandleAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Debug.WriteLine(ex);
        }
    }
}
