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
            var at = LowerBound(oldest); // an equal value is interchangeable with the oldest one
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
        if ((n & 1) == 1)
        {
            return KthDeviation(k, median, out _);
        }

        var upper = KthDeviation(k, median, out var previous);
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
    private int LowerBound(double value)
    {
        if (_count == 0)
        {
            return 0;
        }

        var sorted = _sorted;
        int lo = 0, n = _count;
        while (n > 1)
        {
            var half = n >> 1;
            lo = sorted[lo + half] < value ? lo + half : lo;
            n -= half;
        }

        return lo + (sorted[lo] < value ? 1 : 0);
    }

    private int UpperBound(double value)
    {
        if (_count == 0)
        {
            return 0;
        }

        var sorted = _sorted;
        int lo = 0, n = _count;
        while (n > 1)
        {
            var half = n >> 1;
            lo = sorted[lo + half] <= value ? lo + half : lo;
            n -= half;
        }

        return lo + (sorted[lo] <= value ? 1 : 0);
    }

    // Deviations below the centre, read outwards, and deviations from the centre upwards, are two ascending runs;
    // the k-th smallest of their union is found by the classic two-array binary search. The (k-1)-th comes for free:
    // it is the larger of the two runs' last taken elements once the k-th is set aside.
    private double KthDeviation(int k, double median, out double previous)
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
        if (a >= b)
        {
            previous = Math.Max(takeLeft > 1 ? Left(c, takeLeft - 2, median) : double.NegativeInfinity, b);
            return a;
        }

        previous = Math.Max(a, takeRight > 1 ? Right(c, takeRight - 2, median) : double.NegativeInfinity);
        return b;
    }

    private double Left(int c, int i, double median) => median - _sorted[c - 1 - i];

    private double Right(int c, int j, double median) => _sorted[c + j] - median;
}
