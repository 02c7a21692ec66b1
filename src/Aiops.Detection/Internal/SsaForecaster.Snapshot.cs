namespace Aiops.Detection.Internal;

/// <content>Snapshot: the trained formula and the last L - 1 observations (kept twice in memory, written once).</content>
internal sealed partial class SsaForecaster
{
    public void Write(ref SnapshotWriter writer)
    {
        writer.WriteShape(_windowSize);
        writer.WriteBool(IsTrained);
        writer.WriteInt32(Rank);
        writer.WriteInt32(_next);
        writer.WriteDoubles(_coefficients);
        writer.WriteDoubles(_ring.AsSpan(0, _windowSize - 1));
    }

    public void Read(ref SnapshotReader reader)
    {
        reader.ReadShape(_windowSize, "the SSA window");
        var m = _windowSize - 1;
        IsTrained = reader.ReadBool();
        Rank = reader.ReadCount(_windowSize, "the SSA rank");
        _next = reader.ReadCount(m - 1, "the SSA ring position");
        reader.ReadDoubles(_coefficients);
        reader.ReadDoubles(_ring.AsSpan(0, m));
        _ring.AsSpan(0, m).CopyTo(_ring.AsSpan(m));
    }
}
