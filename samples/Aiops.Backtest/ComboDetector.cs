using Aiops.Detection;

namespace Aiops.Backtest;

/// <summary>
/// For measurement only: two time-calibrated detectors on one series, read as one. Each reports its probability as
/// 1 / (1 + r), r its false-alarm rate per week at that point's level; the combination keeps the rarer reading and pays for
/// looking twice (Bonferroni): r = 2 · min(r₁, r₂), probability 1 / (1 + r), flagged at the members' threshold. The severity
/// is the stronger member's, less log10 2; the threshold is the first member's (0.5, one false onset a week, when it is not an
/// <see cref="AnomalyDetector"/>). While one member warms up the other's score stands alone. Not thread-safe.
/// </summary>
internal sealed class ComboDetector : IAnomalyDetector, IPrimedDetector
{
    /// <summary>The prefix of a combination's name: <c>combo:A+B</c>, A and B catalogue names or <c>block:</c> names.</summary>
    public const string Prefix = "combo:";

    private const double Log10Two = 0.3010299956639812;

    private readonly IAnomalyDetector _first;
    private readonly IAnomalyDetector _second;
    private readonly double _threshold;

    /// <summary>Initializes a new instance of the <see cref="ComboDetector"/> class.</summary>
    /// <param name="name">The combination's name, <c>combo:A+B</c>.</param>
    /// <param name="first">The first member (its expected value and band are reported).</param>
    /// <param name="second">The second member.</param>
    public ComboDetector(string name, IAnomalyDetector first, IAnomalyDetector second)
    {
        Name = name;
        _first = first;
        _second = second;
        _threshold = first is AnomalyDetector calibrated ? calibrated.Threshold : 0.5;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int StateSizeBytes => _first.StateSizeBytes + _second.StateSizeBytes;

    /// <summary>Parses <c>combo:A+B</c> into its two members' names.</summary>
    /// <param name="name">The name.</param>
    /// <param name="first">The first member's name.</param>
    /// <param name="second">The second member's name.</param>
    /// <returns><see langword="true"/> when both members are catalogue or <c>block:</c> names.</returns>
    public static bool TryParse(string name, out string first, out string second)
    {
        first = second = string.Empty;
        if (!name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var parts = name[Prefix.Length..].Split('+');
        if (parts.Length != 2 || !parts.All(p => !p.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) && BacktestDetectors.IsKnown(p)))
        {
            return false;
        }

        (first, second) = (parts[0], parts[1]);
        return true;
    }

    /// <inheritdoc />
    public AnomalyScore Update(DateTimeOffset timestamp, double value)
    {
        var a = _first.Update(timestamp, value);
        var b = _second.Update(timestamp, value);
        if (b.Status != PointStatus.Scored)
        {
            return a;
        }

        if (a.Status != PointStatus.Scored)
        {
            return a.Status == PointStatus.WarmingUp ? b : a;
        }

        var rate = 2 * Math.Min(Rate(a.Probability), Rate(b.Probability));
        var severity = Math.Max(a.RawScore, b.RawScore) - Log10Two;
        return AnomalyScore.Scored(timestamp, value, 1 / (1 + rate), severity, _threshold, a.Expected, a.Lower, a.Upper);
    }

    /// <inheritdoc />
    public void Prime(double min, double max, int length)
    {
        (_first as IPrimedDetector)?.Prime(min, max, length);
        (_second as IPrimedDetector)?.Prime(min, max, length);
    }

    /// <inheritdoc />
    public void Reset()
    {
        _first.Reset();
        _second.Reset();
    }

    private static double Rate(double probability) => probability <= 0 ? double.MaxValue : (1 / probability) - 1;
}
