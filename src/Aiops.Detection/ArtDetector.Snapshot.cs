using Aiops.Detection.Internal;

namespace Aiops.Detection;

/// <content>
/// Snapshot: the recent values, the learned range, the mean distance and the categories in use (their boxes and last use). The
/// input window is not written: it is rebuilt from the recent values before every use.
/// </content>
public sealed partial class ArtDetector
{
    /// <inheritdoc />
    internal override SnapshotKind SnapshotKind => SnapshotKind.Art;

    /// <inheritdoc />
    internal override void WriteState(ref SnapshotWriter writer)
    {
        writer.WriteShape(_window);
        writer.WriteShape(_downsample);
        writer.WriteShape(_categories);
        writer.WriteShape(_warmup);
        writer.WriteSingle(_maxSize);
        writer.WriteInt64(_points);
        writer.WriteInt32(_recentNext);
        writer.WriteDoubles(_recent.AsSpan(0, RecentCount(_points)));
        writer.WriteBool(_framed);
        writer.WriteDouble(_low);
        writer.WriteDouble(_span);
        writer.WriteDouble(_outside);
        writer.WriteDouble(_scale);
        writer.WriteInt64(_scaled);
        writer.WriteInt32(_used);
        writer.WriteSingles(_lower.AsSpan(0, _used * _window));
        writer.WriteSingles(_upper.AsSpan(0, _used * _window));
        for (var c = 0; c < _used; c++)
        {
            writer.WriteInt64(_lastUse[c]);
        }
    }

    /// <inheritdoc />
    internal override void ReadState(ref SnapshotReader reader)
    {
        reader.ReadShape(_window, "the ART window");
        reader.ReadShape(_downsample, "the ART downsampling");
        reader.ReadShape(_categories, "the ART categories");
        reader.ReadShape(_warmup, "the ART warm-up points");
        if (BitConverter.SingleToInt32Bits(reader.ReadSingle()) != BitConverter.SingleToInt32Bits(_maxSize))
        {
            throw reader.Corrupt("the ART vigilance differs from this detector's; restore into a detector created with the same options");
        }

        _points = reader.ReadInt64();
        if (_points < 0)
        {
            throw reader.Corrupt($"the ART point count is {_points}");
        }

        _recentNext = reader.ReadCount(_ring - 1, "the ART recent position");
        Array.Clear(_recent);
        reader.ReadDoubles(_recent.AsSpan(0, RecentCount(_points)));
        _framed = reader.ReadBool();
        _low = reader.ReadDouble();
        _span = reader.ReadDouble();
        _outside = reader.ReadDouble();
        _scale = reader.ReadDouble();
        _scaled = reader.ReadInt64();
        _used = reader.ReadCount(_categories, "the ART categories in use");
        Array.Clear(_lower);
        Array.Clear(_upper);
        Array.Clear(_lastUse);
        Array.Clear(_input);
        reader.ReadSingles(_lower.AsSpan(0, _used * _window));
        reader.ReadSingles(_upper.AsSpan(0, _used * _window));
        for (var c = 0; c < _used; c++)
        {
            _lastUse[c] = reader.ReadInt64();
        }
    }

    private int RecentCount(long points) => (int)Math.Min(points, _ring);
}
