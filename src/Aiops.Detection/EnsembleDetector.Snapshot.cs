using Aiops.Detection.Internal;

namespace Aiops.Detection;

/// <content>Snapshot: every member, each member's calibrations (by side) and short windows, the recent range (the values not yet in it are the robust member's window), the run of departures from a constant range, the run of repeats and the refractory period.</content>
public sealed partial class EnsembleDetector
{
    /// <inheritdoc />
    internal override SnapshotKind SnapshotKind => SnapshotKind.Ensemble;

    /// <inheritdoc />
    internal override void WriteState(ref SnapshotWriter writer)
    {
        writer.WriteShape(_members.Length);
        writer.WriteShape(_shortLength);
        foreach (var member in _members)
        {
            member.WriteNested(ref writer);
        }

        writer.WriteSingles(_upWindows);
        writer.WriteSingles(_downWindows);
        foreach (ref readonly var m in _state.AsSpan())
        {
            m.Point.Write(ref writer);
            m.Window.Write(ref writer);
            m.Run.Write(ref writer);
            writer.WriteDouble(m.UpShare);
            writer.WriteDouble(m.UpPairs);
            writer.WriteInt32(m.PreviousSide);
            writer.WriteDouble(m.UpSum);
            writer.WriteDouble(m.DownSum);
            writer.WriteInt32(m.ShortIndex);
            writer.WriteInt64(m.Scored);
        }

        writer.WriteDoubles(_blockRanges);
        _damping.Write(ref writer);
        writer.WriteInt64(_seen);
        writer.WriteDouble(_min);
        writer.WriteDouble(_max);
        writer.WriteDouble(_pastMin);
        writer.WriteDouble(_pastMax);
        writer.WriteInt32(_blockFill);
        writer.WriteInt32(_blockPoints);
        writer.WriteInt32(_blockHead);
        writer.WriteInt32(_blockCount);
        _departures.Write(ref writer);
        _repeats.Write(ref writer);
        writer.WriteByte((byte)LastReading);
    }

    /// <inheritdoc />
    internal override void ReadState(ref SnapshotReader reader)
    {
        reader.ReadShape(_members.Length, "the ensemble's members");
        reader.ReadShape(_shortLength, "the ensemble's short window");
        foreach (var member in _members)
        {
            member.ReadNested(ref reader);
        }

        reader.ReadSingles(_upWindows);
        reader.ReadSingles(_downWindows);
        for (var i = 0; i < _upWindows.Length; i++)
        {
            // Calibrated surprises, each at most MaxSurprise.
            if (!(_upWindows[i] is >= 0 and <= (float)MaxSurprise) || !(_downWindows[i] is >= 0 and <= (float)MaxSurprise))
            {
                throw reader.Corrupt($"a member's short window holds {_upWindows[i]} above and {_downWindows[i]} below, outside [0, {MaxSurprise}]");
            }
        }

        foreach (ref var m in _state.AsSpan())
        {
            m.Point.Read(ref reader);
            m.Window.Read(ref reader);
            m.Run.Read(ref reader);
            m.UpShare = reader.ReadDoubleIn(0, 1, "a member's share of points above");
            m.UpPairs = reader.ReadDoubleIn(0, 1, "a member's share of pairs above");
            m.PreviousSide = Math.Sign(reader.ReadInt32());
            m.UpSum = reader.ReadFinite("a member's sum of surprises above");
            m.DownSum = reader.ReadFinite("a member's sum of surprises below");
            m.ShortIndex = reader.ReadCount(_shortLength - 1, "a member's short-window position");
            var scored = reader.ReadInt64(); // written as a long: counted up to int.MaxValue
            m.Scored = scored < 0 ? throw reader.Corrupt($"a member has scored {scored} points") : (int)Math.Min(scored, int.MaxValue);
        }

        reader.ReadFinites(_blockRanges, "the range blocks' ends"); // points' values (0 where no block is yet)
        _damping.Read(ref reader);
        _seen = reader.ReadInt64In(0, MaxPoints, "the points seen");

        // The ranges are of points' values: ±∞ only while empty (the current block's ends, or the ring's while it has no block).
        _min = reader.ReadDoubleIn(double.MinValue, double.PositiveInfinity, "the current block's minimum");
        _max = reader.ReadDoubleIn(double.NegativeInfinity, double.MaxValue, "the current block's maximum");
        _pastMin = reader.ReadDoubleIn(double.MinValue, double.PositiveInfinity, "the complete blocks' minimum");
        _pastMax = reader.ReadDoubleIn(double.NegativeInfinity, double.MaxValue, "the complete blocks' maximum");

        // A block closes when its fill reaches its length (at least RangeBlockPoints, at most MaxRangeBlockPoints).
        _blockFill = reader.ReadCount(MaxRangeBlockPoints - 1, "the range block's fill");
        _blockPoints = reader.ReadInt32In(RangeBlockPoints, MaxRangeBlockPoints, "the range blocks' length");
        _blockHead = reader.ReadCount(_blockRanges.Length / 2 - 1, "the range ring's head");
        _blockCount = reader.ReadCount(_blockRanges.Length / 2, "the range ring's count");
        _departures.Read(ref reader, _seen);
        _repeats.Read(ref reader);
        var reading = reader.ReadByte();
        LastReading = Enum.IsDefined((Reading)reading) ? (Reading)reading : throw reader.Corrupt($"the last reading is {reading}");
    }
}
