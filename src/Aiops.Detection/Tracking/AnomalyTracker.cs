using Aiops.Detection.Internal;

namespace Aiops.Detection.Tracking;

/// <summary>
/// Turns a detector's per-point scores into an anomaly <em>state</em> with an onset and an end, for one series. The state
/// starts at a point the detector flags and lasts while the series stays away from its pre-onset baseline — the band frozen
/// at the onset — even after the detector has adapted to the new level. It ends when the series is back inside that band
/// for <see cref="AnomalyTrackerOptions.ReturnFor"/> (<see cref="AnomalyEndReason.Recovered"/>), or when it has held a
/// level the detector no longer flags for <see cref="AnomalyTrackerOptions.NewNormalAfter"/>
/// (<see cref="AnomalyEndReason.NewNormal"/>).
/// </summary>
/// <remarks>
/// <para>
/// The baseline is the median and robust σ of the last <see cref="AnomalyTrackerOptions.BaselineLength"/> normal values
/// (values seen while the state was normal; after a new normal, the values seen at the new level); σ is the largest of
/// 1.4826 · MAD, 1.2533 · the mean absolute deviation and the series' resolution (see
/// <see cref="AnomalyTrackerOptions.MinimumScale"/>). State changes need <see cref="AnomalyTrackerOptions.ConfirmPoints"/>
/// points to agree, out of 2·n − 1, and a flagged departure must hold for <see cref="AnomalyTrackerOptions.HoldPoints"/>
/// points before it starts an anomaly (a flag says a point is rare, not that the departure lasts). A flagged point starts an anomaly only when it is at least
/// <see cref="AnomalyTrackerOptions.EnterDeviation"/> σ from that median and outside the band frozen for the previous
/// anomaly, so the return to the old baseline after an anomaly (which an adapted detector finds unusual) is the end of that
/// anomaly, never a new one. Severity is the robust deviation (x − median) / σ against the frozen baseline: signed,
/// uncapped, comparable across series.
/// </para>
/// <para>
/// Time is the points' own timestamps, so results are deterministic. Per point: O(1) and no allocation while normal and not
/// flagged; O(n log n) in the baseline length on flagged points, still without allocation. State is bounded: two arrays of
/// <see cref="AnomalyTrackerOptions.BaselineLength"/> doubles and two of <see cref="AnomalyTrackerOptions.CountWindow"/>
/// values (the windowed count test of a low-rate count's rise, which starts an anomaly without a flag). Not thread-safe: one instance serves one series, called by
/// one thread at a time, like its detector.
/// </para>
/// </remarks>
public sealed partial class AnomalyTracker : IStateSnapshot
{
    private const double MadToSigma = 1.482602218505602;

    // sqrt(pi/2): the mean absolute deviation of a normal distribution is sigma * sqrt(2/pi).
    private const double MeanDeviationToSigma = 1.2533141373155003;

    // The baseline ring; and a second array that is scratch space while normal and, during an anomaly, the ring of the
    // values at the new level, which becomes the baseline if that level turns out to be the new normal.
    private double[] _ring;
    private double[] _scratch;
    private readonly int _minimumBaseline;
    private readonly double _enter;
    private readonly double _exit;
    private readonly long _returnTicks;
    private readonly long _newNormalTicks;
    private readonly double _minimumScale;
    private readonly int _confirmPoints;
    private int _start;
    private int _count;
    private int _recentStart;
    private int _recentCount;

    // The smallest non-zero step between consecutive normal values: the series' resolution (1 for a count of events),
    // the scale of a baseline that did not move at all.
    private double _resolution = double.PositiveInfinity;
    private double _lastNormal = double.NaN;

    // The detector's band at the last normal point, widening the frozen band (it knows the series' noise floor).
    private double _detectorLower = double.NaN;
    private double _detectorUpper = double.NaN;

    // An onset being confirmed (ConfirmPoints above 1): its first point and baseline, and how many points agree so far.
    private AnomalyScore _candidate;
    private double _candidateMedian;
    private double _candidateScale;
    private int _candidateSide;
    private int _candidates;
    private int _candidateMisses;

    // A flagged point near the baseline arms the tracker for a window's worth of points with the baseline of that moment.
    private int _armedLeft;
    private double _armedMedian;
    private double _armedScale;
    private int _armedSide;

    // A level held away from the baseline without flags (the detector adapted to it): the baseline it is measured against
    // (refreshed every eighth of the ring while no run is open), the run's first point and how many points it holds.
    private readonly int _sustainPoints;
    private readonly int _holdPoints;
    private int _sustainRefresh;
    private double _sustainMedian = double.NaN;
    private double _sustainScale = double.NaN;
    private AnomalyScore _sustainFirst;
    private int _sustainSide;
    private int _sustained;
    private int _sustainGap;

    // The windowed count test (CountWindow): the last points and their times (a ring), their sum, and the baseline's rate
    // and dispersion in units of the series' resolution, refreshed every eighth of the ring while normal.
    private readonly int _countLength;
    private readonly double[] _countValues;
    private readonly long[] _countTicks;
    private int _countHead;
    private int _countFill;
    private double _countSum;
    private int _countRefresh;
    private bool _countApplies;
    private double _countRate;
    private double _countDispersion = 1;
    private double _countUnit = 1;
    private long _stepTicks;
    private long _lastTicks;
    private bool _countAnomaly;

    // Decayed count, sum and sum of squares of every point once it leaves the test window while normal (memory: the
    // baseline's length): the rate the window is read against never includes the window itself, nor points the detector
    // flagged being left out (the ring keeps flagged points out, which would bias a count's rate low).
    private double _rateWeight;
    private double _rateSum;
    private double _rateSquares;

    // The band frozen at the last onset; after a recovery it keeps gating onsets until the baseline is replaced.
    private bool _hasFrozen;
    private double _outerLower;
    private double _outerUpper;
    private long _lastFlagTicks;
    private long _inBandSinceTicks;
    private bool _inBand;

    // Whether each of the last 2·ConfirmPoints − 1 points of the anomaly was back inside the band (bit 0: the latest):
    // the series is back when most of them are, so one noisy point of a heavy-tailed series neither delays nor undoes it.
    private ulong _backBits;
    private long _insideRunTicks;
    private readonly ulong _backMask;

    /// <summary>Initializes a new instance of the <see cref="AnomalyTracker"/> class.</summary>
    /// <param name="options">The options; <see langword="null"/> uses the defaults.</param>
    /// <exception cref="System.ComponentModel.DataAnnotations.ValidationException">An option is out of range.</exception>
    public AnomalyTracker(AnomalyTrackerOptions? options = null)
    {
        options ??= new AnomalyTrackerOptions();
        options.Validate();
        _ring = new double[options.BaselineLength];
        _scratch = new double[options.BaselineLength];
        _minimumBaseline = Math.Min(options.MinimumBaseline, options.BaselineLength);
        _enter = options.EnterDeviation;
        _exit = options.ExitDeviation;
        _returnTicks = options.ReturnFor.Ticks;
        _newNormalTicks = options.NewNormalAfter.Ticks;
        _minimumScale = options.MinimumScale;
        _confirmPoints = options.ConfirmPoints;
        _sustainPoints = options.SustainPoints;
        _countLength = options.CountWindow;
        _holdPoints = Math.Max(_confirmPoints, options.HoldPoints);
        _countValues = new double[_countLength];
        _countTicks = new long[_countLength];
        _backMask = (1UL << ((2 * _confirmPoints) - 1)) - 1;
    }

    /// <summary>Gets a value indicating whether the series is in an anomaly now.</summary>
    public bool IsAnomalous { get; private set; }

    /// <summary>Gets the onset (first point) of the current anomaly, or of the last one when normal; <see langword="default"/> before any.</summary>
    public DateTimeOffset Onset { get; private set; }

    /// <summary>Gets when the last anomaly ended (for <see cref="AnomalyEndReason.Recovered"/>, the first point back in the band); <see langword="null"/> while one is active or before any.</summary>
    public DateTimeOffset? EndedAt { get; private set; }

    /// <summary>Gets why the last anomaly ended; <see cref="AnomalyEndReason.None"/> while one is active or before any.</summary>
    public AnomalyEndReason EndReason { get; private set; }

    /// <summary>
    /// Gets when the series came back inside its frozen band while the anomaly waits out
    /// <see cref="AnomalyTrackerOptions.ReturnFor"/> before it ends (the anomaly is still active: a return that does not last
    /// undoes this); <see langword="null"/> while the series is away from its baseline, and while normal. Lets a consumer tell
    /// an anomaly whose evidence still holds from one that is only waiting to end (a 5-second burst is back after 5 seconds
    /// but ends a minute later).
    /// </summary>
    public DateTimeOffset? ReturningSince { get; private set; }

    /// <summary>Gets the baseline median frozen at the last onset; <see cref="double.NaN"/> when the baseline was too short.</summary>
    public double BaselineMedian { get; private set; } = double.NaN;

    /// <summary>Gets the baseline's robust σ frozen at the last onset (at least the minimum scale); <see cref="double.NaN"/> when the baseline was too short.</summary>
    public double BaselineScale { get; private set; } = double.NaN;

    /// <summary>Gets the lower edge of the band frozen at the last onset (normal is inside it); −∞ when there was no baseline.</summary>
    public double Lower { get; private set; } = double.NegativeInfinity;

    /// <summary>Gets the upper edge of the band frozen at the last onset; +∞ when there was no baseline.</summary>
    public double Upper { get; private set; } = double.PositiveInfinity;

    /// <summary>Gets the robust deviation (x − median) / σ of the last point of the anomaly against its frozen baseline; signed, uncapped; 0 when unknown.</summary>
    public double Severity { get; private set; }

    /// <summary>Gets the severity of largest magnitude since the onset (signed); 0 when unknown.</summary>
    public double PeakSeverity { get; private set; }

    /// <summary>Gets the highest anomaly probability the detector gave since the onset.</summary>
    public double PeakProbability { get; private set; }

    /// <summary>Gets the number of normal values the baseline holds.</summary>
    public int BaselineCount => _count;

    /// <summary>Gets the approximate number of bytes this instance holds.</summary>
    public int StateSizeBytes => (_ring.Length * 2 * sizeof(double)) + (_countLength * (sizeof(double) + sizeof(long))) + 232;

    /// <summary>Advances the state with a detector's score of the next point, flagged by the detector's own threshold.</summary>
    /// <param name="score">The score; skipped points are ignored.</param>
    /// <returns>Whether an anomaly started or ended at this point.</returns>
    public AnomalyTransition Update(in AnomalyScore score) => Update(score, score.IsAnomaly);

    /// <summary>Advances the state with a detector's score of the next point.</summary>
    /// <param name="score">The score; skipped points are ignored.</param>
    /// <param name="flagged">Whether the point counts as anomalous (the caller's threshold on the score).</param>
    /// <returns>Whether an anomaly started or ended at this point.</returns>
    public AnomalyTransition Update(in AnomalyScore score, bool flagged)
    {
        if (score.IsSkipped || !double.IsFinite(score.Value))
        {
            return AnomalyTransition.None;
        }

        flagged &= score.Status == PointStatus.Scored;
        if (_countLength > 0)
        {
            PushCount(score);
        }

        return IsAnomalous ? Continue(score, flagged, canEnd: true) : Watch(score, flagged);
    }

    /// <summary>Forgets the baseline and any anomaly, as if the instance had just been created.</summary>
    public void Reset()
    {
        _start = _count = 0;
        _recentStart = _recentCount = 0;
        _detectorLower = _detectorUpper = double.NaN;
        _resolution = double.PositiveInfinity;
        _lastNormal = double.NaN;
        _hasFrozen = false;
        _inBand = false;
        _candidates = _candidateMisses = _armedLeft = 0;
        _sustained = _sustainGap = _sustainRefresh = 0;
        _sustainMedian = _sustainScale = double.NaN;
        _countHead = _countFill = _countRefresh = 0;
        _countSum = 0;
        _countApplies = _countAnomaly = false;
        _countRate = 0;
        _countDispersion = _countUnit = 1;
        _stepTicks = _lastTicks = 0;
        _rateWeight = _rateSum = _rateSquares = 0;
        IsAnomalous = false;
        ReturningSince = null;
        Onset = default;
        EndedAt = null;
        EndReason = AnomalyEndReason.None;
        BaselineMedian = BaselineScale = double.NaN;
        Lower = double.NegativeInfinity;
        Upper = double.PositiveInfinity;
        Severity = PeakSeverity = PeakProbability = 0;
    }

    private AnomalyTransition Watch(in AnomalyScore score, bool flagged)
    {
        var value = score.Value;
        if (_candidates > 0)
        {
            // Confirming an onset: the baseline is the candidate's; points on the same side beyond the enter band count.
            var away = double.IsNaN(_candidateMedian)
                ? flagged
                : Math.Abs(value - _candidateMedian) >= _enter * _candidateScale && Math.Sign(value - _candidateMedian) == _candidateSide
                    && !(_hasFrozen && value >= Lower && value <= Upper);
            if (away)
            {
                // A departure the detector flagged must hold as long as HoldPoints (against a baseline of our own): the flag dates
                // the onset and says the point is rare, not that the departure lasts; a benign burst or pause is rare for a
                // young calibration too, and back within seconds.
                if (++_candidates >= (double.IsNaN(_candidateMedian) ? _confirmPoints : _holdPoints))
                {
                    _candidates = _candidateMisses = 0;
                    Start(_candidate, _candidateMedian, _candidateScale);
                    Continue(score, flagged, canEnd: false); // the confirming point joins the anomaly; an end is reported from the next
                    return AnomalyTransition.Started;
                }

                return AnomalyTransition.None;
            }

            if (++_candidateMisses < _confirmPoints)
            {
                return AnomalyTransition.None; // undecided: the majority of 2·ConfirmPoints − 1 points decides
            }

            _candidates = _candidateMisses = 0; // a blip: its away points were not normal, so they stay out of the baseline
        }

        if (flagged)
        {
            var hasBaseline = _count >= _minimumBaseline;
            double median = double.NaN, scale = double.NaN;
            if (hasBaseline)
            {
                (median, scale) = Baseline();
            }

            var insideFrozen = _hasFrozen && value >= Lower && value <= Upper;
            var farEnough = !hasBaseline || Math.Abs(value - median) >= _enter * scale;
            if (!insideFrozen && farEnough)
            {
                _armedLeft = 0;
                return Begin(score, median, scale, hasBaseline ? Math.Sign(value - median) : 0);
            }

            if (hasBaseline && !insideFrozen && _armedLeft == 0 && value != median)
            {
                // Flagged but still near the baseline: the start of a drift, perhaps. Its baseline is kept for a window's worth
                // of points, so a slow leak the detector noticed once (and then adapted to) starts an anomaly when it leaves it.
                (_armedMedian, _armedScale, _armedSide, _armedLeft) = (median, scale, Math.Sign(value - median), _ring.Length);
            }
        }
        else if (_armedLeft > 0 && --_armedLeft > 0
            && Math.Sign(value - _armedMedian) == _armedSide && Math.Abs(value - _armedMedian) >= _enter * _armedScale
            && !(_hasFrozen && value >= Lower && value <= Upper))
        {
            _armedLeft = 0;
            return Begin(score, _armedMedian, _armedScale, _armedSide);
        }

        if (_sustainPoints > 0 && Sustained(score))
        {
            _armedLeft = 0;
            var first = _sustainFirst;
            Start(first, _sustainMedian, _sustainScale);
            Continue(score, flagged, canEnd: false); // the point that completed the run joins the anomaly; an end is reported from the next
            return AnomalyTransition.Started;
        }

        if (_countLength > 0 && CountRise(out var countOnset))
        {
            _armedLeft = 0;
            _sustained = _sustainGap = 0;
            var (median, scale) = Baseline();
            Start(score, median, scale);
            _countAnomaly = true;
            Onset = At(countOnset, score.Timestamp.Offset);
            Severity = PeakSeverity = CountSeverity();
            return AnomalyTransition.Started;
        }

        if (_sustained == 0)
        {
            Remember(value); // a point of a run that is still open is not normal yet: it stays out of the baseline
        }

        if (score.HasBand && double.IsFinite(score.Lower) && double.IsFinite(score.Upper))
        {
            _detectorLower = score.Lower;
            _detectorUpper = score.Upper;
        }

        return AnomalyTransition.None;
    }

    // Whether a level held away from the baseline, without the detector flagging it, has lasted SustainPoints points: the
    // detector's members judge a point against their recent past (32 to 64 points for the ensemble), so a shift is no longer
    // flagged once half their window holds it (their median has moved), while against this longer baseline it is still away. The run forgives a
    // single point back (noise of a heavy-tailed series); two in a row, or a point on the other side, end it. Its onset is
    // its first point. Baseline statistics are refreshed every eighth of the ring while no run is open, so the cost per
    // point stays O(log n) amortised and without allocation.
    private bool Sustained(in AnomalyScore score)
    {
        if (_count < Math.Max(_minimumBaseline, _ring.Length / 2))
        {
            return false;
        }

        if (_sustained == 0 && --_sustainRefresh <= 0)
        {
            (_sustainMedian, _sustainScale) = Baseline();
            _sustainRefresh = Math.Max(1, _ring.Length / 8);
        }

        var value = score.Value;
        var side = Math.Sign(value - _sustainMedian);
        var away = Math.Abs(value - _sustainMedian) >= _enter * _sustainScale && !(_hasFrozen && value >= Lower && value <= Upper);
        if (away && (_sustained == 0 || side == _sustainSide))
        {
            if (_sustained == 0)
            {
                _sustainFirst = score;
                _sustainSide = side;
            }

            _sustainGap = 0;
            if (++_sustained >= _sustainPoints)
            {
                _sustained = 0;
                return true;
            }

            return false;
        }

        if (_sustained > 0 && (away || ++_sustainGap > 1))
        {
            _sustained = _sustainGap = 0;
        }

        return false;
    }

    // A point away from the baseline: an onset now, or a candidate that the next points confirm.
    private AnomalyTransition Begin(in AnomalyScore score, double median, double scale, int side)
    {
        if (_confirmPoints > 1)
        {
            (_candidate, _candidateMedian, _candidateScale, _candidateSide, _candidates) = (score, median, scale, side, 1);
            return AnomalyTransition.None;
        }

        Start(score, median, scale);
        return AnomalyTransition.Started;
    }

    private void Start(in AnomalyScore score, double median, double scale)
    {
        IsAnomalous = true;
        ReturningSince = null;
        _countAnomaly = false;
        Onset = score.Timestamp;
        EndedAt = null;
        EndReason = AnomalyEndReason.None;
        BaselineMedian = median;
        BaselineScale = scale;
        if (double.IsNaN(median))
        {
            // No baseline of our own yet: the detector's last band, or none (only NewNormalAfter ends it then).
            Lower = double.IsNaN(_detectorLower) ? double.NegativeInfinity : _detectorLower;
            Upper = double.IsNaN(_detectorUpper) ? double.PositiveInfinity : _detectorUpper;
        }
        else
        {
            Lower = median - (_exit * scale);
            Upper = median + (_exit * scale);
            if (!double.IsNaN(_detectorLower))
            {
                Lower = Math.Min(Lower, _detectorLower);
                Upper = Math.Max(Upper, _detectorUpper);
            }
        }

        var widen = Math.Max(_enter, _exit) / _exit;
        _outerLower = double.IsNaN(median) ? Lower : median - ((median - Lower) * widen);
        _outerUpper = double.IsNaN(median) ? Upper : median + ((Upper - median) * widen);
        _hasFrozen = !double.IsNaN(median) || !double.IsNaN(_detectorLower);
        _lastFlagTicks = score.Timestamp.UtcTicks;
        _inBand = false;
        _backBits = 0;
        _recentStart = _recentCount = 0;
        _sustained = _sustainGap = _sustainRefresh = 0; // the baseline is read afresh once the series is normal again
        PeakProbability = score.Probability;
        Severity = PeakSeverity = Deviation(score.Value, score);
    }

    // One point of an anomaly. At the point that reports its onset (a confirmed or sustained start, dated at an earlier point)
    // it may not end (canEnd false): the caller reports Started, so an end then would never be reported; it ends from the next
    // point on if the series is still back (or at the new level) then.
    private AnomalyTransition Continue(in AnomalyScore score, bool flagged, bool canEnd)
    {
        var ticks = score.Timestamp.UtcTicks;
        if (flagged)
        {
            _lastFlagTicks = ticks;
            PeakProbability = Math.Max(PeakProbability, score.Probability);
        }

        var value = score.Value;
        Push(_scratch, ref _recentStart, ref _recentCount, value);
        Severity = _countAnomaly ? CountSeverity() : Deviation(value, score);
        if (Math.Abs(Severity) > Math.Abs(PeakSeverity))
        {
            PeakSeverity = Severity;
        }

        // Hysteresis: the return starts inside the frozen band and is undone only by points beyond the wider enter band,
        // so noise on the way back does not restart it; and it counts when most of the last points are back.
        var inside = _countAnomaly
            ? CountSeverity() * Math.Sqrt(_countLength) <= (_inBand ? Math.Max(_enter, _exit) : _exit) // the window mean's own z
            : (value >= Lower && value <= Upper) || (_inBand && value >= _outerLower && value <= _outerUpper);
        if (inside && (_backBits & 1UL) == 0)
        {
            _insideRunTicks = ticks;
        }

        _backBits = ((_backBits << 1) | (inside ? 1UL : 0UL)) & _backMask;
        if (System.Numerics.BitOperations.PopCount(_backBits) >= _confirmPoints)
        {
            if (!_inBand)
            {
                // Back since the latest run of points inside the band began (the first of them, for a clean return).
                _inBand = true;
                _inBandSinceTicks = _insideRunTicks;
                ReturningSince = At(_inBandSinceTicks, score.Timestamp.Offset);
            }

            if (canEnd && ticks - _inBandSinceTicks >= _returnTicks)
            {
                End(AnomalyEndReason.Recovered, At(_inBandSinceTicks, score.Timestamp.Offset));
                return AnomalyTransition.Ended;
            }

            return AnomalyTransition.None;
        }

        _inBand = false;
        ReturningSince = null;
        if (canEnd && ticks - _lastFlagTicks >= _newNormalTicks)
        {
            End(AnomalyEndReason.NewNormal, score.Timestamp);

            // The new level is the baseline from now on (the values seen at it); the old band no longer describes normal.
            (_ring, _scratch) = (_scratch, _ring);
            (_start, _count) = (_recentStart, _recentCount);
            _hasFrozen = false;
            _detectorLower = _detectorUpper = double.NaN;
            return AnomalyTransition.Ended;
        }

        return AnomalyTransition.None;
    }

    // A time the tracker kept (UTC ticks) in the offset of the point at hand; in UTC when that offset would take it out of
    // DateTimeOffset's range (only a time within 14 hours of its ends can be, as a restored snapshot's may).
    private static DateTimeOffset At(long utcTicks, TimeSpan offset)
    {
        var utc = new DateTimeOffset(utcTicks, TimeSpan.Zero);
        var local = utcTicks + offset.Ticks;
        return local >= 0 && local <= DateTime.MaxValue.Ticks ? utc.ToOffset(offset) : utc;
    }

    private void End(AnomalyEndReason reason, DateTimeOffset at)
    {
        IsAnomalous = false;
        EndedAt = at;
        EndReason = reason;
        _inBand = false;
        ReturningSince = null;
    }

    // Against the frozen baseline; without one, against the detector's expectation in its own band's units.
    private double Deviation(double value, in AnomalyScore score)
    {
        if (!double.IsNaN(BaselineMedian))
        {
            return (value - BaselineMedian) / BaselineScale;
        }

        return double.IsFinite(score.RawScore) ? (double.IsNaN(score.Expected) || value >= score.Expected ? Math.Abs(score.RawScore) : -Math.Abs(score.RawScore)) : 0;
    }

    // The windowed count test. A count of rare events (errors at a few per minute) moves within one count per point, so a
    // per-point test sees a tenfold rise only when a single point reaches EnterDeviation resolutions; over a window the rise
    // is plain. Applies to a baseline of non-negative multiples of the series' resolution whose rate is at most
    // EnterDeviation² of them per point (a Poisson σ of at most EnterDeviation counts: higher rates are resolved per point,
    // and the level test above sees their shifts). The window's sum without its largest point (a single burst point is not a rate) is compared with the
    // baseline's count (a binomial test of two Poisson counts), both deflated by the baseline's own dispersion (variance / mean, at least 1);
    // a rise whose tail probability is below one per week of points (the detectors' default sensitivity: each point's test is
    // one chance) starts an anomaly, dated at the window's change point (maximum likelihood: the minimum of the cumulative
    // log-likelihood ratio of the window's rate against the baseline's). O(W) on
    // points whose sum is at least EnterDeviation standard deviations above its mean, O(1) otherwise; no allocation.
    private void PushCount(in AnomalyScore score)
    {
        var ticks = score.Timestamp.UtcTicks;
        if (_lastTicks != 0 && ticks > _lastTicks)
        {
            _stepTicks = ticks - _lastTicks;
        }

        _lastTicks = ticks;
        if (_countFill == _countLength && !IsAnomalous)
        {
            var leaving = _countValues[_countHead];
            var decay = 1 - (1.0 / _ring.Length);
            _rateWeight = (_rateWeight * decay) + 1;
            _rateSum = Weights.Decay(_rateSum, decay) + leaving;
            _rateSquares = Weights.Decay(_rateSquares, decay) + (leaving * leaving);
        }

        _countSum += score.Value - (_countFill == _countLength ? _countValues[_countHead] : 0);
        _countValues[_countHead] = score.Value;
        _countTicks[_countHead] = ticks;
        _countHead = _countHead + 1 == _countLength ? 0 : _countHead + 1;
        _countFill = Math.Min(_countFill + 1, _countLength);
    }

    private bool CountRise(out long onsetTicks)
    {
        onsetTicks = 0;
        if (_count < Math.Max(_minimumBaseline, _ring.Length / 2))
        {
            return false;
        }

        if (--_countRefresh <= 0)
        {
            RefreshCountBaseline();
            _countRefresh = Math.Max(1, _ring.Length / 8);
        }

        if (!_countApplies || _countFill < _countLength || _stepTicks <= 0)
        {
            return false;
        }

        // Cheap gate first: the window's sum against its mean and spread, in units of the resolution.
        var sum = _countSum / _countUnit;
        var mean = _countLength * _countRate;
        if (!(sum - mean >= _enter * Math.Sqrt(_countDispersion * mean) + 1))
        {
            return false; // (a sum overflowed by values near ±double.MaxValue is no rise either)
        }

        var largest = 0.0;
        for (var i = 0; i < _countLength; i++)
        {
            largest = Math.Max(largest, _countValues[i] / _countUnit);
        }

        // Two Poisson counts compared (the window's, without its largest point, and the baseline's over its own weight): given
        // their total, the window's share is binomial with the windows' share of the points under the null, which is honest
        // about how few points (and events) the baseline has seen. Both counts are divided by the dispersion.
        var window = _countLength - 1;
        var k = Math.Round((sum - largest) / _countDispersion);
        var baseline = Math.Round(_countRate * _rateWeight / _countDispersion);
        var share = window / (window + _rateWeight);
        var perWeek = (double)TimeSpan.TicksPerDay * 7 / _stepTicks;
        if (k <= share * (k + baseline) || LogBinomialTail(k, k + baseline, share) > -Math.Log(perWeek))
        {
            return false;
        }

        // The change point (maximum likelihood for a Poisson rate that moves from the baseline's to the window's): the point
        // after the minimum of the cumulative log-likelihood ratio k·ln(after / before) − (after − before).
        var after = Math.Max(sum / _countLength, 2 * _countRate);
        var gain = Math.Log(after / _countRate);
        var cumulative = 0.0;
        var lowest = 0.0;
        var at = _countHead; // oldest
        onsetTicks = _countTicks[at];
        for (var i = 0; i < _countLength; i++)
        {
            var slot = (_countHead + i) % _countLength;
            cumulative += (_countValues[slot] / _countUnit * gain) - (after - _countRate);
            if (cumulative < lowest)
            {
                lowest = cumulative;
                at = (slot + 1) % _countLength;
                onsetTicks = _countTicks[at];
            }
        }

        return true;
    }

    // The window's rise in the baseline's per-point standard deviations: (window mean − rate) / √(dispersion · rate).
    private double CountSeverity() =>
        ((_countSum / _countUnit / _countLength) - _countRate) / Math.Sqrt(_countDispersion * _countRate);

    private void RefreshCountBaseline()
    {
        _countApplies = false;
        if (!double.IsFinite(_resolution) || _resolution <= 0)
        {
            return;
        }

        var unit = _resolution;
        for (var i = 0; i < _count; i++)
        {
            var at = _start + i;
            var k = _ring[at >= _ring.Length ? at - _ring.Length : at] / unit;
            if (k < 0 || Math.Abs(k - Math.Round(k)) > 1e-6)
            {
                return; // not a count
            }

        }

        if (_rateWeight < _ring.Length / 2.0)
        {
            return;
        }

        var rate = _rateSum / _rateWeight / unit;
        if (rate > _enter * _enter)
        {
            return; // a Poisson σ (√rate) above EnterDeviation counts: resolved per point
        }

        var variance = Math.Max(0, (_rateSquares / _rateWeight / (unit * unit)) - (rate * rate));
        if (!double.IsFinite(variance))
        {
            return; // values near ±double.MaxValue overflowed the sums: no rate to test against
        }

        // Half an event over the whole baseline when it saw none: a rate the baseline cannot tell from zero.
        _countRate = Math.Max(rate, 0.5 / _rateWeight);
        _countDispersion = Math.Max(1, variance / _countRate);
        _countUnit = unit;
        _countApplies = true;
    }

    // ln P(X ≥ k) for X ~ Binomial(n, p), k > n·p (whole numbers): the pmf at k times the sum of the following terms' ratios.
    private static double LogBinomialTail(double k, double n, double p)
    {
        var logPmf = LogFactorial(n) - LogFactorial(k) - LogFactorial(n - k) + (k * Math.Log(p)) + ((n - k) * Math.Log(1 - p));
        var odds = p / (1 - p);
        var term = 1.0;
        var total = 1.0;
        for (var j = k; j < n && term > 1e-12 * total; j++)
        {
            term *= (n - j) / (j + 1) * odds;
            total += term;
        }

        return logPmf + Math.Log(total);
    }

    private static double LogFactorial(double k)
    {
        if (k < 16)
        {
            var sum = 0.0;
            for (var i = 2; i <= k; i++)
            {
                sum += Math.Log(i);
            }

            return sum;
        }

        // Stirling's series: exact to double precision from 16 on.
        return (k * Math.Log(k)) - k + (0.5 * Math.Log(2 * Math.PI * k)) + (1 / (12 * k)) - (1 / (360 * k * k * k));
    }

    private void Remember(double value)
    {
        var step = Math.Abs(value - _lastNormal);
        if (step > 0 && step < _resolution)
        {
            _resolution = step;
        }

        _lastNormal = value;
        Push(_ring, ref _start, ref _count, value);
    }

    private static void Push(double[] ring, ref int start, ref int count, double value)
    {
        if (count < ring.Length)
        {
            var at = start + count;
            ring[at >= ring.Length ? at - ring.Length : at] = value;
            count++;
        }
        else
        {
            ring[start] = value;
            start = start + 1 == ring.Length ? 0 : start + 1;
        }
    }

    private (double Median, double Scale) Baseline()
    {
        var values = _scratch.AsSpan(0, _count);
        for (var i = 0; i < _count; i++)
        {
            var at = _start + i;
            values[i] = _ring[at >= _ring.Length ? at - _ring.Length : at];
        }

        values.Sort();
        var median = Median(values);
        var sum = 0d;
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Math.Abs(values[i] - median);
            sum += values[i];
        }

        values.Sort();
        var meanDeviation = MeanDeviationToSigma * sum / values.Length;
        if (!double.IsFinite(meanDeviation))
        {
            // Deviations near double.MaxValue: their sum overflows, so their mean is summed in shares instead (only then, so an
            // ordinary baseline is unchanged bit for bit).
            var mean = 0d;
            for (var i = 0; i < values.Length; i++)
            {
                mean += values[i] / values.Length;
            }

            meanDeviation = MeanDeviationToSigma * mean;
        }

        var robust = Math.Max(MadToSigma * Median(values), meanDeviation);
        var floor = double.IsFinite(_resolution) ? _resolution : 1e-6 * Math.Max(1, Math.Abs(median));
        var scale = Math.Max(robust, Math.Max(_minimumScale, floor));
        return (median, scale);
    }

    private static double Median(ReadOnlySpan<double> sorted)
    {
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : Overflow.Midpoint(sorted[mid - 1], sorted[mid]);
    }
}
