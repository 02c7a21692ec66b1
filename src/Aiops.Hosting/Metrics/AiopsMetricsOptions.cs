using System.ComponentModel.DataAnnotations;

namespace Aiops.Hosting;

/// <summary>Options of the Prometheus metrics Aiops exports (<c>MapAiopsMetrics</c>), bound from <c>Aiops:Metrics</c> (<see cref="SectionName"/>).</summary>
public sealed class AiopsMetricsOptions
{
    /// <summary>The configuration section the options bind from: <c>Aiops:Metrics</c>.</summary>
    public const string SectionName = "Aiops:Metrics";

    /// <summary>
    /// Gets or sets the most series whose score and band are exported (<c>aiops_anomaly_*</c>); when more are scored, the
    /// most anomalous are kept. Bounds the cardinality of the export. Default: 1,000. Range: [0, 1,000,000].
    /// </summary>
    [Range(0, 1_000_000)]
    public int MaxSeries { get; set; } = 1_000;

    /// <summary>
    /// Gets or sets the most episodes exported as <c>aiops_episode_info</c> series; when the correlator holds more, firing
    /// episodes come first, then pending, then closed ones, newest first within each, and the episodes left out are counted on
    /// <c>aiops_episode_info_omitted_total</c>. Bounds the cardinality of the export during an alert storm. Default: 1,000.
    /// Range: [0, 100,000].
    /// </summary>
    [Range(0, 100_000)]
    public int MaxEpisodes { get; set; } = 1_000;
}
