namespace Aiops.Detection.Internal;

/// <content>Snapshot: the two-sided calibration and the up side's share of its exceedances.</content>
internal partial struct SidedCalibration
{
    public readonly void Write(ref SnapshotWriter writer)
    {
        _both.Write(ref writer);
        writer.WriteDouble(_upExceedances);
    }

    public void Read(ref SnapshotReader reader)
    {
        _both.Read(ref reader);
        _upExceedances = reader.ReadDouble();
    }
}
