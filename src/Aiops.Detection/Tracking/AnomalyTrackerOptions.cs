using System.ComponentModel.DataAnnotations;

namespace Aiops.Detection.Tracking;

/// <summary>
/// Options of <see cref="AnomalyTracker"/>: how the pre-onset baseline is kept and when an anomaly ends. Read once when a
/// tracker is created; not thread-safe while being configured, read-only afterwards.
/// </summary>
public sealed class AnomalyTrackerOptions
{
    /// <summary>
    /// Gets or sets how many recent normal values the baseline (median and MAD) is computed over: a ring per series of this
    /// many values and as many of scratch space, 16 bytes a value (4 KiB at the default). It must span longer than the benign
    /// bursts it has to see through: 256 points are four minutes at a 1 s scrape and over an hour at 15 s; the root-cause
    /// benchmark (samples/Aiops.Rca.Eval) ranks better with 256 than with 64 or 128 and no better with 512. Default: 256.
    /// Range: [8, 4096].
    /// </summary>
    [Range(8, 4096)]
    public int BaselineLength { get; set; } = 256;

    /// <summary>
    /// Gets or sets how many normal values the baseline needs before it gates onsets; before that, every point the detector
    /// flags starts an anomaly. Default: 8. Range: [2, 4096].
    /// </summary>
    [Range(2, 4096)]
    public int MinimumBaseline { get; set; } = 8;

    /// <summary>
    /// Gets or sets how many robust σ (1.4826 · MAD) from the baseline median a flagged point must be to start an anomaly.
    /// A point the detector flags closer than that is normal for the baseline (for example a return to it after an
    /// anomaly, which an adapted detector finds unusual). 0 lets every flagged point start one. Default: 3. Range: [0, 1000].
    /// </summary>
    [Range(0d, 1000d)]
    public double EnterDeviation { get; set; } = 3;

    /// <summary>
    /// Gets or sets how many points must agree before the state changes: an anomaly starts when this many points are away
    /// from the baseline (beyond <see cref="EnterDeviation"/>, on the same side; or flagged, while the baseline is too short)
    /// before as many are not, i.e. the majority of 2·n − 1 points from a flagged one, like Prometheus' <c>for:</c> that
    /// forgives a gap; and it is back in its band when n of its last 2·n − 1 points are. A single odd point neither starts
    /// an incident nor delays the end of one. The onset is the first flagged point. Once the baseline gates onsets, a flagged
    /// departure must also hold for <see cref="HoldPoints"/> before it starts an anomaly. Default: 3. Range: [1, 32].
    /// </summary>
    [Range(1, 32)]
    public int ConfirmPoints { get; set; } = 3;

    /// <summary>
    /// Gets or sets how many points a departure the detector flagged (or a drift it flagged near the baseline, once it leaves
    /// it) must hold beyond <see cref="EnterDeviation"/> on the same side before it starts an anomaly, forgiving up to
    /// <see cref="ConfirmPoints"/> − 1 points back; the onset is still its first point. A flag says a point is rare for the
    /// detector, not that the departure lasts: a detector whose calibration has seen a series for minutes flags its first benign
    /// traffic bursts, GC pauses and slow spells (seconds each), and each opened an episode. The default is the persistence
    /// <see cref="SustainPoints"/> asks of a level without flags, so both starts need the same evidence of lasting. Values up
    /// to <see cref="ConfirmPoints"/> confirm a flagged departure after <see cref="ConfirmPoints"/> points (for scenarios of a
    /// few seconds). Applies once the baseline gates onsets (<see cref="MinimumBaseline"/>). Default: 16. Range: [1, 4096].
    /// </summary>
    [Range(1, 4096)]
    public int HoldPoints { get; set; } = 16;

    /// <summary>
    /// Gets or sets for how many points a level held at least <see cref="EnterDeviation"/> robust σ from the baseline (on one
    /// side, forgiving single points back) starts an anomaly even though the detector did not flag it: the detector judges a
    /// point against its recent past, and once half of its window is at the new level its median (breakdown point 50 %) has
    /// moved there and it no longer flags the shift; the baseline here is longer and still sees it. The default is half the
    /// ensemble's shortest window (32 points). The onset is the run's first point. Needs half a baseline of normal values.
    /// 0 turns it off. Default: 16. Range: [0, 4096].
    /// </summary>
    [Range(0, 4096)]
    public int SustainPoints { get; set; } = 16;

    /// <summary>
    /// Gets or sets over how many points a rise of a low-rate count is tested (0 turns it off): for a baseline of non-negative
    /// multiples of the series' resolution (counts of events, or rates of them) at a rate of at most
    /// <see cref="EnterDeviation"/>² of them per point (a Poisson σ of at most <see cref="EnterDeviation"/> counts), a per-point test cannot see the rate grow within one count per point (errors
    /// from 0.02 to 1 a second); the sum of the last this-many points, without its largest, is read against a Poisson law of
    /// the baseline's rate (its variance inflated by the baseline's own dispersion), and a rise with a tail probability below
    /// one per week of points starts an anomaly at the window's change point without a flag from the detector. The anomaly
    /// lasts while the window's mean stays above the baseline rate by more than <see cref="ExitDeviation"/> of its own
    /// standard deviations; its severity is the window mean's rise in the baseline's per-point standard deviations.
    /// Costs two arrays of this many values. The default is the ensemble's shortest window. Default: 32. Range: [0, 1024].
    /// </summary>
    [Range(0, 1024)]
    public int CountWindow { get; set; } = 32;

    /// <summary>
    /// Gets or sets the half-width, in robust σ around the baseline median, of the band frozen at the onset: the series is
    /// back to normal when it is inside that band (or inside the band the detector had just before the onset, whichever is
    /// wider). Smaller than <see cref="EnterDeviation"/> for hysteresis. Default: 2. Range: [0.1, 1000].
    /// </summary>
    [Range(0.1d, 1000d)]
    public double ExitDeviation { get; set; } = 2;

    /// <summary>
    /// Gets or sets how long (in the series' own time) the series must stay inside the frozen band for the anomaly to end
    /// as <see cref="AnomalyEndReason.Recovered"/>. Default: 1 minute. Range: [0, 1 day].
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan ReturnFor { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Gets or sets how long the series may hold a level the detector no longer flags (it adapted) while staying outside the
    /// frozen band before that level is accepted as the new normal: the anomaly ends as
    /// <see cref="AnomalyEndReason.NewNormal"/> and the baseline restarts from the new level. Default: 30 minutes.
    /// Range: [1 s, 30 days].
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan NewNormalAfter { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Gets or sets the smallest scale (robust σ) used, in the series' units. Without it, the scale of a baseline is the
    /// largest of 1.4826 · MAD, 1.2533 · the mean absolute deviation (sparse counts: mostly 0, sometimes 1) and the series'
    /// resolution (the smallest non-zero step it has taken: 1 for a count of events), and 1e-6 · max(1, |median|) for a
    /// series that never moved. Default: 0.
    /// Range: [0, ∞).
    /// </summary>
    [Range(0d, double.MaxValue)]
    public double MinimumScale { get; set; }

    /// <summary>Checks every property against its documented range.</summary>
    /// <exception cref="ValidationException">A value is out of range; the message names the option and the property.</exception>
    public void Validate() => Internal.OptionsValidator.ThrowIfInvalid(this);
}

/// <summary>Why an anomaly ended.</summary>
public enum AnomalyEndReason
{
    /// <summary>It has not ended.</summary>
    None = 0,

    /// <summary>The series came back into its pre-onset band and stayed there for <see cref="AnomalyTrackerOptions.ReturnFor"/>.</summary>
    Recovered = 1,

    /// <summary>The series held a new level for <see cref="AnomalyTrackerOptions.NewNormalAfter"/>; that level is the new baseline.</summary>
    NewNormal = 2,
}

/// <summary>What one point did to a tracked anomaly state.</summary>
public enum AnomalyTransition
{
    /// <summary>Nothing changed: the series stayed normal, or stayed anomalous.</summary>
    None = 0,

    /// <summary>An anomaly started at this point (its onset).</summary>
    Started = 1,

    /// <summary>The anomaly ended at this point (see <see cref="AnomalyTracker.EndReason"/>).</summary>
    Ended = 2,
}
