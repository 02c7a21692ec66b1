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
        // Written by a detector past its training only: a trained formula of finite coefficients over the last (finite) points.
        IsTrained = reader.ReadBool() ? true : throw reader.Corrupt("the SSA model of a trained detector is not trained");
        Rank = reader.ReadInt32In(1, _windowSize, "the SSA rank");
        _next = reader.ReadCount(m - 1, "the SSA ring position");
        reader.ReadFinites(_coefficients, "the SSA coefficients");
        reader.ReadFinites(_ring.AsSpan(0, m), "the SSA recent points");
        _ring.AsSpan(0, m).CopyTo(_ring.AsSpan(m));
    }
}
