using System.Globalization;

namespace Aiops.Rca.Eval;

/// <summary>
/// The command line: <c>[--topology online-boutique|train-ticket|all] [--cases N] [--controls N] [--seed S]
/// [--false-alarms-per-week R] [--no-roles] [--no-graph] [--details] [--trace FILE]</c>, or <c>replay</c> / <c>export</c> for
/// recorded cases (<see cref="ReplayCli"/>). Prints, per topology, AC@1, AC@3 and Avg@5 per fault type and overall for
/// Aiops, BARO and NSigma, the detection rate and median time to detect, and the false incidents on fault-free data.
/// </summary>
internal static class RcaCli
{
    /// <summary>Exit code: success.</summary>
    public const int Success = 0;

    /// <summary>Exit code: a bad command line.</summary>
    public const int UsageError = 2;

    private const string Usage =
        "usage: Aiops.Rca.Eval [--topology online-boutique|train-ticket|all] [--cases N] [--controls N] [--seed S] [--false-alarms-per-week R] [--no-roles] [--no-graph] [--details] [--trace FILE]";

    /// <summary>Runs the benchmark.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        switch (args.Count > 0 ? args[0] : null)
        {
            case "replay":
                return ReplayCli.Replay([.. args.Skip(1)], stdout, stderr);
            case "export":
                return ReplayCli.Export([.. args.Skip(1)], stdout, stderr);
        }

        var topologies = new List<Func<Topology>> { Topology.OnlineBoutique, Topology.TrainTicket };
        int perFault = 10, controls = 10, seed = 1;
        double? falseAlarms = null;
        var roles = true;
        var graph = true;
        var details = false;
        string? tracePath = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var value = i + 1 < args.Count ? args[i + 1] : null;
            switch (arg)
            {
                case "--topology" when value is "online-boutique":
                    topologies = [Topology.OnlineBoutique];
                    i++;
                    break;
                case "--topology" when value is "train-ticket":
                    topologies = [Topology.TrainTicket];
                    i++;
                    break;
                case "--topology" when value is "all":
                    i++;
                    break;
                case "--cases" when int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out perFault) && perFault >= 1:
                case "--controls" when int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out controls) && controls >= 0:
                case "--seed" when int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out seed):
                    i++;
                    break;
                case "--false-alarms-per-week" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && rate is >= 0.001 and <= 100_000:
                    falseAlarms = rate;
                    i++;
                    break;
                case "--no-roles":
                    roles = false;
                    break;
                case "--no-graph":
                    graph = false;
                    break;
                case "--details":
                    details = true;
                    break;
                case "--trace" when value is not null:
                    tracePath = value;
                    i++;
                    break;
                default:
                    stderr.WriteLine($"error: unknown or invalid argument '{arg}'{(value is null ? string.Empty : $" '{value}'")}.");
                    stderr.WriteLine(Usage);
                    return UsageError;
            }
        }

        using var trace = tracePath is null ? null : new StreamWriter(tracePath);
        var settings = new RunSettings(falseAlarms, roles, trace, graph);
        foreach (var make in topologies)
        {
            var topology = make();
            var report = Benchmark.Run(topology, perFault, controls, seed, settings, details ? (r, d) => Detail(r, d, stdout) : null);
            Print(report, settings, perFault, stdout);
        }

        return Success;
    }

    private static void Print(TopologyReport report, RunSettings settings, int perFault, TextWriter o)
    {
        var t = report.Topology;
        o.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"## {t.Name}: {t.Services.Count} services, {5 * t.Services.Count} series at 1 s; {perFault} cases per fault, {report.Controls.Count} controls; detector sensitivity {(settings.FalseAlarmsPerWeek is { } rate ? rate.ToString("0.######", CultureInfo.InvariantCulture) : "default (1)")} false onset per series-week; roles {(settings.DeclareRoles ? "configured" : "from names only")}; call graph {(settings.DeclareGraph ? "declared" : "not declared")}; signals from the core AnomalySignalBridge (defaults)"));
        o.WriteLine();
        o.WriteLine("| fault | n | Aiops AC@1 | AC@3 | Avg@5 | BARO AC@1 | AC@3 | Avg@5 | NSigma AC@1 | AC@3 | Avg@5 | detected | TTD median |");
        o.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var fault in Benchmark.FaultKinds.Cast<FaultKind?>().Append(null))
        {
            var rows = report.Faults.Where(r => fault is null || r.Case.Fault == fault).ToList();
            if (rows.Count == 0)
            {
                continue;
            }

            var a = report.Score(r => r.Aiops.Ranking, fault);
            var b = report.Score(r => r.Baro, fault);
            var s = report.Score(r => r.NSigma, fault);
            var detected = rows.Where(r => r.Aiops.TimeToDetect is not null).Select(r => r.Aiops.TimeToDetect!.Value.TotalSeconds).Order().ToList();
            var ttd = detected.Count == 0 ? "-" : F(detected[detected.Count / 2], "0") + " s";
            var name = fault?.ToString() ?? "**overall**";
            o.WriteLine($"| {name} | {rows.Count} | {F(a.Ac1)} | {F(a.Ac3)} | **{F(a.Avg5)}** | {F(b.Ac1)} | {F(b.Ac3)} | **{F(b.Avg5)}** | {F(s.Ac1)} | {F(s.Ac3)} | {F(s.Avg5)} | {detected.Count}/{rows.Count} | {ttd} |");
        }

        o.WriteLine();
        var (aiops, baro) = (report.Score(r => r.Aiops.Ranking).Avg5, report.Score(r => r.Baro).Avg5);
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Overall Avg@5: Aiops {F(aiops, "0.000")}, BARO {F(baro, "0.000")} (Aiops − BARO {F(aiops - baro, "+0.000;-0.000;0.000")}); random order of {t.Services.Count} services {F(RcaMetrics.RandomAverageAt(t.Services.Count, 5))}."));
        var quiet = report.Controls.Count == 0 ? "no controls run" : $"{report.Controls.Count(c => c.Episodes == 0)}/{report.Controls.Count} ({F(100 * report.QuietControls, "0")} %)";
        o.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Controls that opened no episode: {quiet}; false incidents per hour of fault-free data (controls + every run before its onset, {F(report.Hours, "0.0")} h): {F(report.FalseIncidentsPerHour, "0.0")}."));
        var unpaged = report.Controls.Count == 0 ? "no controls run" : $"{report.Controls.Count(c => c.Paged == 0)}/{report.Controls.Count} ({F(100 * report.UnpagedControls, "0")} %)";
        o.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Controls that paged nothing (no episode fired; none pending at the end with an anomaly not ended): {unpaged}; false pages per hour of fault-free data: {F(report.FalsePagesPerHour, "0.0")}."));
        o.WriteLine();
    }

    private static void Detail(CaseResult r, CaseData data, TextWriter o)
    {
        o.WriteLine($"{r.Case}: Aiops #{Position(r.Aiops.Ranking, r.Case.Target!)} [{Top(r.Aiops.Ranking)}] BARO [{Top(r.Baro)}] ttd {r.Aiops.TimeToDetect?.TotalSeconds.ToString("0", CultureInfo.InvariantCulture) ?? "-"} s, episodes before onset {r.Aiops.EpisodesBeforeOnset}");
        o.WriteLine("    BARO top series: " + string.Join(", ", Baselines.BaroSeries(data, data.Onset).Take(4).Select(s =>
            string.Create(CultureInfo.InvariantCulture, $"{s.Series.Service}/{s.Series.Metric} {s.Score:0.0} at +{s.At - data.Onset} s"))));
        if (r.Aiops.Chosen is { } episode)
        {
            o.WriteLine("    Aiops strongest signals: " + string.Join(", ", episode.Members.Where(m => m.Signal is Aiops.Correlation.AnomalySignal)
                .OrderByDescending(m => ((Aiops.Correlation.AnomalySignal)m.Signal).Magnitude).Take(6)
                .Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Entity}/{m.Signal.Name} {((Aiops.Correlation.AnomalySignal)m.Signal).Magnitude:0.0} at {(m.Signal.Onset - data.At(data.Onset)).TotalSeconds:+0;-0} s r{m.Repeats} {(m.LastSeen - m.FirstSeen).TotalSeconds:0}s"))));
        }

        if (r.Aiops.Chosen?.RootCause is { } rc)
        {
            o.WriteLine("    " + rc.Explanation);
        }
    }

    /// <summary>Where <paramref name="target"/> ranks (1-based), or "-" when it is not ranked.</summary>
    internal static string Position(IReadOnlyList<string> ranking, string target)
    {
        var at = ranking.ToList().IndexOf(target);
        return at < 0 ? "-" : (at + 1).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The first three of a ranking, most likely first.</summary>
    internal static string Top(IReadOnlyList<string> ranking) => ranking.Count == 0 ? "(none)" : string.Join(" > ", ranking.Take(3));

    /// <summary>A number in the invariant culture.</summary>
    internal static string F(double value, string format = "0.00") => value.ToString(format, CultureInfo.InvariantCulture);
}
