using System.ComponentModel.DataAnnotations;

namespace Aiops.Lab.App;

/// <summary>The lab app's settings (the "Lab" configuration section).</summary>
public sealed class LabOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Lab";

    /// <summary>Requests per second checkout serves without queueing.</summary>
    [Range(0.1, 100_000)]
    public double CapacityRps { get; set; } = 60;

    /// <summary>Seconds of spare capacity (tokens) that absorb a burst before a backlog forms.</summary>
    [Range(0, 3600)]
    public double BurstSeconds { get; set; } = 2;

    /// <summary>Backlog, in seconds of capacity, at which checkout starts shedding requests with 503.</summary>
    [Range(0.01, 3600)]
    public double MaxBacklogSeconds { get; set; } = 12;

    /// <summary>Backlog, in seconds of capacity, below which shedding stops (at most <see cref="MaxBacklogSeconds"/>).</summary>
    [Range(0, 3600)]
    public double ResumeBacklogSeconds { get; set; } = 2;

    /// <summary>Cap of the queueing delay added to a request, in seconds.</summary>
    [Range(0, 60)]
    public double MaxQueueDelaySeconds { get; set; } = 1;

    /// <summary>Checkout's own work per request, in milliseconds.</summary>
    [Range(0, 10_000)]
    public double BaseLatencyMs { get; set; } = 12;

    /// <summary>Frontend's own work per request (before and after calling checkout), in milliseconds.</summary>
    [Range(0, 10_000)]
    public double FrontendLatencyMs { get; set; } = 3;

    /// <summary>The store's normal duration (a stock reservation), in milliseconds.</summary>
    [Range(0, 10_000)]
    public double StoreLatencyMs { get; set; } = 3;

    /// <summary>The payment service's normal duration, in milliseconds.</summary>
    [Range(0, 10_000)]
    public double PaymentLatencyMs { get; set; } = 8;

    /// <summary>Uniform jitter of the base latencies, as a fraction (0.25 = ±25 %).</summary>
    [Range(0, 1)]
    public double JitterFraction { get; set; } = 0.25;

    /// <summary>Seed of the simulation's random numbers; null for a random seed.</summary>
    public int? Seed { get; set; }

    /// <summary>The normal version of checkout (lab_build_info).</summary>
    [Required]
    public string Version { get; set; } = "1.4.2";

    /// <summary>The version label during the bad-deploy scenario.</summary>
    [Required]
    public string BadVersion { get; set; } = "1.4.3-bad";

    /// <summary>Extra payment latency during the latency scenario, in milliseconds.</summary>
    [Range(0, 60_000)]
    public double LatencyScenarioMs { get; set; } = 300;

    /// <summary>Probability that a payment call fails during the errors scenario.</summary>
    [Range(0, 1)]
    public double ErrorsScenarioRate { get; set; } = 0.3;

    /// <summary>Probability that a payment call fails outside the errors scenario.</summary>
    [Range(0, 1)]
    public double BaselinePaymentErrorRate { get; set; }

    /// <summary>Retries of a failed payment call by checkout.</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 2;

    /// <summary>Probability that checkout fails (500) during the bad-deploy scenario.</summary>
    [Range(0, 1)]
    public double BadDeployErrorRate { get; set; } = 0.4;

    /// <summary>Requests per second of the built-in load generator (0 = off; the lab runner brings its own).</summary>
    [Range(0, 10_000)]
    public double LoadRps { get; set; }

    /// <summary>Requests per second of the built-in load generator during the surge scenario.</summary>
    [Range(0, 10_000)]
    public double SurgeRps { get; set; } = 120;

    /// <summary>Initial feature flags.</summary>
    public Dictionary<string, bool> Flags { get; } = new(StringComparer.Ordinal);

    /// <summary>The capacity model's settings.</summary>
    public CapacityOptions Capacity => new(CapacityRps, BurstSeconds, MaxBacklogSeconds, Math.Min(ResumeBacklogSeconds, MaxBacklogSeconds), MaxQueueDelaySeconds);
}
