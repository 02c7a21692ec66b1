using Aiops.Correlation;

namespace Aiops.Benchmarks;

/// <summary>
/// Retained bytes per open episode (10,000 episodes of 7 alert members each, the signals included), and the retained
/// bytes once they have resolved and aged out of the reopen window.
/// Run: <c>dotnet run -c Release --project benchmarks/Aiops.Benchmarks -- state</c>.
/// </summary>
internal static class CorrelatorMemoryReport
{
    public static void Print(TextWriter output)
    {
        const int episodes = 10_000;
        var start = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var clock = new SettableClock { Now = start };
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var correlator = new Correlator(new CorrelatorOptions { MaxOpenEpisodes = 1_000_000 }, timeProvider: clock);
        for (var i = 0; i < episodes * 7; i++)
        {
            var service = i % episodes;
            var alert = i / episodes;
            correlator.Add(new AlertSignal(
                $"alert-{service}-{alert}",
                $"Alert{alert}",
                start,
                new Dictionary<string, string> { ["service"] = $"svc-{service}", ["namespace"] = "prod" },
                AlertStatus.Firing,
                null,
                "warning",
                new Dictionary<string, string>()));
        }

        var open = GC.GetTotalMemory(forceFullCollection: true) - before;
        output.WriteLine();
        output.WriteLine("| correlator | retained bytes |");
        output.WriteLine("|---|---:|");
        output.WriteLine($"| per open episode (7 alert members, signals included), {correlator.OpenCount:N0} open | {open / episodes:N0} |");

        for (var i = 0; i < episodes * 7; i++)
        {
            correlator.Add(new AlertSignal($"alert-{i % episodes}-{i / episodes}", "resolved", start, new Dictionary<string, string>(), AlertStatus.Resolved, start, null, new Dictionary<string, string>()));
        }

        clock.Now += TimeSpan.FromMinutes(6);
        correlator.Tick(); // resolves every episode
        _ = correlator.DrainChanged();
        clock.Now += TimeSpan.FromMinutes(11);
        correlator.Tick(); // past the reopen window: forgotten
        var aged = GC.GetTotalMemory(forceFullCollection: true) - before;
        output.WriteLine($"| all {episodes:N0} after resolving and ageing out ({correlator.OpenCount} open) | {aged:N0} in total |");
        GC.KeepAlive(correlator);
    }
}
