using System.ComponentModel.DataAnnotations;

namespace Aiops.Hosting;

/// <summary>Options of an in-process <see cref="System.Diagnostics.Metrics.MeterListener"/> source (<c>AiopsBuilder.AddMeterSource</c>).</summary>
public sealed class MeterSourceOptions
{
    /// <summary>Gets the names of the meters whose instruments are watched (exact, case-sensitive). Empty watches nothing.</summary>
    public IList<string> Meters { get; } = [];

    /// <summary>Gets the names of the instruments watched (exact, case-sensitive); empty watches every instrument of <see cref="Meters"/>.</summary>
    public IList<string> Instruments { get; } = [];

    /// <summary>
    /// Gets or sets how often one sample per series is written: counter rates (per second) and histogram means or quantiles are taken over
    /// this interval. Default: 5 seconds. Range: [10 ms, 1 hour].
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan CollectInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Gets or sets the quantile a histogram is written as, over each interval's measurements (0.95 for a p95 latency);
    /// <see langword="null"/> writes the mean. Past <see cref="HistogramReservoirSize"/> measurements in an interval the
    /// quantile is taken over a uniform sample of them. Default: <see langword="null"/> (the mean). Range: [0, 1].
    /// </summary>
    [Range(0d, 1d)]
    public double? HistogramQuantile { get; set; }

    /// <summary>
    /// Gets or sets how many measurements per histogram series and interval are kept for <see cref="HistogramQuantile"/>
    /// (a uniform reservoir sample beyond that; memory is 8 bytes each per series). Default: 1,024. Range: [16, 1,048,576].
    /// </summary>
    [Range(16, 1 << 20)]
    public int HistogramReservoirSize { get; set; } = 1_024;

    /// <summary>
    /// Gets or sets the most series (instrument and label set) tracked; measurements of further series are ignored and counted on
    /// <c>aiops.hosting.meter_source.skipped{reason="max_series"}</c>. Default: 10,000. Range: [1, 10,000,000].
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxSeries { get; set; } = 10_000;
}
