namespace Aiops.Detection.Internal;

/// <summary>
/// How rare the current run of exact repeats of a value is on this series: a metric stuck at its last value (a hung exporter, a
/// cached scrape) stays inside its range, so neither a member nor the range sees it. Two chances, both learned on the series on
/// decayed counts: that a value repeats the one before it at all (after a change; Jeffreys prior), and that a run of repeats
/// lasts k points, read as the less surprising of a geometric law (the series' continuation rate, learned from ended runs only,
/// so a stuck run does not teach itself) and a Pareto law P(K ≥ k) = k^(−1/ξ) whose index is Hill's estimate (mean ln K) from
/// the series' past runs, with one prior run at ξ = 1: real plateaus are heavy-tailed (geometric alone read the long plateaus of
/// a quantised gauge as news), chance repeats of counts are geometric (Pareto alone read every pair of equal counts as news).
/// A continuous gauge that never repeated reads its
/// first repeat as about ln(2n) after n points, counts and quantised gauges learn that repeats are common. A run is reported
/// once: after it has read as rare as <c>flagSurprise</c>, its further points read 0. Mutable struct; not thread-safe.
/// </summary>
internal partial struct RepeatRun
{
    private const double PriorIndex = 1;

    private double _last;
    private double _changes; // decayed points that followed a change
    private double _repeatsAfterChange; // of which repeated the value before
    private double _continuations; // decayed points that followed a repeat
    private double _repeatsAfterRepeat; // of which repeated it again
    private double _runs; // decayed count of completed runs
    private double _runLogLengths; // their decayed sum of ln K
    private int _length; // repeats in the current run
    private bool _reported;
    private bool _started;

    /// <summary>Judges <paramref name="value"/> as part of the current run, then learns it; returns the run's surprise (0 unless it repeats and was not reported yet).</summary>
    public double Observe(double value, double flagSurprise)
    {
        if (!_started)
        {
            _started = true;
            _last = value;
            return 0;
        }

        _changes = TailCalibration.Forget(_changes);
        _repeatsAfterChange = TailCalibration.Forget(_repeatsAfterChange);
        _continuations = TailCalibration.Forget(_continuations);
        _repeatsAfterRepeat = TailCalibration.Forget(_repeatsAfterRepeat);
        _runs = TailCalibration.Forget(_runs);
        _runLogLengths = TailCalibration.Forget(_runLogLengths);
        if (value != _last)
        {
            if (_length > 0)
            {
                // The run is learned once it has ended, so a stuck run does not teach itself that runs last.
                _continuations += _length;
                _repeatsAfterRepeat += _length - 1;
                _runs++;
                _runLogLengths += Math.Log(_length);
            }
            else
            {
                _changes++;
            }

            _length = 0;
            _reported = false;
            _last = value;
            return 0;
        }

        var surprise = 0.0;
        if (++_length == 1)
        {
            _changes++;
            _repeatsAfterChange++;
        }

        if (!_reported)
        {
            // Judged against the counts before this point (the first repeat is in them now: take it out).
            var start = -Math.Log((_repeatsAfterChange - 0.5) / _changes);
            var index = (PriorIndex + _runLogLengths) / (1 + _runs);
            var pareto = Math.Log(_length) / index;
            var geometric = -(_length - 1) * Math.Log((_repeatsAfterRepeat + 0.5) / (_continuations + 1));
            surprise = start + Math.Min(pareto, geometric);
            _reported = surprise >= flagSurprise;
        }

        return surprise;
    }
}
