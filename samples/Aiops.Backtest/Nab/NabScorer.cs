namespace Aiops.Backtest.Nab;

/// <summary>
/// Scores detector output with the NAB method (Lavin &amp; Ahmad 2015), as NAB's own sweeper does:
/// <list type="bullet">
/// <item>The first <c>min(floor(p·rows), p·5000)</c> rows of each file (p = 15%) are probationary and take no part.</item>
/// <item>Windows are matched to rows by timestamp (rows with start ≤ t ≤ end). Inside a window of width w (rows) whose last row
/// is e, a detection at row i earns tpWeight · σ(−(e − i + 1)/w) / σ(−1): the first row earns the full tpWeight. Only the best
/// (earliest) detection of a window counts; a window without one costs fnWeight.</item>
/// <item>A detection at row i outside windows costs fpWeight · σ((i − e)/(w − 1)) with e and w the end row and width of the
/// closest preceding window, or the full −fpWeight when there is none or the distance exceeds three.</item>
/// <item>σ(y) = 2/(1 + e^(5y)) − 1, and −1 for y &gt; 3.</item>
/// <item>One threshold serves the whole corpus; <see cref="ScoreBestThreshold"/> tries every distinct score (and "never fire").</item>
/// </list>
/// </summary>
/// <remarks>
/// A window whose rows all lie in the probationary period counts as missed, in the raw and the null score alike (NAB leaves it out
/// of both but keeps it in the perfect score); the shared NAB folder has no such window. Instances are immutable and thread-safe.
/// </remarks>
internal sealed class NabScorer
{
    /// <summary>The share of each file that is probationary: 15%.</summary>
    public const double DefaultProbationPercent = 0.15;

    /// <summary>The value of the scaled sigmoid at the start of a window, σ(−1); TP weights are divided by it.</summary>
    private static readonly double MaxTruePositive = ScaledSigmoid(-1.0);

    private readonly string[] _keys;
    private readonly int[] _windowsPerSeries;
    private readonly int[] _windowSeries;

    // The scorable rows of the whole corpus, sorted by descending anomaly score.
    private readonly double[] _scores;
    private readonly int[] _rowWindow;     // global window index, or -1 outside windows
    private readonly double[] _rowWeight;  // in a window: TP fraction in (0, 1]; outside: FP factor in [-1, 0)
    private readonly int[] _rowSeries;

    private NabScorer(string[] keys, int[] windowsPerSeries, int[] windowSeries, double[] scores, int[] rowWindow, double[] rowWeight, int[] rowSeries)
    {
        _keys = keys;
        _windowsPerSeries = windowsPerSeries;
        _windowSeries = windowSeries;
        _scores = scores;
        _rowWindow = rowWindow;
        _rowWeight = rowWeight;
        _rowSeries = rowSeries;
    }

    /// <summary>Gets the number of files in the corpus.</summary>
    public int SeriesCount => _keys.Length;

    /// <summary>Gets the number of labeled windows in the corpus.</summary>
    public int WindowCount => _windowSeries.Length;

    /// <summary>Gets the number of rows that take part in scoring (all rows minus the probationary ones).</summary>
    public int ScorableRowCount => _scores.Length;

    /// <summary>NAB's scaled sigmoid: σ(y) = 2/(1 + e^(5y)) − 1, and −1 for y &gt; 3.</summary>
    /// <param name="relativePosition">−1 at a window's start, 0 at its end, positive after it (in window widths).</param>
    /// <returns>A weight in [−1, 1].</returns>
    public static double ScaledSigmoid(double relativePosition) =>
        relativePosition > 3.0 ? -1.0 : (2.0 / (1.0 + Math.Exp(5.0 * relativePosition))) - 1.0;

    /// <summary>The number of leading rows of a file whose detections are ignored: min(floor(p·rows), p·5000), rounded up.</summary>
    /// <param name="rows">The number of rows in the file.</param>
    /// <param name="probationPercent">The probationary share p.</param>
    /// <returns>The index of the first scored row.</returns>
    public static int ProbationaryLength(int rows, double probationPercent) =>
        (int)Math.Ceiling(Math.Min(Math.Floor(probationPercent * rows), probationPercent * 5000));

    /// <summary>Prepares a corpus: classifies and weights every row once, for all profiles and thresholds.</summary>
    /// <param name="series">The files, each with its windows.</param>
    /// <param name="probationPercent">The probationary share of each file.</param>
    /// <returns>A scorer for the corpus.</returns>
    /// <exception cref="InvalidDataException">The scores and timestamps differ in length, or a window covers no row or overlaps another.</exception>
    public static NabScorer Create(IReadOnlyList<NabSeries> series, double probationPercent = DefaultProbationPercent)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentOutOfRangeException.ThrowIfNegative(probationPercent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(probationPercent, 1.0);

        var keys = new string[series.Count];
        var windowsPerSeries = new int[series.Count];
        var windowSeries = new List<int>();
        var scores = new List<double>();
        var rowWindow = new List<int>();
        var rowWeight = new List<double>();
        var rowSeries = new List<int>();

        for (var s = 0; s < series.Count; s++)
        {
            var file = series[s];
            keys[s] = file.Key;
            var ranges = WindowRows(file);
            windowsPerSeries[s] = ranges.Length;
            var firstWindow = windowSeries.Count;
            windowSeries.AddRange(Enumerable.Repeat(s, ranges.Length));

            var next = 0;          // the first window that has not ended before the current row
            var previous = -1;     // the last window that ended before the current row
            for (var i = ProbationaryLength(file.Scores.Count, probationPercent); i < file.Scores.Count; i++)
            {
                while (next < ranges.Length && ranges[next].Last < i)
                {
                    previous = next++;
                }

                double weight;
                int window;
                if (next < ranges.Length && ranges[next].First <= i)
                {
                    var (first, last) = ranges[next];
                    var width = last - first + 1;
                    weight = ScaledSigmoid(-(last - i + 1) / (double)width) / MaxTruePositive;
                    window = firstWindow + next;
                }
                else
                {
                    weight = -1.0;
                    if (previous >= 0)
                    {
                        var (first, last) = ranges[previous];
                        var width = last - first + 1;
                        weight = width > 1 ? ScaledSigmoid((i - last) / (double)(width - 1)) : -1.0;
                    }

                    window = -1;
                }

                // A NaN would never equal the threshold the search steps to, and the search would not end.
                scores.Add(double.IsNaN(file.Scores[i]) ? throw new ArgumentException($"{file.Key}: the score of row {i} is not a number.", nameof(series)) : file.Scores[i]);
                rowWindow.Add(window);
                rowWeight.Add(weight);
                rowSeries.Add(s);
            }
        }

        // Sort once by descending score; every threshold is then a prefix of the rows.
        var order = Enumerable.Range(0, scores.Count).ToArray();
        var keysForSort = scores.ToArray();
        Array.Sort(keysForSort, order);
        Array.Reverse(order);
        return new NabScorer(
            keys,
            windowsPerSeries,
            [.. windowSeries],
            [.. order.Select(i => scores[i])],
            [.. order.Select(i => rowWindow[i])],
            [.. order.Select(i => rowWeight[i])],
            [.. order.Select(i => rowSeries[i])]);
    }

    /// <summary>
    /// Finds the threshold with the highest raw score over the whole corpus, trying every distinct score value and a threshold above
    /// all scores (no detection); ties go to the higher threshold, as in NAB.
    /// </summary>
    /// <param name="profile">The cost profile.</param>
    /// <returns>The corpus score at the best threshold.</returns>
    public NabProfileScore ScoreBestThreshold(NabProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);

        var bestFraction = new double[WindowCount]; // 0 = not detected; detected windows have a fraction in (0, 1]
        var truePositiveSum = 0.0;
        var falsePositiveSum = 0.0;
        var detected = 0;
        var bestThreshold = NoDetectionThreshold();
        var bestScore = -profile.FalseNegativeWeight * WindowCount;

        var i = 0;
        while (i < _scores.Length)
        {
            var threshold = _scores[i];
            for (; i < _scores.Length && _scores[i] == threshold; i++)
            {
                var window = _rowWindow[i];
                if (window < 0)
                {
                    falsePositiveSum += _rowWeight[i];
                }
                else if (_rowWeight[i] > bestFraction[window])
                {
                    detected += bestFraction[window] == 0 ? 1 : 0;
                    truePositiveSum += _rowWeight[i] - bestFraction[window];
                    bestFraction[window] = _rowWeight[i];
                }
            }

            var score = (profile.TruePositiveWeight * truePositiveSum)
                + (profile.FalsePositiveWeight * falsePositiveSum)
                - (profile.FalseNegativeWeight * (WindowCount - detected));
            if (score > bestScore)
            {
                bestScore = score;
                bestThreshold = threshold;
            }
        }

        return ScoreAtThreshold(profile, bestThreshold);
    }

    /// <summary>Scores the corpus at a given threshold: rows whose score is at least <paramref name="threshold"/> are detections.</summary>
    /// <param name="profile">The cost profile.</param>
    /// <param name="threshold">The detection threshold.</param>
    /// <returns>The corpus score with its per-file breakdown.</returns>
    public NabProfileScore ScoreAtThreshold(NabProfile profile, double threshold)
    {
        ArgumentNullException.ThrowIfNull(profile);

        var bestFraction = new double[WindowCount];
        var falsePositiveSum = new double[SeriesCount];
        var falsePositives = new int[SeriesCount];
        for (var i = 0; i < _scores.Length && _scores[i] >= threshold; i++)
        {
            var window = _rowWindow[i];
            if (window < 0)
            {
                falsePositiveSum[_rowSeries[i]] += _rowWeight[i];
                falsePositives[_rowSeries[i]]++;
            }
            else
            {
                bestFraction[window] = Math.Max(bestFraction[window], _rowWeight[i]);
            }
        }

        var files = new NabFileScore[SeriesCount];
        var windowOffset = 0;
        for (var s = 0; s < SeriesCount; s++)
        {
            var windows = _windowsPerSeries[s];
            var detected = 0;
            var truePositiveSum = 0.0;
            for (var w = windowOffset; w < windowOffset + windows; w++)
            {
                detected += bestFraction[w] > 0 ? 1 : 0;
                truePositiveSum += bestFraction[w];
            }

            var raw = (profile.TruePositiveWeight * truePositiveSum)
                + (profile.FalsePositiveWeight * falsePositiveSum[s])
                - (profile.FalseNegativeWeight * (windows - detected));
            files[s] = new NabFileScore(_keys[s], windows, detected, falsePositives[s], raw);
            windowOffset += windows;
        }

        var rawScore = files.Sum(f => f.RawScore);
        var nullScore = -profile.FalseNegativeWeight * WindowCount;
        var perfectScore = profile.TruePositiveWeight * WindowCount;
        var normalized = perfectScore > nullScore ? 100.0 * (rawScore - nullScore) / (perfectScore - nullScore) : double.NaN;
        var truePositives = files.Sum(f => f.Detected);
        return new NabProfileScore(
            profile,
            threshold,
            rawScore,
            nullScore,
            perfectScore,
            normalized,
            truePositives,
            files.Sum(f => f.FalsePositives),
            WindowCount - truePositives,
            files);
    }

    /// <summary>A threshold above every score: NAB uses 1.1 for scores in [0, 1].</summary>
    private double NoDetectionThreshold() =>
        _scores.Length == 0 || _scores[0] < 1.1 ? 1.1 : Math.BitIncrement(_scores[0]);

    /// <summary>
    /// Maps each window of a file to its first and last row, scanning in file order as NAB does (NAB files have a few rows out of
    /// order): the first row is the first one at or after the window's start; the last is the first row at the window's end, or
    /// the row before the first one past it.
    /// </summary>
    private static (int First, int Last)[] WindowRows(NabSeries file)
    {
        var timestamps = file.Timestamps;
        if (timestamps.Count != file.Scores.Count)
        {
            throw new InvalidDataException($"{file.Key}: {timestamps.Count} timestamps but {file.Scores.Count} scores.");
        }

        var windows = file.Windows.OrderBy(w => w.Start).ToArray();
        var ranges = new (int First, int Last)[windows.Length];
        var from = 0;
        for (var w = 0; w < ranges.Length; w++)
        {
            var window = windows[w];
            var first = from;
            while (first < timestamps.Count && timestamps[first] < window.Start)
            {
                first++;
            }

            var last = first;
            while (last < timestamps.Count && timestamps[last] < window.End)
            {
                last++;
            }

            if (last == timestamps.Count || timestamps[last] > window.End)
            {
                last--;
            }

            if (first >= timestamps.Count || last < first)
            {
                var reason = w > 0 && windows[w - 1].End >= window.Start ? "overlaps the window before it" : "covers no row";
                throw new InvalidDataException($"{file.Key}: window {Format(window)} {reason}.");
            }

            ranges[w] = (first, last);
            from = last + 1;
        }

        return ranges;
    }

    private static string Format(LabelWindow window) =>
        $"[{window.Start:yyyy-MM-dd HH:mm:ss}, {window.End:yyyy-MM-dd HH:mm:ss}]";
}
