namespace Aiops.Detection.Internal;

/// <summary>
/// A rolling window that keeps its values both in arrival order and sorted, so the median is O(1) and the
/// median absolute deviation O(log n) (the k-th smallest of two sorted deviation runs), with O(n) memmove per update.
/// </summary>
internal sealed class RollingOrderStatistics
{
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

    public void Add(double value)
    {
        if (_count == _ring.Length)
        {
            var oldest = _ring[_head];
            var at = Array.BinarySearch(_sorted, 0, _count, oldest);
            var insert = LowerBound(value);
            // Replace in one memmove: shift the run between the removed slot and the insertion point by one.
            if (insert > at)
            {
                insert--;
                Array.Copy(_sorted, at + 1, _sorted, at, insert - at);
            }
            else if (insert < at)
            {
                Array.Copy(_sorted, insert, _sorted, insert + 1, at - insert);
            }

            _sorted[insert] = value;
            _ring[_head] = value;
            _head = (_head + 1) % _ring.Length;
        }
        else
        {
            var insert = LowerBound(value);
            Array.Copy(_sorted, insert, _sorted, insert + 1, _count - insert);
            _sorted[insert] = value;
            _ring[(_head + _count) % _ring.Length] = value;
            _count++;
        }
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
    public double MedianAbsoluteDeviation(double median)
    {
        var n = _count;
        if (n == 0)
        {
            return 0;
        }

        var k = n >> 1;
        return (n & 1) == 1 ? KthDeviation(k, median) : 0.5 * (KthDeviation(k - 1, median) + KthDeviation(k, median));
    }

    /// <summary>How many values in the window are strictly below <paramref name="value"/>.</summary>
    public int CountBelow(double value) => LowerBound(value);

    /// <summary>How many values in the window are at most <paramref name="value"/>.</summary>
    public int CountAtMost(double value)
    {
        int lo = 0, hi = _count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_sorted[mid] <= value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

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

    private int LowerBound(double value)
    {
        int lo = 0, hi = _count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_sorted[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    // Deviations below the centre, read outwards, and deviations from the centre upwards, are two ascending runs;
    // the k-th smallest of their union is found by the classic two-array binary search.
    private double KthDeviation(int k, double median)
    {
        var c = _count >> 1;
        var leftLength = c;
        var rightLength = _count - c;

        int lo = Math.Max(0, k + 1 - rightLength), hi = Math.Min(k + 1, leftLength);
        while (lo < hi)
        {
            var i = (lo + hi) >>> 1; // take i from the left run, k + 1 - i from the right run
            var j = k + 1 - i;
            if (j > 0 && i < leftLength && Right(c, j - 1, median) > Left(c, i, median))
            {
                lo = i + 1;
            }
            else
            {
                hi = i;
            }
        }

        var takeLeft = lo;
        var takeRight = k + 1 - takeLeft;
        var a = takeLeft > 0 ? Left(c, takeLeft - 1, median) : double.NegativeInfinity;
        var b = takeRight > 0 ? Right(c, takeRight - 1, median) : double.NegativeInfinity;
        return Math.Max(a, b);
    }

    private double Left(int c, int i, double median) => median - _sorted[c - 1 - i];

    private double Right(int c, int j, double median) => _sorted[c + j] - median;
}
