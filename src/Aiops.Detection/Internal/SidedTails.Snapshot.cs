namespace Aiops.Detection.Internal;

/// <content>Snapshot: both sides' calibrations.</content>
internal partial struct SidedTails
{
    public readonly void Write(ref SnapshotWriter writer)
    {
        _up.Write(ref writer);
        _down.Write(ref writer);
    }

    public void Read(ref SnapshotReader reader)
    {
        _up.Read(ref reader);
        _down.Read(ref reader);
    }
}
