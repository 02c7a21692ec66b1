using System.Globalization;

namespace Aiops.Correlation.Eval;

/// <summary>Prints a scenario's replay signal by signal (repeats left out) with the truth and the correlator's decision.</summary>
internal static class Tracer
{
    /// <summary>Replays and prints one scenario.</summary>
    /// <param name="writer">Where.</param>
    /// <param name="scenario">The scenario.</param>
    public static void Write(TextWriter writer, Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(scenario);
        var run = Evaluator.Replay(scenario);
        writer.WriteLine(Invariant($"scenario seed {scenario.Seed} ({scenario.Difficulty.ToString().ToLowerInvariant()}), {scenario.Services.Count} services, {scenario.Signals.Count} signals"));
        foreach (var service in scenario.Services)
        {
            writer.WriteLine(Invariant($"  {service.Tier,-8} {service.Name,-24} → {string.Join(", ", scenario.Graph.DependenciesOf(service.Name).Order(StringComparer.Ordinal))}"));
        }

        foreach (var incident in scenario.Incidents)
        {
            writer.WriteLine(Invariant($"  {incident.Id} {incident.Category} root {incident.Root}, {Clock(scenario, incident.Onset)}–{Clock(scenario, incident.End)}, group {incident.ConcurrencyGroup}, services {string.Join(", ", incident.Services)}"));
        }

        for (var i = 0; i < scenario.Signals.Count; i++)
        {
            var s = scenario.Signals[i];
            var outcome = run.Outcomes[i];
            if (outcome == CorrelationOutcome.Repeat)
            {
                continue;
            }

            var status = s.Signal is AlertSignal a ? (a.Status == AlertStatus.Firing ? " firing" : " resolved") : string.Empty;
            writer.WriteLine(Invariant($"  {Clock(scenario, s.Arrival)} onset {Clock(scenario, s.Signal.Onset)} {s.Group,-13} {s.Service,-22} {s.Signal.Name}{status} → {outcome} {run.RawEpisodes[i] ?? "-"} (final {run.FinalEpisodes[i] ?? "-"})"));
        }

        WriteEpisodes(writer, scenario, run);
    }

    private static void WriteEpisodes(TextWriter writer, Scenario scenario, ReplayResult run)
    {
        foreach (var episode in run.Episodes.Values.OrderBy(e => e.Id, StringComparer.Ordinal))
        {
            var transitions = string.Join("; ", episode.Transitions.Select(t => Invariant($"{Clock(scenario, t.At)} {t.To.ToString().ToLowerInvariant()}")));
            var analysis = episode.RootCause is { } rc
                ? Invariant($"{rc.Category}, top [{string.Join(", ", rc.Hypotheses.Take(3).Select(h => Invariant($"{h.Entity} {h.Score:0.00}")))}]")
                : "no analysis";
            writer.WriteLine(Invariant($"  {episode.Id}{(episode.MergedInto is { } into ? " merged into " + into : string.Empty)}: {episode.SignalCount} signals, entities {string.Join(", ", episode.Entities)}; {analysis}; {transitions}"));
        }
    }

    private static string Clock(Scenario scenario, DateTimeOffset at) => (at - scenario.Start).ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
