using Aiops.Detection.Internal;

namespace Aiops.Detection;

/// <content>
/// Snapshot: the recent values, the context, the learned range and the count table, written sparsely (a bitmap of the used
/// slots, then each used slot's key and count), so a young series costs little.
/// </content>
public sealed partial class ContextualDetector
{
    /// <inheritdoc />
    internal override SnapshotKind SnapshotKind => SnapshotKind.Contextual;

    /// <inheritdoc />
    internal override void WriteState(ref SnapshotWriter writer)
    {
        writer.WriteShape(_buckets);
        writer.WriteShape(_order);
        writer.WriteShape(_window);
        writer.WriteShape(_keys.Length);
        writer.WriteInt32(_recentCount);
        writer.WriteInt32(_recentNext);
        writer.WriteDoubles(_recent.AsSpan(0, _recentCount));
        for (var k = 0; k < _order; k++)
        {
            writer.WriteByte((byte)_symbols[k]);
        }

        writer.WriteInt32(_symbolCount);
        writer.WriteInt32(_relearn);
        writer.WriteInt64(_total);
        writer.WriteBool(_framed);
        writer.WriteBool(_constant);
        _departures.Write(ref writer);
        writer.WriteDouble(_low);
        writer.WriteDouble(_high);
        writer.WriteDouble(_width);
        writer.WriteDouble(_outside);
        for (var word = 0; word < _keys.Length; word += 8)
        {
            var bits = 0;
            for (var i = 0; i < 8; i++)
            {
                bits |= Used(word + i) ? 1 << i : 0;
            }

            writer.WriteByte((byte)bits);
        }

        for (var i = 0; i < _keys.Length; i++)
        {
            if (Used(i))
            {
                writer.WriteUInt32(_keys[i]);
                writer.WriteInt32(_counts[i]);
            }
        }
    }

    /// <inheritdoc />
    internal override void ReadState(ref SnapshotReader reader)
    {
        reader.ReadShape(_buckets, "the contextual buckets");
        reader.ReadShape(_order, "the contextual context length");
        reader.ReadShape(_window, "the contextual window");
        reader.ReadShape(_keys.Length, "the contextual table slots");
        _recentCount = reader.ReadCount(_window, "the contextual recent count");
        _recentNext = reader.ReadCount(_recentCount < _window ? _recentCount : _window - 1, "the contextual recent position");
        if (_recentCount < _window && _recentNext != _recentCount)
        {
            throw reader.Corrupt($"the contextual recent position is {_recentNext} with {_recentCount} recent points");
        }

        Array.Clear(_recent);
        reader.ReadFinites(_recent.AsSpan(0, _recentCount), "the contextual recent points");
        for (var k = 0; k < _order; k++)
        {
            var symbol = reader.ReadByte();
            _symbols[k] = symbol < _alphabet ? symbol : throw reader.Corrupt($"a contextual symbol is {symbol}, beyond the {_alphabet} symbols");
        }

        // The symbols and points are counted together from the range's last setting (one each per point since), the range set
        // once the window is full; so counting on never overflows.
        _symbolCount = reader.ReadCount(int.MaxValue - 1, "the contextual symbol count");
        _relearn = reader.ReadCount(_relearnPoints, "the contextual relearning points");
        _total = reader.ReadInt64In(_symbolCount, MaxPoints, "the contextual point count");
        _framed = reader.ReadBool();
        if (!_framed && (_total != 0 || _recentCount == _window))
        {
            throw reader.Corrupt($"the contextual range is not set after {_total} points counted and {_recentCount} recent");
        }

        _constant = reader.ReadBool();
        _departures.Read(ref reader, _total);

        // The range's ends (infinite only for values near ±double.MaxValue), its bucket width and the leaky share outside it.
        _low = reader.ReadDouble();
        _high = reader.ReadDouble();
        _width = reader.ReadDouble();
        _outside = reader.ReadDoubleIn(0, 1, "the contextual share of points outside the range");
        if (_framed && !(_low < _high && _width > 0))
        {
            throw reader.Corrupt($"the contextual range [{_low}, {_high}] of bucket width {_width} is empty");
        }
        Span<byte> used = _keys.Length <= 8192 ? stackalloc byte[_keys.Length / 8] : new byte[_keys.Length / 8];
        for (var i = 0; i < used.Length; i++)
        {
            used[i] = reader.ReadByte();
        }

        for (var i = 0; i < _keys.Length; i++)
        {
            if ((used[i >> 3] & (1 << (i & 7))) != 0)
            {
                // A key always has its low bit set (so 0 is free), and a held key's count is at least 1.
                _keys[i] = reader.ReadUInt32();
                _counts[i] = reader.ReadInt32();
                if ((_keys[i] & 1) == 0 || _counts[i] < 1)
                {
                    throw reader.Corrupt($"a contextual table slot holds key {_keys[i]} with count {_counts[i]}");
                }
            }
            else
            {
                _keys[i] = 0;
                _counts[i] = 0;
            }
        }
    }

    private bool Used(int slot) => _keys[slot] != 0 || _counts[slot] != 0;
}
