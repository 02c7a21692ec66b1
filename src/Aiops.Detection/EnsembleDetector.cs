using System.ComponentModel.DataAnnotations;
using Aiops.Detection.Internal;

namespace Aiops.Detection;

/// <summary>
/// The default detector of Aiops. It runs several detectors over the same points and turns each one's probability into
/// surprise (−ln of its tail probability), calibrated against the tail that member actually produces on this series (peaks over
/// threshold, Siffer et al. 2017): a member that is always surprised on this series is not believed. A member with a band (seasonal,
/// robust z-score, innovation) is calibrated per side of its expected value: how often each side passes the threshold is counted apart, so
/// bursts above normal do not mute an outage below it. Each member is read twice,
/// as the surprise of the point and as the surprise of its last <see cref="EnsembleOptions.ShortWindow"/> points together (their
/// sum read as a Gamma law, so a run of moderate surprises counts as one rarer event, kept per side, and calibrated on the series in turn);
/// the three members with a side (seasonal, robust z-score, innovation) are read a third time, as the least of their side's last
/// <see cref="EnsembleOptions.ShortWindow"/> surprises (all of them at least that surprising: a sustained change of moderate
/// size, which bursts shorter than the window cannot make), discounted by how long the series' points stay on one side and
/// calibrated in turn; the strongest reading wins, after a Bonferroni correction for the number of readings. A value beyond the range of the recent
/// points (by <see cref="EnsembleOptions.RangeTolerance"/>; the range leaves out the last 32 points, so a slow slide past it
/// counts) is a record, whose surprise is ln((n + 1) / 2) for n points in the range
/// (the newest of n + 1 exchangeable points is the largest or the smallest with chance 2 / (n + 1)), growing with how far it
/// passes the range; when the range is a single value (a constant has no scale to measure how far by), a run of k departures
/// reads ln C(n + k, k) − ln 2, by rank alone.
/// What the decision reads is thus a tail probability per point measured on the series, turned into a rate per week (see
/// <see cref="AnomalyDetector.RateScore"/>); the sensitivity is
/// <see cref="AnomalyDetectorOptions.FalseAlarmsPerWeek"/>. After a flagged point, scores are damped for
/// <see cref="EnsembleOptions.RefractoryPoints"/> points unless they are stronger, so one incident yields one alert.
/// </summary>
/// <remarks>
/// Nothing is flagged during the first day of a series, but at least 100 and at most 300 points: the calibrations learn the
/// series first. Points in that warm-up are scored as unsurprising and never flagged.
/// Expected value and band come from the seasonal member once it is trained, from the robust z-score member before (the
/// median ± its threshold band), and are <see cref="double.NaN"/> when no member has one (a point scored only by range
/// novelty). Components: seasonal Holt-Winters, robust z-score, the IID change-point martingale, a robust z-score of the
/// innovation x_t − φ·x_(t−1) (φ the series' lag-1 autocorrelation, learned online), which judges a point against what the
/// last one predicts on autocorrelated series, and the change-point martingale again, its points ranked against the values
/// older than the robust member's window (as the range reads them), so a sustained shift is not judged against its own
/// points for that long: a 3σ shift of noise at 60-second steps was found within 30 points in 11 of 30 series, now 21
/// (<c>samples/Aiops.Backtest probe --kind shift --step 60 --at 2890 --series 30 --sigmas 3</c>).
/// Values on a grid (whole numbers, a fixed number of decimals) are read as rounded to the data's resolution, the smallest
/// change between consecutive values seen: the members read an error half a step smaller and a window tied at its median with
/// the scale its share of ties implies, and a record passes the range by a step less.
/// <see cref="AnomalyScore.RawScore"/> is the severity from the uncapped surprise (log10 of how much rarer than the configured
/// false-alarm rate the point is), so it keeps ordering points that all read the capped probability. Measured false onsets on
/// healthy series: <c>samples/Aiops.Backtest false-alarms</c>. Not thread-safe.
/// </remarks>
public sealed partial class EnsembleDetector : AnomalyDetector
{
    private const double MaxSurprise = 30; // −ln(1e-13): beyond double precision of 1 − p

    // The decision reads at most the surprise of a 1e-10 tail, so the points of one incident tie and one refractory period
    // covers it; the severity keeps the uncapped surprise.
    private static readonly double CapSurprise = -Math.Log(1e-10);
    // Nothing is flagged while the calibrations learn the series: a day, but at least 100 points (a calibration needs excesses to
    // fit) and at most 300 (a service that started ten minutes ago at one point a second must be watched already). A full day
    // cuts the false onsets to a fifth (0.51 per series-week on the healthy report, against 2.5) but is blind for a day.
    private const int WarmupPointsMinimum = 100;
    private const int WarmupPointsMaximum = 300;
    private const double DaysPerWeek = 7;

    // The range is the min and max of the current block and the last RangeBlocks - 1 complete ones, so it forgets extremes
    // older than RangeBlocks blocks: a stream that once spiked does not stay blind forever. A block is 1,000 points or four
    // days, whichever is longer, so the range covers about a month at steps up to about 6 minutes (at coarser steps 8,000
    // points: 55 days at 10 minutes, 11 months at an hour). Why a month: on healthy data a new record over
    // a range of length L comes about once per L, and a record that only just passes the range reads about ln N, which at fine
    // steps is already the flagging level; over 8 days the records alone spent most of the weekly budget (heavy-tailed noise at
    // 60 s, 28 days: 1.28 false onsets per series-week, against 0.74 over a month, both measured before records were read on
    // both sides; `false-alarms --step 60 300 --days 28`), over a month about a quarter. The development set cannot tell the
    // two apart (NAB identical in every profile and fold).
    private const int RangeBlocks = 8;
    private const int RangeBlockPoints = 1000;
    private const int RangeBlockDays = 4;
    private const int MaxRangeBlockPoints = 1 << 28; // four days of points overflow an int below 161 µs steps

    // A value joins the range only RangeLag points after it was seen, so a departure that creeps past the range in small
    // steps is a record once it passes the range it left (without the lag, each step had only to pass its predecessor, and a
    // slow slide to a level never seen read as nothing). 32 is the robust z-score member's window: that member judges a point
    // against the last 32 points, the range against everything before them (and its window holds the values on their way to
    // the range, so the ensemble keeps no copy). Leave-one-category-out NAB standard score
    // (eng/nab.sh --cv ensemble): 57.3 without the lag; 59.6, 62.0, 63.8, 61.4 and 55.4 with 1, 10, 32, 64 and 128.
    private const int RangeLag = 32;

    // The robust z-score member pools its scale over about 1,000 points: a MAD of 32 points varies by about 20 % from point to
    // point, so z on plain noise was heavy-tailed, its calibration learned that tail, and a 6σ spike two days into a 5-minute
    // series was missed one time in four (Backtest `probe`). Pooled: false onsets on the healthy report halve (0.52 → 0.22 per series-week), NAB
    // cross-validated 65.4 → 64.0 (300 and 3,000 points: 63.9, 63.4), within this corpus' noise.
    private const int MemberScaleMemory = 1000;

    // The members with a side (seasonal, robust z-score, innovation): each has a run reading besides its point and window.
    private const int BandedMembers = 3;
    private const int InnovationMember = 3;
    private const int LaggedChangePointMember = 4;

    // The side's persistence is learned over about 100 points (ten windows): over 1,000, a young series that wanders was read
    // as independent for too long (random-walk load at 60 s in two-day series: 2.2 false onsets per series-week, 1.0 over 100).
    // Its running means start at 0 and are not corrected for that start, so a member's first few hundred points read
    // independent sides as persistent (ρ about 0.27 after 100 points, 0.12 after 200), which discounts early runs: mostly
    // inside the warm-up; averaged plainly up to 100 points instead, NAB (`eng/nab.sh --cv ensemble`) and `false-alarms`
    // read the same but for the low-FP cross-validated figure, 61.6 → 61.4 (session 25 review), so the start was kept.
    private const int PersistenceMemory = 100;
    private const double MinimumSideVariance = 0.01; // a side taken 99 % of the time (a mostly-zero series at its median) has no correlation to read
    private const double MaxSideCorrelation = 0.95;

    // The run statistic is mostly 0 and, when not, often large (two bursts back to back fill a window): until the series shows
    // its own tail, it is read with the heaviest tail the calibrations admit (generalised Pareto shape 0.45: mean excess 1,
    // mean square 11), not the exponential one of a surprise (mean square 2), which read two bursts back to back at 1 s as
    // news (bursty counts: 4.0 false onsets per series-week against 1.3).
    private static readonly TailPrior RunPrior = TailPrior.Surprise with { SecondMoment = 11 };

    // The reading of member i's point, window and run (kind 0, 1, 2) at 3·i + kind.
    private static readonly Reading[] MemberReadings =
    [
        Reading.SeasonalPoint, Reading.SeasonalWindow, Reading.SeasonalRun,
        Reading.RobustPoint, Reading.RobustWindow, Reading.RobustRun,
        Reading.ChangePointPoint, Reading.ChangePointWindow, Reading.None,
        Reading.InnovationPoint, Reading.InnovationWindow, Reading.InnovationRun,
        Reading.LaggedChangePointPoint, Reading.LaggedChangePointWindow, Reading.None,
    ];

    // 1 / k for k up to the longest short window: the window's Gamma series multiplies by them.
    private static readonly double[] Reciprocals = [.. Enumerable.Range(0, EnsembleOptions.MaxShortWindow + 1).Select(k => 1.0 / k)];
    private readonly AnomalyDetector[] _members;
    private readonly RobustZScoreDetector _robust; // also keeps the RangeLag values not yet in the range
    private readonly IidChangePointDetector _laggedChangePoint; // ranks each point against the values that left _robust's window
    private readonly int _seasonalTrainingPoints; // the seasonal member (member 0) trains on this many points

    // The options, copied into the detector: each detector has its own options object, another cache line per update.
    private readonly double _rangeTolerance;
    private readonly double _readingsCorrection;

    // Per member: rings of the last ShortWindow calibrated surprises above and below normal (flattened; floats, the sums are
    // kept of the rounded values), their sums and the member's tail calibrations in one struct per member, so an update
    // touches few cache lines.
    private readonly float[] _upWindows;
    private readonly float[] _downWindows;
    private readonly MemberState[] _state;
    private readonly int _shortLength;
    private readonly double[] _blockRanges = new double[2 * (RangeBlocks - 1)]; // min, max of the complete blocks (ring)
    private AlertDamping _damping;
    private long _seen;
    private double _min = double.PositiveInfinity; // of the current block
    private double _max = double.NegativeInfinity;
    private double _pastMin = double.PositiveInfinity; // of the complete blocks in the ring
    private double _pastMax = double.NegativeInfinity;
    private int _blockFill;
    private int _blockPoints = RangeBlockPoints; // the length of the complete blocks
    private int _blockHead;
    private int _blockCount;
    private ConstantDeparture _departures; // consecutive points beyond a range that is a single value
    private RepeatRun _repeats; // the run of exact repeats of the last value

    /// <summary>Initializes a new instance of the <see cref="EnsembleDetector"/> class.</summary>
    /// <param name="options">The options; <see langword="null"/> uses the defaults.</param>
    /// <exception cref="ValidationException">An option is out of range.</exception>
    public EnsembleDetector(EnsembleOptions? options = null)
        : base(DetectorNames.Ensemble, options ??= new EnsembleOptions())
    {
        _rangeTolerance = options.RangeTolerance;
        _damping = new AlertDamping(options.RefractoryPoints, options.RefractoryDamping);
        _robust = new RobustZScoreDetector(new RobustZScoreOptions { Telemetry = options.Telemetry, WindowSize = RangeLag, ScaleMemory = MemberScaleMemory, LearnsResolution = true });
        var seasonal = new SeasonalOptions { Telemetry = options.Telemetry };
        _seasonalTrainingPoints = seasonal.WarmupPoints;
        var changePoint = new IidChangePointOptions { Telemetry = options.Telemetry, HistoryLength = 64 }; // read once by each
        _laggedChangePoint = new IidChangePointDetector(changePoint) { LearnsReference = true };
        _members =
        [
            new SeasonalDetector(seasonal),
            _robust,
            new IidChangePointDetector(changePoint),
            new InnovationDetector(new RobustZScoreOptions { Telemetry = options.Telemetry, WindowSize = RangeLag, ScaleMemory = MemberScaleMemory }),
            _laggedChangePoint,
        ];
        _readingsCorrection = Math.Log((2.0 * _members.Length) + BandedMembers); // two readings per member, a run per banded one: 13
        _shortLength = options.ShortWindow;
        _upWindows = new float[_members.Length * _shortLength];
        _downWindows = new float[_members.Length * _shortLength];
        _state = new MemberState[_members.Length];
    }

    /// <inheritdoc />
    public override int StateSizeBytes
    {
        get
        {
            // A member's state: 5 tail calibrations of 4 doubles, a side's exceedances, 2 sums, 2 shares, a position, a count and a
            // side, padded to 8 bytes (216 B);
            // the run of repeats: 7 doubles, a length and two flags (62 B).
            var size = ((_blockRanges.Length + (27 * _members.Length)) * sizeof(double))
                + ((_upWindows.Length + _downWindows.Length) * sizeof(float)) + 188 + 62;
            foreach (var member in _members)
            {
                size += member.StateSizeBytes;
            }

            return size;
        }
    }

    /// <inheritdoc />
    protected override AnomalyScore UpdateCore(DateTimeOffset timestamp, double value)
    {
        // The band of the first member (in order: seasonal, robust z-score) that has one; NaN when none has (the default
        // AnomalyScore's bounds are 0, not NaN, so it must not stand for "no band").
        double expected = double.NaN, lower = double.NaN, upper = double.NaN;
        var hasBand = false;
        var anyScored = false;
        var surprise = 0.0;
        var warmup = WarmupPoints;
        var reading = Reading.None;

        // The step between the values this series takes (whole numbers, a fixed number of decimals), as learned before this
        // point: the robust member learns it once it has judged the point; see RobustZScoreOptions.LearnsResolution.
        var resolution = _robust.Resolution;
        ((SeasonalDetector)_members[0]).Resolution = resolution;
        ((InnovationDetector)_members[InnovationMember]).Resolution = resolution;

        // A member's surprise beyond its flag level is learned censored: learned in full, one 6σ spike made the fitted tail
        // heavy for the calibration's whole memory (five weeks at 5-minute steps), and spikes 3.5 days apart were found 17
        // times in 40 after the first (32 now; `Ensemble_SpikeRecurringTwiceAWeek_FoundAgainAfterTheFirst`, and by occurrence
        // `probe --at 600 --repeats 12 --every 1000 --series 30`). Not during the warm-up: nothing is flagged
        // then, so nothing read is an anomaly, and the calibrations learn the series' nature in full (error counts that are
        // mostly 0 flagged their second nonzero value otherwise: false onsets 2.5 → 1.5 per series-week at 60 s). Not in
        // CalibratedDetector: a building block's surprises pass its flag level often on heavy tails, and censored it learned
        // them too slowly (false onsets 4.7 → 7.7 a week).
        var censorLevel = _seen >= warmup ? TailCalibration.CensorLevel(FlagSurprise + _readingsCorrection) : double.PositiveInfinity;
        for (var i = 0; i < _members.Length; i++)
        {
            if (i == LaggedChangePointMember)
            {
                // The value RangeLag points old, which the robust member (updated just before) has let go of this point.
                _laggedChangePoint.ReferenceValue = _robust.LastEvicted;
            }

            var score = _members[i].UpdateValidated(timestamp, value);
            if (score.Status != PointStatus.Scored)
            {
                continue;
            }

            anyScored = true;
            if (!hasBand && score.HasBand)
            {
                hasBand = true;
                expected = score.Expected;
                lower = score.Lower;
                upper = score.Upper;
            }

            // A member with a band has a side: above or below what it expected.
            var side = !score.HasBand ? 0 : value < score.Expected ? -1 : 1;
            var member = MemberSurprise(i, Math.Min(MaxSurprise, Surprise.FromProbability(score.Probability)), side, censorLevel, out var kind);
            ref var scored = ref _state[i].Scored;
            scored = scored == int.MaxValue ? scored : scored + 1;
            if (scored <= (i == 0 ? Math.Max(warmup, _seasonalTrainingPoints) : warmup))
            {
                // A member is believed once its own calibration has seen as many of its scores as the ensemble's warm-up
                // (the seasonal member starts scoring only after its own 600-point training: before this, its first
                // surprises were read against the nominal prior alone and flagged the first burst it met). The seasonal
                // member, whose error scale and calibrations start from nothing when its training ends, is believed once it
                // has scored as many points as it trained on: its first hundreds of readings flagged bursts (false onsets
                // 0.50 → 0.45 per series-week on the healthy report; NAB 68.9 / 66.7 / 67.6 → 70.6 / 67.3 / 69.3).
                continue;
            }

            if (member > surprise)
            {
                surprise = member;
                reading = MemberReadings[(3 * i) + kind];
            }
        }

        surprise = Math.Max(0, surprise - _readingsCorrection);
        var varied = _rangeTolerance > 0 && !RangeIsConstant;
        var novel = _rangeTolerance > 0 && TrackRange(value, resolution, ref surprise, ref reading);

        // A metric stuck at its last value stays inside its range and fools every member: the run of exact repeats is read on
        // its own, with the members' correction (ln 13; it adds one reading, which that correction does not count), and only on a series whose range has width (a constant
        // series repeats by nature; its departures are ConstantDeparture's). Stuck for 30 points ten days into a 5-minute
        // daily pattern (`probe --base DailyPattern --kind flatline --at 2880`): 0 of 30 before, 30 now.
        var repeats = _repeats.Observe(value, FlagSurprise + _readingsCorrection) - _readingsCorrection;
        if (varied && repeats > surprise)
        {
            surprise = repeats >= FlagSurprise ? Math.Max(CapSurprise, repeats) : repeats;
            reading = Reading.Repeats;
        }

        LastReading = reading;
        var seen = _seen++;
        if (!anyScored && !novel)
        {
            return AnomalyScore.WarmingUp(timestamp, value);
        }

        if (seen < warmup)
        {
            return SurpriseScore(timestamp, value, 0, 0, expected, lower, upper);
        }

        // The decision and the probability use the capped surprise: beyond the cap, all points are equally (maximally)
        // anomalous, so one refractory period covers an incident; the severity (RawScore) uses the uncapped one.
        var capped = Math.Min(surprise, CapSurprise);
        var decided = _damping.Apply(capped, FlagSurprise);
        var result = SurpriseScore(timestamp, value, decided, decided < capped ? decided : surprise, expected, lower, upper);
        if (result.IsAnomaly)
        {
            _damping.Flagged(capped);
        }

        return result;
    }

    /// <inheritdoc />
    protected override void ResetCore()
    {
        foreach (var member in _members)
        {
            member.Reset();
        }

        Array.Clear(_upWindows);
        Array.Clear(_downWindows);
        Array.Clear(_state);
        _damping.Clear();
        _seen = 0;
        _min = _pastMin = double.PositiveInfinity;
        _max = _pastMax = double.NegativeInfinity;
        Array.Clear(_blockRanges);
        _blockFill = _blockHead = _blockCount = 0;
        _departures.End();
        _repeats = default;
        _blockPoints = RangeBlockPoints;
    }

    // Range novelty (as NAB's HTM detector, but read as a probability): a value beyond the recent range (but for the last
    // RangeLag points) by more than a fraction of it is a record. Among n + 1 exchangeable points the newest is the largest
    // or the smallest with chance 2 / (n + 1); passing the range by a further x ranges multiplies that by n^−x for an
    // exponential tail (the range itself grows like ln n), so the record's surprise is ln((n + 1) / 2) + x·ln(n + 1). Read as
    // ln(n + 1), one side's chance, records came twice as often as the rate allows once the range covered a week: 1.29 false
    // onsets per series-week on random-walk load, 0.91 on heavy-tailed noise (`false-alarms --step 300 --days 14`; 0.44 and
    // 0.46 now; all kinds 0.56 → 0.33). A record rare enough to be flagged on its
    // own is certain news: the range is then long enough, in this series' time, to make the record news; it reads at least as
    // the cap, more when it passes the range by far, so the severity keeps ordering records.
    private bool TrackRange(double value, double resolution, ref double surprise, ref Reading reading)
    {
        var novel = false;
        var fromConstant = false;
        if (_seen >= WarmupPointsMinimum)
        {
            var min = Math.Min(_min, _pastMin);
            var max = Math.Max(_max, _pastMax);
            var range = max - min;
            var tolerance = _rangeTolerance * range;
            novel = value > max + tolerance || value < min - tolerance;
            if (novel)
            {
                var lnN = Math.Log((_blockCount * (double)_blockPoints) + _blockFill + 1);
                if (range <= Calibration.ScaleFloor(max))
                {
                    // No scale to measure how far: judged by rank (the members' z-scores divide by a floor).
                    fromConstant = true;
                    var departure = _departures.Extend(lnN);
                    surprise = departure >= FlagSurprise ? Math.Max(CapSurprise, departure) : departure;
                    reading = Reading.Record;
                }
                else
                {
                    // On data of a resolution, the record and the range's end are both rounded: it may pass by a step less.
                    var excess = Math.Max(Math.Max(value - max, min - value) - resolution, 0) / range;
                    var record = lnN - Surprise.Ln2 + Math.Min(Math.Min(excess, 100) * lnN, Math.Log(1 + excess) / TailCalibration.MaxShape);
                    record = record >= FlagSurprise ? Math.Max(CapSurprise, record) : record;
                    if (record > surprise)
                    {
                        surprise = record;
                        reading = Reading.Record;
                    }
                }
            }
        }

        if (!fromConstant)
        {
            _departures.End();
        }

        // The value RangeLag points old joins the range: the robust member's window (RangeLag points) has just let it go.
        value = _robust.LastEvicted;
        if (double.IsNaN(value))
        {
            return novel;
        }

        _min = Math.Min(_min, value);
        _max = Math.Max(_max, value);
        if (++_blockFill >= Math.Min(Math.Max(RangeBlockPoints, RangeBlockDays * PointsPerWeek / DaysPerWeek), MaxRangeBlockPoints))
        {
            CloseRangeBlock();
        }

        return novel;
    }

    // Whether the recent range (complete blocks and the current one) is a single value, or has not begun.
    private bool RangeIsConstant
    {
        get
        {
            var max = Math.Max(_max, _pastMax);
            return !(max - Math.Min(_min, _pastMin) > Calibration.ScaleFloor(max));
        }
    }

    // Moves the current block's range into the ring (dropping the oldest block) and recomputes the ring's min and max.
    private void CloseRangeBlock()
    {
        _blockRanges[2 * _blockHead] = _min;
        _blockRanges[(2 * _blockHead) + 1] = _max;
        _blockHead = _blockHead + 1 == RangeBlocks - 1 ? 0 : _blockHead + 1;
        _blockCount = Math.Min(_blockCount + 1, RangeBlocks - 1);
        _pastMin = double.PositiveInfinity;
        _pastMax = double.NegativeInfinity;
        for (var b = 0; b < _blockCount; b++)
        {
            _pastMin = Math.Min(_pastMin, _blockRanges[2 * b]);
            _pastMax = Math.Max(_pastMax, _blockRanges[(2 * b) + 1]);
        }

        _min = double.PositiveInfinity;
        _max = double.NegativeInfinity;
        _blockPoints = _blockFill;
        _blockFill = 0;
    }

    // One member's surprise, calibrated on this series and on the point's side of normal, read as the larger of the point's and
    // its window's: the sum S of the last W calibrated surprises is Gamma(W, 1) when the member is calibrated and its points
    // independent, so its surprise is −ln Q(W, S) = S − ln Σ_{k<W} S^k / k!. Consecutive surprises are not independent (a
    // drifting series keeps a member surprised for many points), so the window's surprise is calibrated on this series as well.
    // Each side has its own window (a point adds 0 to the other side's) and its own tail for it, so a run below normal is not
    // read against bursts above it: an hour-long outage of request counts with heavy-tailed bursts (`probe --base
    // SeasonalBursts --kind outage --at 2880`) was found 9 times in 30, now 30.
    private double MemberSurprise(int member, double raw, int side, double censorLevel, out int kind)
    {
        ref var m = ref _state[member];
        var surprise = Math.Min(MaxSurprise, m.Point.Surprise(raw, side, TailPrior.Surprise));
        m.Point.Observe(raw, side, TailPrior.Surprise, surprise, censorLevel);

        var slot = (member * _shortLength) + m.ShortIndex;
        m.ShortIndex = m.ShortIndex + 1 == _shortLength ? 0 : m.ShortIndex + 1;
        var up = (float)(side >= 0 ? surprise : 0);
        var down = (float)(side < 0 ? surprise : 0);
        m.UpSum += up - _upWindows[slot];
        _upWindows[slot] = up;
        m.DownSum += down - _downWindows[slot];
        _downWindows[slot] = down;

        var windowStatistic = GammaSurprise(side < 0 ? m.DownSum : m.UpSum, _shortLength); // the window of the point's side
        var window = Math.Min(MaxSurprise, m.Window.Surprise(windowStatistic, side, TailPrior.Surprise));
        m.Window.Observe(windowStatistic, side, TailPrior.Surprise);

        var strongest = Math.Max(surprise, window);
        var run = side == 0 ? 0 : RunSurprise(ref m, member, side);
        kind = run > strongest ? 2 : window > surprise ? 1 : 0;
        return Math.Max(strongest, run);
    }

    // A member's run: all of its side's last ShortWindow surprises at least the least of them, s, which W independent points
    // do with chance e^(−W·s). The window's Gamma sum is the test against a few strong surprises; this one is the test
    // against many moderate ones, and bursts shorter than the window cannot pass it: a sustained rise of a mostly-zero error
    // ratio, of a latency with pauses or of request counts with heavy-tailed bursts, which every member's baseline takes as
    // its new level within 16 to 30 points, was found within 30 points in 2, 12 and 8 of 30 series without it
    // (`probe --at 2880 --kind shift --series 30 --base ErrorRatio --sigmas 0.002`, `ServiceLatency --sigmas 12`,
    // `SeasonalBursts --at 1440 --sigmas 5`). Points on one side come in runs on a series that wanders, so W counts as
    // W (1 − ρ) / (1 + ρ) independent points, ρ the lag-1 autocorrelation of the side (above or not). Only members with a
    // side: the change-point member's surprise is already accumulated, and its runs are its persistence.
    private double RunSurprise(ref MemberState m, int member, int side)
    {
        var ring = (side < 0 ? _downWindows : _upWindows).AsSpan(member * _shortLength, _shortLength);
        var least = float.PositiveInfinity;
        foreach (var s in ring)
        {
            least = Math.Min(least, s);
        }

        var above = side > 0 ? 1.0 : 0.0;
        m.UpShare += (above - m.UpShare) / PersistenceMemory;
        m.UpPairs += ((m.PreviousSide > 0 ? above : 0) - m.UpPairs) / PersistenceMemory;
        m.PreviousSide = side;
        var variance = m.UpShare * (1 - m.UpShare);
        var rho = variance < MinimumSideVariance ? 0 : Math.Clamp((m.UpPairs - (m.UpShare * m.UpShare)) / variance, 0, MaxSideCorrelation);
        var statistic = Math.Min(MaxSurprise, _shortLength * (1 - rho) / (1 + rho) * Math.Max(least, 0));
        var run = Math.Min(MaxSurprise, m.Run.Surprise(statistic, side, RunPrior));
        m.Run.Observe(statistic, side, RunPrior);
        return run;
    }

    // −ln Q(W, S) for a running sum S of W surprises (Gamma(W, 1) when they are calibrated and independent): S − ln Σ_{k<W} S^k / k!,
    // the series nested as 1 + S (1 + S/2 (1 + S/3 (… (1 + S/(W − 1))))): one fused multiply-add per term on the critical path,
    // no division (a reciprocal from a table), and no table of 1 / k!, which underflows past k = 170.
    internal static double GammaSurprise(double runningSum, int window)
    {
        var sum = Math.Max(runningSum, 0); // the running sum may drift a hair below zero
        var reciprocals = Reciprocals;
        var series = 1.0;
        for (var k = window - 1; k >= 1; k--)
        {
            series = Math.FusedMultiplyAdd(series, sum * reciprocals[k], 1);
        }

        return sum - Math.Log(series);
    }

    /// <summary>Which reading gave the last point its surprise (for diagnostics: samples/Aiops.Rca.Eval <c>--trace</c>).</summary>
    internal Reading LastReading { get; private set; }

    // Nothing is flagged before this many points, and a member is believed only after it has scored as many itself.
    private double WarmupPoints => Math.Max(WarmupPointsMinimum, Math.Min(WarmupPointsMaximum, PointsPerWeek / DaysPerWeek));

    /// <summary>The reading that gave a point its surprise.</summary>
    internal enum Reading
    {
        /// <summary>No reading (warm-up, or nothing surprising).</summary>
        None = 0,

        /// <summary>The seasonal member's point.</summary>
        SeasonalPoint = 1,

        /// <summary>The seasonal member's window of recent points.</summary>
        SeasonalWindow = 2,

        /// <summary>The robust z-score member's point.</summary>
        RobustPoint = 3,

        /// <summary>The robust z-score member's window.</summary>
        RobustWindow = 4,

        /// <summary>The IID change-point member's point.</summary>
        ChangePointPoint = 5,

        /// <summary>The IID change-point member's window.</summary>
        ChangePointWindow = 6,

        /// <summary>A record beyond the recent range.</summary>
        Record = 7,

        /// <summary>A run of exact repeats of the last value (a stuck metric).</summary>
        Repeats = 8,

        /// <summary>The seasonal member's run: all of its last points surprising.</summary>
        SeasonalRun = 9,

        /// <summary>The robust z-score member's run.</summary>
        RobustRun = 10,

        /// <summary>The innovation member's point: the value against what the last one predicts.</summary>
        InnovationPoint = 11,

        /// <summary>The innovation member's window.</summary>
        InnovationWindow = 12,

        /// <summary>The innovation member's run.</summary>
        InnovationRun = 13,

        /// <summary>The lagged change-point member's point: the martingale against the values older than the robust window.</summary>
        LaggedChangePointPoint = 14,

        /// <summary>The lagged change-point member's window.</summary>
        LaggedChangePointWindow = 15,
    }


    /// <summary>The running state of one member.</summary>
    private struct MemberState
    {
        public SidedCalibration Point;
        public SidedTails Window;
        public SidedTails Run;
        public double UpShare; // decayed share of the member's points above its expected value
        public double UpPairs; // decayed share of consecutive pairs both above
        public int PreviousSide;
        public double UpSum;
        public double DownSum;
        public int ShortIndex;
        public int Scored; // points the member has scored (its calibration's own evidence), counted up to int.MaxValue
    }
}

/// <summary>Options of <see cref="EnsembleDetector"/>.</summary>
public sealed class EnsembleOptions : AnomalyDetectorOptions
{
    /// <summary>Gets or sets how many recent points each member's surprise is also summed over, so that a run of moderate surprises counts as one rare event, and (for the members with a side) read by their least, so that a sustained change counts even under bursts shorter than this. Default: 10. Range: [1, 256].</summary>
    [Range(1, MaxShortWindow)]
    public int ShortWindow { get; set; } = 10;

    internal const int MaxShortWindow = 256;

    /// <summary>
    /// Gets or sets by what fraction of the recent range (the last 7 to 8 blocks of 1,000 points or four days, whichever is longer,
    /// but for the last 32 points, so that a departure creeping past the range in small steps is a record too) a value must
    /// pass the lowest or highest recent value to count as a record (after 100 points); 0 disables records, and with them the
    /// reading of a stuck metric (a run of exact repeats), which needs the range's width. A record's surprise grows
    /// with the points in the range and with how far it passes it. Default: 0.05. Range: [0, 10].
    /// </summary>
    [Range(0.0, 10.0)]
    public double RangeTolerance { get; set; } = 0.05;

    /// <summary>Gets or sets for how many points after a flagged one scores are damped. Default: 50. Range: [0, 100000].</summary>
    [Range(0, 100_000)]
    public int RefractoryPoints { get; set; } = 50;

    /// <summary>
    /// Gets or sets the factor applied to the surprise of points in the refractory period that are not stronger than the flagged
    /// one; such a point also reads at most this factor times the flagging level, so it is never flagged. Default: 0.5. Range: [0, 1].
    /// </summary>
    [Range(0.0, 1.0)]
    public double RefractoryDamping { get; set; } = 0.5;

    /// <inheritdoc />
    internal override bool FlagsByRate => true;
}
