using System.Globalization;
using Aiops.Correlation;
using Aiops.Gates;

namespace Aiops.Lab;

/// <summary>Prints a scenario's outcome: episode timeline, root-cause summary, gate decisions, alerts and notifications.</summary>
internal static class LabReport
{
    public static void Print(TextWriter output, ScenarioResult result, LabUrls? urls)
    {
        output.WriteLine();
        if (result.Episode is not { } episode)
        {
            output.WriteLine($"── {result.Name}: no episode was opened.");
        }
        else
        {
            output.WriteLine($"── Episode {episode.Id} · {Words(episode.State.ToString())} · {string.Join(", ", episode.Entities)} · {episode.SignalCount} signals ({episode.Members.Count} distinct)");
            output.WriteLine("   Timeline");
            foreach (var entry in episode.Timeline())
            {
                output.WriteLine(Invariant($"     {entry.At.ToLocalTime():HH:mm:ss}  {Words(entry.Kind.ToString()),-10} {entry.Title}{(entry.Entity is { } e ? " · " + e : string.Empty)}"));
            }

            output.WriteLine("   Signals");
            foreach (var member in episode.Members)
            {
                var state = member.IsActive
                    ? "active"
                    : Invariant($"ended {member.EndedAt?.ToLocalTime():HH:mm:ss} ({member.EndReason})");
                output.WriteLine(Invariant($"     {member.Signal.Name,-28} {member.Entity ?? "-",-10} since {member.Signal.Onset.ToLocalTime():HH:mm:ss}  {state}"));
            }

            if (episode.RootCause is { } rca)
            {
                output.WriteLine($"   Root cause: {Words(rca.Category.ToString())}");
                output.WriteLine(Indent(rca.Explanation, "     "));
                output.WriteLine("   Ranked services (most likely cause first) and their evidence");
                foreach (var (hypothesis, rank) in rca.Hypotheses.Select((h, i) => (h, i + 1)))
                {
                    output.WriteLine(Invariant($"     {rank}. {hypothesis.Entity} (score {hypothesis.Score:0.00})"));
                    foreach (var evidence in hypothesis.Evidence)
                    {
                        output.WriteLine(Invariant($"          {evidence.Weight,6:+0.00;-0.00;0.00}  {Words(evidence.Kind.ToString()),-12} {evidence.Description}"));
                    }
                }
            }
        }

        output.WriteLine("   Gate decisions");
        if (result.Decisions.Count == 0)
        {
            output.WriteLine("     none");
        }

        foreach (var decision in result.Decisions)
        {
            var proposal = decision.Proposal;
            output.WriteLine(Invariant($"     {decision.DecisionId}  {proposal.ActionId} on {string.Join(", ", proposal.Targets)} (risk {Words(proposal.Risk.ToString())}, confidence {proposal.Confidence:0.00}) → {Verdict(decision.Verdict)}"));
            foreach (var gate in decision.Evaluations)
            {
                output.WriteLine($"       {Mark(gate.Verdict)} {gate.Gate}: {gate.Reason}");
            }

            foreach (var execution in result.Executions.Where(x => x.DecisionId == decision.DecisionId))
            {
                output.WriteLine($"       ⇒ {Words(execution.Status.ToString())}: {execution.Detail}");
            }

            if (decision.Verdict == GateVerdict.RequireApproval && !result.Executions.Any(x => x.DecisionId == decision.DecisionId))
            {
                output.WriteLine(urls is null
                    ? "       ⇒ not executed: waiting for a person"
                    : $"       ⇒ not executed: waiting for a person (POST {new Uri(urls.Receiver, $"aiops/api/approvals/{decision.DecisionId}/approve")} with the approval token)");
            }
        }

        var executed = result.Executions.Count(x => x.Status == ExecutionStatus.Succeeded);
        if (!result.ViaPrometheus)
        {
            output.WriteLine($"   Actions executed: {executed}");
            return;
        }

        output.WriteLine("   Alerts in Prometheus");
        foreach (var alert in result.Alerts.GroupBy(a => a.Alert))
        {
            output.WriteLine($"     {alert.Key}: " + string.Join(" → ", alert.Select(a => Invariant($"{Words(a.State.ToString())} {a.At.ToLocalTime():HH:mm:ss}"))));
        }

        var notified = result.Notifications.SelectMany(n => n.Alerts).ToList();
        output.WriteLine(Invariant($"   Alertmanager → receiver: {result.Notifications.Count} notifications ({notified.Count(a => a.Status == "firing")} firing, {notified.Count(a => a.Status == "resolved")} resolved alert entries, repeats included); actions executed: {executed}"));
    }

    /// <summary>Prints where to look while the lab runs.</summary>
    public static void PrintUrls(TextWriter output, LabUrls urls, string runFolder)
    {
        output.WriteLine();
        output.WriteLine("Open:");
        output.WriteLine($"  dashboard (episodes, timeline, RCA, automation log)  {new Uri(urls.Receiver, "aiops")}");
        output.WriteLine($"  episode API                                         {new Uri(urls.Receiver, "aiops/api/episodes")}");
        output.WriteLine($"  Prometheus alerts                                   {new Uri(urls.Prometheus, "classic/alerts")}");
        output.WriteLine($"  Alertmanager alerts (API)                           {new Uri(urls.Alertmanager, "api/v2/alerts")}");
        output.WriteLine($"  anomaly scores (exporter)                           {new Uri(urls.Exporter, "metrics")}");
        output.WriteLine($"  the app (frontend → checkout → store, payment)      {new Uri(urls.App, "api/checkout")}");
        output.WriteLine($"  logs and configuration                              {runFolder}");
    }

    private static string Verdict(GateVerdict verdict) => verdict switch
    {
        GateVerdict.Allow => "ALLOW",
        GateVerdict.Deny => "DENY",
        _ => "REQUIRES APPROVAL",
    };

    private static string Mark(GateVerdict verdict) => verdict switch
    {
        GateVerdict.Allow => "✓",
        GateVerdict.Deny => "✗",
        _ => "?",
    };

    /// <summary>PascalCase to lower-case words: <c>TrafficDriven</c> → <c>traffic driven</c>.</summary>
    private static string Words(string pascal) =>
        string.Concat(pascal.Select((c, i) => i > 0 && char.IsUpper(c) ? " " + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    private static string Indent(string text, string prefix)
    {
        var lines = new List<string>();
        var line = prefix;
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length + word.Length > 110 && line.Length > prefix.Length)
            {
                lines.Add(line.TrimEnd());
                line = prefix;
            }

            line += word + " ";
        }

        lines.Add(line.TrimEnd());
        return string.Join(Environment.NewLine, lines);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
