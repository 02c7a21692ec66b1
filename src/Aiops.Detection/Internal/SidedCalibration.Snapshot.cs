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
        // A part of the exceedances (up to rounding: the down side's are the rest, which its prior keeps positive).
        _upExceedances = reader.ReadDoubleIn(0, _both.Exceedances + 1, "the up side's exceedances");
    }
}
