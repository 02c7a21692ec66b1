namespace Aiops.Detection.Internal;

/// <content>Snapshot: the four decayed sums.</content>
internal partial struct TailCalibration
{
    public readonly void Write(ref SnapshotWriter writer)
    {
        writer.WriteDouble(_points);
        writer.WriteDouble(_exceedances);
        writer.WriteDouble(_excessSum);
        writer.WriteDouble(_excessSquares);
    }

    /// <summary>Reads the sums, each a decayed count or sum of non-negative terms: finite, not negative, the exceedances at most the points (and they at most the memory's limit).</summary>
    public void Read(ref SnapshotReader reader)
    {
        _points = reader.ReadDoubleIn(0, (1 / (1 - Decay)) + 1, "a calibration's points");
        _exceedances = reader.ReadDoubleIn(0, _points, "a calibration's exceedances");
        _excessSum = reader.ReadDoubleIn(0, double.MaxValue, "a calibration's sum of excesses");
        _excessSquares = reader.ReadDoubleIn(0, double.MaxValue, "a calibration's sum of squared excesses");
    }
}
