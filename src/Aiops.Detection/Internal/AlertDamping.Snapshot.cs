namespace Aiops.Detection.Internal;

/// <content>Snapshot: what is left of the refractory period and its level.</content>
internal partial struct AlertDamping
{
    public readonly void Write(ref SnapshotWriter writer)
    {
        writer.WriteInt32(_remaining);
        writer.WriteDouble(_level);
    }

    public void Read(ref SnapshotReader reader)
    {
        _remaining = reader.ReadCount(points, "the refractory points left");
        _level = reader.ReadFinite("the refractory level");
    }
}
