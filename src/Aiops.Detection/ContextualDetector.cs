using System.ComponentModel.DataAnnotations;
using System.Numerics;
using Aiops.Detection.Internal;

namespace Aiops.Detection;

/// <summary>
/// A contextual detector after the idea of CAD OSE (Contextual Anomaly Detector, open-source edition, NAB 2016): each value is
/// encoded as a symbol (one of <see cref="ContextualOptions.Buckets"/> buckets of the series' learned range, or one of four
/// symbols for below, above, far below and far above it); the symbols of the last 1 to <see cref="ContextualOptions.ContextLength"/>
/// points are the semi-contexts the next symbol is predicted from; a point surprises when the contexts it completes are new.
/// The surprise is −ln p, with p the count of "this context, then this symbol" over the count of "this context" (add-one-half
/// smoothing over the alphabet), read in the longest context seen at least three times (else as the bucket's share of all
/// points). A pattern that repeats stops surprising; a new value, or a known value in a known context it never followed,
/// surprises. A value beyond the learned range by x ranges is also a record: its surprise s grows by min(x·s, ln(1 + 2x) / 0.45),
/// the heaviest tail (a Pareto tail of index 1 / 0.45 from the range's centre) the calibration admits; beyond a range set from a
/// constant (no width to measure how far by), a run of k departures reads ln C(n + k, k) − ln 2 (the k newest are the k largest or the k smallest), by rank alone. The probability reported is 1 − e^(−surprise), so <see cref="CalibratedDetector"/> (which flags by
/// <see cref="AnomalyDetectorOptions.FalseAlarmsPerWeek"/>) reads the surprise back exactly.
/// </summary>
/// <remarks>
/// <para>
/// Strictly causal: the range is learned online. The first <see cref="ContextualOptions.WindowSize"/> points set it (their minimum
/// and maximum, widened by one bucket on each side); when more than half of the recent points (leaky mean over the window) fall
/// outside it, it is set again from the last window of points, and the counts, which were kept in the old buckets, are
/// forgotten (the detector then relearns for <see cref="ContextualOptions.WindowSize"/> / 4 points, scoring nothing). Points
/// outside the range are not clamped into it: they are symbols of their own, so a spike or a new level is new by construction.
/// </para>
/// <para>
/// Bounded state, allocated once: counts live in a hashed table of <see cref="ContextualOptions.TableSlots"/> slots (4-way
/// buckets, 8 bytes a slot); when a bucket is full, a new key takes the place of the weakest one after decrementing it to zero
/// (lossy counting), so rare contexts are forgotten first. With the defaults: 4 KiB of counts, 512 bytes of recent values,
/// about 4.7 KiB in all (<see cref="StateSizeBytes"/>), whatever the series. Nothing is allocated per point. Not thread-safe.
/// </para>
/// </remarks>
public sealed partial class ContextualDetector : AnomalyDetector
{
    private const int Ways = 4;
    private const double Smoothing = 0.5;

    /// <summary>How often a context must have been seen before it predicts: once is an anecdote, three times a habit.</summary>
    private const int KnownContext = 3;

    private readonly int _buckets;
    private readonly int _order;
    private readonly int _window;
    private readonly int _alphabet;
    private readonly int _relearnPoints;
    private readonly uint[] _keys;
    private readonly int[] _counts;
    private readonly int _bucketMask;
    private readonly double[] _recent;
    private readonly int[] _symbols;
    private int _recentCount;
    private int _recentNext;
    private int _symbolCount;
    private int _relearn;
    private long _total;
    private bool _framed;
    private double _low;
    private double _high;
    private double _width;
    private double _outside;
    private bool _constant; // the range was set from points that were all equal: it has no width to measure "how far" in
    private ConstantDeparture _departures;

    /// <summary>Initializes a new instance of the <see cref="ContextualDetector"/> class.</summary>
    /// <param name="options">The options; <see langword="null"/> uses the defaults.</param>
    /// <exception cref="ValidationException">An option is out of range (<see cref="ContextualOptions.TableSlots"/> must be a power of two).</exception>
    public ContextualDetector(ContextualOptions? options = null)
        : base(DetectorNames.Contextual, options ??= new ContextualOptions())
    {
        if (!BitOperations.IsPow2(options.TableSlots))
        {
            throw new ValidationException($"{nameof(ContextualOptions)}.{nameof(ContextualOptions.TableSlots)} must be a power of two; got {options.TableSlots}.");
        }

        _buckets = options.Buckets;
        _order = options.ContextLength;
        _window = options.WindowSize;
        _alphabet = _buckets + 4;
        _relearnPoints = Math.Max(_order + 1, _window / 4);
        _keys = new uint[options.TableSlots];
        _counts = new int[options.TableSlots];
        _bucketMask = (options.TableSlots - 1) & ~(Ways - 1);
        _recent = new double[_window];
        _symbols = new int[_order];
    }

    /// <inheritdoc />
    public override int StateSizeBytes => (_keys.Length * 8) + (_recent.Length * 8) + (_symbols.Length * 4) + 112;

    /// <inheritdoc />
    protected override AnomalyScore UpdateCore(DateTimeOffset timestamp, double value)
    {
        Remember(value);
        if (!_framed)
        {
            if (_recentCount < _window)
            {
                return AnomalyScore.WarmingUp(timestamp, value);
            }

            Frame();
        }

        var symbol = Encode(value);
        _outside += ((symbol >= _buckets ? 1.0 : 0.0) - _outside) / _window;
        if (_outside > 0.5)
        {
            Frame();
            symbol = Encode(value);
        }

        // A value beyond the range is also a record. How far it passes the range is read with the heaviest tail the calibration
        // admits: a Pareto tail from the range's centre of index 1 / TailCalibration.MaxShape (≈ 2.2), whose threshold is the
        // range's edge, half a range from the centre. A value x ranges beyond the edge is 1 + 2x times as far from the centre,
        // which has chance (1 + 2x)^(−1 / 0.45) beyond the edge: it adds min(x·s, ln(1 + 2x) / 0.45) to the symbol's surprise
        // s. The exponential reading used before (s·(1 + x), up to 3 s) made the far values of Student-t noise read as weekly
        // rarities (11 false onsets per series-week at 1 s).
        // Beyond a range set from a constant, how far says nothing (its width is a floor of a millionth): the departure is
        // judged by rank instead. Mostly-zero error counts had their first error flagged (2.4 to 4.5 false onsets per
        // series-week on the healthy report).
        var surprise = Learn(symbol);
        if (symbol >= _buckets && _constant)
        {
            surprise = _departures.Extend(Math.Log(_total));
        }
        else
        {
            _departures.End();
            if (symbol >= _buckets)
            {
                var beyond = Beyond(value);
                surprise += Math.Min(beyond * surprise, Math.Log(1 + (2 * beyond)) / TailCalibration.MaxShape);
            }
        }

        if (_relearn > 0)
        {
            _relearn--;
            return AnomalyScore.WarmingUp(timestamp, value);
        }

        var probability = 1 - Math.Exp(-surprise);
        return AnomalyScore.Scored(timestamp, value, probability, surprise, Threshold);
    }

    /// <inheritdoc />
    protected override void ResetCore()
    {
        Forget();
        Array.Clear(_recent);
        _recentCount = _recentNext = 0;
        _framed = _constant = false;
        _low = _high = _width = _outside = 0;
        _departures.End();
    }

    private void Remember(double value)
    {
        _recent[_recentNext] = value;
        _recentNext = _recentNext + 1 == _window ? 0 : _recentNext + 1;
        _recentCount = Math.Min(_recentCount + 1, _window);
    }

    /// <summary>
    /// For measurement only (the backtest's <c>contextual-oracle</c>): sets the range before the first point from
    /// a series' known minimum and maximum, as NAB's harness hands them to CAD OSE, so that no point is spent learning it.
    /// Breaks causality; no product code calls it. <see cref="AnomalyDetector.Reset"/> forgets it.
    /// </summary>
    /// <param name="min">The series' smallest value.</param>
    /// <param name="max">The series' largest value.</param>
    internal void PresetRange(double min, double max)
    {
        SetRange(min, max);
        _relearn = 0;
    }

    /// <summary>Sets the range from the recent points and forgets the counts kept in the old buckets.</summary>
    private void Frame()
    {
        var min = double.MaxValue;
        var max = double.MinValue;
        for (var i = 0; i < _recentCount; i++)
        {
            min = Math.Min(min, _recent[i]);
            max = Math.Max(max, _recent[i]);
        }

        SetRange(min, max);
    }

    private void SetRange(double min, double max)
    {
        // Near ±double.MaxValue the sums and differences below can overflow; each is computed again in halves only then (so
        // ordinary series are framed exactly as before), and the range's ends are kept finite: an infinite end (or width)
        // would put every value in one bucket, and no finite value would ever leave the range to set it again.
        var floor = Calibration.ScaleFloor(Overflow.Midpoint(min, max));
        _constant = max - min <= floor;
        var range = Math.Max(max - min, floor);
        var width = range / Math.Max(1, _buckets - 2);
        _low = min - width;
        _high = max + width;
        if (!double.IsFinite(_low) || !double.IsFinite(_high))
        {
            _low = double.IsFinite(_low) ? _low : -double.MaxValue;
            _high = double.IsFinite(_high) ? _high : double.MaxValue;
        }

        _width = Overflow.DifferenceOver(_high, _low, _buckets);

        _outside = 0;
        _framed = true;
        Forget();
        _relearn = _relearnPoints;
    }

    private void Forget()
    {
        Array.Clear(_keys);
        Array.Clear(_counts);
        Array.Clear(_symbols);
        _symbolCount = 0;
        _total = 0;
        _relearn = 0;
    }

    private double Beyond(double value)
    {
        var span = _high - _low;
        var beyond = value > _high ? value - _high : value < _low ? _low - value : 0;
        var ratio = beyond / span;
        if (double.IsFinite(span) && double.IsFinite(beyond))
        {
            return ratio;
        }

        // A range or a departure wider than double.MaxValue: the same ratio, of halves.
        var halfBeyond = value > _high ? (0.5 * value) - (0.5 * _high) : value < _low ? (0.5 * _low) - (0.5 * value) : 0;
        return halfBeyond / ((0.5 * _high) - (0.5 * _low));
    }

    private int Encode(double value)
    {
        var span = _high - _low;
        if (value < _low)
        {
            return value < _low - span ? _buckets + 2 : _buckets;
        }

        if (value >= _high)
        {
            return value >= _high + span ? _buckets + 3 : _buckets + 1;
        }

        // value − low overflows only when the range is wider than double.MaxValue (so span is infinite, and the tests above,
        // against ±∞, rightly never pass): then the bucket is read in halves.
        return Math.Min((int)Overflow.DifferenceOver(value, _low, _width), _buckets - 1);
    }

    /// <summary>
    /// Scores a symbol by its surprise in the longest context seen at least <see cref="KnownContext"/> times (with no context:
    /// the bucket's share of all points), then counts it in every context and shifts it into the context.
    /// </summary>
    private double Learn(int symbol)
    {
        var known = Math.Min(_symbolCount, _order);

        // Length 0: the symbol's share of all points.
        var pairKey = Key(0x9E3779B9u, symbol);
        var surprise = Surprise(Count(pairKey), _total);
        Increment(pairKey);

        var context = 0x85EBCA6Bu;
        for (var k = 1; k <= known; k++)
        {
            context = Mix(context + (uint)_symbols[k - 1] + 1);
            var contextKey = Key(context, _alphabet);
            pairKey = Key(context, symbol);
            var contextCount = Count(contextKey);
            if (contextCount >= KnownContext)
            {
                surprise = Surprise(Count(pairKey), contextCount);
            }

            Increment(contextKey);
            Increment(pairKey);
        }

        _total++;
        for (var k = _order - 1; k > 0; k--)
        {
            _symbols[k] = _symbols[k - 1];
        }

        if (_order > 0)
        {
            _symbols[0] = symbol;
        }

        _symbolCount++;
        return surprise;
    }

    private double Surprise(long pair, long context) =>
        -Math.Log((Math.Min(pair, context) + Smoothing) / (context + (Smoothing * _alphabet)));

    private static uint Mix(uint h)
    {
        h ^= h >> 16;
        h *= 0x7FEB352Du;
        h ^= h >> 15;
        h *= 0x846CA68Bu;
        h ^= h >> 16;
        return h;
    }

    private static uint Key(uint context, int symbol) => Mix(context ^ ((uint)symbol * 0xC2B2AE35u)) | 1u;

    private int Count(uint key)
    {
        var start = (int)(key >> 8) & _bucketMask;
        for (var i = start; i < start + Ways; i++)
        {
            if (_keys[i] == key)
            {
                return _counts[i];
            }
        }

        return 0;
    }

    private void Increment(uint key)
    {
        var start = (int)(key >> 8) & _bucketMask;
        var weakest = start;
        for (var i = start; i < start + Ways; i++)
        {
            if (_keys[i] == key)
            {
                if (_counts[i] < int.MaxValue)
                {
                    _counts[i]++;
                }

                return;
            }

            if (_keys[i] == 0)
            {
                _keys[i] = key;
                _counts[i] = 1;
                return;
            }

            if (_counts[i] < _counts[weakest])
            {
                weakest = i;
            }
        }

        // Full bucket: the weakest key loses one; at zero the new key takes its slot.
        if (--_counts[weakest] <= 0)
        {
            _keys[weakest] = key;
            _counts[weakest] = 1;
        }
    }
}

/// <summary>Options of <see cref="ContextualDetector"/>.</summary>
/// <remarks>Read once when the detector is created. Not thread-safe to mutate while a detector is being created from it.</remarks>
public sealed class ContextualOptions : AnomalyDetectorOptions
{
    /// <summary>
    /// Gets or sets how many buckets the learned range is split into (four more symbols stand for below, above, far below and
    /// far above it). Default: 8, as CAD OSE's three bits. Range: [2, 64].
    /// </summary>
    [Range(2, 64)]
    public int Buckets { get; set; } = 8;

    /// <summary>
    /// Gets or sets the longest context, in points, the next symbol is predicted from. Default: 2 (chosen by leave-one-category-out
    /// cross-validation on the NAB development files among 1, 2, 3 and 5). Range: [0, 8].
    /// </summary>
    [Range(0, 8)]
    public int ContextLength { get; set; } = 2;

    /// <summary>
    /// Gets or sets how many recent points set the range (the first ones, and again after the series leaves it for good).
    /// Default: 64. Range: [8, 4096].
    /// </summary>
    [Range(8, 4096)]
    public int WindowSize { get; set; } = 64;

    /// <summary>
    /// Gets or sets the number of count slots (8 bytes each), a power of two; rare contexts are forgotten when it is full.
    /// Default: 512 (4 KiB; 1,024 and 4,096 scored the same on the NAB development files). Range: [16, 1,048,576].
    /// </summary>
    [Range(16, 1 << 20)]
    public int TableSlots { get; set; } = 512;
}
