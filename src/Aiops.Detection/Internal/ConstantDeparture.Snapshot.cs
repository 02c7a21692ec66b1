namespace Aiops.Detection.Internal;

/// <content>Snapshot: the run's length and surprise.</content>
internal partial struct ConstantDeparture
{
    public readonly void Write(ref SnapshotWriter writer)
    {
        writer.WriteInt32(_length);
        writer.WriteDouble(_surprise);
    }

    /// <summary>Reads the run, of at most <paramref name="maxLength"/> points (the points seen) and below <see cref="int.MaxValue"/>, so it extends without overflow.</summary>
    public void Read(ref SnapshotReader reader, long maxLength)
    {
        _length = reader.ReadCount((int)Math.Min(maxLength, int.MaxValue - 1), "the departures from a constant");
        _surprise = reader.ReadFinite("the surprise of the departures from a constant");
    }
}
