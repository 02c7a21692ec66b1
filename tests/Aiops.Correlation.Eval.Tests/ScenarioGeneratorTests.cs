namespace Aiops.Correlation.Eval.Tests;

public sealed class ScenarioGeneratorTests
{
    public static TheoryData<Difficulty, bool> Settings => new()
    {
        { Difficulty.Easy, false },
        { Difficulty.Medium, false },
        { Difficulty.Hard, false },
        { Difficulty.Hard, true },
    };

    private static IEnumerable<Scenario> Many(Difficulty difficulty, bool storm, int count = 6) =>
        Enumerable.Range(0, count).Select(i => ScenarioGenerator.Generate(ScenarioGenerator.ScenarioSeed(7, difficulty, i, storm), difficulty, storm));

    [Theory]
    [MemberData(nameof(Settings))]
    public void Generate_SameSeed_SameStream(Difficulty difficulty, bool storm)
    {
        var a = ScenarioGenerator.Generate(42, difficulty, storm);
        var b = ScenarioGenerator.Generate(42, difficulty, storm);

        Assert.Equal(Describe(a), Describe(b));
        Assert.Equal(a.Edges, b.Edges);
        Assert.Equal(a.Incidents.Select(i => (i.Id, i.Root, i.Category, i.Onset, i.End)), b.Incidents.Select(i => (i.Id, i.Root, i.Category, i.Onset, i.End)));
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void Generate_DifferentSeed_DifferentStream(Difficulty difficulty, bool storm)
    {
        var a = ScenarioGenerator.Generate(42, difficulty, storm);
        var b = ScenarioGenerator.Generate(43, difficulty, storm);

        Assert.NotEqual(Describe(a), Describe(b));
    }

    [Fact]
    public void ScenarioSeed_DistinctInputs_DistinctSeeds()
    {
        var seeds = new HashSet<int>();
        foreach (var difficulty in new[] { Difficulty.Easy, Difficulty.Medium, Difficulty.Hard })
        {
            for (var i = 0; i < 50; i++)
            {
                Assert.True(seeds.Add(ScenarioGenerator.ScenarioSeed(1, difficulty, i, storm: false)));
                Assert.True(seeds.Add(ScenarioGenerator.ScenarioSeed(1, difficulty, i, storm: true)));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void Generate_EveryIncident_RootSignalHasEarliestOnset(Difficulty difficulty, bool storm)
    {
        foreach (var scenario in Many(difficulty, storm))
        {
            foreach (var incident in scenario.Incidents)
            {
                var signals = scenario.Signals.Where(s => s.Group == incident.Id).ToList();
                Assert.NotEmpty(signals);
                var earliestRoot = signals.Where(s => s.Service == incident.Root && !s.IsChange).Min(s => s.Signal.Onset);
                var earliestOther = signals.Where(s => s.Service != incident.Root).Select(s => s.Signal.Onset).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
                Assert.Equal(incident.Onset, earliestRoot);
                Assert.True(earliestRoot < earliestOther, $"seed {scenario.Seed} {incident.Id}: a non-root signal starts before the root's");
                Assert.All(signals, s => Assert.Contains(s.Service, incident.Services));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void Generate_Stream_TimeOrderedAndArrivesAfterOnset(Difficulty difficulty, bool storm)
    {
        foreach (var scenario in Many(difficulty, storm, 3))
        {
            for (var i = 1; i < scenario.Signals.Count; i++)
            {
                Assert.True(scenario.Signals[i - 1].Arrival <= scenario.Signals[i].Arrival);
            }

            Assert.All(scenario.Signals, s => Assert.True(s.Arrival >= s.Signal.Onset, $"{s.Signal.Name} arrives before its onset"));
            Assert.All(scenario.Signals, s => Assert.True(s.Arrival >= scenario.Start));
        }
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void Generate_Fingerprints_OneOccurrenceOneGroupAndStormsRepeat(Difficulty difficulty, bool storm)
    {
        foreach (var scenario in Many(difficulty, storm, 3))
        {
            // A fingerprint is a label set, so it comes back in later, unrelated occurrences (Alertmanager and series keys
            // work so); within one occurrence (same fingerprint and onset) every repeat belongs to the same group.
            var occurrences = scenario.Signals.GroupBy(s => (s.Signal.Fingerprint, s.Signal.Onset)).ToList();
            Assert.All(occurrences, g => Assert.Single(g.Select(s => s.Group).Distinct()));

            // Alert storms: every incident's alerts are re-sent many times with the same fingerprint, and end resolved.
            foreach (var incident in scenario.Incidents)
            {
                var alerts = scenario.Signals.Where(s => s.Group == incident.Id && s.Signal is AlertSignal).GroupBy(s => s.Signal.Fingerprint, StringComparer.Ordinal).ToList();
                Assert.NotEmpty(alerts);
                Assert.Contains(alerts, g => g.Count() >= 5);
                Assert.All(alerts, g => Assert.Equal(AlertStatus.Resolved, ((AlertSignal)g.Last().Signal).Status));
                Assert.All(alerts, g => Assert.NotNull(((AlertSignal)g.Last().Signal).EndsAt));
            }

            Assert.Contains(occurrences, g => g.Key.Fingerprint.Length == 16 && g.Count() >= (storm ? 40 : 10));
        }
    }

    [Fact]
    public void Generate_Hard_HasFlappingAlerts()
    {
        var flapping = Many(Difficulty.Hard, storm: false).Sum(scenario => scenario.Signals
            .Where(s => s.Signal is AlertSignal)
            .GroupBy(s => s.Signal.Fingerprint, StringComparer.Ordinal)
            .Count(g => Flaps(g.Select(s => (AlertSignal)s.Signal).ToList()) > 0));

        Assert.True(flapping >= 6, $"only {flapping} flapping alerts");
    }

    [Fact]
    public void Generate_FlappingAlert_RefiresWithNewStartsAt()
    {
        var flapper = Many(Difficulty.Hard, storm: false)
            .SelectMany(s => s.Signals.Where(x => x.Signal is AlertSignal).GroupBy(x => x.Signal.Fingerprint, StringComparer.Ordinal))
            .Select(g => g.Select(x => (AlertSignal)x.Signal).ToList())
            .First(g => Flaps(g) > 0);

        var resolveIndex = flapper.FindIndex(a => a.Status == AlertStatus.Resolved);
        var refire = flapper[resolveIndex + 1];
        Assert.Equal(AlertStatus.Firing, refire.Status);
        Assert.True(refire.Onset > flapper[resolveIndex].EndsAt, "a re-fire starts after the resolve");
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void Generate_Deploys_OneCausesAnIncidentOneIsBenign(Difficulty difficulty, bool storm)
    {
        foreach (var scenario in Many(difficulty, storm, 3))
        {
            var changeInduced = scenario.Incidents.Where(i => i.Category == IncidentCategory.ChangeInduced).ToList();
            Assert.NotEmpty(changeInduced);
            foreach (var incident in changeInduced)
            {
                var deploy = Assert.Single(scenario.Signals, s => s.Group == incident.Id && s.IsChange);
                Assert.Equal(incident.Root, deploy.Service);
                var lead = incident.Onset - deploy.Signal.Onset;
                Assert.InRange(lead, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(10));
                Assert.Equal(ChangeKind.Deploy, ((ChangeSignal)deploy.Signal).Change);
            }

            var benign = scenario.Signals.Where(s => s.Group.StartsWith("benign-", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(benign);
            Assert.All(benign, b => Assert.True(b.IsChange));
            Assert.All(benign, b => Assert.DoesNotContain(scenario.Incidents, i =>
                i.Services.Contains(b.Service) && b.Signal.Onset >= i.Onset - TimeSpan.FromMinutes(30) && b.Signal.Onset <= i.End));
        }
    }

    [Theory]
    [InlineData(Difficulty.Medium, 4)]
    [InlineData(Difficulty.Hard, 3)]
    public void Generate_ConcurrentIncidents_FarApartAndOverlapping(Difficulty difficulty, int minHops)
    {
        var overlapping = 0;
        foreach (var scenario in Many(difficulty, storm: false))
        {
            foreach (var group in scenario.Incidents.GroupBy(i => i.ConcurrencyGroup).Where(g => g.Count() > 1))
            {
                var list = group.ToList();
                for (var i = 0; i < list.Count; i++)
                {
                    for (var j = i + 1; j < list.Count; j++)
                    {
                        var hops = list[i].Services.Min(a => list[j].Services.Min(b => Analysis.Distance(scenario.Graph, a, b)));

                        // The profile asks for minHops and falls back to 3 before giving up on concurrency.
                        Assert.True(hops >= Math.Min(3, minHops), $"seed {scenario.Seed}: {list[i].Id} and {list[j].Id} are {hops} hops apart");
                        if (list[i].Onset < list[j].End && list[j].Onset < list[i].End)
                        {
                            overlapping++;
                        }
                    }
                }
            }

            var distinct = scenario.Incidents.Select(i => i.Category).Distinct().Count();
            Assert.True(distinct >= 4, $"seed {scenario.Seed}: only {distinct} categories");
        }

        Assert.True(overlapping >= 6, $"only {overlapping} overlapping pairs");
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void Generate_Graph_ThreeTiersEveryServiceCalled(Difficulty difficulty, bool storm)
    {
        var profile = GeneratorProfile.For(difficulty, storm);
        foreach (var scenario in Many(difficulty, storm, 3))
        {
            Assert.InRange(scenario.Services.Count, profile.MinServices, profile.MaxServices);
            var tiers = scenario.Services.ToDictionary(s => s.Name, s => s.Tier);
            Assert.All(scenario.Edges, e => Assert.Equal(tiers[e.Service] + 1, tiers[e.DependsOn]));
            Assert.All(scenario.Services.Where(s => s.Tier != Tier.Store), s => Assert.NotEmpty(scenario.Graph.DependenciesOf(s.Name)));
            Assert.All(scenario.Services.Where(s => s.Tier != Tier.Frontend), s => Assert.NotEmpty(scenario.Graph.DependentsOf(s.Name)));
        }
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void Generate_Signals_LookLikePrometheus(Difficulty difficulty, bool storm)
    {
        foreach (var scenario in Many(difficulty, storm, 2))
        {
            Assert.All(scenario.Signals, s =>
            {
                Assert.False(string.IsNullOrEmpty(s.Signal.Label("service")));
                Assert.Equal(scenario.Namespace, s.Signal.Label("namespace"));
                Assert.Matches("^[a-zA-Z_][a-zA-Z0-9_]*$|^deploy ", s.Signal.Name);
            });
            Assert.All(scenario.Signals.Select(s => s.Signal).OfType<AnomalySignal>(), a =>
            {
                Assert.InRange(a.PeakScore, 0.0, 1.0);
                Assert.True(a.Magnitude > 0);
                Assert.NotEqual(Direction.None, a.Direction);
                Assert.StartsWith(a.Name + "{", a.Fingerprint, StringComparison.Ordinal);
            });
            Assert.All(scenario.Signals.Select(s => s.Signal).OfType<AlertSignal>(), a =>
            {
                Assert.Equal(a.Name, a.Label("alertname"));
                Assert.Matches("^[0-9a-f]{16}$", a.Fingerprint);
                Assert.NotNull(a.Severity);
            });
            Assert.Contains(scenario.Signals, s => s.Signal.Name == "http_request_errors_total");
        }
    }

    [Fact]
    public void Generate_Hard_HarderThanEasy()
    {
        var easy = Many(Difficulty.Easy, storm: false).ToList();
        var hard = Many(Difficulty.Hard, storm: false).ToList();

        Assert.True(hard.Average(s => s.Services.Count) > easy.Average(s => s.Services.Count));
        Assert.True(hard.Average(s => s.Incidents.Count) > easy.Average(s => s.Incidents.Count));
        Assert.True(Noise(hard) > 3 * Noise(easy));
        Assert.True(hard.Max(s => s.Incidents.GroupBy(i => i.ConcurrencyGroup).Max(g => g.Count())) >= 3);

        static double Noise(List<Scenario> scenarios) => scenarios.Average(s => s.Signals.Count(x => x.Group.StartsWith("noise-", StringComparison.Ordinal)));
    }

    [Fact]
    public void Generate_Storm_LongerAndDenserThanNormal()
    {
        var normal = ScenarioGenerator.Generate(5, Difficulty.Hard, storm: false);
        var storm = ScenarioGenerator.Generate(5, Difficulty.Hard, storm: true);

        Assert.True(storm.Signals.Count > 3 * normal.Signals.Count, $"{storm.Signals.Count} vs {normal.Signals.Count}");
    }

    private static int Flaps(List<AlertSignal> alerts)
    {
        var flaps = 0;
        for (var i = 1; i < alerts.Count; i++)
        {
            if (alerts[i - 1].Status == AlertStatus.Resolved && alerts[i].Status == AlertStatus.Firing)
            {
                flaps++;
            }
        }

        return flaps;
    }

    private static List<string> Describe(Scenario scenario) =>
        [.. scenario.Signals.Select(s => $"{s.Arrival:O}|{s.Signal.Onset:O}|{s.Group}|{s.Signal.Fingerprint}|{s.Signal.Name}|{string.Join(",", s.Signal.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))}|{s.Signal switch { AnomalySignal a => $"{a.PeakScore}/{a.Magnitude}/{a.Direction}", AlertSignal a => $"{a.Status}/{a.EndsAt:O}", _ => string.Empty }}")];
}
