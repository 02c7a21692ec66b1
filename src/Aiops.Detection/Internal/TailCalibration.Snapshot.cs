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

    public void Read(ref SnapshotReader reader)
    {
        _points = reader.ReadDouble();
        _exceedances = reader.ReadDouble();
        _excessSum = reader.ReadDouble();
        _excessSquares = reader.ReadDouble();
    }
}
