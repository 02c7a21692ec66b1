using System.ComponentModel.DataAnnotations;
using Aiops.Detection.Internal;

namespace Aiops.Detection;

/// <summary>
/// Seasonal baseline: additive Holt-Winters (level, trend, one seasonal slot per phase) whose period is found automatically
/// from the autocorrelation of the warm-up points (its highest peak once it has fallen to zero; a period within an eighth of
/// a day is a day), or set with <see cref="SeasonalOptions.Period"/>. The forecast is the
/// expected value; the band is forecast ± z·σ where σ tracks the mean absolute forecast error, times a factor for the point's
/// segment of the period (at most 32 segments; a heap's collections err more than the climb between them), used as far as
/// the factors have predicted the errors, so a series whose errors are even along the period reads one σ. Updates are robust: a residual
/// beyond <see cref="SeasonalOptions.ClipSigmas"/>·σ moves the model only as far as the clip, so a spike does not bend the baseline.
/// Phases follow the clock: the sampling step is learned from the warm-up's steps (their median, robust to its gaps, places
/// its points; the step is then its span over the steps they cover, in whole ticks), and a point that comes after a gap (or
/// early or late on irregular sampling) takes the phase of its time, not of its count, so missing points do not shift the
/// season. On a warm-up with gaps the period is found on the clock's grid of steps, a day first.
/// </summary>
/// <remarks>
/// The warm-up buffer is released once the model is trained; the steady state holds one float per seasonal phase and one
/// per segment of the period. A season beyond a float's range (±3.4e38) is stored in a wider unit, a power of two (1 on
/// ordinary series), so series of any magnitude up to about 1e300 are modelled alike. Beyond that (values near
/// ±<see cref="double.MaxValue"/>, whose sums and differences overflow), a model whose level, trend or error scale is no
/// longer finite trains again from scratch (counted as <c>aiops.detection.relearned</c>), so it warms up rather than score
/// NaN for good.
/// Not thread-safe.
/// </remarks>
public sealed partial class SeasonalDetector : AnomalyDetector
{
    private const double MeanAbsoluteToSigma = 1.2533141373155001;
    private const int MaxGridStepsPerPoint = 4;
    private const int MaxDetectedPeriod = 10080;
    private const double GlitchSpreads = 100;
    private readonly SeasonalOptions _options;
    private readonly double _bandZ;
    private double[]? _warmup;
    private float[]? _warmupSteps; // ticks since the warm-up point before (0 for the first)
    private int _warmupCount;
    private float[] _season = []; // float halves the state; Calibration.ScaleFloor sits above its rounding
    private double _seasonUnit = 1; // what a slot of 1 stands for: 1 unless the season outgrew a float (see Widen)
    private int _phase; // the phase of the next point if it comes one step after the last
    private long _clock; // ticks: the time of the last point's step on the clock (of the last point itself in the warm-up)
    private long _step; // ticks: the sampling step (the first warm-up point's time in the warm-up)
    private double _level;
    private double _trend;
    private double _meanAbsoluteError; // the series' error scale: the segments' factors multiply it
    private SeasonalScale _scale = new();

    /// <summary>Initializes a new instance of the <see cref="SeasonalDetector"/> class.</summary>
    /// <param name="options">The options; <see langword="null"/> uses the defaults.</param>
    /// <exception cref="ValidationException">An option is out of range.</exception>
    public SeasonalDetector(SeasonalOptions? options = null)
        : base(DetectorNames.Seasonal, options ??= new SeasonalOptions())
    {
        _options = options;
        _bandZ = Calibration.ZForConfidence(options.Threshold);
        _warmup = new double[options.WarmupPoints];
        _warmupSteps = new float[options.WarmupPoints];
    }

    /// <summary>
    /// Gets the seasonal period in sampling steps (points, on regular sampling) once warm-up has ended: 1 means no seasonality
    /// was found; 0 while warming up.
    /// </summary>
    public int Period => _season.Length;

    /// <inheritdoc />
    public override int StateSizeBytes =>
        ((_warmup?.Length ?? 0) * (sizeof(double) + sizeof(float))) + (_season.Length * sizeof(float)) + _scale.StateSizeBytes + 128; // 112 B of scalars, the resolution, the clock and the scale's array

    /// <inheritdoc />
    protected override AnomalyScore UpdateCore(DateTimeOffset timestamp, double value)
    {
        if (_warmup is not null)
        {
            var ticks = timestamp.UtcTicks;
            _step = _warmupCount == 0 ? ticks : _step;
            _warmupSteps![_warmupCount] = _warmupCount == 0 ? 0 : ticks - _clock;
            _clock = ticks;
            _warmup[_warmupCount++] = value;
            if (_warmupCount == _warmup.Length)
            {
                Train(_warmup, _warmupSteps);
                _warmup = null;
                _warmupSteps = null;
            }

            return AnomalyScore.WarmingUp(timestamp, value);
        }

        _phase = PhaseAfter(StepsAfter(timestamp.UtcTicks - _clock));
        var forecast = _level + _trend + Season(_phase);
        var sigma = Sigma(forecast);
        Learn(value, forecast, sigma);
        if (!double.IsFinite(_level) || !double.IsFinite(_trend) || !double.IsFinite(_meanAbsoluteError))
        {
            // Values near ±double.MaxValue overflowed the model: rather than score NaN for good, it trains again from scratch
            // (counted as relearned).
            CountRelearned(RelearnReason.NonFiniteState);
            ResetCore();
            return AnomalyScore.WarmingUp(timestamp, value);
        }

        return Calibration.GaussianScore(timestamp, value, forecast, sigma, _bandZ, Threshold, Resolution);
    }

    /// <summary>
    /// The step between the values the series can take, set by <see cref="EnsembleDetector"/> before each update (0, the
    /// default, reads values as continuous): an error is read half a step smaller (see <see cref="Calibration.GaussianScore"/>).
    /// </summary>
    internal double Resolution { get; set; }

    /// <inheritdoc />
    protected override void ResetCore()
    {
        _warmup = new double[_options.WarmupPoints];
        _warmupSteps = new float[_options.WarmupPoints];
        _warmupCount = 0;
        _season = [];
        _seasonUnit = 1;
        _phase = 0;
        _clock = _step = 0;
        _level = _trend = _meanAbsoluteError = 0;
        _scale = new();
    }

    private double Sigma(double forecast) =>
        Math.Max(MeanAbsoluteToSigma * _meanAbsoluteError * _scale.Factor(_phase, _season.Length), Calibration.ScaleFloor(forecast));

    private void Learn(double value, double forecast, double sigma)
    {
        var error = value - forecast;
        var clip = _options.ClipSigmas * sigma;
        var clipped = Math.Clamp(error, -clip, clip);
        var x = forecast + clipped;
        var season = Season(_phase);
        var level = (_options.Alpha * (x - season)) + ((1 - _options.Alpha) * (_level + _trend));
        _trend = (_options.Beta * (level - _level)) + ((1 - _options.Beta) * _trend);
        _level = level;
        if (_season.Length > 1)
        {
            SetSeason(_phase, (_options.Gamma * (x - level)) + ((1 - _options.Gamma) * season));
        }

        // The series' scale learns the error as its segment's factor read it, so where the factors are not used it is the mean
        // absolute error itself.
        var factor = _scale.Factor(_phase, _season.Length);
        if (_meanAbsoluteError > 0)
        {
            _scale.Learn(_phase, _season.Length, Math.Abs(clipped) / _meanAbsoluteError, _options.ErrorSmoothing);
        }

        _phase = _phase + 1 == _season.Length ? 0 : _phase + 1;
        _meanAbsoluteError += _options.ErrorSmoothing * ((Math.Abs(clipped) / factor) - _meanAbsoluteError);
    }

    // A seasonal slot's value: the float times the season's unit (exactly the float while the unit is 1).
    private double Season(int phase) => _season[phase] * _seasonUnit;

    // Stores a seasonal slot's value; one that would not fit a float (beyond ±3.4e38) widens the unit first.
    private void SetSeason(int phase, double value)
    {
        var slot = (float)(value / _seasonUnit);
        if (!float.IsFinite(slot) && double.IsFinite(value))
        {
            Widen(Math.Abs(value));
            slot = (float)(value / _seasonUnit);
        }

        _season[phase] = slot;
    }

    // Makes the season's unit a power of two large enough that a slot of the given magnitude is about 2^100, far inside a
    // float's range, and rescales every slot to it (exactly, but for slots that fall below a float's smallest values). The
    // unit only grows, so a season never stops fitting; it is 1 on ordinary series, whose season is stored as it always was.
    private void Widen(double magnitude)
    {
        var unit = Math.Max(_seasonUnit, Math.ScaleB(1.0, Math.ILogB(magnitude) - 100));
        var factor = unit / _seasonUnit;
        for (var i = 0; i < _season.Length; i++)
        {
            _season[i] = (float)(_season[i] / factor);
        }

        _seasonUnit = unit;
    }

    // How many sampling steps a point comes after the last one's step on the clock, sinceClock ticks after it: 1 on regular
    // sampling, more after a gap, 0 for a point that falls in the same step; the clock moves on by that many whole steps (not
    // to the point's own time, so jittered steps do not drift from it; in ticks, so regular steps never do).
    private long StepsAfter(long sinceClock)
    {
        // Regular sampling lands exactly one step on: no division.
        var steps = sinceClock == _step ? 1 : (long)Math.Round((double)sinceClock / _step);
        _clock += steps * _step;
        return steps;
    }

    // The phase of a point that comes steps after the last: phases follow the clock, so a gap does not shift the season.
    private int PhaseAfter(long steps)
    {
        var period = _season.Length;
        return steps == 1 || period == 1 ? _phase : (int)((((_phase + steps - 1) % period) + period) % period);
    }

    private void Train(double[] history, float[] elapsed)
    {
        // Each point's place on the clock, from the median step of the warm-up (its gaps do not move it); then the step
        // itself, exactly, as the warm-up's span over the steps it covers (on regular sampling, the step between any two).
        var (first, last) = (_step, _clock);
        var steps = elapsed[1..];
        Array.Sort(steps);
        var median = Math.Max((double)steps[steps.Length / 2], 1);
        var (time, clock) = (0.0, 0.0);
        var places = new long[elapsed.Length];
        var regular = true;
        for (var i = 1; i < elapsed.Length; i++)
        {
            time += elapsed[i];
            var step = Math.Round((time - clock) / median);
            clock += step * median;
            places[i] = places[i - 1] + (long)step;
            regular &= places[i] == i;
        }

        _step = places[^1] > 0 ? Math.Max((long)Math.Round((double)(last - first) / places[^1]), 1) : (long)median;
        _clock = first + (places[^1] * _step);

        var day = TimeSpan.TicksPerDay / (double)_step; // in sampling steps
        var clipped = Winsorized(history); // for the season's first estimate; the period is found on the ranks
        if (regular || places[^1] >= MaxGridStepsPerPoint * history.Length)
        {
            // Regular sampling, or a warm-up whose grid would be mostly empty: the season is found on the points as they came.
            for (var i = 0; i < places.Length; i++)
            {
                places[i] = i;
            }

            // A period found within an eighth of a day is a day: on a noisy or bursty daily cycle the autocorrelation's hill
            // is broad and its highest point wanders (279 steps for one series of 5-minute request counts in
            // `Seasonal_DailyCycleOfBurstyCounts_FindsTheDayNotAShortLag`), and a season a few steps short drifts a few
            // steps a day out of phase with the clock.
            var period = _options.Period;
            if (period == 0)
            {
                period = PeriodDetector.Detect(Ranks(history), _options.MinPeriod, _options.MaxPeriod, _options.SeasonalityThreshold);
                period = Math.Abs(period - day) <= day / 8 ? (int)Math.Round(day) : period;
            }

            Fit(clipped, period);
        }
        else
        {
            // Gaps or irregular steps: the season is found on the clock's grid of steps. A day is tried first (the season of
            // most operations data, and the one a search over a grid with holes finds least precisely: 278 to 313 steps
            // for 288), whatever MaxPeriod (on irregular sampling a day is more steps than points, and the default 288 is
            // meant as a day); the grid spans at most 4 steps a point, so a day is at most 1,600 steps. Otherwise the
            // search, over MaxPeriod points' worth of the clock. Missing steps are left out of the autocorrelation and drawn
            // on the line between their neighbours for the season's first estimate.
            var grid = Ranks(Grid(history, places));
            var daySteps = (long)Math.Round(day);
            var maxPeriod = (int)Math.Min(Math.Round(_options.MaxPeriod * (double)places[^1] / (history.Length - 1)), MaxDetectedPeriod);
            var period = _options.Period > 0 ? _options.Period
                : daySteps >= _options.MinPeriod && daySteps <= MaxDetectedPeriod && 2 * places[^1] >= 3 * daySteps
                    && PeriodDetector.AutocorrelationAt(grid, (int)daySteps) >= _options.SeasonalityThreshold ? (int)daySteps
                : PeriodDetector.Detect(grid, _options.MinPeriod, maxPeriod, _options.SeasonalityThreshold);
            Fit(Interpolate(Grid(clipped, places)), period);
        }

        // Replay the warm-up as it came, each point at its phase, so level, trend and error scale are settled before the first
        // judged point (a glitch is clipped by the error scale of the winsorized warm-up).
        _meanAbsoluteError = InitialMeanAbsoluteError(clipped);
        for (var i = 0; i < history.Length; i++)
        {
            _phase = (int)(places[i] % _season.Length);
            var forecast = _level + _trend + Season(_phase);
            Learn(history[i], forecast, Sigma(forecast));
        }

        // The factors start once the scale has settled: the replay's errors are the warm-up's own, which the season was fitted
        // on, and a factor learned from them read its segment as quieter than it is.
        _scale = SeasonalScale.Start(_season.Length);
    }

    // The values replaced by their ranks (tied values by their mean rank; NaN, a missing step, left as it is), for finding the
    // season: the autocorrelation of values is a sum of squares, so one glitch in the warm-up (a value of 1e9 among values near
    // 100) outweighed a daily cycle, and the series was read without a season for good; its rank is one more than the
    // largest's. A season, a trend or a daily peak keeps its order, so it keeps its autocorrelation; bursts weigh as much as
    // any other high value (`eng/nab.sh --cv block:seasonal`: 35.5 / 29.1 / 32.3 → 38.4 / 33.5 / 34.5).
    private static double[] Ranks(double[] values)
    {
        var indexes = Enumerable.Range(0, values.Length).Where(i => !double.IsNaN(values[i])).ToArray();
        var keys = Array.ConvertAll(indexes, i => values[i]);
        Array.Sort(keys, indexes);
        var ranks = new double[values.Length];
        Array.Fill(ranks, double.NaN);
        for (var i = 0; i < keys.Length;)
        {
            var j = i;
            while (j + 1 < keys.Length && keys[j + 1] == keys[i])
            {
                j++;
            }

            for (var k = i; k <= j; k++)
            {
                ranks[indexes[k]] = 0.5 * (i + j);
            }

            i = j + 1;
        }

        return ranks;
    }

    // The warm-up with every value farther from its median than GlitchSpreads times the spread of its middle 80 % (the
    // 10th to the 90th percentile) clipped to that bound, for the season's first estimate and error scale: a glitch of 1e9
    // in a phase's average, or in the mean absolute step, spoiled them for weeks. Only such glitches are clipped: a bound in
    // MADs clipped the peaks of a mostly flat daily pattern (the ensemble's cross-validated NAB score 63.2 → 58.7 at 5 MADs).
    // A warm-up whose middle 80 % is one value is left as it is.
    private static double[] Winsorized(double[] history)
    {
        var sorted = (double[])history.Clone();
        Array.Sort(sorted);
        var median = sorted[sorted.Length / 2];
        var bound = GlitchSpreads * (sorted[(int)(0.9 * (sorted.Length - 1))] - sorted[(int)(0.1 * (sorted.Length - 1))]);
        if (!(bound > 0) || !double.IsFinite(bound) || (sorted[0] >= median - bound && sorted[^1] <= median + bound))
        {
            return history;
        }

        var clipped = new double[history.Length];
        for (var i = 0; i < history.Length; i++)
        {
            clipped[i] = Math.Clamp(history[i], median - bound, median + bound);
        }

        return clipped;
    }

    // The warm-up on the clock's grid of steps: the mean of the points in each step, NaN where none came.
    private static double[] Grid(double[] history, long[] places)
    {
        var grid = new double[places[^1] + 1];
        var counts = new int[grid.Length];
        for (var i = 0; i < history.Length; i++)
        {
            grid[places[i]] += history[i];
            counts[places[i]]++;
        }

        for (var k = 0; k < grid.Length; k++)
        {
            grid[k] = counts[k] == 0 ? double.NaN : grid[k] / counts[k];
        }

        return grid;
    }

    // The grid with each missing step on the line between its neighbours (the first and last steps always have a point).
    private static double[] Interpolate(double[] grid)
    {
        var values = (double[])grid.Clone();
        var previous = 0;
        for (var k = 1; k < values.Length; k++)
        {
            if (double.IsNaN(values[k]))
            {
                continue;
            }

            for (var j = previous + 1; j < k; j++)
            {
                values[j] = values[previous] + ((values[k] - values[previous]) * (j - previous) / (k - previous));
            }

            previous = k;
        }

        return values;
    }

    private void Fit(double[] history, int period)
    {
        _season = new float[period];
        _seasonUnit = 1;
        var cycles = Math.Max(1, history.Length / period);
        var firstCycleMean = Mean(history.AsSpan(0, period));
        var fits = true;
        if (period > 1)
        {
            for (var c = 0; c < cycles; c++)
            {
                var mean = Mean(history.AsSpan(c * period, period));
                for (var i = 0; i < period; i++)
                {
                    _season[i] += (float)((history[(c * period) + i] - mean) / cycles);
                    fits &= float.IsFinite(_season[i]);
                }
            }
        }

        if (!fits)
        {
            FitWide(history, period, cycles);
        }

        _level = firstCycleMean;
        _trend = 0;
    }

    // The season of Fit for one beyond a float's range (values beyond ±3.4e38): summed in doubles and stored in a wider unit.
    private void FitWide(double[] history, int period, int cycles)
    {
        var season = new double[period];
        for (var c = 0; c < cycles; c++)
        {
            var mean = Mean(history.AsSpan(c * period, period));
            for (var i = 0; i < period; i++)
            {
                season[i] += (history[(c * period) + i] - mean) / cycles;
            }
        }

        Array.Clear(_season);
        for (var i = 0; i < period; i++)
        {
            SetSeason(i, season[i]);
        }
    }

    // The mean, summed plainly (as it always was) unless the sum overflows; then summed in shares.
    private static double Mean(ReadOnlySpan<double> values)
    {
        var sum = 0.0;
        for (var i = 0; i < values.Length; i++)
        {
            sum += values[i];
        }

        if (double.IsFinite(sum))
        {
            return sum / values.Length;
        }

        var mean = 0.0;
        for (var i = 0; i < values.Length; i++)
        {
            mean += values[i] / values.Length;
        }

        return mean;
    }

    private static double InitialMeanAbsoluteError(double[] history)
    {
        double sum = 0;
        for (var i = 1; i < history.Length; i++)
        {
            sum += Math.Abs(history[i] - history[i - 1]);
        }

        if (!double.IsFinite(sum) && history.Length > 1)
        {
            // Steps near double.MaxValue: their sum overflows, so their mean is summed in shares instead.
            sum = 0;
            for (var i = 1; i < history.Length; i++)
            {
                sum += Math.Abs((history[i] / (history.Length - 1)) - (history[i - 1] / (history.Length - 1)));
            }

            return sum;
        }

        return history.Length > 1 ? sum / (history.Length - 1) : 0;
    }
}

/// <summary>Options of <see cref="SeasonalDetector"/>.</summary>
public sealed class SeasonalOptions : AnomalyDetectorOptions
{
    /// <summary>
    /// Gets or sets the seasonal period in sampling steps (points, on regular sampling); 0 detects it from the warm-up points.
    /// Default: 0. Range: [0, 10080].
    /// </summary>
    [Range(0, 10080)]
    public int Period { get; set; }

    /// <summary>Gets or sets the shortest period considered by detection. Default: 4. Range: [2, 10080].</summary>
    [Range(2, 10080)]
    public int MinPeriod { get; set; } = 4;

    /// <summary>
    /// Gets or sets the longest period considered by detection, in points (288 = one day of 5-minute points; on a warm-up with
    /// gaps, as much time as that many of its points span, and a period of one day is tried first whatever this is; a cycle
    /// that divides a day is then learned as a daily one). Default: 288. Range: [2, 10080].
    /// </summary>
    [Range(2, 10080)]
    public int MaxPeriod { get; set; } = 288;

    /// <summary>Gets or sets the autocorrelation a period must reach to count as seasonality. Default: 0.3. Range: [0, 1].</summary>
    [Range(0.0, 1.0)]
    public double SeasonalityThreshold { get; set; } = 0.3;

    /// <summary>Gets or sets how many points train the model before points are judged; at least two periods are needed to find one. Default: 600. Range: [8, 100000].</summary>
    [Range(8, 100_000)]
    public int WarmupPoints { get; set; } = 600;

    /// <summary>Gets or sets the level smoothing factor α. Default: 0.1. Range: [0, 1].</summary>
    [Range(0.0, 1.0)]
    public double Alpha { get; set; } = 0.1;

    /// <summary>Gets or sets the trend smoothing factor β. Default: 0.005. Range: [0, 1].</summary>
    [Range(0.0, 1.0)]
    public double Beta { get; set; } = 0.005;

    /// <summary>Gets or sets the seasonal smoothing factor γ. Default: 0.1. Range: [0, 1].</summary>
    [Range(0.0, 1.0)]
    public double Gamma { get; set; } = 0.1;

    /// <summary>
    /// Gets or sets how fast the error scale follows the absolute forecast errors; each segment's factor of it follows its own
    /// points' errors at the same rate. Default: 0.02. Range: (0, 1].
    /// </summary>
    [Range(1e-6, 1.0)]
    public double ErrorSmoothing { get; set; } = 0.02;

    /// <summary>Gets or sets how many σ a residual may move the model (robust updates). Default: 3. Range: [0.5, 100].</summary>
    [Range(0.5, 100.0)]
    public double ClipSigmas { get; set; } = 3;
}
