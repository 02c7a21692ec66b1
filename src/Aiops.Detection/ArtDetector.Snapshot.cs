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

        // One point per tick at most (its timestamps increase strictly), so _points never overflows; the ring position follows the count.
        _points = reader.ReadInt64In(0, MaxPoints, "the ART point count");
        _recentNext = reader.ReadCount(_ring - 1, "the ART recent position");
        if (_recentNext != _points % _ring)
        {
            throw reader.Corrupt($"the ART recent position {_recentNext} does not follow from {_points} points in a ring of {_ring}");
        }

        Array.Clear(_recent);
        reader.ReadFinites(_recent.AsSpan(0, RecentCount(_points)), "the ART recent values");
        _framed = reader.ReadBool();
        if (_framed != (_points >= _ring))
        {
            throw reader.Corrupt($"the ART range is {(_framed ? "set" : "not set")} after {_points} points");
        }

        _low = reader.ReadFinite("the ART range's low end");
        _span = reader.ReadDoubleIn(_framed ? double.Epsilon : 0, _framed ? double.MaxValue : 0, "the ART range's span");
        _outside = reader.ReadDoubleIn(0, 1, "the ART share of points outside the range");
        _scale = reader.ReadDoubleIn(0, double.MaxValue, "the ART mean distance");
        _scaled = reader.ReadInt64In(0, _points, "the ART distances measured");
        _used = reader.ReadCount(_framed ? _categories : 0, "the ART categories in use");
        Array.Clear(_lower);
        Array.Clear(_upper);
        Array.Clear(_lastUse);
        Array.Clear(_input);
        reader.ReadSingles(_lower.AsSpan(0, _used * _window));
        reader.ReadSingles(_upper.AsSpan(0, _used * _window));
        for (var i = 0; i < _used * _window; i++)
        {
            if (!(_lower[i] >= -Beyond && _lower[i] <= _upper[i] && _upper[i] <= 1 + Beyond))
            {
                throw reader.Corrupt($"an ART category's box is [{_lower[i]}, {_upper[i]}], not within [{-Beyond}, {1 + Beyond}]");
            }
        }

        for (var c = 0; c < _used; c++)
        {
            _lastUse[c] = reader.ReadInt64In(0, _points, "an ART category's last use");
        }
    }

    private int RecentCount(long points) => (int)Math.Min(points, _ring);
}
