using System.Globalization;
using System.Text;

namespace Aiops.Correlation.Eval;

/// <summary>
/// Generates incident scenarios with ground truth, deterministically for a seed: a random three-tier service graph
/// (frontends → mid-tier services → data stores), incidents of every category that start on a root service and propagate
/// along the graph, alert storms (per-pod alerts re-sent until they resolve, some flapping), background noise (isolated
/// anomalies and alerts that flap on their own), a deploy that causes an incident and deploys that cause nothing.
/// </summary>
/// <remarks>
/// Concurrent incidents (a profile's groups) are placed so that every service of one is at least
/// <see cref="GeneratorProfile.MinHopsApart"/> undirected hops from every service of the others. Noise never lands on a
/// service while an incident affects it (±5 minutes), and benign deploys never precede an incident on one of its services
/// by less than 30 minutes, so the ground truth stays unambiguous.
/// </remarks>
internal sealed class ScenarioGenerator
{
    /// <summary>The start of every scenario (the fake clock's origin).</summary>
    public static readonly DateTimeOffset Origin = new(2025, 3, 3, 8, 0, 0, TimeSpan.Zero);

    private static readonly string[] FrontendNames =
    [
        "web", "storefront", "mobile-bff", "api-gateway", "admin-portal", "partner-api", "graphql-gateway", "public-api",
        "seller-portal", "checkout-web",
    ];

    private static readonly string[] MidNames =
    [
        "checkout", "cart", "catalog", "payments", "shipping", "auth", "recommendation", "search", "inventory", "pricing",
        "user-profile", "notification", "orders", "reviews", "ads", "fraud-check", "loyalty", "tax", "currency", "email",
        "invoicing", "returns", "wishlist", "promotions", "session", "media", "geo", "ratings", "subscriptions", "audit",
    ];

    private static readonly (string Name, string Kind)[] StoreNames =
    [
        ("orders-postgres", "postgres"), ("cart-redis", "redis"), ("catalog-elasticsearch", "elasticsearch"),
        ("events-kafka", "kafka"), ("users-mysql", "mysql"), ("sessions-redis", "redis"), ("payments-postgres", "postgres"),
        ("inventory-mongodb", "mongodb"), ("search-elasticsearch", "elasticsearch"), ("audit-kafka", "kafka"),
        ("pricing-postgres", "postgres"), ("media-mongodb", "mongodb"), ("ledger-mysql", "mysql"), ("ratelimit-redis", "redis"),
        ("shipping-postgres", "postgres"), ("reviews-mongodb", "mongodb"), ("notifications-kafka", "kafka"),
        ("profile-postgres", "postgres"), ("flags-redis", "redis"), ("analytics-kafka", "kafka"),
    ];

    private static readonly string[] Namespaces = ["shop", "prod", "storefront", "commerce"];

    private static readonly IncidentCategory[] Categories =
    [
        IncidentCategory.TrafficDriven, IncidentCategory.ErrorAmplification, IncidentCategory.LatencyImpact,
        IncidentCategory.ChangeInduced, IncidentCategory.ResourceSaturation,
    ];

    private readonly Random _rng;
    private readonly GeneratorProfile _profile;
    private readonly Difficulty _difficulty;
    private readonly bool _storm;
    private readonly int _seed;
    private readonly List<(LabeledSignal Signal, long Sequence)> _signals = [];
    private readonly Dictionary<string, ServiceInfo> _byName = new(StringComparer.Ordinal);
    private readonly List<ServiceInfo> _services = [];
    private readonly List<(string Service, string DependsOn)> _edges = [];
    private readonly Dictionary<string, List<string>> _dependencies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _dependents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, int>> _distances = new(StringComparer.Ordinal);
    private string _namespace = "shop";
    private long _sequence;
    private int _versionCounter;

    private ScenarioGenerator(int seed, Difficulty difficulty, bool storm, GeneratorProfile? profile)
    {
        _seed = seed;
        _difficulty = difficulty;
        _storm = storm;
        _profile = profile ?? GeneratorProfile.For(difficulty, storm);
        _rng = new Random(seed);
    }

    /// <summary>The symptoms an affected service shows.</summary>
    internal enum SymptomKind
    {
        Traffic,
        Errors,
        Latency,
        Cpu,
        Memory,
        Connections,
        Disk,
        Restarts,
    }

    /// <summary>Generates one scenario.</summary>
    /// <param name="seed">The seed; the same seed, difficulty and variant always give the same scenario.</param>
    /// <param name="difficulty">The difficulty.</param>
    /// <param name="storm">Whether to generate the storm variant.</param>
    /// <returns>The scenario.</returns>
    public static Scenario Generate(int seed, Difficulty difficulty, bool storm = false) => new ScenarioGenerator(seed, difficulty, storm, null).Build();

    /// <summary>Generates one scenario from a custom profile (for experiments: no noise, other sizes).</summary>
    /// <param name="seed">The seed.</param>
    /// <param name="difficulty">The difficulty recorded in the scenario.</param>
    /// <param name="storm">Whether it is recorded as a storm scenario.</param>
    /// <param name="profile">The knobs.</param>
    /// <returns>The scenario.</returns>
    public static Scenario Generate(int seed, Difficulty difficulty, bool storm, GeneratorProfile profile) =>
        new ScenarioGenerator(seed, difficulty, storm, profile ?? throw new ArgumentNullException(nameof(profile))).Build();

    /// <summary>Derives the seed of scenario <paramref name="index"/> of a run, so that every scenario differs and is reproducible on its own.</summary>
    /// <param name="baseSeed">The run's seed.</param>
    /// <param name="difficulty">The difficulty.</param>
    /// <param name="index">The scenario's index in the run.</param>
    /// <param name="storm">Whether it is a storm scenario.</param>
    /// <returns>The scenario's seed.</returns>
    public static int ScenarioSeed(int baseSeed, Difficulty difficulty, int index, bool storm)
    {
        unchecked
        {
            var h = (uint)baseSeed * 2654435761u;
            h ^= ((uint)difficulty + 1) * 40503u;
            h = (h << 7 | h >> 25) + (uint)index * 2246822519u;
            h ^= storm ? 0x9E3779B9u : 0u;
            h ^= h >> 15;
            h *= 2246822519u;
            h ^= h >> 13;
            return (int)(h & 0x7FFFFFFF);
        }
    }

    private Scenario Build()
    {
        _namespace = Namespaces[_rng.Next(Namespaces.Length)];
        BuildGraph();
        ComputeDistances();

        var (incidents, fallbacks, end) = PlanIncidents();
        foreach (var incident in incidents)
        {
            EmitIncident(incident);
        }

        var truths = incidents.Select(i => i.Truth).ToArray();
        EmitNoiseAnomalies(truths, end);
        EmitNoiseFlappers(truths, end);
        EmitBenignDeploys(truths, end);

        var ordered = _signals.OrderBy(s => s.Signal.Arrival).ThenBy(s => s.Sequence).Select(s => s.Signal).ToArray();
        return new Scenario(_seed, _difficulty, _storm, _namespace, Origin, end, [.. _services], [.. _edges], truths, ordered, fallbacks);
    }

    // ---------------------------------------------------------------- graph

    private void BuildGraph()
    {
        var n = _rng.Next(_profile.MinServices, _profile.MaxServices + 1);
        var frontends = Math.Max(2, (int)Math.Round(n * 0.15));
        var stores = Math.Max(3, (int)Math.Round(n * 0.30));
        var mids = n - frontends - stores;

        var front = TakeNames(FrontendNames, frontends);
        var mid = TakeNames(MidNames, mids);
        var storePicks = Shuffled(StoreNames).ToList();
        var store = new List<(string Name, string Kind)>();
        for (var i = 0; i < stores; i++)
        {
            var (name, kind) = storePicks[i % storePicks.Count];
            store.Add((i < storePicks.Count ? name : $"{name}-{(i / storePicks.Count) + 1}", kind));
        }

        foreach (var name in front)
        {
            AddService(name, Tier.Frontend, string.Empty);
        }

        foreach (var name in mid)
        {
            AddService(name, Tier.Mid, string.Empty);
        }

        foreach (var (name, kind) in store)
        {
            AddService(name, Tier.Store, kind);
        }

        // Each service calls 1–3 services of the tier below; then every lower-tier service gets at least one caller.
        Connect(front, mid);
        Connect(mid, [.. store.Select(s => s.Name)]);
    }

    private void Connect(List<string> callers, List<string> callees)
    {
        foreach (var caller in callers)
        {
            var count = Math.Min(callees.Count, _rng.Next(1, 4));
            foreach (var callee in Shuffled(callees).Take(count))
            {
                AddEdge(caller, callee);
            }
        }

        foreach (var callee in callees)
        {
            if (Dependents(callee).Count > 0)
            {
                continue;
            }

            // The caller with the fewest calls (ties at random) adopts the orphan.
            var fewest = callers.Min(c => Dependencies(c).Count);
            var candidates = callers.Where(c => Dependencies(c).Count == fewest).ToList();
            AddEdge(candidates[_rng.Next(candidates.Count)], callee);
        }
    }

    private void AddService(string name, Tier tier, string storeKind)
    {
        var index = _services.Count;
        var count = _rng.Next(_profile.MinInstances, _profile.MaxInstances + 1);
        var port = tier == Tier.Store ? StorePort(storeKind) : 8080;
        var instances = Enumerable.Range(0, count)
            .Select(k => string.Create(CultureInfo.InvariantCulture, $"10.{(int)tier + 1}.{index}.{10 + k}:{port}"))
            .ToArray();
        var info = new ServiceInfo(name, tier, storeKind, instances);
        _services.Add(info);
        _byName[name] = info;
        _dependencies[name] = [];
        _dependents[name] = [];
    }

    private void AddEdge(string service, string dependsOn)
    {
        if (_dependencies[service].Contains(dependsOn))
        {
            return;
        }

        _edges.Add((service, dependsOn));
        _dependencies[service].Add(dependsOn);
        _dependents[dependsOn].Add(service);
    }

    private List<string> Dependencies(string service) => _dependencies[service];

    private List<string> Dependents(string service) => _dependents[service];

    private void ComputeDistances()
    {
        foreach (var service in _services)
        {
            var distances = new Dictionary<string, int>(StringComparer.Ordinal) { [service.Name] = 0 };
            var queue = new Queue<string>();
            queue.Enqueue(service.Name);
            while (queue.Count > 0)
            {
                var node = queue.Dequeue();
                foreach (var next in _dependencies[node].Concat(_dependents[node]))
                {
                    if (distances.TryAdd(next, distances[node] + 1))
                    {
                        queue.Enqueue(next);
                    }
                }
            }

            _distances[service.Name] = distances;
        }
    }

    /// <summary>The undirected hop distance between two services (int.MaxValue when unconnected).</summary>
    private int Distance(string a, string b) => _distances[a].TryGetValue(b, out var d) ? d : int.MaxValue;

    private int SetDistance(IEnumerable<string> a, IReadOnlyCollection<string> b) => a.Min(x => b.Min(y => Distance(x, y)));

    // ---------------------------------------------------------------- incidents

    private sealed record Symptom(string Service, SymptomKind Kind, DateTimeOffset Onset, double Magnitude, Direction Direction, double AlertProbability);

    private sealed record PlannedIncident(IncidentTruth Truth, List<Symptom> Symptoms, DateTimeOffset? DeployAt);

    private sealed record Shape(string Root, List<(string Service, string Parent, int Hop)> Affected)
    {
        public List<string> Services => [Root, .. Affected.Select(a => a.Service)];
    }

    private (List<PlannedIncident> Incidents, int Fallbacks, DateTimeOffset End) PlanIncidents()
    {
        var categories = BuildCategories(_profile.Incidents);
        var groups = Shuffled(_profile.GroupSizes).ToList();
        var queue = new Queue<IncidentCategory>(categories);
        var incidents = new List<PlannedIncident>();
        var fallbacks = 0;
        var cursor = Origin + Minutes(12, 16);
        var groupNumber = 0;
        var overflow = new List<IncidentCategory>();

        for (var g = 0; g < groups.Count || overflow.Count > 0; g++)
        {
            List<IncidentCategory> members;
            if (g < groups.Count)
            {
                members = [.. Enumerable.Range(0, groups[g]).Select(_ => queue.Dequeue())];
            }
            else
            {
                members = [overflow[0]];
                overflow.RemoveAt(0);
            }

            var shapes = new List<(IncidentCategory Category, Shape Shape)>();
            foreach (var category in members)
            {
                var shape = PlaceShape(category, shapes.Select(s => s.Shape.Services).ToList());
                if (shape is null)
                {
                    fallbacks++;
                    overflow.Add(category);
                    continue;
                }

                shapes.Add((category, shape));
            }

            groupNumber++;
            var groupEnd = cursor;
            for (var i = 0; i < shapes.Count; i++)
            {
                var onset = i == 0 ? cursor : cursor + Between(_profile.MinOffset, _profile.MaxOffset);
                var duration = Between(_profile.MinDuration, _profile.MaxDuration);
                var id = string.Create(CultureInfo.InvariantCulture, $"inc-{incidents.Count + 1:D2}");
                var planned = PlanSymptoms(id, shapes[i].Category, shapes[i].Shape, onset, onset + duration, groupNumber);
                incidents.Add(planned);
                groupEnd = Max(groupEnd, planned.Truth.End);
            }

            cursor = groupEnd + Minutes(20, 30);
        }

        return (incidents, fallbacks, cursor);
    }

    private List<IncidentCategory> BuildCategories(int count)
    {
        // Every category in turn (shuffled per round) so that all appear; a scenario always has a change-induced incident.
        var list = new List<IncidentCategory>();
        while (list.Count < count)
        {
            list.AddRange(Shuffled(Categories));
        }

        list = list.Take(count).ToList();
        if (!list.Contains(IncidentCategory.ChangeInduced))
        {
            list[_rng.Next(list.Count)] = IncidentCategory.ChangeInduced;
        }

        return list;
    }

    private Shape? PlaceShape(IncidentCategory category, List<List<string>> others)
    {
        if (others.Count == 0)
        {
            return DrawShape(category);
        }

        // Far apart as the profile asks; a little closer (never under 3 hops) before giving up on concurrency.
        for (var hops = _profile.MinHopsApart; hops >= 3; hops--)
        {
            for (var attempt = 0; attempt < 300; attempt++)
            {
                var shape = DrawShape(category);
                var services = shape.Services;
                if (others.TrueForAll(o => SetDistance(services, o) >= hops))
                {
                    return shape;
                }
            }
        }

        return null;
    }

    private Shape DrawShape(IncidentCategory category)
    {
        string root = category switch
        {
            IncidentCategory.TrafficDriven => Pick(Tier.Frontend),
            IncidentCategory.ErrorAmplification => Pick(Tier.Mid),
            IncidentCategory.LatencyImpact => _rng.NextDouble() < 0.5 ? Pick(Tier.Mid) : Pick(Tier.Store),
            IncidentCategory.ChangeInduced => _rng.NextDouble() < 0.8 ? Pick(Tier.Mid) : Pick(Tier.Frontend),
            IncidentCategory.ResourceSaturation => Pick(Tier.Store),
            _ => Pick(Tier.Mid),
        };

        var affected = new List<(string Service, string Parent, int Hop)>();
        var seen = new HashSet<string>(StringComparer.Ordinal) { root };
        if (category == IncidentCategory.TrafficDriven)
        {
            // A surge on an entry point flows down to the services it calls.
            foreach (var callee in Shuffled(Dependencies(root)).Take(_rng.Next(1, 3)))
            {
                seen.Add(callee);
                affected.Add((callee, root, 1));
            }

            return new Shape(root, affected);
        }

        // Failures propagate up to the callers: 1–3 direct dependents, then sometimes one of theirs.
        var direct = Dependents(root);
        foreach (var dependent in Shuffled(direct).Take(_rng.Next(1, Math.Min(3, direct.Count) + 1)))
        {
            seen.Add(dependent);
            affected.Add((dependent, root, 1));
        }

        foreach (var (hop1, _, _) in affected.ToArray())
        {
            var callers = Dependents(hop1).Where(c => !seen.Contains(c)).ToList();
            if (callers.Count > 0 && _rng.NextDouble() < 0.6)
            {
                var caller = callers[_rng.Next(callers.Count)];
                seen.Add(caller);
                affected.Add((caller, hop1, 2));
            }
        }

        return new Shape(root, affected);
    }

    private PlannedIncident PlanSymptoms(string id, IncidentCategory category, Shape shape, DateTimeOffset t0, DateTimeOffset end, int group)
    {
        var symptoms = new List<Symptom>();
        var root = shape.Root;
        DateTimeOffset? deployAt = null;
        var firstOnset = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal) { [root] = t0 };

        void Add(string service, SymptomKind kind, DateTimeOffset onset, double minMag, double maxMag, double alert, Direction direction = Direction.Up)
        {
            symptoms.Add(new Symptom(service, kind, onset, Uniform(minMag, maxMag), direction, alert));
            if (!firstOnset.TryGetValue(service, out var first) || onset < first)
            {
                firstOnset[service] = onset;
            }
        }

        DateTimeOffset After(string parent, double minSeconds, double maxSeconds) => firstOnset[parent] + Seconds(minSeconds, maxSeconds);

        switch (category)
        {
            case IncidentCategory.TrafficDriven:
                Add(root, SymptomKind.Traffic, t0, 6, 12, 0.5);
                Add(root, SymptomKind.Latency, t0 + Seconds(30, 90), 3, 7, 0.7);
                Add(root, SymptomKind.Errors, t0 + Seconds(45, 120), 3, 7, 0.7);
                foreach (var (service, parent, _) in shape.Affected)
                {
                    Add(service, SymptomKind.Traffic, After(parent, 5, 20), 4, 9, 0);
                    if (_rng.NextDouble() < 0.6)
                    {
                        Add(service, SymptomKind.Latency, After(parent, 40, 120), 3, 6, 0.5);
                    }
                }

                break;

            case IncidentCategory.ErrorAmplification:
                Add(root, SymptomKind.Traffic, t0, 2, 3.5, 0);
                Add(root, SymptomKind.Errors, t0 + Seconds(5, 40), 8, 15, 1);
                foreach (var (service, parent, hop) in shape.Affected)
                {
                    Add(service, SymptomKind.Errors, After(parent, 20, hop == 1 ? 90 : 60), hop == 1 ? 3 : 2.5, hop == 1 ? 8 : 6, hop == 1 ? 0.7 : 0.5);
                }

                break;

            case IncidentCategory.LatencyImpact:
                Add(root, SymptomKind.Latency, t0, 5, 12, 1);
                foreach (var (service, parent, hop) in shape.Affected)
                {
                    Add(service, SymptomKind.Latency, After(parent, 20, hop == 1 ? 90 : 60), hop == 1 ? 3 : 2.5, hop == 1 ? 8 : 6, hop == 1 ? 0.6 : 0.4);
                    if (hop == 1 && _rng.NextDouble() < 0.3)
                    {
                        Add(service, SymptomKind.Errors, After(parent, 60, 150), 2.5, 5, 0.5);
                    }
                }

                break;

            case IncidentCategory.ChangeInduced:
                deployAt = t0 - Minutes(1, 10);
                Add(root, SymptomKind.Errors, t0, 6, 14, 1);
                if (_rng.NextDouble() < 0.5)
                {
                    Add(root, SymptomKind.Latency, t0 + Seconds(10, 60), 3, 7, 0.5);
                }

                if (_rng.NextDouble() < 0.3)
                {
                    Add(root, SymptomKind.Restarts, t0 + Seconds(5, 30), 4, 9, 1);
                }

                foreach (var (service, parent, hop) in shape.Affected)
                {
                    Add(service, SymptomKind.Errors, After(parent, 20, hop == 1 ? 90 : 60), hop == 1 ? 3 : 2.5, hop == 1 ? 8 : 6, hop == 1 ? 0.7 : 0.5);
                }

                break;

            case IncidentCategory.ResourceSaturation:
                var kinds = SaturationKinds(_byName[root].StoreKind);
                var primary = kinds[_rng.Next(kinds.Count)];
                Add(root, primary, t0, 6, 12, 1, primary == SymptomKind.Disk ? Direction.Down : Direction.Up);
                if (_rng.NextDouble() < 0.5)
                {
                    var secondary = kinds.Where(k => k != primary).ToList();
                    var kind = secondary[_rng.Next(secondary.Count)];
                    Add(root, kind, t0 + Seconds(10, 40), 3, 7, 0.5, kind == SymptomKind.Disk ? Direction.Down : Direction.Up);
                }

                if (_rng.NextDouble() < 0.6)
                {
                    Add(root, SymptomKind.Latency, t0 + Seconds(20, 60), 3, 7, 0.3);
                }

                foreach (var (service, parent, hop) in shape.Affected)
                {
                    Add(service, SymptomKind.Latency, After(parent, hop == 1 ? 30 : 20, hop == 1 ? 120 : 60), hop == 1 ? 3 : 2.5, hop == 1 ? 8 : 6, hop == 1 ? 0.6 : 0.4);
                    if (hop == 1 && _rng.NextDouble() < 0.5)
                    {
                        Add(service, SymptomKind.Errors, After(parent, 60, 150), 2.5, 6, 0.5);
                    }
                }

                break;
        }

        var truth = new IncidentTruth(id, root, category, t0, end, shape.Services, group);
        return new PlannedIncident(truth, symptoms, deployAt);
    }

    private static List<SymptomKind> SaturationKinds(string storeKind) => storeKind switch
    {
        "redis" => [SymptomKind.Cpu, SymptomKind.Memory, SymptomKind.Connections],
        _ => [SymptomKind.Cpu, SymptomKind.Memory, SymptomKind.Connections, SymptomKind.Disk],
    };

    private void EmitIncident(PlannedIncident incident)
    {
        var truth = incident.Truth;
        if (incident.DeployAt is { } deployAt)
        {
            EmitDeploy(truth.Root, deployAt, truth.Id);
        }

        foreach (var symptom in incident.Symptoms)
        {
            var until = Max(symptom.Onset + TimeSpan.FromMinutes(2), truth.End + Seconds(-30, 30));
            EmitAnomaly(symptom.Service, symptom.Kind, symptom.Onset, until, symptom.Magnitude, symptom.Direction, truth.Id);
            if (_rng.NextDouble() < symptom.AlertProbability)
            {
                var service = _byName[symptom.Service];
                foreach (var instance in service.Instances)
                {
                    var startsAt = symptom.Onset + Seconds(15, 45);
                    var flaps = _rng.NextDouble() < _profile.FlapProbability ? _rng.Next(1, _profile.MaxFlaps + 1) : 0;
                    EmitAlert(service, instance, symptom.Kind, startsAt, until + Seconds(0, 60), flaps, truth.Id);
                }
            }
        }
    }

    // ---------------------------------------------------------------- noise and changes

    private void EmitNoiseAnomalies(IncidentTruth[] incidents, DateTimeOffset end)
    {
        for (var i = 0; i < _profile.NoiseAnomalies; i++)
        {
            var group = string.Create(CultureInfo.InvariantCulture, $"noise-{i + 1:D3}");
            var onset = Origin + Minutes(2, (end - Origin).TotalMinutes - 10);
            var service = FreeService(incidents, onset, onset);
            var kinds = NoiseKinds(service);
            var kind = kinds[_rng.Next(kinds.Count)];
            var direction = kind == SymptomKind.Disk ? Direction.Down : _rng.NextDouble() < 0.7 ? Direction.Up : Direction.Down;
            var repeats = _rng.NextDouble() < 0.7 ? 0 : _rng.Next(1, 3);
            var until = onset + Seconds(30, 50) + (GeneratorProfile.AnomalyRepeatInterval * repeats);
            EmitAnomaly(service.Name, kind, onset, until, Uniform(2.5, 8), direction, group);
        }
    }

    private void EmitNoiseFlappers(IncidentTruth[] incidents, DateTimeOffset end)
    {
        SymptomKind[] kinds = [SymptomKind.Latency, SymptomKind.Errors, SymptomKind.Restarts, SymptomKind.Cpu];
        for (var i = 0; i < _profile.NoiseFlappers; i++)
        {
            var group = string.Create(CultureInfo.InvariantCulture, $"noise-flap-{i + 1:D2}");
            var cycles = _rng.Next(2, 3 + _profile.MaxFlaps);
            var startsAt = Origin + Minutes(2, Math.Max(3, (end - Origin).TotalMinutes - 45));
            var span = TimeSpan.FromMinutes(6.5 * cycles);
            var service = FreeService(incidents, startsAt, startsAt + span);
            var instance = service.Instances[_rng.Next(service.Instances.Count)];
            var kind = kinds[_rng.Next(kinds.Length)];

            // Fires for 1–3 minutes, resolves, stays quiet 1.5–5 minutes, fires again: the same fingerprint throughout.
            var flapTimes = new List<DateTimeOffset>();
            var cursor = startsAt;
            for (var c = 0; c < cycles - 1; c++)
            {
                cursor += Minutes(1, 3);
                flapTimes.Add(cursor);
                cursor += Minutes(1.5, 5);
            }

            var stop = cursor + Minutes(1, 3);
            EmitAlertTimeline(service, instance, kind, startsAt, stop, flapTimes, group);
        }
    }

    private void EmitBenignDeploys(IncidentTruth[] incidents, DateTimeOffset end)
    {
        for (var i = 0; i < _profile.BenignDeploys; i++)
        {
            var group = string.Create(CultureInfo.InvariantCulture, $"benign-{i + 1}");
            for (var attempt = 0; ; attempt++)
            {
                var at = Origin + Minutes(2, (end - Origin).TotalMinutes - 5);
                var service = _rng.NextDouble() < 0.7 ? Pick(Tier.Mid) : Pick(Tier.Frontend);
                var clashes = incidents.Any(inc => inc.Services.Contains(service) && at >= inc.Onset - TimeSpan.FromMinutes(30) && at <= inc.End);
                if (!clashes || attempt > 200)
                {
                    EmitDeploy(service, at, group);
                    break;
                }
            }
        }
    }

    private ServiceInfo FreeService(IncidentTruth[] incidents, DateTimeOffset from, DateTimeOffset to)
    {
        var margin = TimeSpan.FromMinutes(5);
        for (var attempt = 0; ; attempt++)
        {
            var service = _services[_rng.Next(_services.Count)];
            var busy = incidents.Any(inc => inc.Services.Contains(service.Name) && to >= inc.Onset - margin && from <= inc.End + margin);
            if (!busy || attempt > 500)
            {
                return service;
            }
        }
    }

    private static List<SymptomKind> NoiseKinds(ServiceInfo service) => service.Tier == Tier.Store
        ? [SymptomKind.Latency, SymptomKind.Cpu, SymptomKind.Memory, SymptomKind.Connections, SymptomKind.Traffic]
        : [SymptomKind.Traffic, SymptomKind.Errors, SymptomKind.Latency, SymptomKind.Cpu, SymptomKind.Memory];

    // ---------------------------------------------------------------- emission

    private void EmitAnomaly(string serviceName, SymptomKind kind, DateTimeOffset onset, DateTimeOffset until, double magnitude, Direction direction, string group)
    {
        var service = _byName[serviceName];
        var metric = MetricName(service, kind);
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["job"] = service.Name,
            ["namespace"] = _namespace,
            ["service"] = service.Name,
        };
        var fingerprint = metric + "{" + string.Join(",", labels.Select(l => $"{l.Key}=\"{l.Value}\"")) + "}";
        var frozen = new Dictionary<string, string>(labels, StringComparer.Ordinal);
        var arrival = onset + Seconds(15, 60);
        var first = true;
        while (first || arrival < until)
        {
            var score = Math.Clamp(1 - Math.Exp(-magnitude / 3) + Uniform(-0.03, 0.03), 0.5, 0.999);
            var mag = first ? magnitude : magnitude * Uniform(0.85, 1.1);
            Emit(new AnomalySignal(fingerprint, metric, onset, frozen, Math.Round(score, 3), direction, Math.Round(mag, 2)), arrival, group);
            arrival += GeneratorProfile.AnomalyRepeatInterval + Seconds(-3, 3);
            first = false;
        }
    }

    private void EmitAlert(ServiceInfo service, string instance, SymptomKind kind, DateTimeOffset startsAt, DateTimeOffset endsAt, int flaps, string group)
    {
        var flapTimes = new List<DateTimeOffset>();
        var span = endsAt - startsAt - TimeSpan.FromMinutes(4);
        if (flaps > 0 && span > TimeSpan.FromMinutes(2))
        {
            flapTimes = [.. Enumerable.Range(0, flaps).Select(_ => startsAt + TimeSpan.FromMinutes(2) + (span * _rng.NextDouble())).Order()];

            // Keep at least four minutes between flaps so each has its quiet gap and its re-fire.
            var kept = new List<DateTimeOffset>();
            foreach (var t in flapTimes)
            {
                if (kept.Count == 0 || t - kept[^1] >= TimeSpan.FromMinutes(4))
                {
                    kept.Add(t);
                }
            }

            flapTimes = kept;
        }

        EmitAlertTimeline(service, instance, kind, startsAt, endsAt, flapTimes, group);
    }

    /// <summary>
    /// Emits one alert's notifications: the first after the rule's <c>for:</c> and the group wait, re-sends every
    /// resend interval, a resolve at each flap followed by a re-fire (new <c>startsAt</c>) after a quiet gap, and a final resolve.
    /// </summary>
    private void EmitAlertTimeline(ServiceInfo service, string instance, SymptomKind kind, DateTimeOffset startsAt, DateTimeOffset endsAt, List<DateTimeOffset> flapTimes, string group)
    {
        var (alertName, severity) = AlertName(service, kind);
        var pod = PodName(service.Name, instance);
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["alertname"] = alertName,
            ["instance"] = instance,
            ["job"] = service.Name,
            ["namespace"] = _namespace,
            ["pod"] = pod,
            ["service"] = service.Name,
            ["severity"] = severity,
        };
        var fingerprint = Fingerprint(labels);
        var frozen = new Dictionary<string, string>(labels, StringComparer.Ordinal);
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["summary"] = $"{alertName} on {service.Name}",
            ["description"] = $"{alertName} is firing for {pod} ({instance}) in namespace {_namespace}.",
            ["runbook_url"] = $"https://runbooks.example.com/{alertName.ToLowerInvariant()}",
        };

        var currentStart = startsAt;
        var arrival = startsAt + TimeSpan.FromSeconds(60) + Seconds(0, 30);
        var flaps = new Queue<DateTimeOffset>(flapTimes);
        while (true)
        {
            var nextFlap = flaps.Count > 0 ? flaps.Peek() : DateTimeOffset.MaxValue;
            var stop = nextFlap < endsAt ? nextFlap : endsAt;
            var fired = false;
            while (arrival < stop)
            {
                Emit(new AlertSignal(fingerprint, alertName, currentStart, frozen, AlertStatus.Firing, null, severity, annotations), arrival, group);
                arrival += _profile.ResendInterval + Seconds(-2, 2);
                fired = true;
            }

            // An alert that never got past its rule's for: period was never sent, so it is never resolved either.
            if (stop == endsAt)
            {
                if (fired)
                {
                    Emit(new AlertSignal(fingerprint, alertName, currentStart, frozen, AlertStatus.Resolved, endsAt, severity, annotations), endsAt + Seconds(5, 30), group);
                }

                return;
            }

            flaps.Dequeue();
            var resolvedAt = stop;
            if (fired)
            {
                Emit(new AlertSignal(fingerprint, alertName, currentStart, frozen, AlertStatus.Resolved, resolvedAt, severity, annotations), resolvedAt + Seconds(1, 10), group);
            }

            var refire = resolvedAt + Seconds(60, 240);
            if (refire >= endsAt)
            {
                return;
            }

            currentStart = refire;
            arrival = refire + Seconds(10, 30);
        }
    }

    private void EmitDeploy(string service, DateTimeOffset at, string group)
    {
        _versionCounter++;
        var version = string.Create(CultureInfo.InvariantCulture, $"v1.{_rng.Next(2, 40)}.{_versionCounter}");
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["namespace"] = _namespace,
            ["service"] = service,
            ["version"] = version,
        };
        Emit(new ChangeSignal($"deploy/{_namespace}/{service}/{version}", $"deploy {service} {version}", at, labels, ChangeKind.Deploy), at + Seconds(0, 5), group);
    }

    private void Emit(Signal signal, DateTimeOffset arrival, string group) =>
        _signals.Add((new LabeledSignal(signal, arrival, group), _sequence++));

    // ---------------------------------------------------------------- names

    /// <summary>The Prometheus metric a symptom shows up in, for the service's tier and technology.</summary>
    internal static string MetricName(ServiceInfo service, SymptomKind kind)
    {
        if (service.Tier != Tier.Store)
        {
            return kind switch
            {
                SymptomKind.Traffic => "http_requests_total",
                SymptomKind.Errors => "http_request_errors_total",
                SymptomKind.Latency => "http_request_duration_seconds",
                SymptomKind.Cpu => "process_cpu_seconds_total",
                SymptomKind.Memory => "container_memory_working_set_bytes",
                SymptomKind.Restarts => "kube_pod_container_status_restarts_total",
                SymptomKind.Connections => "http_server_active_connections",
                _ => "container_fs_usage_bytes",
            };
        }

        return (service.StoreKind, kind) switch
        {
            (_, SymptomKind.Cpu) => "container_cpu_usage_seconds_total",
            ("redis", SymptomKind.Memory) => "redis_memory_used_bytes",
            (_, SymptomKind.Memory) => "container_memory_working_set_bytes",
            (_, SymptomKind.Restarts) => "kube_pod_container_status_restarts_total",
            ("postgres", SymptomKind.Traffic) => "pg_stat_database_xact_commit",
            ("postgres", SymptomKind.Errors) => "pg_stat_database_xact_rollback",
            ("postgres", SymptomKind.Latency) => "pg_stat_statements_mean_exec_time_seconds",
            ("postgres", SymptomKind.Connections) => "pg_stat_activity_count",
            ("mysql", SymptomKind.Traffic) => "mysql_global_status_queries",
            ("mysql", SymptomKind.Errors) => "mysql_global_status_aborted_connects",
            ("mysql", SymptomKind.Latency) => "mysql_perf_schema_events_statements_seconds_total",
            ("mysql", SymptomKind.Connections) => "mysql_global_status_threads_connected",
            ("redis", SymptomKind.Traffic) => "redis_commands_processed_total",
            ("redis", SymptomKind.Errors) => "redis_errors_total",
            ("redis", SymptomKind.Latency) => "redis_commands_duration_seconds_total",
            ("redis", SymptomKind.Connections) => "redis_connected_clients",
            ("kafka", SymptomKind.Traffic) => "kafka_server_brokertopicmetrics_messagesin_total",
            ("kafka", SymptomKind.Errors) => "kafka_server_brokertopicmetrics_failedproducerequests_total",
            ("kafka", SymptomKind.Latency) => "kafka_network_requestmetrics_totaltimems",
            ("kafka", SymptomKind.Connections) => "kafka_server_socketservermetrics_connection_count",
            ("elasticsearch", SymptomKind.Traffic) => "elasticsearch_indices_search_query_total",
            ("elasticsearch", SymptomKind.Errors) => "elasticsearch_thread_pool_rejected_count",
            ("elasticsearch", SymptomKind.Latency) => "elasticsearch_indices_search_query_time_seconds",
            ("elasticsearch", SymptomKind.Connections) => "elasticsearch_thread_pool_queue_count",
            ("elasticsearch", SymptomKind.Disk) => "elasticsearch_filesystem_data_available_bytes",
            ("mongodb", SymptomKind.Traffic) => "mongodb_op_counters_total",
            ("mongodb", SymptomKind.Errors) => "mongodb_asserts_total",
            ("mongodb", SymptomKind.Latency) => "mongodb_op_latencies_latency_total",
            ("mongodb", SymptomKind.Connections) => "mongodb_connections",
            (_, SymptomKind.Disk) => "kubelet_volume_stats_available_bytes",
            _ => "up",
        };
    }

    /// <summary>The alert a symptom fires, with its severity.</summary>
    internal static (string Name, string Severity) AlertName(ServiceInfo service, SymptomKind kind) => kind switch
    {
        SymptomKind.Traffic => ("HighRequestRate", "warning"),
        SymptomKind.Errors => ("HighErrorRate", "critical"),
        SymptomKind.Latency => ("HighLatency", "warning"),
        SymptomKind.Cpu => ("CPUThrottlingHigh", "warning"),
        SymptomKind.Memory => ("ContainerMemoryNearLimit", "warning"),
        SymptomKind.Restarts => ("KubePodCrashLooping", "warning"),
        SymptomKind.Disk => ("KubePersistentVolumeFillingUp", "critical"),
        SymptomKind.Connections => service.StoreKind switch
        {
            "postgres" => ("PostgresqlTooManyConnections", "warning"),
            "mysql" => ("MysqlTooManyConnections", "warning"),
            "redis" => ("RedisTooManyConnections", "warning"),
            "mongodb" => ("MongodbTooManyConnections", "warning"),
            "elasticsearch" => ("ElasticsearchThreadPoolQueueHigh", "warning"),
            "kafka" => ("KafkaTooManyConnections", "warning"),
            _ => ("TooManyConnections", "warning"),
        },
        _ => ("ServiceDegraded", "warning"),
    };

    /// <summary>An Alertmanager-style fingerprint: 64-bit FNV-1a of the sorted label set, as 16 hex digits.</summary>
    internal static string Fingerprint(IEnumerable<KeyValuePair<string, string>> labels)
    {
        var hash = 14695981039346656037UL;
        foreach (var (key, value) in labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            foreach (var b in Encoding.UTF8.GetBytes(key + "\u00ff" + value + "\u00fe"))
            {
                hash ^= b;
                hash *= 1099511628211UL;
            }
        }

        return hash.ToString("x16", CultureInfo.InvariantCulture);
    }

    private static string PodName(string service, string instance)
    {
        var h = Fingerprint([new KeyValuePair<string, string>(service, instance)]);
        return $"{service}-{h[..9]}-{h[9..14]}";
    }

    private static int StorePort(string kind) => kind switch
    {
        "postgres" => 9187,
        "mysql" => 9104,
        "redis" => 9121,
        "kafka" => 9308,
        "elasticsearch" => 9114,
        "mongodb" => 9216,
        _ => 9100,
    };

    // ---------------------------------------------------------------- randomness

    private List<string> TakeNames(string[] pool, int count)
    {
        var shuffled = Shuffled(pool).ToList();
        var names = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var name = shuffled[i % shuffled.Count];
            names.Add(i < shuffled.Count ? name : string.Create(CultureInfo.InvariantCulture, $"{name}-{(i / shuffled.Count) + 1}"));
        }

        return names;
    }

    private string Pick(Tier tier)
    {
        var candidates = _services.Where(s => s.Tier == tier).ToList();
        return candidates[_rng.Next(candidates.Count)].Name;
    }

    private T[] Shuffled<T>(IEnumerable<T> items)
    {
        var array = items.ToArray();
        for (var i = array.Length - 1; i > 0; i--)
        {
            var j = _rng.Next(i + 1);
            (array[i], array[j]) = (array[j], array[i]);
        }

        return array;
    }

    private double Uniform(double min, double max) => min + ((max - min) * _rng.NextDouble());

    private TimeSpan Seconds(double min, double max) => TimeSpan.FromSeconds(Math.Round(Uniform(min, max), 1));

    private TimeSpan Minutes(double min, double max) => TimeSpan.FromSeconds(Math.Round(Uniform(min, max) * 60, 1));

    private TimeSpan Between(TimeSpan min, TimeSpan max) => TimeSpan.FromSeconds(Math.Round(Uniform(min.TotalSeconds, max.TotalSeconds), 1));

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
