namespace Aiops.Detection.Internal;

/// <content>Snapshot: the window oldest first, and the sorted copy as indexes into it (1 or 2 bytes each), so it is rebuilt bit for bit.</content>
internal sealed partial class RollingOrderStatistics
{
    public void Write(ref SnapshotWriter writer)
    {
        var n = _ring.Length;
        writer.WriteShape(n);
        writer.WriteInt32(_count);
        Span<double> ordered = _count <= 512 ? stackalloc double[_count] : new double[_count];
        for (var i = 0; i < _count; i++)
        {
            ordered[i] = _ring[(_head + i) % n];
        }

        writer.WriteDoubles(ordered);

        // The sorted copy is a permutation of the window; each sorted value names a window slot holding the same bits.
        Span<bool> used = _count <= 4096 ? stackalloc bool[_count] : new bool[_count];
        for (var s = 0; s < _count; s++)
        {
            var bits = BitConverter.DoubleToInt64Bits(_sorted[s]);
            var slot = -1;
            for (var j = 0; j < _count; j++)
            {
                if (!used[j] && BitConverter.DoubleToInt64Bits(ordered[j]) == bits)
                {
                    slot = j;
                    break;
                }
            }

            if (slot < 0)
            {
                throw new InvalidOperationException("The rolling window's sorted copy does not match its values.");
            }

            used[slot] = true;
            if (n <= 256)
            {
                writer.WriteByte((byte)slot);
            }
            else
            {
                writer.WriteByte((byte)slot);
                writer.WriteByte((byte)(slot >> 8));
            }
        }
    }

    public void Read(ref SnapshotReader reader)
    {
        var n = _ring.Length;
        reader.ReadShape(n, "the rolling window's length");
        var count = reader.ReadCount(n, "the rolling window's count");
        reader.ReadDoubles(_ring.AsSpan(0, count));
        for (var s = 0; s < count; s++)
        {
            var slot = n <= 256 ? reader.ReadByte() : reader.ReadByte() | (reader.ReadByte() << 8);
            _sorted[s] = slot < count ? _ring[slot] : throw reader.Corrupt($"a sorted value names window slot {slot} of {count}");
        }

        _head = 0;
        _count = count;
    }
}
