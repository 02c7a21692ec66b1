using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Aiops.Correlation.Eval;

/// <summary>
/// The command line: <c>[--difficulty easy|medium|hard|all] [--scenarios N] [--seed S] [--json FILE] [--details]</c>.
/// Prints one table row per difficulty; <c>--details</c> adds the analysis of wrong merges, splits and root-cause misses.
/// </summary>
internal static class EvalCli
{
    /// <summary>Exit code: success.</summary>
    public const int Success = 0;

    /// <summary>Exit code: a bad command line.</summary>
    public const int UsageError = 2;

    private const string Usage =
        "usage: Aiops.Correlation.Eval [--difficulty easy|medium|hard|all] [--scenarios N] [--seed S] [--json FILE] [--details] [--trace SCENARIO_SEED]";

    /// <summary>Runs the evaluation.</summary>
    /// <param name="args">The arguments, without the program name.</param>
    /// <param name="stdout">Where the table goes.</param>
    /// <param name="stderr">Where errors and timing go.</param>
    /// <returns>The exit code.</returns>
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);

        Difficulty[] difficulties = [Difficulty.Easy, Difficulty.Medium, Difficulty.Hard];
        var scenarios = 20;
        var seed = 1;
        string? json = null;
        var details = false;
        int? trace = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? Value()
            {
                if (i + 1 >= args.Count)
                {
                    stderr.WriteLine($"error: {arg} needs a value.");
                    return null;
                }

                return args[++i];
            }

            switch (arg)
            {
                case "--difficulty":
                    var d = Value();
                    if (d is null)
                    {
                        return UsageError;
                    }

                    if (string.Equals(d, "all", StringComparison.OrdinalIgnoreCase))
                    {
                        difficulties = [Difficulty.Easy, Difficulty.Medium, Difficulty.Hard];
                    }
                    else if (Enum.TryParse<Difficulty>(d, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(d, out _))
                    {
                        difficulties = [parsed];
                    }
                    else
                    {
                        stderr.WriteLine($"error: unknown difficulty '{d}' (easy, medium, hard or all).");
                        return UsageError;
                    }

                    break;
                case "--scenarios":
                    if (!int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out scenarios) || scenarios < 1)
                    {
                        stderr.WriteLine("error: --scenarios needs a positive integer.");
                        return UsageError;
                    }

                    break;
                case "--seed":
                    if (!int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out seed))
                    {
                        stderr.WriteLine("error: --seed needs an integer.");
                        return UsageError;
                    }

                    break;
                case "--json":
                    json = Value();
                    if (json is null)
                    {
                        return UsageError;
                    }

                    break;
                case "--details":
                    details = true;
                    break;
                case "--trace":
                    if (!int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var traceSeed))
                    {
                        stderr.WriteLine("error: --trace needs a scenario seed (as printed by --details).");
                        return UsageError;
                    }

                    trace = traceSeed;
                    break;
                case "-h" or "--help":
                    stdout.WriteLine(Usage);
                    return Success;
                default:
                    stderr.WriteLine($"error: unknown argument '{arg}'.");
                    stderr.WriteLine(Usage);
                    return UsageError;
            }
        }

        if (trace is { } traced)
        {
            foreach (var difficulty in difficulties)
            {
                Tracer.Write(stdout, ScenarioGenerator.Generate(traced, difficulty, storm: false));
            }

            return Success;
        }

        var watch = Stopwatch.StartNew();
        var evaluations = difficulties.Select(d => Runner.Evaluate(d, scenarios, seed)).ToList();
        watch.Stop();

        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Correlator default options, scenario dependency graph, seed {seed}, {scenarios} scenarios (+ {scenarios} storm scenarios) per difficulty."));
        WriteTable(stdout, evaluations.Select(e => e.Summary));
        stdout.WriteLine("signals: non-change signals in (repeats, resolves included); reduction: signals / episodes; precision, recall: pairwise over");
        stdout.WriteLine("those signals, pooled; AC@k: true root in the top-k hypotheses of the episode holding most of the incident's signals.");
        if (details)
        {
            foreach (var evaluation in evaluations)
            {
                stdout.WriteLine();
                Analysis.Write(stdout, evaluation);
            }
        }

        if (json is not null)
        {
            WriteJson(json, seed, scenarios, evaluations);
        }

        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"done in {watch.Elapsed.TotalSeconds:0.0} s"));
        return Success;
    }

    /// <summary>Writes the table.</summary>
    /// <param name="writer">Where.</param>
    /// <param name="summaries">One row each.</param>
    public static void WriteTable(TextWriter writer, IEnumerable<DifficultySummary> summaries)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(summaries);
        writer.WriteLine("difficulty  scenarios  incidents   signals  episodes  reduction  precision  recall   AC@1   AC@3  category  storm signals  storm episodes  storm reduction");
        foreach (var s in summaries)
        {
            writer.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{s.Difficulty.ToString().ToLowerInvariant(),-10}  {s.Scenarios,9}  {s.Incidents,9}  {s.Signals,8}  {s.Episodes,8}  {s.Reduction,8:0.0}x  {s.Precision,9:0.000}  {s.Recall,6:0.000}  {s.Ac1,5:0.000}  {s.Ac3,5:0.000}  {s.CategoryAccuracy,8:0.000}  {s.StormSignals,13}  {s.StormEpisodes,14}  {s.StormReduction,14:0.0}x"));
        }
    }

    private static void WriteJson(string path, int seed, int scenarios, IEnumerable<DifficultyEvaluation> evaluations)
    {
        var document = new
        {
            seed,
            scenarios,
            difficulties = evaluations.Select(e => new
            {
                difficulty = e.Summary.Difficulty.ToString().ToLowerInvariant(),
                e.Summary.Scenarios,
                e.Summary.Incidents,
                e.Summary.Signals,
                e.Summary.Episodes,
                e.Summary.Reduction,
                e.Summary.Precision,
                e.Summary.Recall,
                ac1 = e.Summary.Ac1,
                ac3 = e.Summary.Ac3,
                e.Summary.CategoryAccuracy,
                e.Summary.StormSignals,
                e.Summary.StormEpisodes,
                e.Summary.StormReduction,
                e.Summary.ConcurrencyFallbacks,
                pairs = e.Summary.Pairs,
                scenarioResults = e.Normal.Select(m => new
                {
                    m.Run.Scenario.Seed,
                    services = m.Run.Scenario.Services.Count,
                    m.Metrics.Signals,
                    m.Metrics.Episodes,
                    m.Metrics.Pairs.Precision,
                    m.Metrics.Pairs.Recall,
                    incidents = m.Metrics.Rca.Select(r => new
                    {
                        id = r.IncidentId,
                        root = r.Root,
                        truth = r.Truth,
                        predicted = r.Predicted,
                        episode = r.EpisodeId,
                        rootRank = r.RootRank,
                        top3 = r.Ranked.Take(3),
                    }),
                }),
                stormResults = e.Storms.Select(m => new { m.Run.Scenario.Seed, m.Metrics.Signals, m.Metrics.Episodes }),
            }),
        };

        var options = new JsonSerializerOptions
        {
            WriteIndented = true,
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            Converters = { new JsonStringEnumConverter() },
        };
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(path, JsonSerializer.Serialize(document, options));
    }
}
