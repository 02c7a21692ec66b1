using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Aiops.Detection.Internal;

/// <summary>
/// A rolling window that keeps its values both in arrival order and sorted, so the median is O(1) and the
/// median absolute deviation a short count (see <see cref="MedianAbsoluteDeviation"/>), with an O(n) shift per update.
/// </summary>
/// <remarks>
/// Short windows (the robust z-score's default is 64) are served by SIMD counting: comparisons of a whole vector of values
/// at once, summed, replace binary searches whose branches the predictor cannot learn. Long windows fall back to
/// branch-free binary searches where counting would cost more.
/// </remarks>
internal sealed partial class RollingOrderStatistics
{
    /// <summary>Windows up to this long locate insertions by SIMD counting rather than binary search.</summary>
    private const int CountLimit = 512;

    /// <summary>The MAD search counts outright once the candidate range is this short.</summary>
    private const int CountBlock = 32;

    private readonly double[] _ring;
    private readonly double[] _sorted;
    private int _head;
    private int _count;

    public RollingOrderStatistics(int capacity)
    {
        _ring = new double[capacity];
        _sorted = new double[capacity];
    }

    public int Count => _count;

    public int Capacity => _ring.Length;

    public bool IsFull => _count == _ring.Length;

    public int StateSizeBytes => (2 * _ring.Length * sizeof(double)) + 64;

    /// <summary>The value added last, or <see cref="double.NaN"/> when the window is empty.</summary>
    public double Newest => _count == 0 ? double.NaN : _ring[(_head + _count - 1) % _ring.Length];

    /// <summary>Adds a value; returns the value it evicts (the oldest, when the window was full), else <see cref="double.NaN"/>.</summary>
    public double Add(double value)
    {
        var sorted = _sorted.AsSpan(0, _count);
        var oldest = double.NaN;
        if (_count == _ring.Length)
        {
            oldest = _ring[_head];
            // An equal value is interchangeable with the oldest one, so it is removed at the lower bound. Ranks are counted
            // over the ring (the same values), which the previous update's shift of the sorted copy does not touch.
            var (at, insert) = _count <= CountLimit ? CountBelowEach(_ring, oldest, value) : (LowerBound(sorted, oldest), LowerBound(sorted, value));
            // Replace in one pass: shift the run between the removed slot and the insertion point by one.
            if (insert > at)
            {
                insert--;
                ShiftDown(ref sorted[at], insert - at);
            }
            else if (insert < at)
            {
                ShiftUp(ref sorted[insert], at - insert);
            }

            sorted[insert] = value;
            _ring[_head] = value;
            _head = _head + 1 == _ring.Length ? 0 : _head + 1;
        }
        else
        {
            var insert = LowerBound(value);
            _sorted.AsSpan(insert, _count - insert).CopyTo(_sorted.AsSpan(insert + 1));
            _sorted[insert] = value;
            _ring[(_head + _count) % _ring.Length] = value;
            _count++;
        }

        return oldest;
    }

    public void Clear()
    {
        _head = 0;
        _count = 0;
    }

    public double Median()
    {
        var c = _count >> 1;
        return (_count & 1) == 1 ? _sorted[c] : 0.5 * (_sorted[c - 1] + _sorted[c]);
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
        return 0.5 * (previous + upper);
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
    private static void ShiftDown(ref double start, int length)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && length >= Vector<double>.Count)
        {
            // The last block is read before the loop overwrites any of it, and stored last (overlapping is harmless).
            var last = length - Vector<double>.Count;
            var tail = Vector.LoadUnsafe(ref start, (nuint)(last + 1));
            for (; i < last; i += Vector<double>.Count)
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
    private static void ShiftUp(ref double start, int length)
    {
        var i = length;
        if (Vector.IsHardwareAccelerated && length >= Vector<double>.Count)
        {
            // Mirror image of ShiftDown: walk down from the top, the first block is read first and stored last.
            var head = Vector.LoadUnsafe(ref start);
            for (; i > Vector<double>.Count; i -= Vector<double>.Count)
            {
                Vector.LoadUnsafe(ref start, (nuint)(i - Vector<double>.Count)).StoreUnsafe(ref start, (nuint)(i - Vector<double>.Count + 1));
            }

            head.StoreUnsafe(ref start, 1);
            return;
        }

        for (; i > 0; i--)
        {
            Unsafe.Add(ref start, i) = Unsafe.Add(ref start, i - 1);
        }
    }

    /// <summary>How many of <paramref name="values"/> are below <paramref name="first"/>, and below <paramref name="second"/>.</summary>
    private static (int First, int Second) CountBelowEach(ReadOnlySpan<double> values, double first, double second)
    {
        ref var s0 = ref MemoryMarshal.GetReference(values);
        var n = values.Length;
        int a = 0, b = 0, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var firstVector = Vector512.Create(first);
            var secondVector = Vector512.Create(second);
            for (; i <= n - Vector512<double>.Count; i += Vector512<double>.Count)
            {
                var v = Vector512.LoadUnsafe(ref s0, (nuint)i);
                a += BitOperations.PopCount(Vector512.LessThan(v, firstVector).ExtractMostSignificantBits());
                b += BitOperations.PopCount(Vector512.LessThan(v, secondVector).ExtractMostSignificantBits());
            }
        }
        else if (Vector.IsHardwareAccelerated)
        {
            var firstVector = new Vector<double>(first);
            var secondVector = new Vector<double>(second);
            var belowFirst = Vector<long>.Zero;
            var belowSecond = Vector<long>.Zero;
            for (; i <= n - Vector<double>.Count; i += Vector<double>.Count)
            {
                var v = Vector.LoadUnsafe(ref s0, (nuint)i);
                belowFirst -= Vector.LessThan(v, firstVector); // true lanes are -1
                belowSecond -= Vector.LessThan(v, secondVector);
            }

            a = (int)Vector.Sum(belowFirst);
            b = (int)Vector.Sum(belowSecond);
        }

        for (; i < n; i++)
        {
            a += values[i] < first ? 1 : 0;
            b += values[i] < second ? 1 : 0;
        }

        return (a, b);
    }
}
