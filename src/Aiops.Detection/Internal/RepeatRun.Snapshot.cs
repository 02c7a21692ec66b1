namespace Aiops.Detection.Internal;

/// <content>Snapshot: the last value, the decayed counts of repeats and runs, and the current run.</content>
internal partial struct RepeatRun
{
    public readonly void Write(ref SnapshotWriter writer)
    {
        writer.WriteBool(_started);
        writer.WriteDouble(_last);
        writer.WriteDouble(_changes);
        writer.WriteDouble(_repeatsAfterChange);
        writer.WriteDouble(_continuations);
        writer.WriteDouble(_repeatsAfterRepeat);
        writer.WriteDouble(_runs);
        writer.WriteDouble(_runLogLengths);
        writer.WriteInt32(_length);
        writer.WriteBool(_reported);
    }

    public void Read(ref SnapshotReader reader)
    {
        _started = reader.ReadBool();
        _last = reader.ReadDouble();
        _changes = reader.ReadDouble();
        _repeatsAfterChange = reader.ReadDouble();
        _continuations = reader.ReadDouble();
        _repeatsAfterRepeat = reader.ReadDouble();
        _runs = reader.ReadDouble();
        _runLogLengths = reader.ReadDouble();
        _length = reader.ReadCount(int.MaxValue, "the run of repeats");
        _reported = reader.ReadBool();
    }
}
