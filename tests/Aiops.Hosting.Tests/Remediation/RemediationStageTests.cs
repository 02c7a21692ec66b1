using Aiops.Correlation;
using Aiops.Gates;
using Aiops.Gates.Actions;
using Aiops.Hosting.Tests.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Aiops.Hosting.Tests.Remediation;

public sealed class RemediationStageTests
{
    // The default gates with a lower confidence bar: a one-alert episode's root cause scores about 0.54.
    private static readonly Dictionary<string, string?> FastLifecycle = new()
    {
        ["Aiops:Correlation:PendingFor"] = "00:00:05",
        ["Aiops:Gates:Policies:0:Type"] = GateNames.Confidence,
        ["Aiops:Gates:Policies:0:MinConfidence"] = "0.5",
        ["Aiops:Gates:Policies:1:Type"] = GateNames.RiskCeiling,
        ["Aiops:Gates:Policies:2:Type"] = GateNames.BlastRadius,
        ["Aiops:Gates:Policies:3:Type"] = GateNames.RateLimit,
        ["Aiops:Gates:Policies:4:Type"] = GateNames.Cooldown,
        ["Aiops:Gates:Policies:5:Type"] = GateNames.Concurrency,
    };

    [Fact]
    public async Task FiringEpisode_AllowedSafeAction_ExecutesExactlyOnceDespiteRepeats()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        var action = new SimulatedAction("scale-out", RiskClass.Low);
        using var host = BuildHost(time, action);
        await host.StartAsync();
        var writer = host.Services.GetRequiredService<AiopsPipelineWriter>();
        var engine = host.Services.GetRequiredService<DecisionEngine>();

        await FireAsync(host, time, Alert("a1", "HighRequestRate", "api", time.GetUtcNow()));
        Assert.True(await PipelineTestHost.WaitUntilAsync(() => action.RunCount == 1));

        // Alertmanager repeats the notification; the episode changes again and again.
        for (var i = 0; i < 5; i++)
        {
            Assert.True(writer.TryWriteSignal(Alert("a1", "HighRequestRate", "api", PipelineTestHost.Start)));
            Assert.True(writer.TryWriteSignal(Alert("a2-" + i, "HighErrorRate", "api", time.GetUtcNow())));
            time.Advance(TimeSpan.FromSeconds(1));
        }

        await host.StopAsync();
        Assert.Equal(1, action.RunCount);
        var decisions = await DecisionsAsync(engine);
        var decision = Assert.Single(decisions);
        Assert.Equal(GateVerdict.Allow, decision.Decision.Verdict);
        Assert.Equal(["api"], decision.Decision.Proposal.Targets);
        Assert.StartsWith("scale-out/api/a1@", decision.Decision.Proposal.IdempotencyKey, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DefaultGates_WeakRootCause_DeniedByConfidenceAndNeverRuns()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        var action = new SimulatedAction("scale-out", RiskClass.Low);
        using var host = BuildHost(time, action, new() { ["Aiops:Correlation:PendingFor"] = "00:00:05" });
        await host.StartAsync();
        var engine = host.Services.GetRequiredService<DecisionEngine>();

        await FireAsync(host, time, Alert("a1", "HighRequestRate", "api", time.GetUtcNow()));
        Assert.True(await PipelineTestHost.WaitUntilAsync(() => DecisionsAsync(engine).Result.Count == 1));
        await host.StopAsync();

        var decision = Assert.Single(await DecisionsAsync(engine)).Decision;
        Assert.Equal(GateVerdict.Deny, decision.Verdict);
        Assert.Equal([GateNames.Confidence], decision.DecisiveGates.Select(g => g.Gate));
        Assert.Equal(0, action.RunCount);
    }

    [Fact]
    public async Task PendingEpisode_NotYetFiring_NothingIsProposed()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        var action = new SimulatedAction("scale-out", RiskClass.Low);
        using var host = BuildHost(time, action, new(FastLifecycle) { ["Aiops:Correlation:PendingFor"] = "00:10:00" });
        await host.StartAsync();
        var writer = host.Services.GetRequiredService<AiopsPipelineWriter>();
        var correlator = host.Services.GetRequiredService<Correlator>();

        Assert.True(writer.TryWriteSignal(Alert("a1", "HighRequestRate", "api", time.GetUtcNow())));
        Assert.True(await PipelineTestHost.WaitUntilAsync(() => correlator.OpenCount == 1));
        time.Advance(TimeSpan.FromSeconds(30));

        await host.StopAsync();
        Assert.Equal(0, action.RunCount);
        Assert.Empty(await DecisionsAsync(host.Services.GetRequiredService<DecisionEngine>()));
    }

    [Fact]
    public async Task HighRiskAction_RequiresApproval_RunsOnlyAfterApproval()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        var action = new SimulatedAction("rollback", RiskClass.High);
        using var host = BuildHost(time, action);
        await host.StartAsync();
        var engine = host.Services.GetRequiredService<DecisionEngine>();

        await FireAsync(host, time, Alert("a1", "HighErrorRate", "api", time.GetUtcNow()));
        Assert.True(await PipelineTestHost.WaitUntilAsync(() => engine.Approvals.ListPending().Count == 1));
        time.Advance(TimeSpan.FromSeconds(5)); // polls: still pending, so nothing runs
        Assert.Equal(0, action.RunCount);

        var pending = Assert.Single(engine.Approvals.ListPending());
        Assert.True((await engine.Approvals.ApproveAsync(pending.Decision.DecisionId, "alice", "checked the dashboards")).Accepted);

        await PollUntilRunAsync(time, action);

        await host.StopAsync();
        Assert.Equal(1, action.RunCount);
    }

    [Fact]
    public async Task HighRiskAction_ApprovedExecutionThrowsOnce_RunsAtALaterPoll()
    {
        // The coordinator throws without an outcome (a cluster's admission could not be asked): the approved decision is not
        // forgotten, the next poll executes it again.
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        var action = new SimulatedAction("rollback", RiskClass.High);
        ThrowsOnFirstExecute? coordinator = null;
        using var host = BuildHost(time, action, configure: b => b.Services.Replace(ServiceDescriptor.Singleton<IRemediationCoordinator>(
            sp => coordinator = new ThrowsOnFirstExecute(sp.GetRequiredService<DecisionEngine>(), sp.GetRequiredService<RemediationExecutor>()))));
        await host.StartAsync();
        var engine = host.Services.GetRequiredService<DecisionEngine>();

        await FireAndApproveAsync(host, time, engine);

        await PollUntilRunAsync(time, action);

        await host.StopAsync();
        Assert.Equal(1, action.RunCount);
        Assert.True(coordinator!.Executions >= 2);
    }

    [Fact]
    public Task StopAsync_ApprovedSinceTheLastPoll_RunsDuringTheDrainNotLostAtRestart() => WithAuditLogAsync(async config =>
    {
        // A person approves after the last approval poll and the host stops (no timeout) before the next one. The stage knows
        // the approved decision has not started, but after a restart the engine cannot tell it from an execution that was
        // interrupted: its key counts as taken and it would never run. The drain acts on it, as on the episodes it drains.
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        var action = new SimulatedAction("rollback", RiskClass.High);
        using (var host = BuildHost(time, action, config))
        {
            await host.StartAsync();
            var engine = host.Services.GetRequiredService<DecisionEngine>();
            await FireAndApproveAsync(host, time, engine);

            await host.StopAsync(); // the fake clock does not move: no poll after the approval
        }

        Assert.Equal(1, action.RunCount);
        var executed = (await ReadAuditLogAsync(config)).OfType<ExecutionEntry>().Select(e => e.Execution).ToList();
        Assert.Equal(ExecutionStatus.Succeeded, Assert.Single(executed).Status);
    });

    [Fact]
    public async Task HighRiskAction_Rejected_NeverRunsAndOutcomeIsAudited()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        var action = new SimulatedAction("rollback", RiskClass.High);
        using var host = BuildHost(time, action);
        await host.StartAsync();
        var engine = host.Services.GetRequiredService<DecisionEngine>();

        await FireAsync(host, time, Alert("a1", "HighErrorRate", "api", time.GetUtcNow()));
        Assert.True(await PipelineTestHost.WaitUntilAsync(() => engine.Approvals.ListPending().Count == 1));
        var pending = Assert.Single(engine.Approvals.ListPending());
        Assert.True((await engine.Approvals.RejectAsync(pending.Decision.DecisionId, "bob", "not during the sale")).Accepted);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.True(await PipelineTestHost.WaitUntilAsync(() => ExecutionsAsync(engine).Result.Count == 1));
        await host.StopAsync();
        Assert.Equal(0, action.RunCount);
        Assert.Equal(ExecutionStatus.Rejected, Assert.Single(await ExecutionsAsync(engine)).Execution.Status);
    }

    [Fact]
    public async Task DestructiveAction_DeniedByRiskCeiling_NeverRuns()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        var action = new SimulatedAction("delete-pods", RiskClass.Destructive);
        using var host = BuildHost(time, action);
        await host.StartAsync();
        var engine = host.Services.GetRequiredService<DecisionEngine>();

        await FireAsync(host, time, Alert("a1", "HighErrorRate", "api", time.GetUtcNow()));
        Assert.True(await PipelineTestHost.WaitUntilAsync(() => DecisionsAsync(engine).Result.Count == 1));
        time.Advance(TimeSpan.FromSeconds(5));
        await host.StopAsync();

        var decision = Assert.Single(await DecisionsAsync(engine)).Decision;
        Assert.Equal(GateVerdict.Deny, decision.Verdict);
        Assert.Contains(decision.DecisiveGates, g => g.Gate == GateNames.RiskCeiling);
        Assert.Empty(engine.Approvals.ListPending());
        Assert.Equal(0, action.RunCount);
    }

    [Fact]
    public Task Restart_SameAlertRepeated_DurableLogPreventsSecondRun() => WithAuditLogAsync(async config =>
    {
        var onset = PipelineTestHost.Start;
        await RunHostAsync(TimeSpan.Zero, config, async (host, time, action) =>
        {
            await FireAsync(host, time, Alert("b1", "HighRequestRate", "billing", onset));
            await FireAsync(host, time, Alert("a1", "HighRequestRate", "api", onset));
            Assert.True(await PipelineTestHost.WaitUntilAsync(() => action.RunCount == 2));
        });

        // After a restart the correlator numbers episodes from 1 again; Alertmanager resends the still-firing alert.
        var second = await RunHostAsync(TimeSpan.FromMinutes(2), config, async (host, later, action) =>
        {
            await FireAsync(host, later, Alert("a1", "HighRequestRate", "api", onset));
            await FireAsync(host, later, Alert("a3", "HighRequestRate", "checkout", later.GetUtcNow()));
            Assert.True(await PipelineTestHost.WaitUntilAsync(() => action.RunCount == 1));
        });
        Assert.Equal(["checkout"], Assert.Single(second.Runs).Targets);
    });

    [Fact]
    public Task Restart_SameAlertWithAnEarlierSignalPastTheCooldown_ActionNotRunAgain() => WithAuditLogAsync(async config =>
    {
        // The planner names an incident by its earliest signal. After a restart (episodes not stored), the still-firing alert
        // comes back with an anomaly whose onset is earlier: the key moves, and 70 minutes later the cooldown and the
        // per-target rate limit of the gates configured here have passed; only the history of what ran on the target during
        // this incident keeps the same action from running twice.
        var onset = PipelineTestHost.Start;
        await RunHostAsync(TimeSpan.Zero, config, async (host, time, action) =>
        {
            await FireAsync(host, time, Alert("a1", "HighRequestRate", "api", onset));
            Assert.True(await PipelineTestHost.WaitUntilAsync(() => action.RunCount == 1));
        });

        var second = await RunHostAsync(TimeSpan.FromMinutes(70), config, async (host, later, action) =>
        {
            var earlier = new AnomalySignal("cpu{service=\"api\"}", "cpu", onset.AddSeconds(-30), new Dictionary<string, string> { ["service"] = "api" }, 0.99, Direction.Up, 6);
            Assert.True(host.Services.GetRequiredService<AiopsPipelineWriter>().TryWriteSignal(earlier));
            await FireAsync(host, later, Alert("a1", "HighRequestRate", "api", onset));
            await FireAsync(host, later, Alert("a3", "HighRequestRate", "checkout", later.GetUtcNow()));
            Assert.True(await PipelineTestHost.WaitUntilAsync(() => action.RunCount == 1));
        });
        Assert.Equal(["checkout"], Assert.Single(second.Runs).Targets);
    });

    [Fact]
    public Task StopAsync_ShutdownTimeoutWhileActionRuns_OutcomeStillRecorded() => WithAuditLogAsync(async config =>
    {
        // The host's shutdown timeout fires while an action runs: the action's token fires, the executor ends the attempt as
        // cancelled at shutdown, and the stage waits for that record before the host disposes the audit log.
        var action = new BlockingAction("scale-out");
        var telemetry = await StopAtShutdownTimeoutAsync(action, () => action.Started, config);
        action.Release();
        Assert.True(await PipelineTestHost.WaitUntilAsync(() => action.Returned));
        Assert.Equal(0, telemetry.RemediationErrors);

        var entries = await ReadAuditLogAsync(config);
        Assert.Equal(GateVerdict.Allow, Assert.Single(entries.OfType<DecisionEntry>()).Decision.Verdict);
        var execution = Assert.Single(entries.OfType<ExecutionEntry>()).Execution; // the action ran: its outcome must be in the log
        Assert.Equal(ExecutionStatus.Failed, execution.Status);
        Assert.Contains("shutdown", execution.Detail, StringComparison.Ordinal);
    });

    [Fact]
    public Task StopAsync_ShutdownTimeoutWhileActionBlocksItsThread_OutcomeStillRecorded() => WithAuditLogAsync(async config =>
    {
        // An action that blocks the thread it started on until its token fires: the stop sees it running before the stage's
        // thread goes on, and must still wait for its record (the stage tracks an execution before the action can start).
        var action = new BlockingAction("scale-out", blocksItsThread: true);
        var telemetry = await StopAtShutdownTimeoutAsync(action, () => action.Started, config);
        Assert.True(action.Returned);
        Assert.Equal(0, telemetry.RemediationErrors);

        var execution = Assert.Single((await ReadAuditLogAsync(config)).OfType<ExecutionEntry>()).Execution;
        Assert.Equal(ExecutionStatus.Failed, execution.Status);
        Assert.Equal(BlockingAction.Cancelled, execution.Detail);
    });

    [Fact]
    public async Task Planner_Throws_CountedAndLaterEpisodesStillRemediated()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        var action = new SimulatedAction("scale-out", RiskClass.Low);
        using var host = BuildHost(time, action, configure: b => b.UsePlanner<ThrowsForBilling>());
        await host.StartAsync();
        var telemetry = host.Services.GetRequiredService<PipelineTelemetry>();

        await BillingFailsThenApiRemediatedAsync(host, time, action);
        Assert.True(telemetry.RemediationErrors >= 1);
    }

    [Fact]
    public async Task Planner_ThrowsAndItsLogThrows_LaterEpisodesStillRemediated()
    {
        // The stage logs the planner's failure in its catch block; a broken logger provider must not end the stage's loop.
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        var action = new SimulatedAction("scale-out", RiskClass.Low);
        using var host = PipelineTestHost.Build(
            time,
            b => b.AddAction(action).ConfigureRemediation(o => o.Rules.Add(new RemediationRule { Action = action.Id })).UsePlanner<ThrowsForBilling>(),
            FastLifecycle,
            s => s.AddLogging(l => l.AddProvider(new ThrowingLoggerProvider(5131))));
        await host.StartAsync();
        var telemetry = host.Services.GetRequiredService<PipelineTelemetry>();

        await BillingFailsThenApiRemediatedAsync(host, time, action);
        Assert.True(telemetry.RemediationErrors >= 1);
    }

    [Fact]
    public Task Planner_ProposesNoAction_DeniedAndAuditedAndLaterEpisodesStillRemediated() => WithAuditLogAsync(async config =>
    {
        // A planner of the user's that returns a proposal without an action id (nullable warnings off, a mapping bug).
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        var action = new SimulatedAction("scale-out", RiskClass.Low);
        using var host = BuildHost(time, action, config, b => b.UsePlanner<NoActionForBilling>());
        await host.StartAsync();
        var engine = host.Services.GetRequiredService<DecisionEngine>();

        await BillingFailsThenApiRemediatedAsync(host, time, action);
        var decisions = await DecisionsAsync(engine);
        Assert.Equal(2, decisions.Count);
        var invalid = Assert.Single(decisions, d => d.Decision.Verdict == GateVerdict.Deny).Decision;
        Assert.Contains("invalid proposal", Assert.Single(invalid.Evaluations).Reason, StringComparison.Ordinal);
    });

    [Fact]
    public async Task Coordinator_ReturnsNoDecision_CountedAndLaterEpisodesStillRemediated()
    {
        // A coordinator of the user's with a defect the stage does not anticipate: the item fails, the stage goes on.
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        var action = new SimulatedAction("scale-out", RiskClass.Low);
        using var host = BuildHost(time, action, configure: b => b.Services.Replace(ServiceDescriptor.Singleton<IRemediationCoordinator>(
            sp => new NoDecisionForBilling(sp.GetRequiredService<DecisionEngine>(), sp.GetRequiredService<RemediationExecutor>()))));
        await host.StartAsync();
        var telemetry = host.Services.GetRequiredService<PipelineTelemetry>();

        await BillingFailsThenApiRemediatedAsync(host, time, action);
        Assert.True(telemetry.RemediationErrors >= 1);
    }

    [Fact]
    public async Task StartAsync_RuleNamesUnregisteredAction_FailsWithConfigurationPath()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var host = PipelineTestHost.Build(
            time,
            b => b.AddAction(new SimulatedAction("scale-out")),
            new Dictionary<string, string?> { ["Aiops:Remediation:Rules:0:Action"] = "scale-up" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Aiops:Remediation:Rules:0:Action: no action 'scale-up' is registered (registered: scale-out)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChangeSignal_ThroughPipeline_RecordedOnChangeFeedForGates()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var host = PipelineTestHost.Build(time);
        await host.StartAsync();
        var writer = host.Services.GetRequiredService<AiopsPipelineWriter>();
        var feed = host.Services.GetRequiredService<IChangeFeed>();

        Assert.True(writer.TryWriteSignal(new ChangeSignal("deploy-42", "deploy api v1.4.2", time.GetUtcNow(), new Dictionary<string, string> { ["service"] = "api" }, ChangeKind.Deploy)));

        Assert.True(await PipelineTestHost.WaitUntilAsync(() => feed.GetChangesSinceAsync(PipelineTestHost.Start).AsTask().Result.Count == 1));
        var notice = Assert.Single(await feed.GetChangesSinceAsync(PipelineTestHost.Start));
        Assert.Equal(("api", "deploy"), (notice.Target, notice.Kind));
        await host.StopAsync();
    }

    // A durable audit log in a directory of its own, removed afterwards: the configuration names it.
    private static async Task WithAuditLogAsync(Func<Dictionary<string, string?>, Task> body)
    {
        var path = Path.Combine(Path.GetTempPath(), "aiops-remediation-" + Guid.NewGuid().ToString("N"), "audit.jsonl");
        try
        {
            await body(new Dictionary<string, string?>(FastLifecycle) { ["Aiops:Remediation:AuditLogPath"] = path });
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    // One run of a host with a simulated scale-out action, its clock at the start plus after; returns the action.
    private static async Task<SimulatedAction> RunHostAsync(TimeSpan after, Dictionary<string, string?> config, Func<IHost, FakeTimeProvider, SimulatedAction, Task> body)
    {
        var action = new SimulatedAction("scale-out", RiskClass.Low);
        var time = new FakeTimeProvider(PipelineTestHost.Start + after);
        using var host = BuildHost(time, action, config);
        await host.StartAsync();
        await body(host, time, action);
        await host.StopAsync();
        return action;
    }

    private static IHost BuildHost(FakeTimeProvider time, IRemediationAction action, Dictionary<string, string?>? config = null, Action<AiopsBuilder>? configure = null) =>
        PipelineTestHost.Build(
            time,
            b =>
            {
                b.AddAction(action).ConfigureRemediation(o => o.Rules.Add(new RemediationRule { Action = action.Id }));
                configure?.Invoke(b);
            },
            config ?? FastLifecycle);

    /// <summary>Fires an alert on api whose high-risk action waits for a person, and approves it once the engine lists it.</summary>
    private static async Task FireAndApproveAsync(IHost host, FakeTimeProvider time, DecisionEngine engine)
    {
        await FireAsync(host, time, Alert("a1", "HighErrorRate", "api", time.GetUtcNow()));
        Assert.True(await PipelineTestHost.WaitUntilAsync(() => engine.Approvals.ListPending().Count == 1));
        var pending = Assert.Single(engine.Approvals.ListPending());
        Assert.True((await engine.Approvals.ApproveAsync(pending.Decision.DecisionId, "alice", "checked the dashboards")).Accepted);
    }

    /// <summary>
    /// Advances the clock a poll at a time until the approved action ran (at most 20 polls). Not one poll: the engine lists an
    /// approval before the stage's loop has taken the decision to wait on, so the poll that follows the answer may miss it.
    /// </summary>
    private static async Task PollUntilRunAsync(FakeTimeProvider time, SimulatedAction action)
    {
        for (var i = 0; i < 20 && action.RunCount == 0; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await PipelineTestHost.WaitUntilAsync(() => action.RunCount == 1, 0.5);
        }
    }

    /// <summary>
    /// Fires an alert on billing (whose remediation the test makes fail) and then one on api, and stops the host once api's
    /// action ran: the failure on billing must not have stopped the stage, and nothing ran for billing.
    /// </summary>
    private static async Task BillingFailsThenApiRemediatedAsync(IHost host, FakeTimeProvider time, SimulatedAction action)
    {
        await FireAsync(host, time, Alert("b1", "HighErrorRate", "billing", time.GetUtcNow()));
        await FireAsync(host, time, Alert("a1", "HighErrorRate", "api", time.GetUtcNow()));
        Assert.True(await PipelineTestHost.WaitUntilAsync(() => action.RunCount == 1), "the remediation stage stopped");
        await host.StopAsync();
        Assert.Equal(["api"], Assert.Single(action.Runs).Targets);
    }

    /// <summary>
    /// Fires one alert whose rule runs <paramref name="action"/>, waits until it has <paramref name="started"/>, then stops the
    /// host as its shutdown timeout does (the stop token already fired) and disposes it.
    /// </summary>
    private static async Task<PipelineTelemetry> StopAtShutdownTimeoutAsync(IRemediationAction action, Func<bool> started, Dictionary<string, string?> config)
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        var host = BuildHost(time, action, config);
        var telemetry = host.Services.GetRequiredService<PipelineTelemetry>();
        await host.StartAsync();
        await FireAsync(host, time, Alert("a1", "HighRequestRate", "api", time.GetUtcNow()));
        Assert.True(await PipelineTestHost.WaitUntilAsync(started));

        using (var shutdownTimedOut = new CancellationTokenSource())
        {
            await shutdownTimedOut.CancelAsync();
            await host.StopAsync(shutdownTimedOut.Token);
        }

        host.Dispose();
        return telemetry;
    }

    private static async Task<List<AuditEntry>> ReadAuditLogAsync(Dictionary<string, string?> config)
    {
        await using var log = await JsonLinesAuditLog.OpenAsync(new JsonLinesAuditLogOptions { Path = config["Aiops:Remediation:AuditLogPath"]! });
        return await log.ReadAllAsync().ToListAsync();
    }

    private static AlertSignal Alert(string fingerprint, string name, string service, DateTimeOffset onset) =>
        new(fingerprint, name, onset, new Dictionary<string, string> { ["alertname"] = name, ["service"] = service }, AlertStatus.Firing, null, "warning", new Dictionary<string, string>());

    /// <summary>Sends an alert and advances the fake clock past the pending duration, one tick at a time.</summary>
    private static async Task FireAsync(IHost host, FakeTimeProvider time, AlertSignal alert)
    {
        var correlator = host.Services.GetRequiredService<Correlator>();
        var before = correlator.Snapshot().Count(e => e.State == EpisodeState.Firing);
        Assert.True(host.Services.GetRequiredService<AiopsPipelineWriter>().TryWriteSignal(alert));
        for (var i = 0; i < 10 && correlator.Snapshot().Count(e => e.State == EpisodeState.Firing) == before; i++)
        {
            Assert.True(await PipelineTestHost.WaitUntilAsync(() => correlator.Snapshot().Any(e => e.Members.Any(m => m.Signal.Fingerprint == alert.Fingerprint))));
            time.Advance(TimeSpan.FromSeconds(1));
            await PipelineTestHost.WaitUntilAsync(() => correlator.Snapshot().Count(e => e.State == EpisodeState.Firing) > before, 0.2);
        }
    }

    private static async Task<List<DecisionEntry>> DecisionsAsync(DecisionEngine engine) =>
        await engine.AuditLog.ReadAllAsync().OfType<DecisionEntry>().ToListAsync();

    private static async Task<List<ExecutionEntry>> ExecutionsAsync(DecisionEngine engine) =>
        await engine.AuditLog.ReadAllAsync().OfType<ExecutionEntry>().ToListAsync();

    /// <summary>The in-process coordinator, except that its first execution throws before it reaches the executor.</summary>
    private sealed class ThrowsOnFirstExecute(DecisionEngine engine, RemediationExecutor executor) : IRemediationCoordinator
    {
        private int _executions;

        public int Executions => Volatile.Read(ref _executions);

        public ValueTask<Decision> DecideAsync(RemediationProposal proposal, CancellationToken cancellationToken) => engine.DecideAsync(proposal, cancellationToken);

        public ValueTask<ExecutionRecord> ExecuteAsync(Decision decision, CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _executions) == 1
                ? throw new InvalidOperationException("fault injected: the coordinator could not be asked")
                : executor.ExecuteAsync(decision, cancellationToken);
    }

    private sealed class ThrowsForBilling(IOptions<RemediationOptions> options, ActionRegistry actions) : IRemediationPlanner
    {
        private readonly RuleBasedRemediationPlanner _inner = new(options, actions);

        public ValueTask<IReadOnlyList<RemediationProposal>> PlanAsync(Episode episode, DateTimeOffset now, CancellationToken cancellationToken) =>
            episode.Entities.Contains("billing") ? throw new InvalidOperationException("planner bug") : _inner.PlanAsync(episode, now, cancellationToken);
    }

    private sealed class NoActionForBilling(IOptions<RemediationOptions> options, ActionRegistry actions) : IRemediationPlanner
    {
        private readonly RuleBasedRemediationPlanner _inner = new(options, actions);

        public async ValueTask<IReadOnlyList<RemediationProposal>> PlanAsync(Episode episode, DateTimeOffset now, CancellationToken cancellationToken)
        {
            var proposals = await _inner.PlanAsync(episode, now, cancellationToken);
            return episode.Entities.Contains("billing") ? [.. proposals.Select(p => p with { ActionId = null! })] : proposals;
        }
    }

    /// <summary>The in-process coordinator, except that it returns no decision (null) for proposals on billing.</summary>
    private sealed class NoDecisionForBilling(DecisionEngine engine, RemediationExecutor executor) : IRemediationCoordinator
    {
        public ValueTask<Decision> DecideAsync(RemediationProposal proposal, CancellationToken cancellationToken) =>
            proposal.Targets.Contains("billing") ? ValueTask.FromResult<Decision>(null!) : engine.DecideAsync(proposal, cancellationToken);

        public ValueTask<ExecutionRecord> ExecuteAsync(Decision decision, CancellationToken cancellationToken) => executor.ExecuteAsync(decision, cancellationToken);
    }

    /// <summary>
    /// A low-risk action that runs until released or until its token fires (it honours the token); with
    /// <paramref name="blocksItsThread"/>, it blocks the thread that started it until its token fires (a synchronous action)
    /// and reports <see cref="Cancelled"/>.
    /// </summary>
    private sealed class BlockingAction(string id, bool blocksItsThread = false) : IRemediationAction
    {
        public const string Cancelled = "stopped: the token fired";
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _started;
        private volatile bool _returned;

        public string Id { get; } = id;

        public RiskClass Risk => RiskClass.Low;

        public bool Started => _started;

        public bool Returned => _returned;

        public void Release() => _release.TrySetResult();

        public async ValueTask<ActionOutcome> ExecuteAsync(Decision decision, CancellationToken cancellationToken)
        {
            _started = true;
            try
            {
                if (blocksItsThread)
                {
                    // Bounded so that a stage that never cancels fails the test instead of hanging it.
                    return cancellationToken.WaitHandle.WaitOne(TimeSpan.FromSeconds(30)) ? ActionOutcome.Failure(Cancelled) : ActionOutcome.Success("not cancelled");
                }

                await _release.Task.WaitAsync(cancellationToken);
                return ActionOutcome.Success("done");
            }
            finally
            {
                _returned = true;
            }
        }
    }
}
