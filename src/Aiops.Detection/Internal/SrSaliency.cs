using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Aiops.Detection.Internal;

/// <summary>
/// The Spectral Residual saliency of the newest point of a sliding window (Ren et al., KDD 2019), normalised by the RMS of
/// the frame's whole saliency map, computed with a sliding DFT so that a point costs O(N) vector work and no FFT.
/// </summary>
/// <remarks>
/// <para>
/// The analysed frame has N = W + κ samples: the last W observed values followed by κ look-ahead estimates, all equal to
/// one value v extrapolated from the points before the newest. Its spectrum is kept incrementally: the observed part
/// F_k = Σ_j x_j e^{-2πijk/N} slides in O(1) per bin, F_k ← (F_k - x_oldest)·e^{2πik/N} + x_newest·e^{-2πik(W-1)/N},
/// and the look-ahead part is v·D_k with the constant D_k = Σ_{j=W}^{N-1} e^{-2πijk/N}. Rounding drift is removed by an
/// exact direct DFT every <see cref="ResyncInterval"/> slides. Only bins 0..⌊N/2⌋ are kept, the input being real.
/// </para>
/// <para>
/// Per point: Y_k = F_k + v·D_k; log amplitude L_k; its centred 3-point average AL_k (the paper's q = 3); the spectral
/// residual keeps the phase and sets the amplitude to e^{L_k - AL_k}, i.e. Z_k = Y_k·e^{-AL_k}. The saliency of the newest
/// point, S = |inverse DFT of Z at frame position W-1|, is evaluated for that one position only, and the RMS of the whole
/// saliency map comes from Parseval's identity, RMS² = Σ_k |Z_k|² / N². The centred (circular) average keeps Z Hermitian,
/// so the map is real. The DC bin (the window's level) is left out of the reconstruction, which makes the result
/// invariant to the series' offset and scale; bins whose amplitude is below 1e-10 of the largest amplitude (numerically
/// zero) contribute nothing, so a constant window has saliency exactly 0.
/// </para>
/// <para>Allocation happens in the constructor only. Not thread-safe.</para>
/// </remarks>
internal sealed partial class SrSaliency
{
    /// <summary>How many slides the incremental spectrum makes before it is recomputed exactly from the window.</summary>
    public const int ResyncInterval = 4096;

    /// <summary>Relative power floor, (1e-10)²: amplitudes below 1e-10 of the largest one count as zero.</summary>
    private const double RelativePowerFloor = 1e-20;

    /// <summary>Absolute power floor; keeps logarithms finite when the whole frame is 0.</summary>
    private const double AbsolutePowerFloor = 1e-300;

    private readonly int _windowSize;
    private readonly int _frameLength;
    private readonly int _lookahead;
    private readonly int _gradientPoints;
    private readonly int _lastBin;
    private readonly nuint _blocked; // bins 0.._lastBin rounded up to whole blocks of Vector<float>.Count
    private readonly nuint _topBlock; // the first bin of the block (counted from bin 1) that holds the last bin
    private readonly Vector<int> _firstLane; // selects lane 0
    private readonly Vector<int> _topLane; // selects the last bin's lane in the top block
    private readonly bool _oddFrame;

    private readonly double[] _ring;

    // The look-ahead estimate as weights on x_{n-1}, x_{n-2}, ..., x_{n-1-m}.
    private readonly double[] _extrapolation;

    // Per-bin constants; entries above _lastBin are zero.
    private readonly double[] _rotRe;
    private readonly double[] _rotIm;
    private readonly double[] _newRe;
    private readonly double[] _newIm;
    private readonly double[] _tailRe;
    private readonly double[] _tailIm;
    private readonly double[] _evalRe;
    private readonly double[] _evalIm;
    private readonly double[] _energyWeight;

    // The observed part of the spectrum, maintained incrementally.
    private readonly double[] _obsRe;
    private readonly double[] _obsIm;

    // Scratch of one evaluation.
    private readonly double[] _yRe;
    private readonly double[] _yIm;
    private readonly double[] _power;
    private readonly float[] _logPower;

    // cos and sin of 2πm/N, m = 0..N-1, for the exact resynchronisation.
    private readonly double[] _cos;
    private readonly double[] _sin;

    private int _head;
    private int _count;
    private int _slides;

    /// <summary>Initializes a new instance of the <see cref="SrSaliency"/> class.</summary>
    /// <param name="windowSize">W, the number of observed points in the frame; at least <paramref name="gradientPoints"/> + 3.</param>
    /// <param name="lookahead">κ, the number of extrapolated points appended after the newest; 0 disables the look-ahead.</param>
    /// <param name="gradientPoints">m, the number of gradients averaged for the extrapolation; at least 1.</param>
    public SrSaliency(int windowSize, int lookahead, int gradientPoints)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(gradientPoints, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(windowSize, gradientPoints + 3);
        ArgumentOutOfRangeException.ThrowIfNegative(lookahead);

        _windowSize = windowSize;
        _lookahead = lookahead;
        _gradientPoints = gradientPoints;
        _frameLength = windowSize + lookahead;
        _lastBin = _frameLength / 2;

        // Bins are processed in blocks of Vector<float>.Count (two Vector<double>): 8 with AVX2, 4 with NEON.
        var block = Vector<float>.Count;
        _blocked = (nuint)((_lastBin + block) / block * block);
        _topBlock = (nuint)(1 + ((_lastBin - 1) / block * block));
        var lanes = new int[block];
        lanes[0] = -1;
        _firstLane = new Vector<int>(lanes);
        lanes[0] = 0;
        lanes[_lastBin - (int)_topBlock] = -1;
        _topLane = new Vector<int>(lanes);
        _oddFrame = (_frameLength & 1) == 1;

        // The q = 3 average reads one slot past the last bin, in whole blocks starting at bin 1: one spare block.
        var length = (int)_blocked + block;
        _ring = new double[windowSize];
        _extrapolation = ExtrapolationWeights(gradientPoints);
        _rotRe = new double[length];
        _rotIm = new double[length];
        _newRe = new double[length];
        _newIm = new double[length];
        _tailRe = new double[length];
        _tailIm = new double[length];
        _evalRe = new double[length];
        _evalIm = new double[length];
        _energyWeight = new double[length];
        _obsRe = new double[length];
        _obsIm = new double[length];
        _yRe = new double[length];
        _yIm = new double[length];
        _power = new double[length];
        _logPower = new float[length];
        _cos = new double[_frameLength];
        _sin = new double[_frameLength];

        var n = _frameLength;
        for (var m = 0; m < n; m++)
        {
            var angle = 2 * Math.PI * m / n;
            _cos[m] = Math.Cos(angle);
            _sin[m] = Math.Sin(angle);
        }

        for (var k = 0; k <= _lastBin; k++)
        {
            // e^{+2πik/N} moves every sample one position earlier.
            _rotRe[k] = _cos[k % n];
            _rotIm[k] = _sin[k % n];

            // e^{-2πik(W-1)/N} is the basis of the newest observed sample.
            var newest = (int)((long)k * (windowSize - 1) % n);
            _newRe[k] = _cos[newest];
            _newIm[k] = -_sin[newest];

            // Σ_{j=W}^{N-1} e^{-2πijk/N} is the basis of the look-ahead run.
            double tailRe = 0, tailIm = 0;
            for (var j = windowSize; j < n; j++)
            {
                var index = (int)((long)j * k % n);
                tailRe += _cos[index];
                tailIm -= _sin[index];
            }

            _tailRe[k] = tailRe;
            _tailIm[k] = tailIm;

            // Bins strictly between 0 and N/2 stand for themselves and their Hermitian mirror; the DC bin is left out.
            var multiplicity = k == 0 ? 0.0 : (2 * k == n ? 1.0 : 2.0);

            // The inverse DFT at position W-1, 1/N included: Re(Z_k e^{+2πik(W-1)/N}) = Z_re·newRe + Z_im·newIm.
            _evalRe[k] = multiplicity * _newRe[k] / n;
            _evalIm[k] = multiplicity * _newIm[k] / n;

            // Parseval: the mean square of the map is Σ_k multiplicity·|Z_k|² / N².
            _energyWeight[k] = multiplicity / ((double)n * n);
        }
    }

    /// <summary>Gets W, the number of observed points in the analysed frame.</summary>
    public int WindowSize => _windowSize;

    /// <summary>Gets N = W + κ, the length of the analysed frame.</summary>
    public int FrameLength => _frameLength;

    /// <summary>Gets a value indicating whether the window holds W points, so that <see cref="Push"/> returns values.</summary>
    public bool IsFull => _count == _windowSize;

    /// <summary>Gets the bytes held by this instance: its 19 arrays (contents and 24-byte headers) and its fields.</summary>
    public int StateSizeBytes =>
        ((_ring.Length + _extrapolation.Length + (14 * _rotRe.Length) + (2 * _frameLength)) * sizeof(double))
        + (_logPower.Length * sizeof(float)) + (19 * 24) + 224 + (2 * Vector<int>.Count * sizeof(int));

    /// <summary>
    /// Adds the newest point and returns its saliency divided by the RMS of the frame's saliency map (a |z|-like value, 0
    /// when the frame has no content beyond its level), or <see cref="double.NaN"/> while the window fills.
    /// </summary>
    /// <param name="value">A finite value.</param>
    /// <returns>The normalised saliency of <paramref name="value"/>, ≥ 0, or NaN during warm-up.</returns>
    public double Push(double value)
    {
        if (_count < _windowSize)
        {
            _ring[_count++] = value;
            if (_count < _windowSize)
            {
                return double.NaN;
            }

            Resynchronise();
            return NormalisedSaliency(slide: false, 0, 0);
        }

        var oldest = _ring[_head];
        _ring[_head] = value;
        _head = _head + 1 == _windowSize ? 0 : _head + 1;

        var slide = ++_slides < ResyncInterval;
        if (!slide)
        {
            Resynchronise();
        }

        return NormalisedSaliency(slide, oldest, value);
    }

    /// <summary>Forgets every point.</summary>
    public void Clear()
    {
        _head = 0;
        _count = 0;
        _slides = 0;
        Array.Clear(_ring);
        Array.Clear(_obsRe);
        Array.Clear(_obsIm);
    }

    /// <summary>
    /// log2 of positive, normal floats, |error| &lt; 1e-7: x = 2^e·m with m folded into [√½, √2), and
    /// log2 m = (2 / ln 2)·atanh(s) = (2 / ln 2)·(s + s³/3 + s⁵/5 + s⁷/7), s = (m - 1) / (m + 1), |s| ≤ 0.172.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Log2(Vector<float> x)
    {
        const float c1 = 2.8853900817779268f; // 2 / ln 2
        const float c3 = c1 / 3;
        const float c5 = c1 / 5;
        const float c7 = c1 / 7;
        var bits = Vector.AsVectorInt32(x);
        var exponent = Vector.ShiftRightArithmetic(bits, 23) - new Vector<int>(127);
        var mantissa = Vector.AsVectorSingle((bits & new Vector<int>(0x007FFFFF)) | new Vector<int>(0x3F800000));
        var fold = Vector.GreaterThan(mantissa, new Vector<float>(1.4142135f));
        mantissa = Vector.ConditionalSelect(fold, mantissa * 0.5f, mantissa);
        exponent -= fold; // the mask is -1 where folded
        var s = (mantissa - Vector<float>.One) / (mantissa + Vector<float>.One);
        var s2 = s * s;
        var poly = s * (new Vector<float>(c1) + (s2 * (new Vector<float>(c3) + (s2 * (new Vector<float>(c5) + (s2 * c7))))));
        return Vector.ConvertToSingle(exponent) + poly;
    }

    /// <summary>
    /// 2^y for y in [-126, 127], relative error &lt; 2e-7: 2^y = 2^i·2^f with i = round(y), |f| ≤ ½, and 2^f from its
    /// degree-6 Taylor polynomial.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Exp2(Vector<float> y)
    {
        const float l1 = 0.6931471805599453f;
        const float l2 = 0.2402265069591007f;
        const float l3 = 0.0555041086648216f;
        const float l4 = 0.0096181291076285f;
        const float l5 = 0.0013333558146428f;
        const float l6 = 0.0001540353039338f;
        var rounded = Vector.Round(y);
        var f = y - rounded;
        var p = Vector<float>.One + (f * (new Vector<float>(l1) + (f * (new Vector<float>(l2) + (f * (new Vector<float>(l3)
            + (f * (new Vector<float>(l4) + (f * (new Vector<float>(l5) + (f * l6)))))))))));
        return Vector.AsVectorSingle(Vector.AsVectorInt32(p) + Vector.ShiftLeft(Vector.ConvertToInt32(rounded), 23));
    }

    /// <summary>The value <paramref name="back"/> steps before the newest (0 = newest); the window must be full.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private double Back(int back)
    {
        var i = _head - 1 - back;
        return _ring[i < 0 ? i + _windowSize : i];
    }

    /// <summary>
    /// The look-ahead estimate, the paper's average-gradient extrapolation x̂ = x_{n-m} + g·(m + 1) with
    /// g = (1/m)·Σ_{i=1..m} (x_{n-1} - x_{n-1-i}) / i, computed from the m + 1 points before the newest point x_n (as
    /// ML.NET's streaming SrCnn does) so that the point under test cannot bend its own look-ahead: an extrapolation that
    /// includes a spike continues the spike and hides it. The estimate is linear in those points, so it is applied as
    /// precomputed weights (<see cref="ExtrapolationWeights"/>).
    /// </summary>
    private double Extrapolate()
    {
        var weights = _extrapolation;
        double v = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            v += weights[i] * Back(1 + i);
        }

        return v;
    }

    /// <summary>The weights c_0..c_m with x̂ = Σ_i c_i·x_{n-1-i} (see <see cref="Extrapolate"/>).</summary>
    private static double[] ExtrapolationWeights(int m)
    {
        var weights = new double[m + 1];
        var factor = (m + 1.0) / m;
        for (var i = 1; i <= m; i++)
        {
            weights[0] += factor / i;
            weights[i] -= factor / i;
        }

        weights[m - 1] += 1; // x_{n-m} is x_{n-1-(m-1)}
        return weights;
    }

    private void Resynchronise()
    {
        _slides = 0;
        var n = _frameLength;
        for (var k = 0; k <= _lastBin; k++)
        {
            double re = 0, im = 0;
            var index = 0;
            for (var j = 0; j < _windowSize; j++)
            {
                var x = _ring[_head + j < _windowSize ? _head + j : _head + j - _windowSize];
                re += x * _cos[index];
                im -= x * _sin[index];
                index += k;
                if (index >= n)
                {
                    index -= n;
                }
            }

            _obsRe[k] = re;
            _obsIm[k] = im;
        }
    }

    /// <summary>
    /// Slides the observed spectrum by one sample when <paramref name="slide"/> is set, then computes the normalised
    /// saliency of the newest point.
    /// </summary>
    private double NormalisedSaliency(bool slide, double oldest, double value)
    {
        var v = _lookahead > 0 ? Extrapolate() : 0.0;
        var last = _lastBin;

        ref var obsRe = ref MemoryMarshal.GetArrayDataReference(_obsRe);
        ref var obsIm = ref MemoryMarshal.GetArrayDataReference(_obsIm);
        ref var tailRe = ref MemoryMarshal.GetArrayDataReference(_tailRe);
        ref var tailIm = ref MemoryMarshal.GetArrayDataReference(_tailIm);
        ref var yRe = ref MemoryMarshal.GetArrayDataReference(_yRe);
        ref var yIm = ref MemoryMarshal.GetArrayDataReference(_yIm);
        ref var power = ref MemoryMarshal.GetArrayDataReference(_power);
        var vv = new Vector<double>(v);
        var maxPower = Vector<double>.Zero;
        if (slide)
        {
            // F_k ← (F_k - x_old)·e^{2πik/N} + x_new·e^{-2πik(W-1)/N}, fused with Y = F + v·D and P = |Y|². Lanes above the
            // last bin get x_old subtracted, then a zero rotation and a zero basis: they stay 0.
            ref var rotRe = ref MemoryMarshal.GetArrayDataReference(_rotRe);
            ref var rotIm = ref MemoryMarshal.GetArrayDataReference(_rotIm);
            ref var newRe = ref MemoryMarshal.GetArrayDataReference(_newRe);
            ref var newIm = ref MemoryMarshal.GetArrayDataReference(_newIm);
            var xOld = new Vector<double>(oldest);
            var xNew = new Vector<double>(value);
            for (nuint i = 0; i < _blocked; i += (nuint)Vector<double>.Count)
            {
                var fr = Vector.LoadUnsafe(ref obsRe, i) - xOld;
                var fi = Vector.LoadUnsafe(ref obsIm, i);
                var rr = Vector.LoadUnsafe(ref rotRe, i);
                var ri = Vector.LoadUnsafe(ref rotIm, i);
                var slidRe = (fr * rr) - (fi * ri) + (xNew * Vector.LoadUnsafe(ref newRe, i));
                var slidIm = (fr * ri) + (fi * rr) + (xNew * Vector.LoadUnsafe(ref newIm, i));
                Vector.StoreUnsafe(slidRe, ref obsRe, i);
                Vector.StoreUnsafe(slidIm, ref obsIm, i);
                var re = slidRe + (vv * Vector.LoadUnsafe(ref tailRe, i));
                var im = slidIm + (vv * Vector.LoadUnsafe(ref tailIm, i));
                var p = (re * re) + (im * im);
                Vector.StoreUnsafe(re, ref yRe, i);
                Vector.StoreUnsafe(im, ref yIm, i);
                Vector.StoreUnsafe(p, ref power, i);
                maxPower = Vector.Max(maxPower, p);
            }
        }
        else
        {
            for (nuint i = 0; i < _blocked; i += (nuint)Vector<double>.Count)
            {
                var re = Vector.LoadUnsafe(ref obsRe, i) + (vv * Vector.LoadUnsafe(ref tailRe, i));
                var im = Vector.LoadUnsafe(ref obsIm, i) + (vv * Vector.LoadUnsafe(ref tailIm, i));
                var p = (re * re) + (im * im);
                Vector.StoreUnsafe(re, ref yRe, i);
                Vector.StoreUnsafe(im, ref yIm, i);
                Vector.StoreUnsafe(p, ref power, i);
                maxPower = Vector.Max(maxPower, p);
            }
        }

        var largest = 0.0;
        for (var i = 0; i < Vector<double>.Count; i++)
        {
            largest = Math.Max(largest, maxPower[i]);
        }

        if (double.IsPositiveInfinity(largest))
        {
            // Values beyond ~1e154: their power overflows. The saliency ratio does not depend on the frame's scale, so the
            // spectrum is scaled down by a power of two (exactly) and its power computed again; only in this case, so an
            // ordinary frame is computed as it always was.
            largest = RescaledPower();
        }

        if (!(largest > 0) || !double.IsFinite(largest))
        {
            return 0; // an all-zero frame, or a spectrum that is itself not finite (values near double.MaxValue)
        }

        // log2(P_k / P_max), floored at 1e-20, in single precision: the range is [-66.5, 0] and the logarithms only set
        // gains, so ~1e-7 accuracy is plenty and twice the lanes halve the work. The factor P_max cancels in S / RMS.
        ref var logPower = ref MemoryMarshal.GetArrayDataReference(_logPower);
        var scale = new Vector<double>(1 / largest);
        var relativeFloor = new Vector<double>(RelativePowerFloor);
        for (nuint i = 0; i < _blocked; i += (nuint)Vector<float>.Count)
        {
            var low = Vector.Max(Vector.LoadUnsafe(ref power, i) * scale, relativeFloor);
            var high = Vector.Max(Vector.LoadUnsafe(ref power, i + (nuint)Vector<double>.Count) * scale, relativeFloor);
            Log2(Vector.Narrow(low, high)).StoreUnsafe(ref logPower, i);
        }

        // Z_k = Y_k·e^{-AL_k}, AL_k = (ln P_{k-1} + ln P_k + ln P_{k+1}) / 6 (the 1/2 turns power into amplitude), so the
        // gain e^{-AL_k} is 2^{-(log2 P_{k-1} + log2 P_k + log2 P_{k+1}) / 6}. S is Z projected on the inverse-DFT weights
        // of position W-1; E = Σ multiplicity·|Z_k|² / N² is the map's mean square. Bins at or below the floor contribute
        // nothing; lanes above the last bin have zero weights.
        ref var evalRe = ref MemoryMarshal.GetArrayDataReference(_evalRe);
        ref var evalIm = ref MemoryMarshal.GetArrayDataReference(_evalIm);
        ref var energyWeight = ref MemoryMarshal.GetArrayDataReference(_energyWeight);
        var minusSixth = new Vector<float>(-1f / 6f);
        var floor = new Vector<double>(RelativePowerFloor * largest);
        var saliency = Vector<double>.Zero;
        var energy = Vector<double>.Zero;
        for (nuint k = 1; k <= (nuint)last; k += (nuint)Vector<float>.Count)
        {
            // Centred q = 3 average with Hermitian edges: the DC bin is left out, so bin 1 is its own lower neighbour; the
            // neighbour above N/2 mirrors the one below it (for odd N the mirror of the top bin is the top bin itself).
            // The edges are patched in registers rather than stored, which would stall the overlapping vector loads.
            var below = Vector.LoadUnsafe(ref logPower, k - 1);
            var centre = Vector.LoadUnsafe(ref logPower, k);
            var above = Vector.LoadUnsafe(ref logPower, k + 1);
            if (k == 1)
            {
                below = Vector.ConditionalSelect(_firstLane, centre, below);
            }

            if (k == _topBlock)
            {
                above = Vector.ConditionalSelect(_topLane, _oddFrame ? centre : below, above);
            }

            var sum = below + centre + above;
            Vector.Widen(Exp2(sum * minusSixth), out var gainLow, out var gainHigh);

            var p = Vector.LoadUnsafe(ref power, k);
            var gain = Vector.ConditionalSelect(Vector.GreaterThan(p, floor), gainLow, Vector<double>.Zero);
            var projected = (Vector.LoadUnsafe(ref yRe, k) * Vector.LoadUnsafe(ref evalRe, k))
                + (Vector.LoadUnsafe(ref yIm, k) * Vector.LoadUnsafe(ref evalIm, k));
            saliency += gain * projected;
            energy += gain * gain * p * scale * Vector.LoadUnsafe(ref energyWeight, k);

            var kh = k + (nuint)Vector<double>.Count;
            p = Vector.LoadUnsafe(ref power, kh);
            gain = Vector.ConditionalSelect(Vector.GreaterThan(p, floor), gainHigh, Vector<double>.Zero);
            projected = (Vector.LoadUnsafe(ref yRe, kh) * Vector.LoadUnsafe(ref evalRe, kh))
                + (Vector.LoadUnsafe(ref yIm, kh) * Vector.LoadUnsafe(ref evalIm, kh));
            saliency += gain * projected;
            energy += gain * gain * p * scale * Vector.LoadUnsafe(ref energyWeight, kh);
        }

        // The gains are √P_max times the true ones: S = Σ gain·proj / √P_max, and Σ gain²·(P / P_max)·w is the true RMS².
        var rms = Math.Sqrt(Vector.Sum(energy));
        return rms > 0 ? Math.Abs(Vector.Sum(saliency)) / Math.Sqrt(largest) / rms : 0;
    }

    /// <summary>
    /// Scales the frame's spectrum (Y) by the power of two that brings its largest component near 1 and computes its power again;
    /// returns the largest power, or 0 when a component is not finite. Used only when the power overflows.
    /// </summary>
    private double RescaledPower()
    {
        var n = (int)_blocked;
        var largestComponent = 0.0;
        for (var i = 0; i < n; i++)
        {
            largestComponent = Math.Max(largestComponent, Math.Max(Math.Abs(_yRe[i]), Math.Abs(_yIm[i])));
        }

        if (!double.IsFinite(largestComponent))
        {
            return 0;
        }

        var scale = Math.ScaleB(1.0, -Math.ILogB(largestComponent));
        var largest = 0.0;
        for (var i = 0; i < n; i++)
        {
            _yRe[i] *= scale;
            _yIm[i] *= scale;
            _power[i] = (_yRe[i] * _yRe[i]) + (_yIm[i] * _yIm[i]);
            largest = Math.Max(largest, _power[i]);
        }

        return largest;
    }
}
