using System.Globalization;
using static Aiops.Rca.Eval.RcaCli;

namespace Aiops.Rca.Eval;

/// <summary>
/// <c>replay --data DIR [--graph FILE] [--details]</c>: runs recorded incidents (<see cref="RecordedCases"/>) through the same
/// path as the generated ones (the default ensemble per series, the core bridge, a correlator with the graph if one is given),
/// and prints AC@1, AC@3 and Avg@5 for Aiops, BARO and NSigma (both given the onset) over the cases whose root cause is
/// known. <c>export --topology online-boutique|train-ticket --cases N [--seed S] --out DIR</c>: writes generated fault cases
/// in that layout (no change events: a recording of metrics has none).
/// </summary>
internal static class ReplayCli
{
    private const string ReplayUsage = "usage: Aiops.Rca.Eval replay --data DIR [--graph FILE] [--details]";
    private const string ExportUsage = "usage: Aiops.Rca.Eval export --topology online-boutique|train-ticket --cases N [--seed S] --out DIR";

    /// <summary>Runs <c>replay</c>.</summary>
    public static int Replay(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        string? data = null, graph = null;
        var details = false;
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : null;
            switch (args[i])
            {
                case "--data" when value is not null:
                    data = value;
                    i++;
                    break;
                case "--graph" when value is not null:
                    graph = value;
                    i++;
                    break;
                case "--details":
                    details = true;
                    break;
                default:
                    return Usage(stderr, args[i], ReplayUsage);
            }
        }

        if (data is null || !Directory.Exists(data))
        {
            stderr.WriteLine(data is null ? "error: --data is required." : $"error: no directory '{data}'.");
            stderr.WriteLine(ReplayUsage);
            return RcaCli.UsageError;
        }

        IReadOnlyList<(string Caller, string Callee)> calls;
        try
        {
            calls = graph is null ? [] : RecordedCases.ReadGraph(graph);
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"error: {e.Message}");
            return RcaCli.UsageError;
        }

        var cases = RecordedCases.Load(data, calls, stdout);
        var settings = new RunSettings(DeclareRoles: false, DeclareGraph: graph is not null);
        var results = new List<CaseResult>();
        foreach (var loaded in cases)
        {
            var d = loaded.Data;
            var result = new CaseResult(d.Case, AiopsRunner.Run(d, settings), Baselines.Baro(d, d.Onset), Baselines.NSigma(d, d.Onset));
            results.Add(result);
            if (details)
            {
                var truth = d.Case.Target is { } target ? $"cause {target}, Aiops #{Position(result.Aiops.Ranking, target)}, BARO #{Position(result.Baro, target)}" : "cause not known";
                stdout.WriteLine($"{loaded.Path}: {d.Series.Count} series of {d.Case.Topology.Services.Count} services, {d.Length} rows; {truth}; Aiops [{Top(result.Aiops.Ranking)}] BARO [{Top(result.Baro)}]; detected {(result.Aiops.TimeToDetect is { } ttd ? F(ttd.TotalSeconds, "0") + " s after the onset" : "no")}{(loaded.Notes.Length > 0 ? "; " + loaded.Notes : string.Empty)}");
            }
        }

        var known = results.Where(r => r.Case.Target is not null).ToList();
        stdout.WriteLine($"## {cases.Count} recorded cases under {data} ({known.Count} with a known root cause); call graph {(graph is null ? "not declared" : "from " + graph)}; roles from metric names; signals from the core AnomalySignalBridge (defaults)");
        stdout.WriteLine();
        if (known.Count > 0)
        {
            stdout.WriteLine("| method | AC@1 | AC@3 | Avg@5 |");
            stdout.WriteLine("|---|---|---|---|");
            foreach (var (name, method) in new (string, Func<CaseResult, IReadOnlyList<string>>)[] { ("Aiops", r => r.Aiops.Ranking), ("BARO (given the onset)", r => r.Baro), ("NSigma (given the onset)", r => r.NSigma) })
            {
                var accuracy = Accuracy.Of([.. known.Select(r => (method(r), r.Case.Target!))]);
                stdout.WriteLine($"| {name} | {F(accuracy.Ac1)} | {F(accuracy.Ac3)} | **{F(accuracy.Avg5, "0.000")}** |");
            }

            stdout.WriteLine();
        }

        var detected = results.Where(r => r.Aiops.TimeToDetect is not null).Select(r => r.Aiops.TimeToDetect!.Value.TotalSeconds).Order().ToList();
        stdout.WriteLine($"Detected {detected.Count}/{results.Count} (median {(detected.Count == 0 ? "-" : F(detected[detected.Count / 2], "0") + " s")} after the onset); episodes opened before the onset: {results.Sum(r => r.Aiops.EpisodesBeforeOnset)}.");
        return RcaCli.Success;
    }

    /// <summary>Runs <c>export</c>.</summary>
    public static int Export(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        Topology? topology = null;
        string? output = null;
        int perFault = 0, seed = 1;
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : null;
            switch (args[i])
            {
                case "--topology" when value is "online-boutique":
                    topology = Topology.OnlineBoutique();
                    i++;
                    break;
                case "--topology" when value is "train-ticket":
                    topology = Topology.TrainTicket();
                    i++;
                    break;
                case "--cases" when int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out perFault) && perFault >= 1:
                case "--seed" when int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out seed):
                    i++;
                    break;
                case "--out" when value is not null:
                    output = value;
                    i++;
                    break;
                default:
                    return Usage(stderr, args[i], ExportUsage);
            }
        }

        if (topology is null || perFault == 0 || output is null)
        {
            stderr.WriteLine("error: --topology, --cases and --out are required.");
            stderr.WriteLine(ExportUsage);
            return RcaCli.UsageError;
        }

        var written = 0;
        try
        {
            foreach (var @case in Benchmark.Cases(topology, perFault, controls: 0, seed))
            {
                RecordedCases.Write(MetricGenerator.Generate(@case), output);
                written++;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // --out names a file, or a directory that cannot be written.
            stderr.WriteLine($"error: cannot write under '{output}' ({written} cases written): {e.Message}");
            return RcaCli.UsageError;
        }

        stdout.WriteLine($"wrote {written} cases under {output}");
        return RcaCli.Success;
    }

    private static int Usage(TextWriter stderr, string arg, string usage)
    {
        stderr.WriteLine($"error: unknown or invalid argument '{arg}'.");
        stderr.WriteLine(usage);
        return RcaCli.UsageError;
    }
}
