using System.ComponentModel.DataAnnotations;
using Aiops.Detection.Internal;

namespace Aiops.Detection;

/// <summary>
/// The default detector of Aiops. It runs several detectors over the same points, turns each one's probability into
/// surprise (−ln of its tail probability) and calibrates each member against its own recent surprise (the "anomaly
/// likelihood" of Ahmad et al. 2017): a short-term mean of surprise far above that member's long-term mean is anomalous,
/// a member that is always surprised on this series is not. The largest member likelihood z wins, capped where the
/// Gaussian tail reaches 1e-10; a value beyond the range of the last 7,000 to 8,000 points (by
/// <see cref="EnsembleOptions.RangeTolerance"/>) scores the cap. After a flagged point, scores are damped for
/// <see cref="EnsembleOptions.RefractoryPoints"/> points unless they are stronger than the flagged one, so one incident
/// yields one alert rather than a storm. The capped z's Gaussian tail, per unit of time, decides the flag and the probability
/// (see <see cref="AnomalyDetector.RateScore"/>); the sensitivity is <see cref="AnomalyDetectorOptions.FalseAlarmsPerWeek"/>.
/// </summary>
/// <remarks>
/// Expected value and band come from the seasonal member once it is trained, from the robust z-score member before (the
/// median ± its threshold band), and are <see cref="double.NaN"/> when no member has one (a point scored only by range
/// novelty). Components: robust z-score, seasonal Holt-Winters and the IID
/// change-point martingale. <see cref="AnomalyScore.RawScore"/> is the severity from the uncapped z (log10 of how much rarer
/// than the configured false-alarm rate the point is), so it keeps ordering points that all read the capped probability.
/// The likelihood z is not calibrated to a Gaussian on real series (heavy tails, bursts), so the nominal rate is optimistic:
/// <c>samples/Aiops.Backtest false-alarms</c> measures the real one. Not thread-safe.
/// </remarks>
public sealed class EnsembleDetector : AnomalyDetector
{
    private const double MaxSurprise = 30; // −ln(1e-13): beyond double precision of 1 − p

    // Likelihood z where the one-sided Gaussian tail is 1e-10, the floor of Numenta's log-likelihood; a novel value reads as it.
    private const double MaxLikelihoodZ = 6.3613;
    private static readonly double CapSurprise = Surprise.FromUpperZ(MaxLikelihoodZ);
    private const int RangeWarmupPoints = 100;

    // The novelty range is the min and max of the current block and the last RangeBlocks - 1 complete ones, so it forgets
    // extremes older than RangeBlocks · RangeBlockPoints points: a stream that once spiked does not stay blind forever.
    private const int RangeBlocks = 8;
    private const int RangeBlockPoints = 1000;
    private readonly AnomalyDetector[] _members;

    // The options, copied into the detector: each detector has its own options object, another cache line per update.
    private readonly double _rangeTolerance;
    private readonly double _likelihoodSmoothing;
    private readonly int _likelihoodWarmupPoints;

    // Per member: ring of the last ShortWindow surprises (flattened), and their sum, the long-term mean and variance in
    // one struct per member: one array rather than five, so an update touches fewer cache lines (many series at once
    // do not fit in cache, and an update then waits on memory for each line).
    private readonly double[] _shortWindows;
    private readonly MemberStatistics[] _statistics;
    private readonly int _shortLength;
    private readonly double[] _blockRanges = new double[2 * (RangeBlocks - 1)]; // min, max of the complete blocks (ring)
        private AlertDamping _damping;
    private long _seen;
    private double _min = double.PositiveInfinity; // of the current block
    private double _max = double.NegativeInfinity;
    private double _pastMin = double.PositiveInfinity; // of the complete blocks in the ring
    private double _pastMax = double.NegativeInfinity;
    private int _blockFill;
    private int _blockHead;
    private int _blockCount;

    /// <summary>Initializes a new instance of the <see cref="EnsembleDetector"/> class.</summary>
    /// <param name="options">The options; <see langword="null"/> uses the defaults.</param>
    /// <exception cref="ValidationException">An option is out of range.</exception>
    public EnsembleDetector(EnsembleOptions? options = null)
        : base(DetectorNames.Ensemble, options ??= new EnsembleOptions())
    {
        _rangeTolerance = options.RangeTolerance;
        _likelihoodSmoothing = options.LikelihoodSmoothing;
        _likelihoodWarmupPoints = options.LikelihoodWarmupPoints;
        _damping = new AlertDamping(options.RefractoryPoints, options.RefractoryDamping);
        _members =
        [
            new SeasonalDetector(new SeasonalOptions { Telemetry = options.Telemetry }),
            new RobustZScoreDetector(new RobustZScoreOptions { Telemetry = options.Telemetry, WindowSize = 32 }),
            new IidChangePointDetector(new IidChangePointOptions { Telemetry = options.Telemetry, HistoryLength = 64 }),
        ];
        _shortLength = options.ShortWindow;
        _shortWindows = new double[_members.Length * _shortLength];
        _statistics = new MemberStatistics[_members.Length];
    }

    /// <inheritdoc />
    public override int StateSizeBytes
    {
        get
        {
            var size = ((_shortWindows.Length + _blockRanges.Length + (4 * _members.Length)) * sizeof(double)) + 112;
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
        var z = 0.0;
        for (var i = 0; i < _members.Length; i++)
        {
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

            var memberSurprise = Math.Min(MaxSurprise, Surprise.FromProbability(score.Probability));
            z = Math.Max(z, MemberLikelihood(i, memberSurprise));
        }

        // Range novelty (as NAB's HTM detector): a value beyond everything seen recently, by more than a fraction of the range.
        var novel = false;
        if (_rangeTolerance > 0)
        {
            if (_seen >= RangeWarmupPoints)
            {
                var min = Math.Min(_min, _pastMin);
                var max = Math.Max(_max, _pastMax);
                var tolerance = _rangeTolerance * (max - min);
                novel = value > max + tolerance || value < min - tolerance;
            }

            _seen++;
            _min = Math.Min(_min, value);
            _max = Math.Max(_max, value);
            if (++_blockFill == RangeBlockPoints)
            {
                CloseRangeBlock();
            }
        }

        if (!anyScored && !novel)
        {
            return AnomalyScore.WarmingUp(timestamp, value);
        }

        // A novel value reads at least as the cap. The decision and the probability use the capped z: beyond the cap, all
        // points are equally (maximally) anomalous, so one refractory period covers an incident; the severity
        // (RawScore) uses the uncapped z, so it keeps ordering points the probability no longer tells apart.
        var surprise = Surprise.FromUpperZ(novel ? Math.Max(z, MaxLikelihoodZ) : z);
        var capped = Math.Min(surprise, CapSurprise);
        var decided = _damping.Apply(capped);
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

        Array.Clear(_shortWindows);
        Array.Clear(_statistics);
        _damping.Clear();
        _seen = 0;
        _min = _pastMin = double.PositiveInfinity;
        _max = _pastMax = double.NegativeInfinity;
        Array.Clear(_blockRanges);
        _blockFill = _blockHead = _blockCount = 0;
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
        _blockFill = 0;
    }

    // Anomaly likelihood of one member (Ahmad et al. 2017): the short-term mean of its surprise against the long-term
    // mean and variance of that short-term mean, as a z. Each member is judged against its own history, so a member
    // that is always surprised on this series (a seasonal series under the z-score) cannot mask one that rarely is.
    private double MemberLikelihood(int member, double surprise)
    {
        ref var m = ref _statistics[member];
        var slot = (member * _shortLength) + m.ShortIndex;
        m.ShortIndex = m.ShortIndex + 1 == _shortLength ? 0 : m.ShortIndex + 1;
        m.ShortSum += surprise - _shortWindows[slot];
        _shortWindows[slot] = surprise;
        var shortMean = m.ShortSum / _shortLength;
        var z = 0.0;
        if (m.Scored >= _likelihoodWarmupPoints)
        {
            z = (shortMean - m.Mean) / Math.Sqrt(Math.Max(m.Variance, 1e-6));
        }

        // Long-term statistics, updated after judging so a point is not compared with itself.
        var n = m.Scored = Math.Min(m.Scored + 1, int.MaxValue - 1);
        var rate = Math.Max(1.0 / n, _likelihoodSmoothing);
        var delta = shortMean - m.Mean;
        m.Mean += rate * delta;
        m.Variance = (1 - rate) * (m.Variance + (rate * delta * delta));
        return z;
    }

    /// <summary>The running statistics of one member's surprise.</summary>
    private struct MemberStatistics
    {
        public double ShortSum;
        public double Mean;
        public double Variance;
        public int Scored;
        public int ShortIndex;
    }
}

/// <summary>Options of <see cref="EnsembleDetector"/>.</summary>
public sealed class EnsembleOptions : AnomalyDetectorOptions
{
    /// <summary>Gets or sets how many recent points the short-term surprise is averaged over. Default: 10. Range: [1, 256].</summary>
    [Range(1, 256)]
    public int ShortWindow { get; set; } = 10;

    /// <summary>
    /// Gets or sets by what fraction of the recent range (the last 7,000 to 8,000 points) a value must pass the lowest or
    /// highest recent value to be flagged as novel, whatever the members say (after 100 points); 0 disables. Default: 0.05. Range: [0, 10].
    /// </summary>
    [Range(0.0, 10.0)]
    public double RangeTolerance { get; set; } = 0.05;

    /// <summary>Gets or sets the smoothing rate of the long-term surprise mean and variance (≈ 1 / memory in points). Default: 0.002. Range: (0, 1].</summary>
    [Range(1e-6, 1.0)]
    public double LikelihoodSmoothing { get; set; } = 0.002;

    /// <summary>Gets or sets how many scored points calibrate the likelihood before it is reported. Default: 50. Range: [1, 100000].</summary>
    [Range(1, 100_000)]
    public int LikelihoodWarmupPoints { get; set; } = 50;

    /// <summary>Gets or sets for how many points after a flagged one scores are damped. Default: 50. Range: [0, 100000].</summary>
    [Range(0, 100_000)]
    public int RefractoryPoints { get; set; } = 50;

    /// <summary>Gets or sets the factor applied to the surprise of points in the refractory period. Default: 0.5. Range: [0, 1].</summary>
    [Range(0.0, 1.0)]
    public double RefractoryDamping { get; set; } = 0.5;

    /// <inheritdoc />
    internal override bool FlagsByRate => true;
}
