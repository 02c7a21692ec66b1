using Aiops.Correlation;
using BenchmarkDotNet.Attributes;

namespace Aiops.Benchmarks;

/// <summary>
/// Signals per second through <see cref="Correlator.Add"/> while 10,000 episodes are open (one per service), per signal:
/// <see cref="StormRepeats"/> replays alert notifications already in episodes (the Alertmanager storm case);
/// <see cref="NewSignals"/> sends first occurrences, 90 % joining an open episode and 10 % opening a new one.
/// Run: <c>dotnet run -c Release --project benchmarks/Aiops.Benchmarks -- --filter '*CorrelatorBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
public class CorrelatorBenchmarks
{
    private const int OpenEpisodes = 10_000;
    private const int Signals = 100_000;
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly SettableClock _clock = new() { Now = Start };
    private Signal[] _repeats = [];
    private Signal[] _fresh = [];
    private Correlator _correlator = null!;

    /// <summary>Builds the signal streams.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _repeats = [.. Enumerable.Range(0, Signals).Select(i => Alert(i % OpenEpisodes, i % 7))];
        _fresh = [.. Enumerable.Range(0, Signals).Select(i => Anomaly(i % 10 == 0 ? OpenEpisodes + i : i % OpenEpisodes, i))];
    }

    /// <summary>A correlator with 10,000 open episodes, each already holding the seven alerts the storm repeats.</summary>
    [IterationSetup]
    public void OpenTenThousandEpisodes()
    {
        // Each service its own episode (no graph, grouping by time off): 10,000 open episodes to search, the worst case of the indexes.
        _correlator = new Correlator(new CorrelatorOptions { MaxOpenEpisodes = 1_000_000, GroupAnomaliesByTimeWithoutGraph = false }, timeProvider: _clock);
        for (var i = 0; i < OpenEpisodes * 7; i++)
        {
            _correlator.Add(Alert(i % OpenEpisodes, i / OpenEpisodes));
        }
    }

    /// <summary>Repeated notifications of alerts already in episodes.</summary>
    /// <returns>A checksum.</returns>
    [Benchmark(OperationsPerInvoke = Signals)]
    public int StormRepeats() => Run(_repeats);

    /// <summary>First occurrences: joins and new episodes.</summary>
    /// <returns>A checksum.</returns>
    [Benchmark(OperationsPerInvoke = Signals)]
    public int NewSignals() => Run(_fresh);

    private int Run(Signal[] signals)
    {
        var sum = 0;
        foreach (var signal in signals)
        {
            sum += (int)_correlator.Add(signal).Outcome;
        }

        return sum;
    }

    private static AlertSignal Alert(int service, int alert) => new(
        $"alert-{service}-{alert}",
        $"Alert{alert}",
        Start,
        new Dictionary<string, string> { ["service"] = $"svc-{service}", ["namespace"] = "prod" },
        AlertStatus.Firing,
        null,
        "warning",
        new Dictionary<string, string>());

    private static AnomalySignal Anomaly(int service, int n) => new(
        $"anomaly-{service}-{n}",
        "http_request_errors_total",
        Start,
        new Dictionary<string, string> { ["service"] = $"svc-{service}", ["namespace"] = "prod" },
        0.99,
        Direction.Up,
        4);
}
