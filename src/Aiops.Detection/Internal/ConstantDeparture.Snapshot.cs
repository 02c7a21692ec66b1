namespace Aiops.Detection.Internal;

/// <content>Snapshot: the run's length and surprise.</content>
internal partial struct ConstantDeparture
{
    public readonly void Write(ref SnapshotWriter writer)
    {
        writer.WriteInt32(_length);
        writer.WriteDouble(_surprise);
    }

    public void Read(ref SnapshotReader reader)
    {
        _length = reader.ReadCount(int.MaxValue, "the departures from a constant");
        _surprise = reader.ReadDouble();
    }
}
