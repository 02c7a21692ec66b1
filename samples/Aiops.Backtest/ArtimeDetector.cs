using Aiops.Detection;

namespace Aiops.Backtest;

/// <summary>
/// For measurement only (<c>artime</c>, <c>artime-oracle</c>, <c>block:artime</c>): the ARTime method (Hampton, NAB 2021),
/// written in C# from a reading of its description and published source. The series is cut into blocks of <c>step</c> points;
/// each block becomes one value (its mean, unless its maximum or minimum departs from a running average by more than the other
/// and by at least a tenth of the mean: then that extreme, so a spike survives), normalised by a range, rounded to one of 80
/// levels and pulled to an approximately running median level when within 0.075 of it. The last 8 block values, and the Haar
/// wavelet transform of their min–max normalised shape, are the features (16, complement coded) of a dual-vigilance fuzzy ART:
/// a block whose best category resonates below the lower vigilance starts a new cluster, and that is an anomaly unless a
/// recent anomaly or new category masks it. Both vigilances follow the similarities seen, every half trend window and 12
/// blocks after an anomaly. The first trend window is learned as a batch (its lower and upper vigilance set from a trial
/// clustering at 0.8 of its blocks, least typical first), and reports nothing.
/// </summary>
/// <remarks>
/// <para>
/// NAB hands its detectors the file's minimum, maximum and length before the first point; ARTime takes its normalisation from
/// the first two and its block size and trend window from the third (a probationary period of 15 % of the file, at most 750
/// points, split into 13 windows of 8 blocks). Primed (<see cref="IPrimedDetector"/>, <c>artime-oracle</c>), this class does the
/// same. Unprimed (<c>artime</c>) it is causal, with the values ARTime uses on a long file (step 7, trend window 107 blocks,
/// so 749 points of warm-up) and a range learned from the points seen by the end of the first trend window, widened by half
/// its width on each side (so that what was seen fills the middle half of the scale, room for what is to come). A block beyond
/// the range is clamped to its edge (level 0 or 80, as far as a value can be from the usual ones); when half a trend window of
/// consecutive blocks falls outside, the range is set again from the points of the last trend window and the detector starts
/// again on those blocks (a new batch). No constant depends on the file.
/// </para>
/// <para>The probability is ARTime's confidence of an anomaly (0 on every other point); the default flag is any anomaly
/// reported. Not thread-safe; allocates as categories are added (measurement only).</para>
/// </remarks>
internal sealed class ArtimeDetector : AnomalyDetector, IPrimedDetector
{
    /// <summary>The block size without priming: ARTime's for a file of 5,000 points or more (750 / (13 · 8), rounded).</summary>
    public const int CausalStep = 7;

    /// <summary>The trend window without priming, in blocks: ARTime's for a file of 5,000 points or more (750 / 7).</summary>
    public const int CausalTrendWindow = 107;

    /// <summary>How far the learned range is widened on each side, in widths of the points seen.</summary>
    public const double Widening = 0.5;

    private const int LongFile = 5000;
    private const int LongProbation = 750;
    private const int WindowsPerProbation = 13;

    private readonly bool _rangeKnown;
    private readonly bool _lengthKnown;
    private readonly List<double> _pending = [];
    private int _step;
    private int _trend;
    private bool _primed;
    private double _fileMin;
    private double _fileMax;
    private double[] _block;
    private int _inBlock;
    private long _blocks;
    private double _average;
    private Ring _recentBlocks;
    private Ring _recentLows;
    private Ring _recentHighs;
    private int _outside;
    private double _seenMin = double.PositiveInfinity;
    private double _seenMax = double.NegativeInfinity;
    private ArtimeCore? _core;

    /// <summary>Initializes a new instance of the <see cref="ArtimeDetector"/> class.</summary>
    /// <param name="name">The name.</param>
    /// <param name="rangeKnown">Whether the file's minimum and maximum given to <see cref="Prime"/> are the range (as published);
    /// otherwise it is learned (causal).</param>
    /// <param name="lengthKnown">Whether the block size and trend window come from the file's length given to <see cref="Prime"/>
    /// (as published); otherwise they are <paramref name="step"/> and <paramref name="trend"/>.</param>
    /// <param name="step">The block size when the length is not known.</param>
    /// <param name="trend">The trend window, in blocks, when the length is not known.</param>
    public ArtimeDetector(string name = "artime", bool rangeKnown = false, bool lengthKnown = false, int step = CausalStep, int trend = CausalTrendWindow)
        : base(name, new ArtimeOptions())
    {
        _rangeKnown = rangeKnown;
        _lengthKnown = lengthKnown;
        _step = step;
        _trend = trend;
        _block = new double[step];
        _recentBlocks = new Ring(trend);
        _recentLows = new Ring(trend);
        _recentHighs = new Ring(trend);
    }

    private bool Primable => _rangeKnown || _lengthKnown;

    /// <inheritdoc />
    public override int StateSizeBytes => 512 + ((_block.Length + (3 * _trend) + _pending.Count) * sizeof(double)) + (_core?.SizeBytes ?? 0);

    /// <inheritdoc />
    public void Prime(double min, double max, int length)
    {
        if (!Primable)
        {
            return;
        }

        _fileMin = min;
        _fileMax = max;
        _primed = true;
        if (!_lengthKnown)
        {
            return;
        }

        // ARTime's probationary period (even), block size and trend window from the file's length.
        var probation = length < LongFile ? (int)Math.Floor(0.15 * length) : LongProbation;
        probation -= probation % 2;
        _step = Math.Max(1, probation / (ArtimeCore.Window * WindowsPerProbation));
        _trend = Math.Max(ArtimeCore.Window + 1, probation / _step);
        ResetCore();
    }

    /// <inheritdoc />
    protected override AnomalyScore UpdateCore(DateTimeOffset timestamp, double value)
    {
        if (Primable && !_primed)
        {
            throw new InvalidOperationException($"{Name} must be primed with the file's range and length before its first point.");
        }

        _seenMin = Math.Min(_seenMin, value);
        _seenMax = Math.Max(_seenMax, value);
        _block[_inBlock++] = value;
        if (_inBlock < _step)
        {
            return _core is null ? AnomalyScore.WarmingUp(timestamp, value) : AnomalyScore.Scored(timestamp, value, 0, 0, Threshold);
        }

        _inBlock = 0;
        var blockValue = Downsample(out var low, out var high);
        _recentBlocks.Add(blockValue);
        _recentLows.Add(low);
        _recentHighs.Add(high);
        if (_core is null)
        {
            _pending.Add(blockValue);
            if (_pending.Count < _trend)
            {
                return AnomalyScore.WarmingUp(timestamp, value);
            }

            _core = _rangeKnown ? new ArtimeCore(_fileMin, _fileMax, _trend) : Widened(_seenMin, _seenMax);
            foreach (var b in _pending)
            {
                _core.Process(b);
            }

            _pending.Clear();
            return AnomalyScore.Scored(timestamp, value, 0, 0, Threshold);
        }

        if (!_rangeKnown)
        {
            _outside = _core.IsOutside(blockValue) ? _outside + 1 : 0;
            if (_outside >= _trend / 2)
            {
                // The series has left the range for good: a new range from the last trend window's points, learned afresh.
                _core = Widened(_recentLows.Min(), _recentHighs.Max());
                for (var i = 0; i < _recentBlocks.Count; i++)
                {
                    _core.Process(_recentBlocks[i]);
                }

                _outside = 0;
                return AnomalyScore.Scored(timestamp, value, 0, 0, Threshold);
            }
        }

        var confidence = _core.Process(blockValue);
        return AnomalyScore.Scored(timestamp, value, confidence, confidence, Threshold);
    }

    /// <inheritdoc />
    protected override void ResetCore()
    {
        _pending.Clear();
        _block = new double[_step];
        _inBlock = 0;
        _blocks = 0;
        _average = 0;
        _recentBlocks = new Ring(_trend);
        _recentLows = new Ring(_trend);
        _recentHighs = new Ring(_trend);
        _outside = 0;
        _seenMin = double.PositiveInfinity;
        _seenMax = double.NegativeInfinity;
        _core = null;
    }

    private ArtimeCore Widened(double min, double max)
    {
        var margin = Widening * (max - min);
        return new ArtimeCore(min - margin, max + margin, _trend);
    }

    // One value per block: the mean, or the extreme farther from the running average of block means when it is at least a tenth
    // of the mean away from the mean (ARTime's test, kept as published: it is relative to the mean's own size).
    private double Downsample(out double low, out double high)
    {
        var sum = 0.0;
        low = double.PositiveInfinity;
        high = double.NegativeInfinity;
        foreach (var v in _block)
        {
            sum += v;
            low = Math.Min(low, v);
            high = Math.Max(high, v);
        }

        var mean = sum / _block.Length;
        _average = _blocks++ == 0 ? mean : (_average + mean) / 2;
        var chosen = Math.Abs(high - _average) < Math.Abs(low - _average) ? low : high;
        return Math.Abs(chosen - mean) < 0.1 * mean ? mean : chosen;
    }

    private sealed class ArtimeOptions : AnomalyDetectorOptions
    {
        public ArtimeOptions() => Threshold = 1e-12; // any anomaly ARTime reports
    }

    /// <summary>A fixed-capacity ring of the most recent values, oldest first.</summary>
    private sealed class Ring(int capacity)
    {
        private readonly double[] _values = new double[capacity];
        private int _next;

        public int Count { get; private set; }

        public double this[int index] => _values[(_next - Count + index + _values.Length) % _values.Length];

        public void Add(double value)
        {
            _values[_next] = value;
            _next = (_next + 1) % _values.Length;
            Count = Math.Min(Count + 1, _values.Length);
        }

        public double Min()
        {
            var m = double.PositiveInfinity;
            for (var i = 0; i < Count; i++)
            {
                m = Math.Min(m, this[i]);
            }

            return m;
        }

        public double Max()
        {
            var m = double.NegativeInfinity;
            for (var i = 0; i < Count; i++)
            {
                m = Math.Max(m, this[i]);
            }

            return m;
        }
    }
}
