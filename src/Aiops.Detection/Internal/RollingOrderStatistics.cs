using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Aiops.Detection.Internal;

/// <summary>
/// A rolling window kept sorted, each value tagged with its arrival slot, so the median is O(1) and the median absolute
/// deviation a short count (see <see cref="MedianAbsoluteDeviation"/>), with an O(n) shift per update.
/// </summary>
/// <remarks>
/// The window is not kept a second time in arrival order: the oldest value is found by its slot tag (a vectorised search
/// of 2-byte tags), so a window of n values takes 10·n bytes rather than 16·n (the ensemble's two windows, 32 and 64 values,
/// save 576 B per series). Short windows (up to 512) locate the insertion by SIMD counting: comparisons of a whole vector of
/// values at once, summed, replace binary searches whose branches the predictor cannot learn. Long windows fall back to
/// branch-free binary searches where counting would cost more.
/// </remarks>
internal sealed partial class RollingOrderStatistics
{
    /// <summary>The longest window: a slot tag is 2 bytes.</summary>
    public const int MaxCapacity = ushort.MaxValue + 1;

    /// <summary>Windows up to this long locate insertions by SIMD counting rather than binary search.</summary>
    private const int CountLimit = 512;

    /// <summary>The MAD search counts outright once the candidate range is this short.</summary>
    private const int CountBlock = 32;

    private readonly double[] _sorted;
    private readonly ushort[] _slots; // _slots[j]: the arrival slot of _sorted[j], in [0, capacity)
    private int _head; // the slot of the oldest value once the window is full (slots fill from 0 before)
    private int _count;
    private double _newest = double.NaN;

    public RollingOrderStatistics(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, MaxCapacity);
        _sorted = new double[capacity];
        _slots = new ushort[capacity];
    }

    public int Count => _count;

    public int Capacity => _sorted.Length;

    public bool IsFull => _count == _sorted.Length;

    public int StateSizeBytes => (_sorted.Length * (sizeof(double) + sizeof(ushort))) + 64;

    /// <summary>The value added last, or <see cref="double.NaN"/> when the window is empty.</summary>
    public double Newest => _newest;

    /// <summary>Adds a value; returns the value it evicts (the oldest, when the window was full), else <see cref="double.NaN"/>.</summary>
    public double Add(double value)
    {
        var n = _sorted.Length;
        var sorted = _sorted.AsSpan(0, _count);
        var slots = _slots.AsSpan(0, _count);
        var oldest = double.NaN;
        _newest = value;
        if (_count == n)
        {
            var slot = (ushort)_head;
            var at = slots.IndexOf(slot);
            oldest = sorted[at];
            // Replace in one pass: shift the run between the removed slot and the insertion point by one.
            var insert = _count <= CountLimit ? CountBelow(sorted, value) : LowerBound(sorted, value);
            if (insert > at)
            {
                insert--; // the count included the oldest value, which leaves
                ShiftDown(ref sorted[at], insert - at);
                ShiftDown(ref slots[at], insert - at);
            }
            else if (insert < at)
            {
                ShiftUp(ref sorted[insert], at - insert);
                ShiftUp(ref slots[insert], at - insert);
            }

            sorted[insert] = value;
            slots[insert] = slot;
            _head = _head + 1 == n ? 0 : _head + 1;
        }
        else
        {
            var insert = LowerBound(sorted, value);
            _sorted.AsSpan(insert, _count - insert).CopyTo(_sorted.AsSpan(insert + 1));
            _slots.AsSpan(insert, _count - insert).CopyTo(_slots.AsSpan(insert + 1));
            _sorted[insert] = value;
            _slots[insert] = (ushort)_count;
            _count++;
        }

        return oldest;
    }

    public void Clear()
    {
        _head = 0;
        _count = 0;
        _newest = double.NaN;
    }

    /// <summary>The median of the window; of an even window, the midpoint of the two middle values, computed without overflow.</summary>
    public double Median()
    {
        var c = _count >> 1;
        return (_count & 1) == 1 ? _sorted[c] : Overflow.Midpoint(_sorted[c - 1], _sorted[c]);
    }

    /// <summary>The median of |x - median| over the window.</summary>
    /// <remarks>
    /// The deviations, read along the sorted values, fall to the median and rise after it, so the j smallest of them are
    /// j adjacent sorted values and the j-th smallest is min over a of max(m - s[a], s[a + j - 1] - m). With j = k + 1 the
    /// test s[a + k] - m &lt; m - s[a] holds for a prefix of the a; its length a* (counted, see <see cref="CountCloserOnLeft"/>)
    /// gives the k-th smallest deviation as min(m - s[a* - 1], s[a* + k] - m), and the (k-1)-th, which even windows also need,
    /// as max(m - s[a*], s[a* + k - 1] - m): the optimal window minus its farthest end. Every deviation is computed with the
    /// same subtraction as a direct evaluation would use, so the result is exact.
    /// </remarks>
    public double MedianAbsoluteDeviation(double median)
    {
        var n = _count;
        if (n < 2)
        {
            return 0;
        }

        var s = _sorted;
        var k = n >> 1;
        var candidates = n - k; // a in [0, n - 1 - k]
        var a = CountCloserOnLeft(s, k, candidates, median);
        var upper = a == 0 ? s[k] - median
            : a == candidates ? median - s[a - 1]
            : Math.Min(median - s[a - 1], s[a + k] - median);
        if ((n & 1) == 1)
        {
            return upper;
        }

        var previous = Math.Max(median - s[a], s[a + k - 1] - median);
        return Overflow.Midpoint(previous, upper);
    }

    /// <summary>How many values in the window are strictly below <paramref name="value"/>.</summary>
    public int CountBelow(double value) => LowerBound(value);

    /// <summary>How many values in the window are at most <paramref name="value"/>.</summary>
    public int CountAtMost(double value) => UpperBound(value);

    /// <summary>The q-quantile (nearest rank, q in [0, 1]) of the window; 0 when empty.</summary>
    public double Quantile(double q)
    {
        if (_count == 0)
        {
            return 0;
        }

        var index = (int)Math.Round(q * (_count - 1));
        return _sorted[Math.Clamp(index, 0, _count - 1)];
    }

    // Branch-free binary searches (Khuong and Morin): the comparison picks the next base with a conditional move instead
    // of a jump the predictor would miss half the time.
    private int LowerBound(double value) => LowerBound(_sorted.AsSpan(0, _count), value);

    private int UpperBound(double value) => UpperBound(_sorted.AsSpan(0, _count), value);

    private static int LowerBound(ReadOnlySpan<double> sorted, double value)
    {
        if (sorted.IsEmpty)
        {
            return 0;
        }

        int lo = 0, n = sorted.Length;
        while (n > 1)
        {
            var half = n >> 1;
            lo = sorted[lo + half] < value ? lo + half : lo;
            n -= half;
        }

        return lo + (sorted[lo] < value ? 1 : 0);
    }

    private static int UpperBound(ReadOnlySpan<double> sorted, double value)
    {
        if (sorted.IsEmpty)
        {
            return 0;
        }

        int lo = 0, n = sorted.Length;
        while (n > 1)
        {
            var half = n >> 1;
            lo = sorted[lo + half] <= value ? lo + half : lo;
            n -= half;
        }

        return lo + (sorted[lo] <= value ? 1 : 0);
    }

    /// <summary>How many a in [0, candidates) have s[a + k] - m &lt; m - s[a] (a prefix of them, the test being monotone).</summary>
    private static int CountCloserOnLeft(double[] s, int k, int candidates, double m)
    {
        // Narrow the prefix boundary by halving (branch-free) until a block short enough to count outright is left.
        int lo = 0, length = candidates;
        while (length > CountBlock)
        {
            var half = length >> 1;
            var i = lo + half;
            lo = s[i + k] - m < m - s[i] ? i : lo;
            length -= half;
        }

        // Every a below lo passes; count the passes in [lo, lo + length).
        ref var s0 = ref MemoryMarshal.GetArrayDataReference(s);
        var end = lo + length;
        var i0 = lo;
        var count = 0L;
        if (Vector512.IsHardwareAccelerated)
        {
            var mv = Vector512.Create(m);
            for (; i0 <= end - Vector512<double>.Count; i0 += Vector512<double>.Count)
            {
                var left = Vector512.LoadUnsafe(ref s0, (nuint)i0);
                var right = Vector512.LoadUnsafe(ref s0, (nuint)(i0 + k));
                count += BitOperations.PopCount(Vector512.LessThan(right - mv, mv - left).ExtractMostSignificantBits());
            }
        }
        else if (Vector.IsHardwareAccelerated && length >= Vector<double>.Count)
        {
            var mv = new Vector<double>(m);
            var passes = Vector<long>.Zero;
            for (; i0 <= end - Vector<double>.Count; i0 += Vector<double>.Count)
            {
                var left = Vector.LoadUnsafe(ref s0, (nuint)i0);
                var right = Vector.LoadUnsafe(ref s0, (nuint)(i0 + k));
                passes -= Vector.LessThan(right - mv, mv - left); // true lanes are -1
            }

            count = Vector.Sum(passes);
        }

        for (; i0 < end; i0++)
        {
            count += s[i0 + k] - m < m - s[i0] ? 1 : 0;
        }

        return lo + (int)count;
    }

    /// <summary>Moves the <paramref name="length"/> values after <paramref name="start"/> one slot down (onto it).</summary>
    /// <remarks>Buffer.Memmove hands overlapping ranges to the C runtime, which costs more than these short moves.</remarks>
    private static void ShiftDown<T>(ref T start, int length)
        where T : struct
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && length >= Vector<T>.Count)
        {
            // The last block is read before the loop overwrites any of it, and stored last (overlapping is harmless).
            var last = length - Vector<T>.Count;
            var tail = Vector.LoadUnsafe(ref start, (nuint)(last + 1));
            for (; i < last; i += Vector<T>.Count)
            {
                Vector.LoadUnsafe(ref start, (nuint)(i + 1)).StoreUnsafe(ref start, (nuint)i);
            }

            tail.StoreUnsafe(ref start, (nuint)last);
            return;
        }

        for (; i < length; i++)
        {
            Unsafe.Add(ref start, i) = Unsafe.Add(ref start, i + 1);
        }
    }

    /// <summary>Moves the <paramref name="length"/> values from <paramref name="start"/> on one slot up.</summary>
    private static void ShiftUp<T>(ref T start, int length)
        where T : struct
    {
        var i = length;
        if (Vector.IsHardwareAccelerated && length >= Vector<T>.Count)
        {
            // Mirror image of ShiftDown: walk down from the top, the first block is read first and stored last.
            var head = Vector.LoadUnsafe(ref start);
            for (; i > Vector<T>.Count; i -= Vector<T>.Count)
            {
                Vector.LoadUnsafe(ref start, (nuint)(i - Vector<T>.Count)).StoreUnsafe(ref start, (nuint)(i - Vector<T>.Count + 1));
            }

            head.StoreUnsafe(ref start, 1);
            return;
        }

        for (; i > 0; i--)
        {
            Unsafe.Add(ref start, i) = Unsafe.Add(ref start, i - 1);
        }
    }

    /// <summary>How many of <paramref name="values"/> are below <paramref name="value"/>, counted without a branch per value.</summary>
    private static int CountBelow(ReadOnlySpan<double> values, double value)
    {
        ref var s0 = ref MemoryMarshal.GetReference(values);
        var n = values.Length;
        int count = 0, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var vector = Vector512.Create(value);
            for (; i <= n - Vector512<double>.Count; i += Vector512<double>.Count)
            {
                count += BitOperations.PopCount(Vector512.LessThan(Vector512.LoadUnsafe(ref s0, (nuint)i), vector).ExtractMostSignificantBits());
            }
        }
        else if (Vector.IsHardwareAccelerated)
        {
            var vector = new Vector<double>(value);
            var below = Vector<long>.Zero;
            for (; i <= n - Vector<double>.Count; i += Vector<double>.Count)
            {
                below -= Vector.LessThan(Vector.LoadUnsafe(ref s0, (nuint)i), vector); // true lanes are -1
            }

            count = (int)Vector.Sum(below);
        }

        for (; i < n; i++)
        {
            count += values[i] < value ? 1 : 0;
        }

        return count;
    }
}
