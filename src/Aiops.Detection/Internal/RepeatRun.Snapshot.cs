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
        // The last value is a point's (finite); the rest are decayed counts and sums of non-negative terms; the run is below
        // int.MaxValue, so it extends without overflow.
        _started = reader.ReadBool();
        _last = reader.ReadFinite("the last value of the run of repeats");
        _changes = reader.ReadDoubleIn(0, double.MaxValue, "the points after a change");
        _repeatsAfterChange = reader.ReadDoubleIn(0, double.MaxValue, "the repeats after a change");
        _continuations = reader.ReadDoubleIn(0, double.MaxValue, "the points after a repeat");
        _repeatsAfterRepeat = reader.ReadDoubleIn(0, double.MaxValue, "the repeats after a repeat");
        _runs = reader.ReadDoubleIn(0, double.MaxValue, "the runs of repeats");
        _runLogLengths = reader.ReadDoubleIn(0, double.MaxValue, "the runs' log lengths");
        _length = reader.ReadCount(int.MaxValue - 1, "the run of repeats");
        _reported = reader.ReadBool();
    }
}
