using Aiops.Detection;

namespace Aiops.Backtest.Tests;

/// <summary>A fake detector that flags exactly the given point indices (counted from its creation or last reset).</summary>
internal sealed class FlagAt(params int[] indices) : IAnomalyDetector
{
    private int _index;

    public string Name => "flag-at";

    public int StateSizeBytes => 4;

    public AnomalyScore Update(DateTimeOffset timestamp, double value) =>
        AnomalyScore.Scored(timestamp, value, indices.Contains(_index++) ? 1 : 0, 0, threshold: 0.5);

    public void Reset() => _index = 0;
}
