namespace Aiops.Hosting.Sample;

/// <summary>
/// Simulates a shop's requests every 100 ms: a wave of traffic (a one-minute "day", so detectors learn it while they warm
/// up) with noise over three routes, log-normal latencies and about 1 % errors, bent by the current <see cref="Disturbance"/>.
/// </summary>
public sealed class TrafficGenerator(ShopTraffic traffic, TimeProvider time) : BackgroundService
{
    private static readonly KeyValuePair<string, object?> Service = new("service", "shop");

    private static readonly (string Route, double Share, double LatencyMs)[] Routes =
        [("/", 0.6, 20), ("/cart", 0.3, 45), ("/checkout", 0.1, 120)];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var random = new Random();
        var start = time.GetUtcNow();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var disturbance = traffic.Current;
            var minutes = (time.GetUtcNow() - start).TotalMinutes;
            var perSecond = 200 * (1 + (0.2 * Math.Sin(2 * Math.PI * minutes))) * (disturbance == Disturbance.Spike ? 5 : 1);
            var slowdown = disturbance == Disturbance.Latency ? 10 : 1;
            var errorRate = disturbance == Disturbance.Errors ? 0.33 : 0.01;
            var busyMs = 0.0;
            foreach (var (route, share, latencyMs) in Routes)
            {
                var routeTag = new KeyValuePair<string, object?>("route", route);
                var requests = Math.Max(0, (int)Math.Round((perSecond * share / 10) + (Math.Sqrt(perSecond * share / 10) * Gaussian(random))));
                for (var i = 0; i < requests; i++)
                {
                    var duration = latencyMs * slowdown * Math.Exp(0.25 * Gaussian(random));
                    busyMs += duration;
                    traffic.Requests.Add(1, Service, routeTag);
                    traffic.Duration.Record(duration, Service, routeTag);
                    if (random.NextDouble() < errorRate)
                    {
                        traffic.Errors.Add(1, Service);
                    }
                }
            }

            // Little's law: requests in flight = the time spent serving this tick's requests / the tick's length.
            traffic.InFlight.Record((long)Math.Round(busyMs / 100), Service);
        }
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
