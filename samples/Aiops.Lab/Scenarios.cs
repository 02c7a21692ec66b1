using System.Globalization;
using System.Text.Json.Nodes;
using Aiops.Correlation;
using Aiops.Gates;

namespace Aiops.Lab;

/// <summary>The scenarios the lab drives.</summary>
internal static class ScenarioNames
{
    /// <summary>A traffic surge: the load quadruples, the app saturates, a safe action (scale-out) is allowed and runs once.</summary>
    public const string TrafficSurge = "traffic-surge";

    /// <summary>A bad deploy: errors jump without more traffic; the proposed rollback is high-risk and waits for a person.</summary>
    public const string HighRisk = "high-risk";

    /// <summary>
    /// A fault in a dependency: payment answers 300 ms slower, so checkout and frontend, which wait for it, are as slow; the
    /// root cause must name payment, not its callers.
    /// </summary>
    public const string PaymentLatency = "payment-latency";

    /// <summary>
    /// Every scenario, in the order <c>all</c> runs them. The dependency fault runs before the bad deploy: a deploy stays a
    /// change of checkout for the ranker's change window (30 minutes), which is evidence against checkout in any later
    /// incident, as it would be in production.
    /// </summary>
    public static IReadOnlyList<string> All { get; } = [TrafficSurge, PaymentLatency, HighRisk];
}

/// <summary>Timing of the scenarios; the defaults fit the lab's 1 s scrape and evaluation intervals.</summary>
internal sealed record ScenarioTiming
{
    /// <summary>Gets the normal load, requests per second.</summary>
    public double BaselineRate { get; init; } = 30;

    /// <summary>Gets the surge load, requests per second (the app's capacity is 60).</summary>
    public double SurgeRate { get; init; } = 120;

    /// <summary>Gets the shortest baseline before a scenario starts (the exporter's detectors need about 15 points).</summary>
    public TimeSpan MinimumBaseline { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Gets the shortest baseline between two scenarios: longer than the receiver's reopen window (10 s), so the second
    /// scenario is a new incident rather than the first one reopened.
    /// </summary>
    public TimeSpan BetweenScenarios { get; init; } = TimeSpan.FromSeconds(12);

    /// <summary>
    /// Gets how long the surge lasts at least (longer if its goals take longer): long enough that the request rate's
    /// detector flags the onset and then stops flagging, while the episode must stay firing.
    /// </summary>
    public TimeSpan SurgeFor { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Gets how long the dependency fault lasts at least (longer until every service it slows down is in the episode): long
    /// enough for the symptoms of payment and of its callers to be reported and ranked.
    /// </summary>
    public TimeSpan FaultFor { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Gets the longest wait for any one phase to reach its goal.</summary>
    public TimeSpan PhaseTimeout { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// Drives scenarios against a lab backend: the load with a progress line every two seconds, alert transitions as
/// Prometheus shows them, and at the end of each scenario the episode timeline, the root-cause summary and the gate
/// decisions.
/// </summary>
internal sealed class LabScenarios(ILabBackend lab, TextWriter output, ScenarioTiming? timing = null)
{
    private readonly ScenarioTiming _timing = timing ?? new ScenarioTiming();
    private int _printedTransitions;
    private bool _warm;

    /// <summary>Runs one scenario by name and prints its report.</summary>
    public Task<ScenarioResult> RunAsync(string name, CancellationToken cancellationToken) => name switch
    {
        ScenarioNames.TrafficSurge => TrafficSurgeAsync(cancellationToken),
        ScenarioNames.HighRisk => HighRiskAsync(cancellationToken),
        ScenarioNames.PaymentLatency => PaymentLatencyAsync(cancellationToken),
        _ => throw new ArgumentException($"Unknown scenario '{name}' (known: {string.Join(", ", ScenarioNames.All)}).", nameof(name)),
    };

    private async Task<ScenarioResult> TrafficSurgeAsync(CancellationToken cancellationToken)
    {
        await BaselineAsync(cancellationToken).ConfigureAwait(false);
        var start = DateTimeOffset.UtcNow;
        Banner($"Scenario {ScenarioNames.TrafficSurge}: the load goes from {_timing.BaselineRate} to {_timing.SurgeRate} requests/s (capacity 60)");
        lab.Load.Rate = _timing.SurgeRate;
        await PhaseAsync("surge", start, async () =>
        {
            var (episode, decisions, _) = await EpisodeStateAsync(start, cancellationToken).ConfigureAwait(false);
            return DateTimeOffset.UtcNow - start >= _timing.SurgeFor
                && episode is not null && LabGoals.FirstOnset(episode, LabGoals.IsErrors) is not null && decisions.Count > 0;
        }, cancellationToken).ConfigureAwait(false);

        lab.Load.Rate = _timing.BaselineRate;
        await PhaseAsync("recovery", start, async () =>
            lab.ActiveAlerts.Count == 0 && (await EpisodeStateAsync(start, cancellationToken).ConfigureAwait(false)).Episode is { State: EpisodeState.Resolved },
            cancellationToken).ConfigureAwait(false);
        return await ReportAsync(ScenarioNames.TrafficSurge, start, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ScenarioResult> PaymentLatencyAsync(CancellationToken cancellationToken)
    {
        await BaselineAsync(cancellationToken).ConfigureAwait(false);
        var start = DateTimeOffset.UtcNow;
        Banner("Scenario payment-latency: payment answers 300 ms slower; checkout waits for it, and frontend for checkout");
        await lab.StartPaymentLatencyAsync(_timing.PhaseTimeout + _timing.FaultFor, cancellationToken).ConfigureAwait(false);
        await PhaseAsync("slow pay", start, async () =>
        {
            // Goal-neutral: the fault lasts until payment and both its callers are in the episode, whatever the ranking says.
            var (episode, _, _) = await EpisodeStateAsync(start, cancellationToken).ConfigureAwait(false);
            return DateTimeOffset.UtcNow - start >= _timing.FaultFor && episode is not null && LabGoals.SlowedByPayment.All(episode.Entities.Contains);
        }, cancellationToken).ConfigureAwait(false);

        await lab.ResetAsync(cancellationToken).ConfigureAwait(false);
        await PhaseAsync("recovery", start, async () =>
            lab.ActiveAlerts.Count == 0 && (await EpisodeStateAsync(start, cancellationToken).ConfigureAwait(false)).Episode is { State: EpisodeState.Resolved },
            cancellationToken).ConfigureAwait(false);
        return await ReportAsync(ScenarioNames.PaymentLatency, start, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ScenarioResult> HighRiskAsync(CancellationToken cancellationToken)
    {
        await BaselineAsync(cancellationToken).ConfigureAwait(false);
        var start = DateTimeOffset.UtcNow;
        Banner($"Scenario {ScenarioNames.HighRisk}: a bad deploy makes checkout fail 40 % of its requests at normal load");
        await lab.StartBadDeployAsync(_timing.PhaseTimeout, cancellationToken).ConfigureAwait(false);
        await PhaseAsync("bad deploy", start, async () =>
            (await EpisodeStateAsync(start, cancellationToken).ConfigureAwait(false)).Decisions.Count > 0, cancellationToken).ConfigureAwait(false);
        await lab.ResetAsync(cancellationToken).ConfigureAwait(false);
        return await ReportAsync(ScenarioNames.HighRisk, start, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs the normal load on a schedule: the minimum baseline the first time (and until the request rate is scored, which
    /// the detectors need, and the lab's own start-up alerts, a target not yet up, are over), a fixed gap between scenarios
    /// afterwards. It does not wait for episodes to close: the return to
    /// normal after a scenario ends that scenario's anomalies and opens nothing.
    /// </summary>
    private async Task BaselineAsync(CancellationToken cancellationToken)
    {
        lab.Load.Rate = _timing.BaselineRate;
        var start = DateTimeOffset.UtcNow;
        var minimum = _warm ? _timing.BetweenScenarios : _timing.MinimumBaseline;
        Banner(Invariant($"Baseline: {_timing.BaselineRate} requests/s for {minimum.TotalSeconds:0} s{(_warm ? string.Empty : " and until the detectors are warm and the lab's start-up alerts are over")}"));
        var settledSince = start;
        await PhaseAsync("baseline", start, async () =>
        {
            // The first time, the lab's start-up alerts (a target not yet up, detectors warming up on the load's ramp) must
            // have been over for the gap between scenarios, so the first scenario does not start inside their episode.
            var now = DateTimeOffset.UtcNow;
            if (lab.ActiveAlerts.Count > 0)
            {
                settledSince = now;
            }

            return now - start >= minimum
                && (_warm || (now - settledSince >= _timing.BetweenScenarios && await lab.RateIsScoredAsync(cancellationToken).ConfigureAwait(false)));
        }, cancellationToken).ConfigureAwait(false);
        _warm = true;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Prints progress every two seconds and alert transitions as they happen until <paramref name="done"/> holds.</summary>
    private async Task PhaseAsync(string phase, DateTimeOffset scenarioStart, Func<Task<bool>> done, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + _timing.PhaseTimeout;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var tick = 0;
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            PrintTransitions();
            if (++tick % 2 == 0)
            {
                // Two seconds of counts, shown per second; answers are counted when they arrive.
                var window = lab.Load.TakeSecond();
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  [{(DateTimeOffset.UtcNow - scenarioStart).TotalSeconds,4:0}s] {phase,-10} target {window.Rate,4:0}/s  sent {window.Sent / 2.0,5:0}/s  ok {window.Ok / 2.0,5:0}/s  5xx {window.ServerErrors / 2.0,4:0}/s  failed {window.Failed / 2.0,3:0}/s  p95 {window.P95Milliseconds,5:0} ms"));
            }

            if (await done().ConfigureAwait(false))
            {
                PrintTransitions();
                return;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                output.WriteLine($"  ! {phase}: not done after {_timing.PhaseTimeout.TotalSeconds:0} s; going on.");
                return;
            }
        }
    }

    private void PrintTransitions()
    {
        var transitions = lab.AlertTransitions;
        for (; _printedTransitions < transitions.Count; _printedTransitions++)
        {
            var t = transitions[_printedTransitions];
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {t.At.ToLocalTime():HH:mm:ss}  Prometheus: {t.Alert} → {t.State.ToString().ToLowerInvariant()}"));
        }
    }

    /// <summary>The scenario's episode (the largest opened since it started) with its decisions and executions.</summary>
    private async Task<(Episode? Episode, IReadOnlyList<Decision> Decisions, IReadOnlyList<ExecutionRecord> Executions)> EpisodeStateAsync(DateTimeOffset start, CancellationToken cancellationToken)
    {
        IReadOnlyList<Episode> episodes;
        IReadOnlyList<AuditEntry> audit;
        try
        {
            episodes = await lab.EpisodesAsync(cancellationToken).ConfigureAwait(false);
            audit = await lab.AuditAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            return (null, [], []);
        }

        // The episode with the most signals that began in this scenario (a few seconds of slack: an alert's onset is when
        // Prometheus saw its condition). Not "opened during the scenario": a scenario's signals may reopen an earlier
        // episode of the same service, and that episode is then this scenario's.
        var since = start.AddSeconds(-15);
        var episode = episodes
            .Where(e => e.MergedInto is null)
            .Select(e => (Episode: e, Signals: e.Members.Count(m => m.Signal.Onset >= since)))
            .Where(e => e.Signals > 0)
            .OrderByDescending(e => e.Signals)
            .Select(e => e.Episode)
            .FirstOrDefault();
        if (episode is null)
        {
            return (null, [], []);
        }

        var decisions = audit.OfType<DecisionEntry>().Select(d => d.Decision).Where(d => d.Proposal.EpisodeId == episode.Id && d.DecidedAt >= start).ToList();
        var ids = decisions.Select(d => d.DecisionId).ToHashSet(StringComparer.Ordinal);
        var executions = audit.OfType<ExecutionEntry>().Select(e => e.Execution).Where(e => ids.Contains(e.DecisionId)).ToList();
        return (episode, decisions, executions);
    }

    private async Task<ScenarioResult> ReportAsync(string name, DateTimeOffset start, CancellationToken cancellationToken)
    {
        var (episode, decisions, executions) = await EpisodeStateAsync(start, cancellationToken).ConfigureAwait(false);
        var notifications = (await lab.NotificationsAsync(cancellationToken).ConfigureAwait(false)).Where(n => n.ReceivedAt >= start).ToList();
        var alerts = lab.AlertTransitions.Where(t => t.At >= start.AddSeconds(-15)).ToList();
        var result = new ScenarioResult(name, start, lab.Urls is not null, alerts, notifications, episode, decisions, executions);
        LabReport.Print(output, result, lab.Urls);
        return result;
    }

    private void Banner(string text)
    {
        output.WriteLine();
        output.WriteLine("━━ " + text);
    }
}
