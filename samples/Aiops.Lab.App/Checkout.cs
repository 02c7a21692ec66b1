using System.Diagnostics;

namespace Aiops.Lab.App;

/// <summary>The result of one checkout request.</summary>
/// <param name="StatusCode">200, 500 (checkout or payments failed) or 503 (shed).</param>
/// <param name="Attempts">Payments calls made (0 when shed or when checkout failed before calling).</param>
public readonly record struct CheckoutResult(int StatusCode, int Attempts);

/// <summary>The simulated downstream dependency "payments": in-process, a delay on the TimeProvider and a failure chance.</summary>
public sealed class Payments(LabOptions options, ScenarioState scenarios, LabMetrics metrics, LabRandom random, TimeProvider time)
{
    /// <summary>One call; true when it succeeded.</summary>
    public async Task<bool> CallAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var snapshot = scenarios.Snapshot();
        var scenario = snapshot.Name;
        var delay = random.Jitter(options.PaymentsLatencyMs, options.JitterFraction);
        if (scenario == ScenarioNames.Latency)
        {
            delay += TimeSpan.FromMilliseconds(options.LatencyScenarioMs);
        }

        await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
        var failed = random.Chance(scenario == ScenarioNames.Errors ? snapshot.Rate ?? options.ErrorsScenarioRate : options.BaselinePaymentsErrorRate);
        metrics.Downstream.WithLabels(LabMetrics.Payments, failed ? "error" : "ok").Inc();
        metrics.DownstreamDuration.WithLabels(LabMetrics.Payments).Observe(time.GetElapsedTime(started).TotalSeconds);
        return !failed;
    }
}

/// <summary>The checkout work: capacity model, checkout's own work, payments with retries, and the lab_http_* metrics.</summary>
public sealed class Checkout(LabOptions options, CapacityModel capacity, ScenarioState scenarios, Payments payments, LabMetrics metrics, LabRandom random, TimeProvider time)
{
    /// <summary>Serves one checkout request and records it.</summary>
    public async Task<CheckoutResult> HandleAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var inFlight = metrics.InFlight.WithLabels(LabMetrics.Checkout);
        inFlight.Inc();
        CheckoutResult? result = null;
        try
        {
            result = await ServeAsync(cancellationToken).ConfigureAwait(false);
            return result.Value;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            result = new CheckoutResult(500, 0);
            throw;
        }
        finally
        {
            inFlight.Dec();
            if (result is { } r)
            {
                Record(r, started);
            }
        }
    }

    private void Record(CheckoutResult result, long started)
    {
        metrics.Requests.WithLabels(LabMetrics.Checkout, LabMetrics.CheckoutRoute, result.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc();
        metrics.Duration.WithLabels(LabMetrics.Checkout, LabMetrics.CheckoutRoute).Observe(time.GetElapsedTime(started).TotalSeconds);
    }

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

        var attempts = 0;
        while (attempts <= options.MaxRetries)
        {
            attempts++;
            if (await payments.CallAsync(cancellationToken).ConfigureAwait(false))
            {
                return new CheckoutResult(200, attempts);
            }
        }

        return new CheckoutResult(500, attempts);
    }
}

/// <summary>
/// The built-in load generator, off unless <c>Lab:LoadRps</c> &gt; 0 (docker compose turns it on; the lab runner brings its
/// own). Every 100 ms it starts the due number of checkout requests in-process; during the surge scenario it runs at
/// <c>Lab:SurgeRps</c>.
/// </summary>
public sealed class LoadGenerator(LabOptions options, Checkout checkout, ScenarioState scenarios, TimeProvider time) : BackgroundService
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
            await checkout.HandleAsync(stoppingToken).ConfigureAwait(false);
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
