namespace Aiops.Detection.Internal;

/// <content>Snapshot: the window oldest first, and the sorted order as indexes into it (1 or 2 bytes each), so it is rebuilt bit for bit.</content>
internal sealed partial class RollingOrderStatistics
{
    public void Write(ref SnapshotWriter writer)
    {
        var n = _sorted.Length;
        writer.WriteShape(n);
        writer.WriteInt32(_count);

        // Slot tags count from the oldest value's slot once the window is full (from 0 before): its index in arrival order.
        var head = _count == n ? _head : 0;
        Span<double> ordered = _count <= 512 ? stackalloc double[_count] : new double[_count];
        for (var j = 0; j < _count; j++)
        {
            ordered[Index(j)] = _sorted[j];
        }

        writer.WriteDoubles(ordered);
        for (var j = 0; j < _count; j++)
        {
            var index = Index(j);
            writer.WriteByte((byte)index);
            if (n > 256)
            {
                writer.WriteByte((byte)(index >> 8));
            }
        }

        int Index(int j) => _slots[j] >= head ? _slots[j] - head : _slots[j] + n - head;
    }

    /// <summary>Reads what <see cref="Write"/> wrote: sorted values, never NaN, and finite when <paramref name="finiteValues"/> (a window of points).</summary>
    public void Read(ref SnapshotReader reader, bool finiteValues)
    {
        var n = _sorted.Length;
        reader.ReadShape(n, "the rolling window's length");
        var count = reader.ReadCount(n, "the rolling window's count");
        Span<double> ordered = count <= 512 ? stackalloc double[count] : new double[count];
        reader.ReadDoubles(ordered);
        Span<bool> used = count <= 4096 ? stackalloc bool[count] : new bool[count];
        for (var j = 0; j < count; j++)
        {
            var index = n <= 256 ? reader.ReadByte() : reader.ReadByte() | (reader.ReadByte() << 8);
            if (index >= count || used[index])
            {
                throw reader.Corrupt($"a sorted value names window slot {index} of {count}, or one named before");
            }

            if (double.IsNaN(ordered[index]) || (finiteValues && !double.IsFinite(ordered[index])) || (j > 0 && ordered[index] < _sorted[j - 1]))
            {
                throw reader.Corrupt("the rolling window's sorted order is not sorted, or holds NaN or (of points) an infinity");
            }

            used[index] = true;
            _sorted[j] = ordered[index];
            _slots[j] = (ushort)index;
        }

        _head = 0;
        _count = count;
        _newest = count == 0 ? double.NaN : ordered[count - 1];
    }
}
