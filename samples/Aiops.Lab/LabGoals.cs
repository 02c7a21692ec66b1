using Aiops.Correlation;
using Aiops.Gates;
using Aiops.Lab.Shared;

namespace Aiops.Lab;

/// <summary>What each scenario must show; the runner's exit code and the end-to-end test check the same goals.</summary>
internal static class LabGoals
{
    /// <summary>The alert the traffic surge must take through inactive → pending → firing → resolved.</summary>
    public const string SurgeAlert = "LabHighRequestRate";

    /// <summary>The service whose alert lifecycle the surge checks: the entry point, which the load calls.</summary>
    public const string SurgeService = LabTopology.Frontend;

    /// <summary>The services the payment fault slows down: payment itself and its callers (store is left alone).</summary>
    public static IReadOnlyList<string> SlowedByPayment { get; } = [LabTopology.Payment, LabTopology.Checkout, LabTopology.Frontend];

    /// <summary>The missed goals of a scenario; empty when it did what it should.</summary>
    public static IEnumerable<string> Check(ScenarioResult result) => result.Name switch
    {
        ScenarioNames.TrafficSurge => CheckTrafficSurge(result),
        ScenarioNames.HighRisk => CheckHighRisk(result),
        ScenarioNames.PaymentLatency => CheckPaymentLatency(result),
        _ => [],
    };

    /// <summary>How long before a scenario's start a signal may begin and still be the scenario's (clock granularity).</summary>
    public static readonly TimeSpan StartSlack = TimeSpan.FromSeconds(2);

    /// <summary>The onset of the first signal of a class in the episode (alerts are classified by their aiops_signal_class label).</summary>
    public static DateTimeOffset? FirstOnset(Episode episode, Func<Signal, bool> match) =>
        episode.Members.Select(m => m.Signal).Where(match).Select(s => (DateTimeOffset?)s.Onset).Min();

    /// <summary>
    /// The onset of the first signal of a class that began in the scenario: an episode may hold an earlier, ended blip of
    /// the same service (the scenario's signals then join it), which is not what the scenario caused.
    /// </summary>
    public static DateTimeOffset? FirstOnset(ScenarioResult result, Func<Signal, bool> match) =>
        result.Episode is { } episode
            ? episode.Members.Select(m => m.Signal).Where(s => match(s) && s.Onset >= result.StartedAt - StartSlack).Select(s => (DateTimeOffset?)s.Onset).Min()
            : null;

    /// <summary>Traffic rose: the symptom alert, or (embedded) the request rate's anomaly.</summary>
    public static bool IsTraffic(Signal s) => s.Name == SurgeAlert || (s is AnomalySignal && s.Name == LabAutomation.RequestRate);

    /// <summary>The exporter found the request rate anomalous: its alert, or (embedded) the anomaly itself.</summary>
    public static bool IsTrafficAnomaly(Signal s) => s.Name == "LabAnomalousTraffic" || (s is AnomalySignal && s.Name == LabAutomation.RequestRate);

    /// <summary>Errors rose: an error alert, or (embedded) the error ratio's anomaly.</summary>
    public static bool IsErrors(Signal s) =>
        s.Name is "LabHighErrorRate" or "LabAnomalousErrors" or "LabDownstreamErrors" || (s is AnomalySignal && s.Name == LabAutomation.ErrorRatio);

    private static IEnumerable<string> CheckTrafficSurge(ScenarioResult result) =>
        (result.ViaPrometheus ? CheckAlertLifecycle(result) : []).Concat(CheckSurgeEpisode(result));

    private static IEnumerable<string> CheckAlertLifecycle(ScenarioResult result)
    {
        var history = result.AlertHistory(AlertWatcher.Name(SurgeAlert, SurgeService));
        if (!history.Take(3).SequenceEqual([AlertState.Pending, AlertState.Firing, AlertState.Resolved]))
        {
            yield return $"{SurgeAlert}{{checkout}} went {string.Join(" → ", history)} in Prometheus, not pending → firing → resolved";
        }

        var notified = result.NotifiedStatuses(SurgeAlert);
        if (!notified.Contains("firing") || !notified.Contains("resolved"))
        {
            yield return $"the receiver got {SurgeAlert} as [{string.Join(", ", notified)}], not firing then resolved";
        }

        if (result.FiringNotifications(SurgeAlert) < 2)
        {
            yield return $"Alertmanager did not repeat the firing {SurgeAlert} (the receiver must see a repeat and still act once)";
        }
    }

    private static IEnumerable<string> CheckSurgeEpisode(ScenarioResult result)
    {
        if (result.Episode is not { } episode)
        {
            yield return "no episode";
            yield break;
        }

        if (episode.RootCause?.Category != IncidentCategory.TrafficDriven)
        {
            yield return $"root cause {episode.RootCause?.Category.ToString() ?? "none"}, not traffic-driven";
        }

        var (traffic, anomaly, errors) = (FirstOnset(result, IsTraffic), FirstOnset(result, IsTrafficAnomaly), FirstOnset(result, IsErrors));
        if (traffic is null || anomaly is null || errors is null || !(traffic <= anomaly && anomaly <= errors))
        {
            yield return $"timeline order traffic {traffic:HH:mm:ss} / anomaly {anomaly:HH:mm:ss} / errors {errors:HH:mm:ss}, not traffic ≤ anomaly ≤ errors";
        }

        // The incident lasts as long as the surge: the episode fires through it and resolves once, after the recovery.
        var closings = episode.Transitions.Count(t => t.To is EpisodeState.Resolved or EpisodeState.Inactive);
        if (episode.State != EpisodeState.Resolved || closings != 1)
        {
            yield return $"the episode is {episode.State} after {closings} closings, not resolved once after the recovery";
        }

        var runs = result.Executions.Count(e => e.Status == ExecutionStatus.Succeeded);
        if (runs != 1 || result.Decisions.Count(d => d.Verdict == GateVerdict.Allow) != 1)
        {
            yield return $"{runs} executed actions and {result.Decisions.Count} decisions, not one allowed decision executed once";
        }
    }

    /// <summary>
    /// The dependency fault: payment and its callers are in one episode, and its root cause ranks payment first and its
    /// summary names payment, with the dependency graph among payment's evidence.
    /// </summary>
    private static IEnumerable<string> CheckPaymentLatency(ScenarioResult result)
    {
        if (result.Episode is not { } episode)
        {
            yield return "no episode";
            yield break;
        }

        var missing = SlowedByPayment.Where(s => !episode.Entities.Contains(s)).ToList();
        if (missing.Count > 0)
        {
            yield return $"the episode has no signal of {string.Join(", ", missing)}";
        }

        var ranked = episode.RootCause?.Hypotheses.Select(h => h.Entity).ToList() ?? [];
        if (ranked.FirstOrDefault() != LabTopology.Payment)
        {
            yield return $"root cause ranks [{string.Join(", ", ranked)}], not payment first";
        }
        else if (!episode.RootCause!.Hypotheses[0].Evidence.Any(e => e.Kind == EvidenceKind.Dependency && e.Weight > 0))
        {
            yield return "payment is first without dependency evidence";
        }

        if (episode.RootCause?.Explanation is not { } summary || !summary.Contains(LabTopology.Payment, StringComparison.Ordinal))
        {
            yield return $"the root-cause summary does not name payment: \"{episode.RootCause?.Explanation}\"";
        }
    }

    private static IEnumerable<string> CheckHighRisk(ScenarioResult result)
    {
        if (result.Decisions.Count == 0)
        {
            yield return "no decision was made";
        }

        if (result.Executions.Any(e => e.Status == ExecutionStatus.Succeeded))
        {
            yield return "an action was executed";
        }

        if (!result.Decisions.Any(d => d.Verdict != GateVerdict.Allow && d.DecisiveGates.Any()))
        {
            yield return "no decision names the gate that stopped it";
        }
    }
}
