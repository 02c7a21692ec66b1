using System.ComponentModel.DataAnnotations;
using System.Numerics;
using Aiops.Detection.Internal;

namespace Aiops.Detection;

/// <summary>
/// A window-shape detector after the idea of ARTime (adaptive resonance theory for time series, NAB 2021): the last
/// <see cref="ArtOptions.WindowSize"/> values, scaled into the series' learned range, form one input; a fuzzy ART network with
/// complement coding learns categories of such inputs online, and a window surprises by how far it is from every category it
/// knows. A shape that repeats joins a category and stops surprising; a new shape, a spike or a new level is far from all of
/// them until it has been seen.
/// </summary>
/// <remarks>
/// <para>
/// Fuzzy ART with complement coding stores a category as a box [u, v] in the window space (its weight is (u, 1 − v)). The match
/// of an input x with a category, |x ∧ w| / |x|, is then 1 − (size of the box grown to hold x) / <see cref="ArtOptions.WindowSize"/>,
/// so the vigilance test "match ≥ ρ" says: the grown box stays within a total width of (1 − ρ) · window. Among the categories
/// that pass it, the one with the highest choice value |x ∧ w| / (α + |w|) resonates and grows to hold x (fast learning); when
/// none passes, x founds a new category (the least recently used one is recycled once <see cref="ArtOptions.Categories"/> are
/// in use). The statistic is the distance (L1, in range units) from x to the nearest box, measured before learning: the part of
/// x that resonates with no learned category. ARTime's dual vigilance turns that into a yes/no anomaly with a second, looser
/// vigilance; here the distance is instead read against its own running mean, surprise = distance / mean, and
/// <see cref="CalibratedDetector"/> (which flags by <see cref="AnomalyDetectorOptions.FalseAlarmsPerWeek"/>) calibrates that
/// surprise's tail per series. The probability reported is 1 − e^(−surprise).
/// </para>
/// <para>
/// Strictly causal (no knowledge of the series' length or range). The first 64 points set the range (their minimum and maximum,
/// widened by a tenth on each side); values beyond it are not clipped but kept up to two ranges out, so a spike is far from every
/// box. When more than half of the recent points (leaky mean over 64) fall outside the range, it is set again from the recent
/// points, and every box is mapped into the new range (an affine map keeps boxes boxes), so nothing learned is lost. Nothing is
/// scored during the first <see cref="ArtOptions.WarmupPoints"/> points, while the first categories and the mean distance form.
/// </para>
/// <para>
/// Bounded state, allocated once: two floats per category and window position (the box), one long per category (last use),
/// the last max(64, window × <see cref="ArtOptions.Downsample"/>) values and one window of input. With the defaults (32
/// categories of 8 points) 2,944 bytes (<see cref="StateSizeBytes"/>), whatever the series. Nothing is allocated per point.
/// Not thread-safe.
/// </para>
/// <para>
/// A building block, not in the <see cref="DetectorCatalog"/>: wrapped in a <see cref="CalibratedDetector"/> it scores 37.9
/// (NAB standard, leave-one-category-out cross-validated) on the development files, below the catalogue's 40.
/// </para>
/// </remarks>
public sealed partial class ArtDetector : AnomalyDetector
{
    /// <summary>Points that set (and re-set) the range: as many as the contextual detector's window.</summary>
    private const int FramePoints = 64;

    /// <summary>How far beyond the range a value is kept, in ranges; beyond that it is as novel as it gets.</summary>
    private const float Beyond = 2;

    /// <summary>The choice parameter α of fuzzy ART: small, so the choice prefers the best match, then the tighter box.</summary>
    private const double Choice = 1e-3;

    /// <summary>The memory of the mean distance, in points.</summary>
    private const int ScaleMemory = 1000;

    private readonly int _window;
    private readonly int _downsample;
    private readonly int _ring;
    private readonly int _categories;
    private readonly int _warmup;
    private readonly float _maxSize;
    private readonly float[] _lower;
    private readonly float[] _upper;
    private readonly long[] _lastUse;
    private readonly float[] _input;
    private readonly double[] _recent;
    private int _recentNext;
    private long _points;
    private int _used;
    private bool _framed;
    private double _low;
    private double _span;
    private double _outside;
    private double _scale;
    private long _scaled;

    /// <summary>Initializes a new instance of the <see cref="ArtDetector"/> class.</summary>
    /// <param name="options">The options; <see langword="null"/> uses the defaults.</param>
    /// <exception cref="ValidationException">An option is out of range.</exception>
    public ArtDetector(ArtOptions? options = null)
        : base(DetectorNames.Art, options ??= new ArtOptions())
    {
        _window = options.WindowSize;
        _downsample = options.Downsample;
        _ring = Math.Max(FramePoints, _window * _downsample);
        _categories = options.Categories;
        _warmup = Math.Max(options.WarmupPoints, FramePoints);
        _maxSize = (float)((1 - options.Vigilance) * _window);
        _lower = new float[_categories * _window];
        _upper = new float[_categories * _window];
        _lastUse = new long[_categories];
        _input = new float[_window];
        _recent = new double[_ring];
    }

    /// <inheritdoc />
    public override int StateSizeBytes => (_lower.Length * 8) + (_lastUse.Length * 8) + (_input.Length * 4) + (_recent.Length * 8) + 96;

    /// <inheritdoc />
    protected override AnomalyScore UpdateCore(DateTimeOffset timestamp, double value)
    {
        _recent[_recentNext] = value;
        _recentNext = _recentNext + 1 == _ring ? 0 : _recentNext + 1;
        _points++;
        if (!_framed)
        {
            if (_points < _ring)
            {
                return AnomalyScore.WarmingUp(timestamp, value);
            }

            Frame();
        }

        var outside = value < _low || value > _low + _span;
        _outside += ((outside ? 1.0 : 0.0) - _outside) / FramePoints;
        if (_outside > 0.5)
        {
            Frame();
        }

        // The input: the last window of values (means of blocks of Downsample points) in range units, newest first.
        var index = _recentNext;
        for (var k = 0; k < _window; k++)
        {
            var sum = 0.0;
            for (var j = 0; j < _downsample; j++)
            {
                index = index == 0 ? _ring - 1 : index - 1;
                sum += _recent[index];
            }

            _input[k] = Scale(double.IsFinite(sum) ? sum / _downsample : BlockMean(index));
        }

        var distance = Resonate();
        var surprise = distance / Math.Max(_scale, 1e-3 * _window);
        _scaled++;
        var scale = Weights.Flush(_scale + ((distance - _scale) / Math.Min(_scaled, ScaleMemory)));

        // The mean distance never keeps a NaN (it would silence every later point): a distance that is not a number is not
        // learned from.
        _scale = double.IsNaN(scale) ? _scale : scale;
        if (_points < _warmup)
        {
            return AnomalyScore.WarmingUp(timestamp, value);
        }

        return AnomalyScore.Scored(timestamp, value, 1 - Math.Exp(-surprise), surprise, Threshold);
    }

    /// <inheritdoc />
    protected override void ResetCore()
    {
        ForgetCategories();
        Array.Clear(_input);
        Array.Clear(_recent);
        _recentNext = 0;
        _points = 0;
        _framed = false;
        _low = _span = _outside = 0;
    }

    // The categories and the mean distance to them, learned again from the next points.
    private void ForgetCategories()
    {
        Array.Clear(_lower);
        Array.Clear(_upper);
        Array.Clear(_lastUse);
        _used = 0;
        _scale = 0;
        _scaled = 0;
    }

    // value − low overflows only for a range near the width of the whole double line: then it is read in halves.
    private float Scale(double value) => (float)Math.Clamp(Overflow.DifferenceOver(value, _low, _span), -Beyond, 1 + Beyond);

    /// <summary>
    /// The mean of the <see cref="ArtOptions.Downsample"/> recent values from ring position <paramref name="index"/> on, summed
    /// in shares: used only when their plain sum overflows (values near ±double.MaxValue).
    /// </summary>
    private double BlockMean(int index)
    {
        var mean = 0.0;
        for (var j = 0; j < _downsample; j++)
        {
            mean += _recent[index] / _downsample;
            index = index + 1 == _ring ? 0 : index + 1;
        }

        return mean;
    }

    /// <summary>
    /// Sets the range from the recent points, widened by a tenth on each side, and maps every box (and the mean distance) into it.
    /// </summary>
    private void Frame()
    {
        var min = double.MaxValue;
        var max = double.MinValue;
        var count = (int)Math.Min(_points, _ring);
        for (var i = 0; i < count; i++)
        {
            min = Math.Min(min, _recent[i]);
            max = Math.Max(max, _recent[i]);
        }

        var range = Math.Max(max - min, Calibration.ScaleFloor(Overflow.Midpoint(min, max)));
        var low = min - (0.1 * range);
        var span = 1.2 * range;
        if (!double.IsFinite(low) || !double.IsFinite(span))
        {
            // Points spread over more than double.MaxValue / 1.2: the widest finite range, centred on them.
            span = double.MaxValue;
            low = Math.Max(Overflow.Midpoint(min, max) - (0.5 * double.MaxValue), -double.MaxValue);
        }

        if (_framed)
        {
            // x_new = (x_old · span_old + low_old − low_new) / span_new, for every box edge.
            var factor = (float)(_span / span);
            var shift = (float)((_low - low) / span);
            if (!float.IsFinite(factor) || !float.IsFinite(shift))
            {
                // The ranges differ by more than a float spans (a range set from values near double.MaxValue, then from
                // ordinary ones): mapped, every box would be NaN or pinned to the edges. The categories and the mean distance
                // are learned again instead.
                ForgetCategories();
                factor = 1;
                shift = 0;
            }

            for (var i = 0; i < _used * _window; i++)
            {
                _lower[i] = Math.Clamp((_lower[i] * factor) + shift, -Beyond, 1 + Beyond);
                _upper[i] = Math.Clamp((_upper[i] * factor) + shift, -Beyond, 1 + Beyond);
            }

            _scale *= factor;
        }

        _low = low;
        _span = span;
        _outside = 0;
        _framed = true;
    }

    /// <summary>
    /// Presents the input to the network: returns its distance to the nearest category, then lets the best category that passes
    /// the vigilance test learn it, or founds a new category with it.
    /// </summary>
    private double Resonate()
    {
        var nearest = _used == 0 ? 0 : double.MaxValue;
        var best = -1;
        var bestChoice = double.MinValue;
        var lowers = _lower.AsSpan();
        var uppers = _upper.AsSpan();
        var input = _input.AsSpan();
        var lanes = Vector<float>.Count;
        for (var c = 0; c < _used; c++)
        {
            var offset = c * _window;
            var sizes = Vector<float>.Zero;
            var distances = Vector<float>.Zero;
            var k = 0;
            for (; k <= _window - lanes; k += lanes)
            {
                var lower = new Vector<float>(lowers.Slice(offset + k));
                var upper = new Vector<float>(uppers.Slice(offset + k));
                var x = new Vector<float>(input.Slice(k));
                sizes += upper - lower;
                distances += Vector.Max(Vector.Max(lower - x, x - upper), Vector<float>.Zero);
            }

            var size = Vector.Sum(sizes);
            var distance = Vector.Sum(distances);
            for (; k < _window; k++)
            {
                var lower = lowers[offset + k];
                var upper = uppers[offset + k];
                var x = input[k];
                size += upper - lower;
                distance += Math.Max(0, Math.Max(lower - x, x - upper));
            }

            nearest = Math.Min(nearest, distance);
            var grown = size + distance;
            if (grown <= _maxSize)
            {
                // |x ∧ w| = window − grown size, |w| = window − size (complement coding).
                var choice = (_window - grown) / (Choice + _window - size);
                if (choice > bestChoice)
                {
                    bestChoice = choice;
                    best = c;
                }
            }
        }

        if (best >= 0)
        {
            var offset = best * _window;
            for (var k = 0; k < _window; k++)
            {
                _lower[offset + k] = Math.Min(_lower[offset + k], _input[k]);
                _upper[offset + k] = Math.Max(_upper[offset + k], _input[k]);
            }
        }
        else
        {
            best = _used < _categories ? _used++ : LeastRecentlyUsed();
            var offset = best * _window;
            for (var k = 0; k < _window; k++)
            {
                _lower[offset + k] = _upper[offset + k] = _input[k];
            }
        }

        _lastUse[best] = _points;
        return nearest;
    }

    private int LeastRecentlyUsed()
    {
        var oldest = 0;
        for (var c = 1; c < _used; c++)
        {
            if (_lastUse[c] < _lastUse[oldest])
            {
                oldest = c;
            }
        }

        return oldest;
    }
}

/// <summary>Options of <see cref="ArtDetector"/>.</summary>
/// <remarks>Read once when the detector is created. Not thread-safe to mutate while a detector is being created from it.</remarks>
public sealed class ArtOptions : AnomalyDetectorOptions
{
    /// <summary>
    /// Gets or sets how many recent points form one input (a window shape). Default: 8 (ARTime's window; 4, 6, 12 and 16
    /// scored lower cross-validated on the NAB development files). Range: [2, 64].
    /// </summary>
    [Range(2, 64)]
    public int WindowSize { get; set; } = 8;

    /// <summary>
    /// Gets or sets the most categories kept; when all are in use, the least recently used one is recycled. Default: 32
    /// (2 KiB of boxes with the default window; 16 and 64 scored lower cross-validated). Range: [1, 1024].
    /// </summary>
    [Range(1, 1024)]
    public int Categories { get; set; } = 32;

    /// <summary>
    /// Gets or sets the vigilance ρ: a category holds windows whose box stays within a total width of (1 − ρ) · window, in
    /// units of the learned range. Higher makes tighter, more numerous categories. Default: 0.85 (chosen by
    /// leave-one-category-out cross-validation on the NAB development files among 0.8, 0.85, 0.875, 0.9 and 0.95). Range: [0, 1].
    /// </summary>
    [Range(0.0, 1.0)]
    public double Vigilance { get; set; } = 0.85;

    /// <summary>
    /// Gets or sets how many points are learned from before any is scored (at least the 64 that set the range). Default: 300,
    /// the ensemble's longest warm-up: a fixed count, since a streaming detector does not know the series' length (150 and 600
    /// scored lower cross-validated). Range: [64, 100,000].
    /// </summary>
    [Range(64, 100_000)]
    public int WarmupPoints { get; set; } = 300;

    /// <summary>
    /// Gets or sets how many points are averaged into one window position (a window then spans
    /// <see cref="WindowSize"/> × this many points). Default: 1 (ARTime downsamples; 2 and 4 scored lower cross-validated here, averaging dilutes a
    /// spike). Range: [1, 64].
    /// </summary>
    [Range(1, 64)]
    public int Downsample { get; set; } = 1;
}
