using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;

namespace Aiops.Correlation;

/// <summary>Options of <see cref="RootCauseRanker"/>: the evidence weights, the time scales and the category thresholds.</summary>
/// <remarks>
/// Options are read once when a ranker is created; changing them afterwards has no effect on it. A hypothesis' score is the
/// weighted sum of its evidence values divided by the sum of the five weights, so only the weights' ratios matter.
/// </remarks>
public sealed class RootCauseRankerOptions : IValidatableObject
{
    /// <summary>
    /// Gets or sets the weight of the lead/lag of onsets (the earliest entity gets the full weight). Detectors blur onsets by
    /// seconds, so it is a tie-breaker more than evidence. Default: 0.10. Range: [0, 100].
    /// </summary>
    [Range(0.0, 100.0)]
    public double LeadWeight { get; set; } = 0.10;

    /// <summary>
    /// Gets or sets the weight of the entity's largest deviation (<see cref="AnomalySignal.Magnitude"/>, a robust deviation from
    /// the pre-onset baseline) relative to the episode's largest; the peak score stands in when no signal carries a magnitude.
    /// The strongest single evidence on raw metrics (BARO's). Default: 0.40. Range: [0, 100].
    /// </summary>
    [Range(0.0, 100.0)]
    public double MagnitudeWeight { get; set; } = 0.40;

    /// <summary>
    /// Gets or sets the weight of the direction along the dependency graph: positive for an entity that affected entities
    /// depend on, negative for one that depends on affected entities. Default: 0.25. Range: [0, 100].
    /// </summary>
    [Range(0.0, 100.0)]
    public double DependencyWeight { get; set; } = 0.25;

    /// <summary>Gets or sets the weight of a change on the entity shortly before the onset. Default: 0.25. Range: [0, 100].</summary>
    [Range(0.0, 100.0)]
    public double ChangeWeight { get; set; } = 0.25;

    /// <summary>
    /// Gets or sets the weight of the kind of the entity's signals (traffic rising first, saturation or errors on a leaf
    /// dependency). Default: 0.10. Range: [0, 100].
    /// </summary>
    [Range(0.0, 100.0)]
    public double SignalClassWeight { get; set; } = 0.10;

    /// <summary>
    /// Gets or sets how far behind the episode's first signal an entity's first signal must start to lose all lead evidence;
    /// the lead value falls linearly from 1 (first) to 0 (this far behind). Default: 60 s. Range: [1 s, 1 day].
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan LeadHorizon { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Gets or sets the length of the incident's burst. The ranker finds the window of this length that holds the most symptom
    /// onsets, weighted by how long each was reported (the earliest such window on a tie); signals that started more than this long before it are background (detector
    /// noise from before the incident, in an episode that was already open) and are left out of the evidence. Default: 60 s.
    /// Range: [0, 1 day]; 0 keeps every signal.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan BurstWindow { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Gets or sets how long a member must keep being reported (from <see cref="EpisodeMember.FirstSeen"/> to
    /// <see cref="EpisodeMember.LastSeen"/>) for its magnitude to count in full: a fault persists, a noise spike is reported
    /// once. A member's magnitude counts 0.25 + 0.75 · min(1, reported for / this). Default: 60 s. Range: [0, 1 day]; 0 counts
    /// every magnitude in full.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan PersistenceHorizon { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Gets or sets the onset difference below which two signals count as simultaneous (scrape intervals and detector delay
    /// blur onsets by about this much). A dependency that started up to this much later than its dependent still explains it
    /// fully, and up to twice this much later partly. Default: 15 s. Range: [0, 1 hour].
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan SimultaneityTolerance { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Gets or sets the longest call chain along which an entity counts as a dependency of another (a dependency h hops away
    /// counts 1/h). Default: 2. Range: [1, 8].
    /// </summary>
    [Range(1, 8)]
    public int DependencyHops { get; set; } = 2;

    /// <summary>
    /// Gets or sets how long before the onset a change counts as a possible trigger; its evidence falls linearly from 1 (at the
    /// onset) to 0.5 (this long before). Default: 30 minutes. Range: [0, 7 days].
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan ChangeWindow { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Gets or sets the factor applied to scaling and other changes, against 1 for deploys and configuration changes (only
    /// those two make an episode <see cref="IncidentCategory.ChangeInduced"/>). Default: 0.5. Range: [0, 1].
    /// </summary>
    [Range(0.0, 1.0)]
    public double MinorChangeFactor { get; set; } = 0.5;

    /// <summary>
    /// Gets or sets how many times stronger than traffic's the errors' strength must be (magnitude when both carry one,
    /// otherwise peak score) for rising traffic and errors to be <see cref="IncidentCategory.ErrorAmplification"/>.
    /// Default: 2. Range: [1, 1000].
    /// </summary>
    [Range(1.0, 1000.0)]
    public double AmplificationRatio { get; set; } = 2.0;

    /// <summary>
    /// Gets or sets how many times stronger than every other class saturation must be to make the episode
    /// <see cref="IncidentCategory.ResourceSaturation"/> without leading. Default: 2. Range: [1, 1000].
    /// </summary>
    [Range(1.0, 1000.0)]
    public double DominanceRatio { get; set; } = 2.0;

    /// <summary>
    /// Gets or sets the labels that name a change's entity, first present wins (members carry their entity already).
    /// Default: <c>service</c>, <c>job</c>, <c>app</c>; a <see cref="Correlator"/> that creates its own ranker passes its
    /// <see cref="CorrelatorOptions.EntityLabels"/>.
    /// </summary>
    [Required]
    public IList<string> EntityLabels { get; set; } = ["service", "job", "app"];

    /// <summary>Gets or sets the patterns that classify signals. Default: <see cref="SignalClassifierOptions"/>'s defaults.</summary>
    [Required]
    public SignalClassifierOptions Classifier { get; set; } = new();

    /// <summary>Checks every property against its documented range (and that the weights do not sum to 0).</summary>
    /// <exception cref="ValidationException">A value is out of range; the message names the option and the property.</exception>
    public void Validate()
    {
        Aiops.Detection.Internal.OptionsValidator.ThrowIfInvalid(this);
        Classifier.Validate();
    }

    /// <inheritdoc />
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (LeadWeight + MagnitudeWeight + DependencyWeight + ChangeWeight + SignalClassWeight <= 0)
        {
            yield return new ValidationResult("At least one weight must be positive.", [nameof(LeadWeight)]);
        }

        if (EntityLabels is not null && EntityLabels.Any(string.IsNullOrEmpty))
        {
            yield return new ValidationResult("The list holds an empty label name.", [nameof(EntityLabels)]);
        }
    }
}

/// <summary>
/// Ranks the likely causes of an episode from how far each entity's metrics departed from their own baselines, the direction
/// along the dependency graph, change events before the onset, the kind of signals and the lead/lag of onsets, and puts the
/// episode in an <see cref="IncidentCategory"/>.
/// </summary>
/// <remarks>
/// <para><b>The incident's burst.</b> An episode may have opened on detector noise minutes before the incident. The ranker
/// finds the <see cref="RootCauseRankerOptions.BurstWindow"/> holding the most symptom onsets, each weighted by the cube of its
/// persistence share (below: a lasting signal weighs as much as 64 one-off spikes); signals that started more than a window before it are background: listed, but left out of every evidence.</para>
/// <para><b>Persistence.</b> A member's magnitude counts 0.25 + 0.75 · min(1, (<see cref="EpisodeMember.LastSeen"/> −
/// <see cref="EpisodeMember.FirstSeen"/>) / <see cref="RootCauseRankerOptions.PersistenceHorizon"/>): a fault keeps being
/// reported, a spike is reported once. Rising traffic counts as load (below) only when reported for at least half the shorter
/// of the horizon and the episode's longest-reported member.</para>
/// <para><b>Hypotheses.</b> One per entity with member signals, plus one per entity named by a change. Each evidence value
/// is in [0, 1] (dependency in [-1, 1]); an evidence's <see cref="Evidence.Weight"/> is its value times its option weight
/// divided by the sum of the weights, so a hypothesis' <see cref="RootCauseHypothesis.Score"/> is the sum of its evidence
/// weights clamped to [0, 1]. Hypotheses are sorted by score, then by entity name (ordinal) for determinism. Default weights:
/// magnitude 0.40, dependency 0.25, change 0.25, lead 0.10, signal class 0.10.</para>
/// <list type="bullet">
/// <item><see cref="EvidenceKind.Magnitude"/>: the entity's largest persistence-weighted <see cref="AnomalySignal.Magnitude"/>
/// (a robust deviation from the series' pre-onset baseline, comparable across series, as BARO's) divided by the episode's
/// largest; the peak score, divided by the largest, only when no signal carries a magnitude.</item>
/// <item><see cref="EvidenceKind.Dependency"/>: (Σ explained − Σ explaining) / max(1, Σ explained + Σ explaining), each term
/// counted 1/hops (up to <see cref="RootCauseRankerOptions.DependencyHops"/>). An affected dependency explains an affected
/// dependent by the timing credit (full when it started no later than the dependent, give or take
/// <see cref="RootCauseRankerOptions.SimultaneityTolerance"/>, fading to none at twice it) times min(1, its magnitude / the
/// dependent's): a callee that deviates as much explains its caller, one that deviates a fifth as much explains a fifth. A
/// <i>load source</i> (lasting rising traffic by the end of the burst, on no caller) is not explained by its dependencies and
/// explains each affected dependency whose traffic rose too (timing credit between the two traffic rises). A dependent whose
/// first signal is a lasting traffic rise is not explained by a dependency either. An entity without symptoms but with a
/// counted change gets Σ affected dependents (1/hops).</item>
/// <item><see cref="EvidenceKind.Change"/>: a change on the entity at most <see cref="RootCauseRankerOptions.ChangeWindow"/> before
/// the onset of the burst and no later than the entity's strongest symptom (a deploy after weaker noise on the entity still
/// counts): 1 − 0.5 · age / window (age 0 for changes after the burst's onset), times
/// <see cref="RootCauseRankerOptions.MinorChangeFactor"/> for scaling and other changes; the strongest change of an entity
/// counts. A change on an entity that shows no symptom and that no affected entity depends on counts 0, as does a change
/// outside the window; both still appear as evidence with weight 0.</item>
/// <item><see cref="EvidenceKind.SignalClass"/>: 1 when the entity's traffic rose first in the episode or it shows saturation with
/// no affected dependency behind it; 0.75 for errors with no affected dependency behind them; 0.5 for saturation elsewhere or
/// latency on such a leaf; 0.25 for errors elsewhere.</item>
/// <item><see cref="EvidenceKind.Lead"/>: 1 − (entity's first onset − the burst's first onset) / <see cref="RootCauseRankerOptions.LeadHorizon"/>,
/// clamped; detectors blur onsets by seconds, so it mostly breaks ties.</item>
/// </list>
/// <para><b>Category</b>, first rule that holds. Classes come from <see cref="SignalClassifier"/>; only rising signals count
/// (anomalies going down are ignored, alerts count as rising); "among the earliest" means within the simultaneity tolerance of
/// the first classified signal.</para>
/// <list type="number">
/// <item><see cref="IncidentCategory.Unknown"/> when there is no symptom signal or none names an entity.</item>
/// <item><see cref="IncidentCategory.ChangeInduced"/>: a deploy or configuration change, within the window before the onset,
/// on the top hypothesis or on an entity it depends on.</item>
/// <item><see cref="IncidentCategory.ErrorAmplification"/>: traffic and errors both rose, and errors started more than the
/// tolerance before traffic, or are at least <see cref="RootCauseRankerOptions.AmplificationRatio"/> times stronger, unless
/// latency rose between the traffic and the errors (the overload chain: requests queue, then are shed; that is
/// <see cref="IncidentCategory.TrafficDriven"/>).</item>
/// <item><see cref="IncidentCategory.TrafficDriven"/>: rising traffic is among the earliest classified signals.</item>
/// <item><see cref="IncidentCategory.ResourceSaturation"/>: saturation is among the earliest, or at least
/// <see cref="RootCauseRankerOptions.DominanceRatio"/> times stronger than every other class.</item>
/// <item><see cref="IncidentCategory.LatencyImpact"/>: latency is among the earliest or makes up more than half of the classified signals.</item>
/// <item><see cref="IncidentCategory.Unknown"/> otherwise.</item>
/// </list>
/// <para>The explanation names the first signal of each class in onset order, the reason for the category and the top
/// hypothesis with its two strongest pieces of evidence; numbers and times use the invariant culture, times are UTC.</para>
/// <para>The ranker never throws for odd episodes (no members, members without an entity, only changes, non-finite scores).
/// It is immutable and thread-safe; one instance can serve every episode.</para>
/// </remarks>
public sealed class RootCauseRanker : IRootCauseRanker
{
    private const int ClassCount = 5;

    private readonly double _wLead;
    private readonly double _wMagnitude;
    private readonly double _wDependency;
    private readonly double _wChange;
    private readonly double _wClass;
    private readonly double _wTotal;
    private readonly TimeSpan _horizon;
    private readonly TimeSpan _burst;
    private readonly TimeSpan _persistence;
    private readonly TimeSpan _tolerance;
    private readonly int _hops;
    private readonly TimeSpan _changeWindow;
    private readonly double _minorChange;
    private readonly double _amplification;
    private readonly double _dominance;
    private readonly string[] _entityLabels;

    /// <summary>Initializes a new instance of the <see cref="RootCauseRanker"/> class.</summary>
    /// <param name="options">The options; <see langword="null"/> uses the defaults. They are copied.</param>
    /// <exception cref="ValidationException">An option is out of range.</exception>
    public RootCauseRanker(RootCauseRankerOptions? options = null)
    {
        options ??= new RootCauseRankerOptions();
        options.Validate();
        _wLead = options.LeadWeight;
        _wMagnitude = options.MagnitudeWeight;
        _wDependency = options.DependencyWeight;
        _wChange = options.ChangeWeight;
        _wClass = options.SignalClassWeight;
        _wTotal = _wLead + _wMagnitude + _wDependency + _wChange + _wClass;
        _horizon = options.LeadHorizon;
        _burst = options.BurstWindow;
        _persistence = options.PersistenceHorizon;
        _tolerance = options.SimultaneityTolerance;
        _hops = options.DependencyHops;
        _changeWindow = options.ChangeWindow;
        _minorChange = options.MinorChangeFactor;
        _amplification = options.AmplificationRatio;
        _dominance = options.DominanceRatio;
        _entityLabels = [.. options.EntityLabels];
        Classifier = new SignalClassifier(options.Classifier);
    }

    /// <summary>Gets the classifier that puts signals in classes (built from <see cref="RootCauseRankerOptions.Classifier"/>).</summary>
    public SignalClassifier Classifier { get; }

    /// <summary>Analyses an episode: ranks one hypothesis per entity, picks a category and writes the explanation.</summary>
    /// <param name="episode">The episode (its <see cref="Episode.RootCause"/> is ignored).</param>
    /// <param name="graph">The dependency graph; <see langword="null"/> or empty when the user supplied none.</param>
    /// <returns>The analysis; <see cref="IncidentCategory.Unknown"/> with an explanation of what is missing for odd episodes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="episode"/> is <see langword="null"/>.</exception>
    public RootCauseAnalysis Analyze(Episode episode, DependencyGraph graph)
    {
        ArgumentNullException.ThrowIfNull(episode);
        return new Analysis(this, episode, graph ?? DependencyGraph.Empty).Run();
    }

    private static string Quote(string entity) => "'" + entity + "'";

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    private static string Number(double value, string format = "0.00") => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>Formats a duration for people: "2.5 s", "42 s", "5 min", "5 min 30 s", "2 h 10 min".</summary>
    internal static string Duration(TimeSpan span)
    {
        var seconds = Math.Abs(span.TotalSeconds);
        if (seconds < 10)
        {
            return Number(Math.Round(seconds, 1), "0.#") + " s";
        }

        var whole = (long)Math.Round(seconds);
        if (whole < 120)
        {
            return whole.ToString(CultureInfo.InvariantCulture) + " s";
        }

        if (whole < 7200)
        {
            var (m, s) = (whole / 60, whole % 60);
            return s == 0
                ? string.Create(CultureInfo.InvariantCulture, $"{m} min")
                : string.Create(CultureInfo.InvariantCulture, $"{m} min {s} s");
        }

        var (h, rest) = (whole / 3600, (whole % 3600) / 60);
        return rest == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{h} h")
            : string.Create(CultureInfo.InvariantCulture, $"{h} h {rest} min");
    }

    private static double Finite(double value) => double.IsFinite(value) ? value : 0;

    /// <summary>
    /// How long a member was reported: from its first report to the end of its anomaly when it has ended (the point it was
    /// back, not when that was confirmed), else to its last report.
    /// </summary>
    private static TimeSpan Reported(EpisodeMember member)
    {
        var until = member.EndedAt is { } ended && ended < member.LastSeen ? ended : member.LastSeen;
        return until > member.FirstSeen ? until - member.FirstSeen : TimeSpan.Zero;
    }

    /// <summary>The share of a member's magnitude that counts: 0.25 when reported once, 1 when reported for the persistence horizon.</summary>
    private double Persistence(EpisodeMember member)
    {
        if (_persistence <= TimeSpan.Zero)
        {
            return 1;
        }

        var reported = Reported(member);
        return 0.25 + (0.75 * Math.Clamp(reported / _persistence, 0, 1));
    }

    private struct MemberInfo
    {
        public Signal Signal;
        public int Entity;
        public SignalClass Class;
        public bool Rising;
        public DateTimeOffset Onset;
        public double Peak;
        public double Magnitude;
        public bool Lasting;
    }

    private struct ChangeInfo
    {
        public ChangeSignal Signal;
        public int Entity;
        public bool Counted;
        public double Strength;
        public TimeSpan Age;
        public bool TooLate;
    }

    private sealed class EntityData(string name)
    {
        public readonly string Name = name;
        public bool Affected;
        public DateTimeOffset Onset;
        public int FirstMember = -1;
        public double Peak;
        public double Magnitude;
        public int FirstSaturation = -1;
        public int FirstErrors = -1;
        public int FirstLatency = -1;
        public int FirstTraffic = -1;
        public DateTimeOffset StrongestOnset = DateTimeOffset.MaxValue;
        public double StrongestShare = 1;
        public TimeSpan StrongestReported;
        public int Background;
        public DateTimeOffset BackgroundOnset;
        public bool LoadSource;
        public bool FirstIsTrafficRise;
        public double Down;
        public double Up;
        public List<(int Entity, int Hops)>? Dependents;
        public List<(int Entity, int Hops)>? Dependencies;
        public List<(int Entity, int Hops)>? LoadFollowers;
        public List<(int Entity, int Hops)>? LoadSources;
        public int BestChange = -1;
        public int ShownChange = -1;
        public double Score;
        public List<Evidence> Evidence = [];
    }

    /// <summary>The state of one <see cref="Analyze"/> call.</summary>
    private sealed class Analysis(RootCauseRanker ranker, Episode episode, DependencyGraph graph)
    {
        private readonly RootCauseRanker _r = ranker;
        private readonly Episode _episode = episode;
        private readonly DependencyGraph _graph = graph;
        private readonly List<MemberInfo> _members = new(episode.Members?.Count ?? 0);
        private readonly List<ChangeInfo> _changes = new(episode.Changes?.Count ?? 0);
        private readonly List<EntityData> _entities = [];
        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
        private readonly int[] _firstOfClass = [-1, -1, -1, -1, -1];
        private readonly int[] _countOfClass = new int[ClassCount];
        private readonly double[] _peakOfClass = new double[ClassCount];
        private readonly double[] _magnitudeOfClass = new double[ClassCount];
        private int[] _distance = [];

        // Beyond this many entities the hops are kept sparse: a dense n × n table would take gigabytes (and n² overflows an
        // int from 46,341); the hops found are the same.
        private const int DenseDistanceLimit = 512;
        private readonly Dictionary<long, int> _sparseDistance = [];
        private bool _sparse;
        private int _affected;
        private int _related;
        private int _firstMember = -1;
        private int _firstClassified = -1;
        private int _background;
        private DateTimeOffset _cutoff = DateTimeOffset.MinValue;
        private DateTimeOffset _burstEnd = DateTimeOffset.MaxValue;
        private TimeSpan _loadPersistence;

        private DateTimeOffset Start => _members[_firstMember].Onset;

        public RootCauseAnalysis Run()
        {
            Collect();
            if (_members.Count == 0)
            {
                return new RootCauseAnalysis(IncidentCategory.Unknown, NoSymptoms(), []);
            }

            if (_affected == 0)
            {
                var first = _members[_firstMember];
                return new RootCauseAnalysis(
                    IncidentCategory.Unknown,
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"None of the {_members.Count} symptom signal(s) names an entity (labels {string.Join(", ", _r._entityLabels)}), so no cause can be ranked; the first was {first.Signal.Name} at {Time(first.Onset)}."),
                    []);
            }

            Distances();
            Dependencies();
            Changes();
            var order = Score();
            var category = Categorise(_entities[order[0]], out var reason);
            var hypotheses = new RootCauseHypothesis[order.Length];
            for (var i = 0; i < order.Length; i++)
            {
                var entity = _entities[order[i]];
                hypotheses[i] = new RootCauseHypothesis(entity.Name, entity.Score, entity.Evidence);
            }

            return new RootCauseAnalysis(category, Explain(order, category, reason), hypotheses);
        }

        private int EntityIndex(string name)
        {
            if (!_index.TryGetValue(name, out var i))
            {
                i = _entities.Count;
                _index.Add(name, i);
                _entities.Add(new EntityData(name));
            }

            return i;
        }

        private string? EntityOf(Signal signal)
        {
            if (signal.Labels is null)
            {
                return null;
            }

            foreach (var label in _r._entityLabels)
            {
                if (signal.Labels.TryGetValue(label, out var value) && !string.IsNullOrEmpty(value))
                {
                    return value;
                }
            }

            return null;
        }

        /// <summary>Sets <see cref="_cutoff"/>: symptoms that started more than a burst window before the densest window are background.</summary>
        private void FindBurst()
        {
            var onsets = new List<(DateTimeOffset Onset, double Weight)>(_episode.Members?.Count ?? 0);
            var longest = TimeSpan.Zero;
            foreach (var member in _episode.Members ?? [])
            {
                if (member?.Signal is { } signal and not ChangeSignal)
                {
                    var persistence = _r.Persistence(member);
                    onsets.Add((signal.Onset, persistence * persistence * persistence));
                    var reported = Reported(member);
                    longest = reported > longest ? reported : longest;
                }
            }

            // Rising traffic is load only when it lasts about as long as the episode's lasting symptoms: a blip is not a surge.
            _loadPersistence = (longest < _r._persistence ? longest : _r._persistence) / 2;
            var window = _r._burst;
            if (window <= TimeSpan.Zero)
            {
                return;
            }

            // The densest window, each onset weighted by the cube of its persistence share: a lasting signal weighs 64 one-off
            // spikes, so the few lasting symptoms of a fault outweigh a cluster of noise.
            onsets.Sort(static (a, b) => a.Onset.CompareTo(b.Onset));
            var (best, start, end, sum) = (0.0, 0, 0, 0.0);
            for (var i = 0; i < onsets.Count; i++)
            {
                while (end < onsets.Count && onsets[end].Onset - onsets[i].Onset <= window)
                {
                    sum += onsets[end++].Weight;
                }

                if (sum > best + 1e-9)
                {
                    (best, start) = (sum, i);
                }

                sum -= onsets[i].Weight;
            }

            if (best > 0)
            {
                var first = onsets[start].Onset;
                _cutoff = first - DateTimeOffset.MinValue > window ? first - window : DateTimeOffset.MinValue;
                _burstEnd = DateTimeOffset.MaxValue - first > window ? first + window : DateTimeOffset.MaxValue;
            }
        }

        private void Collect()
        {
            FindBurst();
            foreach (var member in _episode.Members ?? [])
            {
                if (member?.Signal is not { } signal)
                {
                    continue;
                }

                if (signal is ChangeSignal change)
                {
                    _changes.Add(new ChangeInfo { Signal = change, Entity = -1 });
                    continue;
                }

                var name = string.IsNullOrEmpty(member.Entity) ? EntityOf(signal) : member.Entity;
                if (signal.Onset < _cutoff)
                {
                    _background++;
                    if (name is not null)
                    {
                        var quiet = _entities[EntityIndex(name)];
                        if (quiet.Background++ == 0 || signal.Onset < quiet.BackgroundOnset)
                        {
                            quiet.BackgroundOnset = signal.Onset;
                        }
                    }

                    continue;
                }

                var cls = _r.Classifier.Classify(signal);
                var peak = Math.Clamp(Finite(member.PeakScore), 0, 1);
                var magnitude = 0.0;
                var share = 1.0;
                var rising = true;
                if (signal is AnomalySignal anomaly)
                {
                    peak = Math.Max(peak, Math.Clamp(Finite(anomaly.PeakScore), 0, 1));
                    share = _r.Persistence(member);
                    magnitude = Math.Abs(Finite(anomaly.Magnitude)) * share;
                    rising = anomaly.Direction != Direction.Down;
                }
                else if (signal is AlertSignal)
                {
                    peak = Math.Max(peak, 1);
                }

                var info = new MemberInfo { Signal = signal, Class = cls, Rising = rising, Onset = signal.Onset, Peak = peak, Magnitude = magnitude, Entity = -1, Lasting = Reported(member) >= _loadPersistence };
                var m = _members.Count;
                if (name is not null)
                {
                    info.Entity = EntityIndex(name);
                    var entity = _entities[info.Entity];
                    if (!entity.Affected)
                    {
                        entity.Affected = true;
                        entity.Onset = info.Onset;
                        entity.FirstMember = m;
                        _affected++;
                    }
                    else if (info.Onset < entity.Onset)
                    {
                        entity.Onset = info.Onset;
                        entity.FirstMember = m;
                    }

                    entity.Peak = Math.Max(entity.Peak, peak);
                    if (magnitude > entity.Magnitude || (magnitude == entity.Magnitude && info.Onset < entity.StrongestOnset))
                    {
                        entity.Magnitude = magnitude;
                        entity.StrongestOnset = info.Onset;
                        entity.StrongestShare = share;
                        entity.StrongestReported = Reported(member);
                    }
                    if (rising)
                    {
                        switch (cls)
                        {
                            case SignalClass.Saturation when entity.FirstSaturation < 0 || info.Onset < _members[entity.FirstSaturation].Onset:
                                entity.FirstSaturation = m;
                                break;
                            case SignalClass.Errors when entity.FirstErrors < 0 || info.Onset < _members[entity.FirstErrors].Onset:
                                entity.FirstErrors = m;
                                break;
                            case SignalClass.Latency when entity.FirstLatency < 0 || info.Onset < _members[entity.FirstLatency].Onset:
                                entity.FirstLatency = m;
                                break;
                            case SignalClass.Traffic when info.Lasting && (entity.FirstTraffic < 0 || info.Onset < _members[entity.FirstTraffic].Onset):
                                entity.FirstTraffic = m;
                                break;
                        }
                    }
                }

                _members.Add(info);
                if (_firstMember < 0 || info.Onset < _members[_firstMember].Onset)
                {
                    _firstMember = m;
                }

                if (rising && cls != SignalClass.Other)
                {
                    var c = (int)cls;
                    _countOfClass[c]++;
                    _peakOfClass[c] = Math.Max(_peakOfClass[c], peak);
                    _magnitudeOfClass[c] = Math.Max(_magnitudeOfClass[c], magnitude);
                    if (_firstOfClass[c] < 0 || info.Onset < _members[_firstOfClass[c]].Onset)
                    {
                        _firstOfClass[c] = m;
                    }

                    if (_firstClassified < 0 || info.Onset < _members[_firstClassified].Onset)
                    {
                        _firstClassified = m;
                    }
                }
            }

            foreach (var entity in _entities)
            {
                if (entity.FirstMember >= 0)
                {
                    var first = _members[entity.FirstMember];
                    entity.FirstIsTrafficRise = first.Class == SignalClass.Traffic && first.Rising && first.Lasting;
                }
            }

            foreach (var change in _episode.Changes ?? [])
            {
                if (change is not null)
                {
                    _changes.Add(new ChangeInfo { Signal = change, Entity = -1 });
                }
            }

            for (var i = 0; i < _changes.Count; i++)
            {
                if (EntityOf(_changes[i].Signal) is { } name)
                {
                    var change = _changes[i];
                    change.Entity = EntityIndex(name);
                    _changes[i] = change;
                }
            }
        }

        /// <summary>The hops from entity <paramref name="from"/> to its dependency <paramref name="to"/>, 0 when none.</summary>
        private int Hops(int from, int to) =>
            _sparse ? _sparseDistance.GetValueOrDefault(((long)from * _entities.Count) + to) : _distance[(from * _entities.Count) + to];

        private void SetHops(int from, int to, int hops)
        {
            if (_sparse)
            {
                _sparseDistance[((long)from * _entities.Count) + to] = hops;
            }
            else
            {
                _distance[(from * _entities.Count) + to] = hops;
            }
        }

        /// <summary>Fills the hops table (<see cref="Hops"/>): from entity i to its dependency j, 0 when none.</summary>
        private void Distances()
        {
            var n = _entities.Count;
            _sparse = n > DenseDistanceLimit;
            _sparseDistance.Clear();
            _distance = _sparse ? [] : new int[n * n];
            if (n < 2)
            {
                return;
            }

            var frontier = new List<string>();
            var next = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < n; i++)
            {
                frontier.Clear();
                seen.Clear();
                frontier.Add(_entities[i].Name);
                seen.Add(_entities[i].Name);
                for (var hop = 1; hop <= _r._hops && frontier.Count > 0; hop++)
                {
                    next.Clear();
                    foreach (var node in frontier)
                    {
                        foreach (var dependency in _graph.DependenciesOf(node))
                        {
                            if (!seen.Add(dependency))
                            {
                                continue;
                            }

                            next.Add(dependency);
                            if (_index.TryGetValue(dependency, out var j))
                            {
                                SetHops(i, j, hop);
                            }
                        }
                    }

                    (frontier, next) = (next, frontier);
                }
            }

            for (var i = 0; i < n; i++)
            {
                if (!_entities[i].Affected)
                {
                    continue;
                }

                for (var j = 0; j < n; j++)
                {
                    if (i != j && _entities[j].Affected && (Hops(i, j) > 0 || Hops(j, i) > 0))
                    {
                        _related++;
                        break;
                    }
                }
            }
        }

        /// <summary>How much a dependency whose onset is <paramref name="late"/> after its dependent's can explain it.</summary>
        private double Credit(TimeSpan late)
        {
            var tolerance = _r._tolerance;
            if (late <= tolerance)
            {
                return 1;
            }

            if (tolerance <= TimeSpan.Zero || late >= tolerance + tolerance)
            {
                return 0;
            }

            return 1 - ((late - tolerance) / tolerance);
        }

        private void Dependencies()
        {
            var n = _entities.Count;

            // A load source: its traffic rose by the end of the burst and no caller's did, so the load entered the system there.
            for (var i = 0; i < n; i++)
            {
                var entity = _entities[i];
                if (entity.FirstTraffic < 0 || _members[entity.FirstTraffic].Onset > _burstEnd)
                {
                    continue;
                }

                var fed = false;
                for (var k = 0; k < n && !fed; k++)
                {
                    fed = k != i && Hops(k, i) > 0 && _entities[k].FirstTraffic >= 0;
                }

                entity.LoadSource = !fed;
            }

            for (var i = 0; i < n; i++)
            {
                var dependent = _entities[i];
                if (!dependent.Affected)
                {
                    continue;
                }

                for (var j = 0; j < n; j++)
                {
                    var hops = Hops(i, j);
                    var dependency = _entities[j];
                    if (hops == 0 || i == j || !dependency.Affected)
                    {
                        continue;
                    }

                    if (dependent.LoadSource || dependent.FirstIsTrafficRise)
                    {
                        // Incoming load is not explained by a dependency; the load source explains the dependencies it reached.
                        if (dependent.LoadSource && dependency.FirstTraffic >= 0)
                        {
                            var load = Credit(_members[dependency.FirstTraffic].Onset - _members[dependent.FirstTraffic].Onset) / hops;
                            if (load > 0)
                            {
                                dependent.Down += load;
                                dependency.Up += load;
                                (dependent.LoadFollowers ??= []).Add((j, hops));
                                (dependency.LoadSources ??= []).Add((i, hops));
                            }
                        }

                        continue;
                    }

                    var credit = Explains(dependency, dependent) / hops;
                    if (credit <= 0)
                    {
                        continue;
                    }

                    dependent.Up += credit;
                    dependency.Down += credit;
                    (dependent.Dependencies ??= []).Add((j, hops));
                    (dependency.Dependents ??= []).Add((i, hops));
                }
            }
        }

        /// <summary>
        /// How much an affected dependency explains an affected dependent: the timing credit (it started no later, give or take
        /// the tolerance) times the share of the dependent's deviation it matches (a callee deviating less than its caller
        /// explains only that part; 1 when either carries no magnitude).
        /// </summary>
        private double Explains(EntityData dependency, EntityData dependent)
        {
            var credit = Credit(dependency.Onset - dependent.Onset);
            if (credit > 0 && dependency.Magnitude > 0 && dependent.Magnitude > 0)
            {
                credit *= Math.Min(1, dependency.Magnitude / dependent.Magnitude);
            }

            return credit;
        }

        private bool IsDependencyOfAffected(int entity)
        {
            var n = _entities.Count;
            for (var i = 0; i < n; i++)
            {
                if (i != entity && _entities[i].Affected && Hops(i, entity) > 0)
                {
                    return true;
                }
            }

            return false;
        }

        private void Changes()
        {
            var window = _r._changeWindow;
            for (var c = 0; c < _changes.Count; c++)
            {
                var change = _changes[c];
                if (change.Entity < 0)
                {
                    continue;
                }

                var entity = _entities[change.Entity];
                // A change can have triggered the entity's strongest symptom even when weaker noise on it came first.
                var own = entity.StrongestOnset == DateTimeOffset.MaxValue ? entity.Onset : entity.StrongestOnset;
                var reference = entity.Affected && own > Start ? own : Start;
                // Age is measured from the episode's onset; a change may also fall between that and the entity's own onset.
                change.Age = Start - change.Signal.Onset;
                change.TooLate = change.Signal.Onset > reference;
                var factor = change.Signal.Change is ChangeKind.Deploy or ChangeKind.Config ? 1 : _r._minorChange;
                var relevant = entity.Affected || IsDependencyOfAffected(change.Entity);
                if (!change.TooLate && change.Age <= window && relevant)
                {
                    change.Counted = true;
                    var age = change.Age > TimeSpan.Zero ? change.Age : TimeSpan.Zero;
                    change.Strength = factor * (window > TimeSpan.Zero ? 1 - (0.5 * (age / window)) : 1);
                }

                _changes[c] = change;
                if (change.Counted)
                {
                    if (entity.BestChange < 0 || change.Strength > _changes[entity.BestChange].Strength)
                    {
                        entity.BestChange = c;
                    }
                }
                else if (entity.ShownChange < 0 || change.Age.Duration() < _changes[entity.ShownChange].Age.Duration())
                {
                    entity.ShownChange = c;
                }
            }

            // Unaffected entities behind a counted change earn dependency evidence from the affected entities that depend on them.
            var n = _entities.Count;
            for (var j = 0; j < n; j++)
            {
                var target = _entities[j];
                if (target.Affected || target.BestChange < 0)
                {
                    continue;
                }

                for (var i = 0; i < n; i++)
                {
                    var hops = Hops(i, j);
                    if (hops > 0 && i != j && _entities[i].Affected && !_entities[i].FirstIsTrafficRise)
                    {
                        target.Down += 1.0 / hops;
                        (target.Dependents ??= []).Add((i, hops));
                    }
                }
            }
        }

        private int[] Score()
        {
            var maxPeak = 0.0;
            var maxMagnitude = 0.0;
            foreach (var entity in _entities)
            {
                maxPeak = Math.Max(maxPeak, entity.Peak);
                maxMagnitude = Math.Max(maxMagnitude, entity.Magnitude);
            }

            var w = _r._wTotal;
            var firstTraffic = _firstOfClass[(int)SignalClass.Traffic];
            var trafficLeads = firstTraffic >= 0 && _members[firstTraffic].Onset - _members[_firstClassified].Onset <= _r._tolerance;
            var order = new int[_entities.Count];
            for (var e = 0; e < _entities.Count; e++)
            {
                order[e] = e;
                var entity = _entities[e];
                var evidence = entity.Evidence;
                if (entity.Affected)
                {
                    var lead = LeadEvidence(entity, out var leadText);
                    evidence.Add(new Evidence(EvidenceKind.Lead, leadText, _r._wLead * lead / w));
                    var magnitude = MagnitudeEvidence(entity, maxPeak, maxMagnitude, out var magnitudeText);
                    evidence.Add(new Evidence(EvidenceKind.Magnitude, magnitudeText, _r._wMagnitude * magnitude / w));
                }
                else
                {
                    evidence.Add(new Evidence(
                        EvidenceKind.Lead,
                        entity.Background > 0
                            ? $"{Quote(entity.Name)}'s {entity.Background} signal(s) started from {Time(entity.BackgroundOnset)}, over {Duration(_r._burst)} before the incident's burst, so they are left out as background"
                            : $"{Quote(entity.Name)} shows no symptom of its own",
                        0));
                }

                if (entity.Dependents is not null || entity.Dependencies is not null || entity.LoadFollowers is not null || entity.LoadSources is not null)
                {
                    var value = (entity.Down - entity.Up) / Math.Max(1, entity.Down + entity.Up);
                    evidence.Add(new Evidence(EvidenceKind.Dependency, DependencyText(entity), _r._wDependency * Math.Clamp(value, -1, 1) / w));
                }

                if (entity.BestChange >= 0)
                {
                    var change = _changes[entity.BestChange];
                    evidence.Add(new Evidence(EvidenceKind.Change, ChangeText(change, entity), _r._wChange * change.Strength / w));
                }
                else if (entity.ShownChange >= 0)
                {
                    evidence.Add(new Evidence(EvidenceKind.Change, ChangeText(_changes[entity.ShownChange], entity), 0));
                }

                if (entity.Affected)
                {
                    var cls = ClassEvidence(entity, firstTraffic, trafficLeads, out var classText);
                    if (cls > 0)
                    {
                        evidence.Add(new Evidence(EvidenceKind.SignalClass, classText!, _r._wClass * cls / w));
                    }
                }

                var sum = 0.0;
                foreach (var item in evidence)
                {
                    sum += item.Weight;
                }

                entity.Score = Math.Clamp(sum, 0, 1);
            }

            Array.Sort(order, (a, b) =>
            {
                var byScore = _entities[b].Score.CompareTo(_entities[a].Score);
                return byScore != 0 ? byScore : string.CompareOrdinal(_entities[a].Name, _entities[b].Name);
            });
            return order;
        }

        private double LeadEvidence(EntityData entity, out string text)
        {
            var behind = entity.Onset - Start;
            var value = 1 - Math.Clamp(behind / _r._horizon, 0, 1);
            var first = _members[entity.FirstMember];
            if (_affected == 1)
            {
                text = $"{Quote(entity.Name)} is the only affected entity; its first signal, {first.Signal.Name}, started at {Time(first.Onset)}";
                return value;
            }

            var others = DateTimeOffset.MaxValue;
            var otherEntity = -1;
            for (var i = 0; i < _entities.Count; i++)
            {
                var other = _entities[i];
                if (other != entity && other.Affected && (other.Onset < others || otherEntity < 0))
                {
                    others = other.Onset;
                    otherEntity = i;
                }
            }

            var lead = others - entity.Onset;
            if (lead > _r._tolerance)
            {
                text = $"{Phrase(first)} started {Duration(lead)} before any other entity's signal";
            }
            else if (lead >= TimeSpan.Zero)
            {
                text = $"{Phrase(first)} started first, but only {Duration(lead)} before {Quote(_entities[otherEntity].Name)} (within the {Duration(_r._tolerance)} tolerance)";
            }
            else
            {
                var firstOverall = _entities[otherEntity];
                text = $"{Quote(entity.Name)} started {Duration(behind)} after the first signal ({Phrase(_members[firstOverall.FirstMember])})";
            }

            return value;
        }

        private static double MagnitudeEvidence(EntityData entity, double maxPeak, double maxMagnitude, out string text)
        {
            // A magnitude is a deviation from the series' own baseline, comparable across series; a peak score is a calibrated
            // probability that saturates near 1 for every clear anomaly, so it only stands in when no signal has a magnitude.
            double value;
            string detail;
            if (maxMagnitude > 0)
            {
                value = entity.Magnitude / maxMagnitude;
                var share = entity.StrongestShare;
                detail = share >= 0.999
                    ? $"largest deviation {Number(entity.Magnitude, "0.0")} (from its baseline)"
                    : $"largest deviation {Number(entity.Magnitude / share, "0.0")} (from its baseline), reported for {Duration(entity.StrongestReported)} so it counts {Number(100 * share, "0")} %";
            }
            else
            {
                value = maxPeak > 0 ? entity.Peak / maxPeak : 0;
                detail = $"peak score {Number(entity.Peak)}";
            }

            text = value >= 0.999
                ? $"{detail}, the strongest in the episode"
                : $"{detail}, {Number(100 * value, "0")} % of the episode's strongest";
            return value;
        }

        private string DependencyText(EntityData entity)
        {
            var name = Quote(entity.Name);
            var parts = new List<string>(4);
            if (List(entity.LoadFollowers) is { } followers)
            {
                parts.Add($"traffic on {name} rose and on none of its callers, and reached {followers}, so the load explains their symptoms");
            }

            var down = List(entity.Dependents);
            var up = List(entity.Dependencies);
            if (down is not null)
            {
                var verb = $"depend{(entity.Dependents!.Count == 1 ? "s" : string.Empty)} on {name}";
                parts.Add(!entity.Affected
                    ? $"{down} {verb}"
                    : up is null ? $"{down} {verb} and showed symptoms no more than {Duration(_r._tolerance + _r._tolerance)} before it" : $"{down} {verb}, but {name} itself depends on affected {up}");
            }
            else if (up is not null)
            {
                parts.Add($"{name} depends on affected {up}, which showed symptoms no more than {Duration(_r._tolerance + _r._tolerance)} after it, so it is more likely a symptom");
            }

            if (List(entity.LoadSources) is { } sources)
            {
                parts.Add($"traffic on {name} rose with its caller {sources}, so its load came from upstream");
            }

            return string.Join("; ", parts);
        }

        private string? List(List<(int Entity, int Hops)>? items)
        {
            if (items is null)
            {
                return null;
            }

            items.Sort((a, b) => a.Hops != b.Hops ? a.Hops.CompareTo(b.Hops) : string.CompareOrdinal(_entities[a.Entity].Name, _entities[b.Entity].Name));
            var text = new StringBuilder();
            for (var i = 0; i < items.Count; i++)
            {
                if (i > 0)
                {
                    text.Append(i == items.Count - 1 ? " and " : ", ");
                }

                var (e, hops) = items[i];
                text.Append(Quote(_entities[e].Name)).Append(hops == 1 ? " (direct)" : string.Create(CultureInfo.InvariantCulture, $" ({hops} hops)"));
            }

            return text.ToString();
        }

        private string ChangeText(ChangeInfo change, EntityData entity)
        {
            var what = $"{KindWord(change.Signal.Change)} '{change.Signal.Name}' on {Quote(entity.Name)} at {Time(change.Signal.Onset)}";
            if (change.TooLate)
            {
                return entity.Affected
                    ? $"{what} came after {Quote(entity.Name)}'s first symptom, so it cannot have triggered it"
                    : $"{what} came {Duration(change.Age)} after the onset, so it cannot have triggered it";
            }

            if (change.Age > _r._changeWindow)
            {
                return $"{what}, {Duration(change.Age)} before the onset, is outside the {Duration(_r._changeWindow)} window";
            }

            var when = When(change);
            return change.Counted
                ? $"{what}, {when}"
                : $"{what}, {when}, but {Quote(entity.Name)} shows no symptom and no affected entity depends on it";
        }

        private static string When(ChangeInfo change) => change.Age >= TimeSpan.Zero
            ? $"{Duration(change.Age)} before the onset"
            : $"{Duration(change.Age)} after the first signal but before the entity's own";

        private static string KindWord(ChangeKind kind) => kind switch
        {
            ChangeKind.Deploy => "deploy",
            ChangeKind.Config => "config change",
            ChangeKind.Scaling => "scaling",
            _ => "change",
        };

        private double ClassEvidence(EntityData entity, int firstTraffic, bool trafficLeads, out string? text)
        {
            var name = Quote(entity.Name);
            if (trafficLeads && _members[firstTraffic].Entity is >= 0 and var owner && _entities[owner] == entity)
            {
                var m = _members[firstTraffic];
                text = $"traffic on {name} rose first ({m.Signal.Name} {DirectionWord(m)} at {Time(m.Onset)})";
                return 1;
            }

            // A leaf: no affected dependency could explain the entity's symptoms.
            var leaf = entity.Dependencies is null;
            var (value, cls, member) = (leaf, entity.FirstSaturation, entity.FirstErrors, entity.FirstLatency) switch
            {
                (true, >= 0, _, _) => (1.0, "saturation", entity.FirstSaturation),
                (true, _, >= 0, _) => (0.75, "errors", entity.FirstErrors),
                (_, >= 0, _, _) => (0.5, "saturation", entity.FirstSaturation),
                (true, _, _, >= 0) => (0.5, "latency", entity.FirstLatency),
                (false, _, >= 0, _) => (0.25, "errors", entity.FirstErrors),
                _ => (0.0, string.Empty, -1),
            };

            text = member < 0
                ? null
                : leaf
                    ? $"{cls} on {name} ({_members[member].Signal.Name}) with no affected dependency behind it"
                    : $"{cls} on {name} ({_members[member].Signal.Name})";
            return value;
        }

        private IncidentCategory Categorise(EntityData top, out string reason)
        {
            // 1. A deploy or config change on the top hypothesis or a dependency of it.
            var n = _entities.Count;
            var topIndex = _index[top.Name];
            var trigger = -1;
            for (var c = 0; c < _changes.Count; c++)
            {
                var change = _changes[c];
                if (!change.Counted || change.Signal.Change is not (ChangeKind.Deploy or ChangeKind.Config))
                {
                    continue;
                }

                if ((change.Entity == topIndex || Hops(topIndex, change.Entity) > 0)
                    && (trigger < 0 || change.Age < _changes[trigger].Age))
                {
                    trigger = c;
                }
            }

            if (trigger >= 0)
            {
                var change = _changes[trigger];
                reason = $"A {KindWord(change.Signal.Change)} on {Quote(_entities[change.Entity].Name)} ('{change.Signal.Name}') at {Time(change.Signal.Onset)}, {When(change)}, is the likely trigger.";
                return IncidentCategory.ChangeInduced;
            }

            if (_firstClassified < 0)
            {
                reason = "No signal could be classified as traffic, errors, latency or saturation, so the category is unknown.";
                return IncidentCategory.Unknown;
            }

            var tolerance = _r._tolerance;
            var start = _members[_firstClassified].Onset;
            var traffic = _firstOfClass[(int)SignalClass.Traffic];
            var errors = _firstOfClass[(int)SignalClass.Errors];
            var latency = _firstOfClass[(int)SignalClass.Latency];
            var saturation = _firstOfClass[(int)SignalClass.Saturation];

            // 2. Traffic and errors both rose, errors first or out of proportion.
            if (traffic >= 0 && errors >= 0)
            {
                var errorsLead = _members[traffic].Onset - _members[errors].Onset;
                if (errorsLead > tolerance)
                {
                    reason = $"Errors started {Duration(errorsLead)} before traffic rose, so failures (and the retries they cause) amplified the load.";
                    return IncidentCategory.ErrorAmplification;
                }

                // Traffic, then latency, then errors is the overload chain (requests queue, then are shed): the load explains
                // the errors however strong they are. Strengths of different classes are not comparable there: an error ratio
                // rising from zero reads as a huge deviation against its resolution whatever the load did.
                var overload = latency >= 0
                    && _members[traffic].Onset <= _members[latency].Onset
                    && _members[latency].Onset <= _members[errors].Onset;
                var ratio = Ratio(SignalClass.Errors, SignalClass.Traffic, out var unit);
                if (!overload && ratio >= _r._amplification)
                {
                    reason = $"Traffic and errors both rose, but errors grew out of proportion to the load ({unit} {Number(Strength(SignalClass.Errors, unit), "0.0#")} against traffic's {Number(Strength(SignalClass.Traffic, unit), "0.0#")}).";
                    return IncidentCategory.ErrorAmplification;
                }
            }

            // 3. Rising traffic among the earliest.
            if (traffic >= 0 && _members[traffic].Onset - start <= tolerance)
            {
                reason = "Traffic rose before the other symptoms, so the load is the likely trigger.";
                return IncidentCategory.TrafficDriven;
            }

            // 4. Saturation among the earliest or dominant.
            if (saturation >= 0)
            {
                if (_members[saturation].Onset - start <= tolerance)
                {
                    reason = $"Saturation ({_members[saturation].Signal.Name}{On(_members[saturation])}) came first, so a resource running out is the likely trigger.";
                    return IncidentCategory.ResourceSaturation;
                }

                var dominant = true;
                for (var c = 1; c < ClassCount && dominant; c++)
                {
                    if (c != (int)SignalClass.Saturation && _countOfClass[c] > 0 && Ratio(SignalClass.Saturation, (SignalClass)c, out _) < _r._dominance)
                    {
                        dominant = false;
                    }
                }

                if (dominant)
                {
                    reason = $"Saturation ({_members[saturation].Signal.Name}{On(_members[saturation])}) is far stronger than every other symptom, so a resource running out is the likely trigger.";
                    return IncidentCategory.ResourceSaturation;
                }
            }

            // 5. Latency among the earliest or the majority.
            if (latency >= 0)
            {
                var classified = 0;
                foreach (var count in _countOfClass)
                {
                    classified += count;
                }

                if (_members[latency].Onset - start <= tolerance || 2 * _countOfClass[(int)SignalClass.Latency] > classified)
                {
                    reason = "Latency degraded without a preceding traffic rise, change or saturation.";
                    return IncidentCategory.LatencyImpact;
                }
            }

            reason = $"The signals fit no category: {ClassWord(_members[_firstClassified])} came first without a preceding traffic rise, change or saturation.";
            return IncidentCategory.Unknown;
        }

        /// <summary>The strength of class <paramref name="a"/> over <paramref name="b"/>: by magnitude when both carry one, else by peak score.</summary>
        private double Ratio(SignalClass a, SignalClass b, out string unit)
        {
            if (_magnitudeOfClass[(int)a] > 0 && _magnitudeOfClass[(int)b] > 0)
            {
                unit = "magnitude";
                return _magnitudeOfClass[(int)a] / _magnitudeOfClass[(int)b];
            }

            unit = "peak score";
            var pb = _peakOfClass[(int)b];
            return pb > 0 ? _peakOfClass[(int)a] / pb : (_peakOfClass[(int)a] > 0 ? double.PositiveInfinity : 1);
        }

        private double Strength(SignalClass cls, string unit) => unit == "magnitude" ? _magnitudeOfClass[(int)cls] : _peakOfClass[(int)cls];

        private string On(MemberInfo member) => member.Entity >= 0 ? " on " + Quote(_entities[member.Entity].Name) : string.Empty;

        private static string ClassWord(MemberInfo member) => member.Class switch
        {
            SignalClass.Traffic => "traffic",
            SignalClass.Errors => "errors",
            SignalClass.Latency => "latency",
            SignalClass.Saturation => "saturation",
            _ => member.Signal.Name,
        };

        private string Phrase(MemberInfo member) => ClassWord(member) + On(member);

        private static string DirectionWord(MemberInfo member) => member.Signal switch
        {
            AlertSignal => "firing",
            AnomalySignal { Direction: Direction.Up } => "up",
            AnomalySignal { Direction: Direction.Down } => "down",
            _ => "changed",
        };

        private static string Verb(MemberInfo member) => member.Signal switch
        {
            AlertSignal => "fired",
            AnomalySignal { Direction: Direction.Up } => "rose",
            AnomalySignal { Direction: Direction.Down } => "fell",
            _ => "changed",
        };

        private string Explain(int[] order, IncidentCategory category, string reason)
        {
            var text = new StringBuilder(512);

            // The first signal of each class, in onset order.
            Span<int> milestones = stackalloc int[ClassCount];
            var count = 0;
            var firstOther = -1;
            for (var m = 0; m < _members.Count; m++)
            {
                if (_members[m].Class == SignalClass.Other && (firstOther < 0 || _members[m].Onset < _members[firstOther].Onset))
                {
                    firstOther = m;
                }
            }

            for (var c = 1; c < ClassCount; c++)
            {
                if (_firstOfClass[c] >= 0)
                {
                    milestones[count++] = _firstOfClass[c];
                }
            }

            if (firstOther >= 0)
            {
                milestones[count++] = firstOther;
            }

            if (count == 0)
            {
                milestones[count++] = _firstMember; // Only signals going down: still tell what came first.
            }

            var used = milestones[..count];
            SortByOnset(used);
            var head = _members[used[0]];
            var phrase = Phrase(head) is { Length: > 0 } said ? said : "a signal"; // a signal without entity, class or name says nothing
            text.Append(char.ToUpperInvariant(phrase[0])).Append(phrase, 1, phrase.Length - 1)
                .Append(' ').Append(Verb(head)).Append(" first (").Append(head.Signal.Name).Append(' ').Append(DirectionWord(head))
                .Append(" at ").Append(Time(head.Onset)).Append(')');
            for (var i = 1; i < used.Length; i++)
            {
                var member = _members[used[i]];
                var gap = member.Onset - _members[used[i - 1]].Onset;
                text.Append(i == 1 ? "; " : i == used.Length - 1 ? " and " : ", ").Append(Phrase(member));
                if (gap <= TimeSpan.Zero)
                {
                    text.Append(i == 1 ? " followed at the same time" : " at the same time");
                }
                else
                {
                    text.Append(i == 1 ? " followed " : " ").Append(Duration(gap)).Append(i == 1 ? " later" : " after that");
                }
            }

            text.Append(". ").Append(reason);

            // The top hypothesis and its strongest evidence.
            var top = _entities[order[0]];
            text.Append(' ').Append(Quote(top.Name)).Append(" is the most likely cause (score ").Append(Number(top.Score)).Append(')');
            int best = -1, second = -1;
            for (var i = 0; i < top.Evidence.Count; i++)
            {
                var weight = top.Evidence[i].Weight;
                if (weight <= 0)
                {
                    continue;
                }

                if (best < 0 || weight > top.Evidence[best].Weight)
                {
                    second = best;
                    best = i;
                }
                else if (second < 0 || weight > top.Evidence[second].Weight)
                {
                    second = i;
                }
            }

            if (best >= 0)
            {
                text.Append(": ").Append(top.Evidence[best].Description);
                if (second >= 0)
                {
                    text.Append("; ").Append(top.Evidence[second].Description);
                }
            }

            text.Append('.');
            if (category != IncidentCategory.ChangeInduced && !AnyCountedChange())
            {
                // A change outside the window, or on an entity that does not count, is still listed as evidence: then the
                // sentence says which changes did not precede it, not that none did.
                text.Append(_changes.Count == 0 ? " No change preceded the onset." : " No change on an affected service, or one it depends on, came within the change window before the onset.");
            }

            if (order.Length > 1)
            {
                var next = _entities[order[1]];
                text.Append(" Next: ").Append(Quote(next.Name)).Append(" (").Append(Number(next.Score)).Append(").");
            }

            return text.ToString();
        }

        private void SortByOnset(Span<int> indices)
        {
            // Insertion sort: at most five items; ties keep the earlier member first.
            for (var i = 1; i < indices.Length; i++)
            {
                var item = indices[i];
                var j = i - 1;
                while (j >= 0 && (_members[indices[j]].Onset > _members[item].Onset || (_members[indices[j]].Onset == _members[item].Onset && indices[j] > item)))
                {
                    indices[j + 1] = indices[j];
                    j--;
                }

                indices[j + 1] = item;
            }
        }

        private bool AnyCountedChange()
        {
            foreach (var change in _changes)
            {
                if (change.Counted)
                {
                    return true;
                }
            }

            return false;
        }

        private string NoSymptoms()
        {
            if (_changes.Count == 0)
            {
                return "The episode has no member signals yet, so there is nothing to rank.";
            }

            var change = _changes[0].Signal;
            var entity = EntityOf(change);
            return string.Create(
                CultureInfo.InvariantCulture,
                $"The episode holds only {_changes.Count} change event(s) (first: {KindWord(change.Change)} '{change.Name}'{(entity is null ? string.Empty : " on " + Quote(entity))} at {Time(change.Onset)}) and no symptom signal, so no cause can be ranked.");
        }
    }
}
