using System.Globalization;
using Aiops.Correlation;

namespace Aiops.Benchmarks;

/// <summary>
/// What a fleet's background of false onsets makes of episodes when no dependency graph is declared: a day of anomalies on
/// 1,000 services, Poisson onsets at a few rates a minute (the configured one false onset per series per week is about one a
/// minute for 10,000 series), each ended 30 to 120 s after it started, ticks every 10 s; grouped per service
/// (<see cref="CorrelatorOptions.GroupAnomaliesByTimeWithoutGraph"/> off) and by time (on). Seeded, deterministic.
/// Run: <c>dotnet run -c Release --project benchmarks/Aiops.Benchmarks -- fleet-noise</c>.
/// </summary>
internal static class FleetNoiseReport
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static void Print(TextWriter output)
    {
        output.WriteLine("| onsets a minute | grouping | anomalies | episodes | fired | most members | longest episode (min) |");
        output.WriteLine("|---:|---|---:|---:|---:|---:|---:|");
        foreach (var perMinute in new[] { 0.1, 1.0, 3.0 })
        {
            foreach (var byTime in new[] { false, true })
            {
                var (anomalies, episodes) = Simulate(perMinute, byTime, TimeSpan.FromDays(1), seed: 7);
                output.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"| {perMinute} | {(byTime ? "by time" : "per service")} | {anomalies} | {episodes.Count} | {episodes.Count(e => e.Transitions.Any(t => t.To == EpisodeState.Firing))} | {episodes.Max(e => e.Members.Count)} | {episodes.Max(e => (e.Transitions[^1].At - e.OpenedAt).TotalMinutes):0} |"));
            }
        }
    }

    /// <summary>Runs the simulation; returns the anomalies sent and every episode that was not merged, as last seen.</summary>
    public static (int Anomalies, IReadOnlyList<Episode> Episodes) Simulate(double perMinute, bool byTime, TimeSpan length, int seed)
    {
        var clock = new SettableClock { Now = Start };
        var correlator = new Correlator(new CorrelatorOptions { GroupAnomaliesByTimeWithoutGraph = byTime }, timeProvider: clock);
        var random = new Random(seed);
        var ending = new List<(DateTimeOffset At, AnomalySignal Signal)>();
        var seen = new Dictionary<string, Episode>(StringComparer.Ordinal);
        var anomalies = 0;
        for (var second = 0; second < length.TotalSeconds; second++)
        {
            var now = Start.AddSeconds(second);
            clock.Now = now;
            if (random.NextDouble() < perMinute / 60)
            {
                var labels = new Dictionary<string, string> { ["service"] = $"svc-{random.Next(1000)}" };
                var signal = new AnomalySignal($"noise-{anomalies++}", "cpu_usage", now, labels, 0.99, Direction.Up, 5);
                correlator.Add(signal);
                ending.Add((now.AddSeconds(30 + random.Next(90)), signal));
            }

            for (var i = ending.Count - 1; i >= 0; i--)
            {
                if (ending[i].At <= now)
                {
                    correlator.Add(ending[i].Signal with { EndedAt = now });
                    ending.RemoveAt(i);
                }
            }

            if (second % 10 == 0)
            {
                correlator.Tick();
                foreach (var episode in correlator.DrainChanged())
                {
                    seen[episode.Id] = episode;
                }
            }
        }

        foreach (var episode in correlator.DrainChanged())
        {
            seen[episode.Id] = episode;
        }

        return (anomalies, [.. seen.Values.Where(e => e.MergedInto is null)]);
    }
}
