using System.ComponentModel.DataAnnotations;

namespace Aiops.Hosting;

/// <summary>Options of the Aiops health checks (<c>MapAiopsHealth</c>), bound from <c>Aiops:Health</c> (<see cref="SectionName"/>).</summary>
public sealed class AiopsHealthOptions
{
    /// <summary>The configuration section the options bind from: <c>Aiops:Health</c>.</summary>
    public const string SectionName = "Aiops:Health";

    /// <summary>The tag of every Aiops health check: <c>aiops</c>.</summary>
    public const string Tag = "aiops";

    /// <summary>
    /// Gets or sets the interval of the slowest metric source (for example a meter source's collect interval or a
    /// Prometheus poller's step). Default: 60 seconds. Range: [1 s, 1 day].
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan SourceInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Gets or sets after how many <see cref="SourceInterval"/>s without a sample the <c>source-freshness</c> check reports
    /// Degraded. Default: 3. Range: [1, 1,000].
    /// </summary>
    [Range(1, 1_000)]
    public int StaleAfterIntervals { get; set; } = 3;

    /// <summary>Gets or sets how long the episode store may take to answer the <c>store-writable</c> probe. Default: 5 seconds. Range: [10 ms, 5 min].</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:05:00")]
    public TimeSpan StoreTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
