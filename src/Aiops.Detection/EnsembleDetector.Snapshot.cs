using Aiops.Detection.Internal;

namespace Aiops.Detection;

/// <content>Snapshot: every member, each member's calibrations and short window, the recent range, the values not yet in it, the run of departures from a constant range and the refractory period.</content>
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

        writer.WriteDoubles(_shortWindows);
        foreach (ref readonly var m in _state.AsSpan())
        {
            m.Calibration.Write(ref writer);
            m.WindowCalibration.Write(ref writer);
            writer.WriteDouble(m.ShortSum);
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
        writer.WriteDoubles(_lagRing);
        writer.WriteInt32(_lagHead);
        writer.WriteInt32(_lagFill);
        _departures.Write(ref writer);
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

        reader.ReadDoubles(_shortWindows);
        foreach (ref var m in _state.AsSpan())
        {
            m.Calibration.Read(ref reader);
            m.WindowCalibration.Read(ref reader);
            m.ShortSum = reader.ReadDouble();
            m.ShortIndex = reader.ReadCount(_shortLength - 1, "a member's short-window position");
            m.Scored = reader.ReadInt64();
        }

        reader.ReadDoubles(_blockRanges);
        _damping.Read(ref reader);
        _seen = reader.ReadInt64();
        _min = reader.ReadDouble();
        _max = reader.ReadDouble();
        _pastMin = reader.ReadDouble();
        _pastMax = reader.ReadDouble();
        _blockFill = reader.ReadCount(int.MaxValue, "the range block's fill");
        _blockPoints = reader.ReadCount(int.MaxValue, "the range blocks' length");
        _blockHead = reader.ReadCount(_blockRanges.Length / 2 - 1, "the range ring's head");
        _blockCount = reader.ReadCount(_blockRanges.Length / 2, "the range ring's count");
        reader.ReadDoubles(_lagRing);
        _lagHead = reader.ReadCount(RangeLag - 1, "the lag ring's head");
        _lagFill = reader.ReadCount(RangeLag, "the lag ring's fill");
        _departures.Read(ref reader);
        var reading = reader.ReadByte();
        LastReading = reading <= (byte)Reading.Record ? (Reading)reading : throw reader.Corrupt($"the last reading is {reading}");
    }
}
