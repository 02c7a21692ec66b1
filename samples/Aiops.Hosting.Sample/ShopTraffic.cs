using System.Diagnostics.Metrics;

namespace Aiops.Hosting.Sample;

/// <summary>What <c>/chaos/*</c> can do to the traffic.</summary>
public enum Disturbance
{
    /// <summary>Normal traffic.</summary>
    None,

    /// <summary>Five times the usual request rate.</summary>
    Spike,

    /// <summary>Responses about ten times slower.</summary>
    Latency,

    /// <summary>A third of requests fail.</summary>
    Errors,
}

/// <summary>
/// The app's own metrics on the <see cref="MeterName"/> meter: a request counter and a request duration histogram (by
/// route), an error counter and an in-flight gauge, plus the disturbance that the traffic generator applies.
/// </summary>
public sealed class ShopTraffic
{
    /// <summary>The name of the app's meter, which Aiops watches.</summary>
    public const string MeterName = "Shop";

    private readonly TimeProvider _time;
    private volatile Chaos? _chaos;

    public ShopTraffic(IMeterFactory meterFactory, TimeProvider time)
    {
        _time = time;
        var meter = meterFactory.Create(MeterName);
        Requests = meter.CreateCounter<long>("shop.requests", "{request}", "Requests served, by route.");
        Errors = meter.CreateCounter<long>("shop.errors", "{request}", "Requests that failed.");
        Duration = meter.CreateHistogram<double>("shop.request.duration", "ms", "Request duration, by route.");
        InFlight = meter.CreateGauge<long>("shop.requests.in_flight", "{request}", "Requests being served.");
    }

    public Counter<long> Requests { get; }

    public Counter<long> Errors { get; }

    public Histogram<double> Duration { get; }

    public Gauge<long> InFlight { get; }

    /// <summary>Gets the disturbance in effect now.</summary>
    public Disturbance Current => _chaos is { } chaos && _time.GetUtcNow() < chaos.Until ? chaos.Disturbance : Disturbance.None;

    public IResult Disturb(Disturbance disturbance, int? seconds)
    {
        var chaos = new Chaos(disturbance, _time.GetUtcNow() + TimeSpan.FromSeconds(Math.Clamp(seconds ?? 60, 1, 3600)));
        _chaos = chaos;
        return Results.Ok(new { disturbance = disturbance.ToString().ToLowerInvariant(), until = chaos.Until });
    }

    public IResult Calm()
    {
        _chaos = null;
        return Results.NoContent();
    }

    private sealed record Chaos(Disturbance Disturbance, DateTimeOffset Until);
}
