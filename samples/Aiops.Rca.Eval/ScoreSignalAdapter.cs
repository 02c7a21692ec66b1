using Aiops.Correlation;
using Aiops.Detection;

namespace Aiops.Rca.Eval;

/// <summary>
/// The benchmark's own score → signal adapter, written before the core <see cref="AnomalySignalBridge"/> existed. It stays the
/// default (<c>--adapter legacy</c>) only because it scores far better here than the core bridge with its default options
/// (<c>--adapter core</c>); see the README section "Root cause, end to end" for the figures and what the bridge lacks.
/// </summary>
/// <remarks>
/// <para>Turns one series' <see cref="AnomalyScore"/> stream into <see cref="AnomalySignal"/>s the way the issue asks the bridge
/// to: an <b>occurrence</b> starts at the first flagged point and ends after <see cref="QuietGap"/> without one; its
/// <b>magnitude</b> is the largest robust deviation, (x − median) / IQR of the last <see cref="BaselinePoints"/> values before
/// the onset (values inside an occurrence never enter the baseline), uncapped, so magnitudes order anomalies across series;
/// its <b>direction</b> is the sign of that deviation. An occurrence lasts while points are flagged <i>or</i> stay at least
/// <see cref="SustainLevel"/> from the baseline (its <b>end</b> is when the series is back): the ensemble adapts to a lasting
/// shift within a minute and stops flagging it, though the fault is still there.</para>
/// <para>Because the correlator (as of this branch) keeps a member's first signal and folds later ones in as repeats, the
/// adapter (a) gives every occurrence its own fingerprint (series key + <c>#n</c>), so an onset after quiet is a new member
/// with its own onset; (b) sends an occurrence <see cref="Confirm"/> after its onset, with the magnitude reached by then;
/// (c) re-sends it under a new fingerprint (<c>#n.m</c>) when its magnitude has doubled since the last send (a slow leak
/// keeps growing after the onset); and (d) repeats the current fingerprint every <see cref="RepeatEvery"/> while the
/// occurrence lasts, which keeps the episode active and tells the ranker how long the member persisted.</para>
/// </remarks>
internal sealed class ScoreSignalAdapter
{
    /// <summary>How many pre-onset values the baseline holds (5 minutes at 1 s).</summary>
    public const int BaselinePoints = 300;

    /// <summary>How long after the onset an occurrence is first sent.</summary>
    public static readonly TimeSpan Confirm = TimeSpan.FromSeconds(10);

    /// <summary>How long without a flagged or deviating point ends an occurrence.</summary>
    public static readonly TimeSpan QuietGap = TimeSpan.FromSeconds(30);

    /// <summary>The robust deviation at or beyond which a point still counts as part of an occurrence, flagged or not.</summary>
    public const double SustainLevel = 3;

    /// <summary>How often a flagged occurrence is repeated to the correlator.</summary>
    public static readonly TimeSpan RepeatEvery = TimeSpan.FromSeconds(15);

    private readonly double[] _ring = new double[BaselinePoints];
    private readonly string _fingerprint;
    private readonly string _metric;
    private readonly IReadOnlyDictionary<string, string> _labels;
    private int _count;
    private int _head;
    private bool _active;
    private Baseline _baseline;
    private DateTimeOffset _onset;
    private DateTimeOffset _lastFlag;
    private DateTimeOffset _lastSent;
    private double _deviation;
    private double _sentMagnitude;
    private double _peak;
    private int _occurrence;
    private int _escalation;
    private string? _current;

    /// <summary>Initializes a new instance of the <see cref="ScoreSignalAdapter"/> class for one series.</summary>
    public ScoreSignalAdapter(SeriesKey key, IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(key);
        _fingerprint = key.ToString();
        _metric = key.Metric;
        _labels = labels;
    }

    /// <summary>Feeds one score; returns the signal to send now, or <see langword="null"/>.</summary>
    public AnomalySignal? Observe(in AnomalyScore score)
    {
        if (score.IsSkipped)
        {
            return null;
        }

        var at = score.Timestamp;
        var flagged = score.Status == PointStatus.Scored && score.IsAnomaly;
        if (!_active)
        {
            if (!flagged || _count < 30)
            {
                Remember(score.Value);
                return null;
            }

            _active = true;
            _baseline = Baseline.Robust(Window());
            _onset = _lastFlag = at;
            _deviation = _baseline.Deviation(score.Value);
            _peak = score.Probability;
            _occurrence++;
            _escalation = 0;
            _current = null;
            _sentMagnitude = 0;
            return null;
        }

        var deviation = _baseline.Deviation(score.Value);
        if (Math.Abs(deviation) > Math.Abs(_deviation))
        {
            _deviation = deviation;
        }

        // The detector adapts to a lasting shift and stops flagging it; the occurrence lasts while the series stays away
        // from its pre-onset baseline, so a persistent fault keeps being reported and a spike is over at once.
        var deviating = flagged || Math.Abs(deviation) >= SustainLevel;
        if (deviating)
        {
            _lastFlag = at;
        }

        if (flagged)
        {
            _peak = Math.Max(_peak, score.Probability);
        }

        AnomalySignal? signal = null;
        var magnitude = Math.Abs(_deviation);
        if (_current is null && at - _onset >= Confirm)
        {
            _current = $"{_fingerprint}#{_occurrence}";
            signal = Send(at, magnitude);
        }
        else if (_current is not null && magnitude >= 2 * _sentMagnitude && at - _lastSent >= Confirm)
        {
            _current = $"{_fingerprint}#{_occurrence}.{++_escalation}";
            signal = Send(at, magnitude);
        }
        else if (_current is not null && deviating && at - _lastSent >= RepeatEvery)
        {
            signal = Send(at, _sentMagnitude);
        }

        if (at - _lastFlag > QuietGap)
        {
            _active = false;
        }

        return signal;
    }

    private AnomalySignal Send(DateTimeOffset at, double magnitude)
    {
        _lastSent = at;
        _sentMagnitude = magnitude;
        var direction = _deviation > 0 ? Direction.Up : _deviation < 0 ? Direction.Down : Direction.None;
        return new AnomalySignal(_current!, _metric, _onset, _labels, _peak, direction, magnitude);
    }

    private void Remember(double value)
    {
        _ring[_head] = value;
        _head = (_head + 1) % _ring.Length;
        _count = Math.Min(_count + 1, _ring.Length);
    }

    private ReadOnlySpan<double> Window() => _ring.AsSpan(0, _count);
}
