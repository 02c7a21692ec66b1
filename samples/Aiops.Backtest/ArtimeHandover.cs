using Aiops.Detection;

namespace Aiops.Backtest;

/// <summary>
/// For measurement only (<c>artime-handover</c>): a causal stand-in for ARTime's block size chosen from the file's length. Two
/// causal <see cref="ArtimeDetector"/>s read the series side by side: one with the block size and trend window ARTime uses on a
/// short file (2 and 120, a warm-up of 240 points) and one with those of a long file (7 and 107, 749 points). The short one
/// reports until the long one has warmed up, which reports from then on. Not thread-safe.
/// </summary>
internal sealed class ArtimeHandover : IAnomalyDetector
{
    private readonly ArtimeDetector _short = new("artime-short", step: 2, trend: 120);
    private readonly ArtimeDetector _long = new("artime-long");

    /// <inheritdoc />
    public string Name => "artime-handover";

    /// <inheritdoc />
    public int StateSizeBytes => _short.StateSizeBytes + _long.StateSizeBytes;

    /// <inheritdoc />
    public AnomalyScore Update(DateTimeOffset timestamp, double value)
    {
        var early = _short.Update(timestamp, value);
        var late = _long.Update(timestamp, value);
        return late.Status == PointStatus.WarmingUp ? early : late;
    }

    /// <inheritdoc />
    public void Reset()
    {
        _short.Reset();
        _long.Reset();
    }
}
