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
    /// Gets or sets how often one sample per series is written: counter rates (per second) and histogram means are taken over
    /// this interval. Default: 5 seconds. Range: [10 ms, 1 hour].
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan CollectInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets the most series (instrument and label set) tracked; measurements of further series are ignored. Default: 10,000. Range: [1, 10,000,000].</summary>
    [Range(1, 10_000_000)]
    public int MaxSeries { get; set; } = 10_000;
}
