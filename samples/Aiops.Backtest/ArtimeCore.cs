namespace Aiops.Backtest;

/// <summary>
/// The block-level part of <see cref="ArtimeDetector"/> for one range: levels, features, the dual-vigilance fuzzy ART and the
/// decision of what is an anomaly. The first <c>trend</c> blocks are kept and learned as a batch when the last arrives.
/// </summary>
internal sealed class ArtimeCore
{
    /// <summary>How many recent block values make a feature vector (and half its length).</summary>
    public const int Window = 8;

    private const int Levels = 80;
    private const double SnapToMedian = 0.075;
    private const double TrialVigilance = 0.8;
    private const int Mask = Window * 3 / 2; // blocks masked after an anomaly, and the rise of the vigilance after one
    private const int Features = 2 * Window;

    private readonly double _low;
    private readonly double _width;
    private readonly int _trend;
    private readonly int[] _levelCounts = new int[Levels + 1];
    private readonly double[] _recent = new double[Window];
    private readonly List<double[]> _batch = [];
    private readonly FuzzyArt _art = new();
    private readonly double[] _similarities; // the last trend / 2 + 1 best similarities
    private readonly double[] _shortfalls; // the last trend + 1 (upper vigilance − best similarity)
    private int _block;
    private int _median;
    private int _belowMedian;
    private int _aboveMedian;
    private double _similaritySum;
    private long _similarityCount;
    private int _lastAnomaly;
    private double _lastAnomalySimilarity;
    private int _lastVigilanceUpdate;
    private bool _maskedByCategory;
    private int _blocksWithoutNewCluster;
    private readonly List<double> _anomalySimilarities = [];
    private double _anomalySimilaritySum;

    /// <summary>Initializes a new instance of the <see cref="ArtimeCore"/> class.</summary>
    /// <param name="low">The value that maps to level 0.</param>
    /// <param name="high">The value that maps to level 80.</param>
    /// <param name="trend">The trend window, in blocks.</param>
    public ArtimeCore(double low, double high, int trend)
    {
        _low = low;
        _width = high - low;
        _trend = trend;
        _similarities = new double[(trend / 2) + 1];
        Array.Fill(_similarities, 1.0);
        _shortfalls = new double[trend + 1];
    }

    /// <summary>Gets a rough size of the state, in bytes.</summary>
    public int SizeBytes => 256 + (_art.Count * 2 * Features * sizeof(double)) + ((_similarities.Length + _shortfalls.Length) * sizeof(double));

    /// <summary>Tells whether a block value lies outside the range.</summary>
    /// <param name="value">The block value.</param>
    /// <returns><see langword="true"/> when it would be clamped.</returns>
    public bool IsOutside(double value) => Normalise(value) is < 0 or > 1;

    /// <summary>Takes one block value; returns the anomaly confidence (0 when none).</summary>
    /// <param name="value">The block's value, in the series' units.</param>
    /// <returns>The confidence in [0, 1].</returns>
    public double Process(double value)
    {
        _block++;
        var level = (int)Math.Round(Math.Clamp(Normalise(value), 0, 1) * Levels, MidpointRounding.ToEven);
        var x = (double)level / Levels;
        var median = (double)TrackMedian(level) / Levels;
        if (Math.Abs(x - median) < SnapToMedian)
        {
            x = median;
        }

        Array.Copy(_recent, 1, _recent, 0, Window - 1);
        _recent[Window - 1] = x;
        var features = new double[Features];
        if (_block >= Window)
        {
            ShapeFeatures(_recent, features);
            Array.Copy(_recent, 0, features, Window, Window);
        }

        if (_block < _trend)
        {
            _batch.Add(features);
            return 0;
        }

        if (_block == _trend)
        {
            _batch.Add(features);
            var vigilance = InitialVigilance();
            _art.Lower = _art.Upper = vigilance;
            for (var i = 0; i < _batch.Count; i++)
            {
                Detect(_batch[i], i + 1);
            }

            _batch.Clear();
            return 0;
        }

        return Detect(features, _block);
    }

    // The shape of the window: min–max normalised, its full Haar transform (approximation, then details coarse to fine),
    // itself min–max normalised.
    private static void ShapeFeatures(double[] window, double[] features)
    {
        Span<double> shape = stackalloc double[Window];
        MinMax(window, shape);
        Span<double> work = stackalloc double[Window];
        shape.CopyTo(work);
        Span<double> output = stackalloc double[Window];
        for (var n = Window; n > 1; n /= 2)
        {
            var half = n / 2;
            for (var k = 0; k < half; k++)
            {
                output[half + k] = (work[2 * k] - work[(2 * k) + 1]) / Math.Sqrt(2);
                work[k] = (work[2 * k] + work[(2 * k) + 1]) / Math.Sqrt(2);
            }
        }

        output[0] = work[0];
        MinMax(output, features.AsSpan(0, Window));
    }

    private static void MinMax(ReadOnlySpan<double> input, Span<double> output)
    {
        var min = double.PositiveInfinity;
        foreach (var v in input)
        {
            min = Math.Min(min, v);
        }

        var max = 0.0;
        for (var i = 0; i < input.Length; i++)
        {
            output[i] = input[i] - min;
            max = Math.Max(max, output[i]);
        }

        if (max != 0)
        {
            for (var i = 0; i < input.Length; i++)
            {
                output[i] /= max;
            }
        }
    }

    // Close to the cosine similarity (ARTime's choice for a zero vector kept).
    private static double Cosine(double[] a, double[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }

        na = Math.Sqrt(na);
        nb = Math.Sqrt(nb);
        return na == 0 ? 1 - nb : nb == 0 ? 1 - na : dot / (na * nb);
    }

    private double Normalise(double value)
    {
        var shifted = value - _low;
        if (_width > 0)
        {
            return shifted / _width;
        }

        // A range of no width: the value seen is the middle of the scale, anything else lies beyond it.
        return shifted == 0 ? 0.5 : shifted > 0 ? double.PositiveInfinity : double.NegativeInfinity;
    }

    // An approximately running median of the levels: the median level moves one occupied level at a time towards the side
    // that holds more than half of the blocks.
    private int TrackMedian(int level)
    {
        _levelCounts[level]++;
        var half = _block / 2;
        if (_block == 1)
        {
            _median = level;
        }

        if (_median > level)
        {
            _belowMedian++;
        }
        else if (_median < level)
        {
            _aboveMedian++;
        }

        if (half < _aboveMedian)
        {
            _belowMedian += _levelCounts[_median];
            do
            {
                _median++;
            }
            while (_median < Levels && _levelCounts[_median] == 0);
            _aboveMedian -= _levelCounts[_median];
        }
        else if (half < _belowMedian)
        {
            _aboveMedian += _levelCounts[_median];
            do
            {
                _median--;
            }
            while (_median > 0 && _levelCounts[_median] == 0);
            _belowMedian -= _levelCounts[_median];
        }

        return _median;
    }

    // The vigilance the batch starts at: the mean best similarity of the second half of a trial clustering, at 0.8, of the batch's
    // complete windows ordered from the least to the most typical (summed cosine similarity to the others).
    private double InitialVigilance()
    {
        var windows = _batch.GetRange(Window - 1, _batch.Count - Window + 1);
        var n = windows.Count;
        var typicality = new double[n];
        for (var i = 0; i < n; i++)
        {
            typicality[i] += 1; // itself
            for (var j = 0; j < i; j++)
            {
                var s = Cosine(windows[i], windows[j]);
                typicality[i] += s;
                typicality[j] += s;
            }
        }

        var trial = new FuzzyArt { Lower = TrialVigilance, Upper = TrialVigilance };
        var sum = 0.0;
        var count = 0;
        var position = 0;
        foreach (var index in Enumerable.Range(0, n).OrderBy(i => typicality[i]))
        {
            position++;
            var (best, _, _) = trial.Train(windows[index], learn: true);
            if (position >= _trend / 2)
            {
                sum += best;
                count++;
            }
        }

        return count > 0 ? sum / count : TrialVigilance;
    }

    private double Detect(double[] features, int i)
    {
        var sinceAnomaly = i - _lastAnomaly;
        var raiseAfterAnomaly = sinceAnomaly == Mask;
        var followTrend = i - _lastVigilanceUpdate >= _trend / 2;
        var maskedByAnomaly = sinceAnomaly <= Mask;
        if (i > _trend + Mask && _maskedByCategory && _blocksWithoutNewCluster >= Mask)
        {
            _maskedByCategory = false;
        }

        // Incomplete windows (the first Window − 1 blocks) are matched, not learned, and count as new.
        var (best, energy, newCluster) = _art.Train(features, learn: i >= Window);
        newCluster |= i < Window;
        _blocksWithoutNewCluster = newCluster ? 0 : _blocksWithoutNewCluster + 1;
        _similaritySum += best;
        _similarityCount++;
        Shift(_similarities, best);
        Shift(_shortfalls, _art.Upper - best);
        if (sinceAnomaly < Mask && _anomalySimilarities.Count > 0 && best < _anomalySimilarities[^1])
        {
            _anomalySimilaritySum += best - _anomalySimilarities[^1];
            _anomalySimilarities[^1] = best;
        }

        var masked = _maskedByCategory || maskedByAnomaly;
        var muchWorse = best < _lastAnomalySimilarity * (maskedByAnomaly ? 0.90 : 0.70);
        var confidence = 0.0;
        if (i > _trend && newCluster && (!masked || muchWorse))
        {
            confidence = Confidence(best, energy);
            _anomalySimilarities.Add(best);
            _anomalySimilaritySum += best;
            _lastAnomalySimilarity = best;
            _lastAnomaly = i;
        }

        _maskedByCategory |= newCluster;
        if (i > _trend && (raiseAfterAnomaly || followTrend))
        {
            AdaptVigilance(i);
        }

        return confidence;
    }

    private void AdaptVigilance(int i)
    {
        var lowest = _similarities.Min();
        var upper = Math.Min(0.97, _similaritySum / _similarityCount);
        var lower = _art.Lower;
        if (lower <= lowest)
        {
            lower += (lowest - lower) * 0.19;
        }
        else
        {
            var step = 0.0;
            if (i > 2 * _trend)
            {
                var sum = 0.0;
                var count = 0;
                foreach (var shortfall in _shortfalls)
                {
                    if (shortfall > 0.05)
                    {
                        sum += Math.Min(0.37, shortfall);
                        count++;
                    }
                }

                step = count > 0 ? sum / count : 0;
            }

            lower -= Math.Max(0.01, step) / 2;
            if (_anomalySimilarities.Count > 0)
            {
                lower = Math.Max(_anomalySimilaritySum / _anomalySimilarities.Count, lower);
            }
        }

        _art.Lower = Math.Min(upper, lower);
        _art.Upper = upper;
        _lastVigilanceUpdate = i;
        _maskedByCategory = true;
    }

    // How far below both vigilances the best similarity fell, weighted towards the lower one, plus how far the current level is
    // from the best category's.
    private double Confidence(double similarity, double energy)
    {
        var miss = 1 - Math.Min(0.999, similarity);
        var belowUpper = (miss - (1 - _art.Upper)) / miss;
        var belowLower = (miss - (1 - _art.Lower)) / miss;
        return Math.Clamp((0.35 * belowUpper) + (0.65 * belowLower) + (1.5 * (1 - energy)), 0, 1);
    }

    private static void Shift(double[] values, double value)
    {
        Array.Copy(values, 1, values, 0, values.Length - 1);
        values[^1] = value;
    }

    /// <summary>
    /// A dual-vigilance fuzzy ART on complement-coded inputs. Match of a category w to an input x: (|x ∧ w| / |w|)³ times the
    /// same ratio on the last feature and its complement, squared. The first input only seeds a category of ones.
    /// </summary>
    private sealed class FuzzyArt
    {
        private readonly List<double[]> _categories = [];
        private readonly List<double> _match = [];
        private bool _seeded;

        public double Lower { get; set; }

        public double Upper { get; set; }

        public int Count => _categories.Count;

        /// <summary>Matches an input and, when learning, learns it.</summary>
        /// <returns>The best match, its energy part, and whether the input started a new cluster.</returns>
        public (double Best, double Energy, bool NewCluster) Train(double[] input, bool learn)
        {
            var d = input.Length;
            if (!_seeded)
            {
                var ones = new double[2 * d];
                Array.Fill(ones, 1.0);
                _categories.Add(ones);
                _seeded = true;
                return (0, 0, false);
            }

            var best = 0.0;
            var bestEnergy = 0.0;
            _match.Clear();
            foreach (var w in _categories)
            {
                double common = 0, size = 0;
                for (var k = 0; k < d; k++)
                {
                    common += Math.Min(input[k], w[k]) + Math.Min(1 - input[k], w[d + k]);
                    size += w[k] + w[d + k];
                }

                var featureMatch = common / (size == 0 ? 0.001 : size);
                var last = input[d - 1];
                var energySize = w[d - 1] + w[(2 * d) - 1];
                var energy = energySize == 0 ? 0 : (Math.Min(last, w[d - 1]) + Math.Min(1 - last, w[(2 * d) - 1])) / energySize;
                var m = featureMatch * featureMatch * featureMatch * energy * energy;
                _match.Add(m);
                if (m > best)
                {
                    best = m;
                    bestEnergy = energy;
                }
            }

            if (!learn)
            {
                return (best, bestEnergy, false);
            }

            if (best >= Upper)
            {
                // Every category that resonates above the upper vigilance learns the input (fast commit).
                for (var j = 0; j < _categories.Count; j++)
                {
                    if (_match[j] >= Upper)
                    {
                        var w = _categories[j];
                        for (var k = 0; k < d; k++)
                        {
                            w[k] = Math.Min(input[k], w[k]);
                            w[d + k] = Math.Min(1 - input[k], w[d + k]);
                        }
                    }
                }

                return (best, bestEnergy, false);
            }

            var category = new double[2 * d];
            for (var k = 0; k < d; k++)
            {
                category[k] = input[k];
                category[d + k] = 1 - input[k];
            }

            _categories.Add(category);
            return (best, bestEnergy, best < Lower);
        }
    }
}
