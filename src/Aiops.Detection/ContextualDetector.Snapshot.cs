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
        _recentNext = reader.ReadCount(_window - 1, "the contextual recent position");
        Array.Clear(_recent);
        reader.ReadDoubles(_recent.AsSpan(0, _recentCount));
        for (var k = 0; k < _order; k++)
        {
            _symbols[k] = reader.ReadByte();
        }

        _symbolCount = reader.ReadCount(int.MaxValue, "the contextual symbol count");
        _relearn = reader.ReadCount(_relearnPoints, "the contextual relearning points");
        _total = reader.ReadInt64();
        _framed = reader.ReadBool();
        _constant = reader.ReadBool();
        _departures.Read(ref reader);
        _low = reader.ReadDouble();
        _high = reader.ReadDouble();
        _width = reader.ReadDouble();
        _outside = reader.ReadDouble();
        Span<byte> used = _keys.Length <= 8192 ? stackalloc byte[_keys.Length / 8] : new byte[_keys.Length / 8];
        for (var i = 0; i < used.Length; i++)
        {
            used[i] = reader.ReadByte();
        }

        for (var i = 0; i < _keys.Length; i++)
        {
            if ((used[i >> 3] & (1 << (i & 7))) != 0)
            {
                _keys[i] = reader.ReadUInt32();
                _counts[i] = reader.ReadInt32();
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
