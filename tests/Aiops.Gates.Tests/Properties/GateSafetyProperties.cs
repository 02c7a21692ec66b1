using Aiops.Gates.Actions;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;

namespace Aiops.Gates.Tests.Properties;

/// <summary>
/// For random sequences of proposals, clock advances, approvals, re-executions, replays and restarts, the decision engine
/// and executor (with hand-written reference gates) never execute anything a configured gate forbids, and never execute an
/// idempotency key twice. The invariants are checked offline against the audit log, independently of the engine's state.
/// </summary>
public sealed class GateSafetyProperties
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private static readonly GateConfig Config = new(
        MinConfidence: 0.6,
        MaxTargets: 3,
        RateLimit: 2,
        RateWindow: TimeSpan.FromMinutes(10),
        Cooldown: TimeSpan.FromMinutes(5),
        FreezeFrom: T0.AddHours(2),
        FreezeTo: T0.AddHours(3),
        ApprovalTimeout: TimeSpan.FromMinutes(15));

    private static readonly (string Id, RiskClass Risk)[] ActionCatalog = [("restart", RiskClass.Low), ("scale-out", RiskClass.Medium), ("rollback", RiskClass.High)];

    private static readonly string[] TargetPool = ["api-1", "api-2", "api-3", "db-1", "cache-1"];

    [Property(MaxTest = 500)]
    public Property RandomScenarios_NoExecutionViolatesAGate_NoKeyRunsTwice() =>
        Prop.ForAll(Arb.From(Scenario(maxSteps: 80)), steps =>
        {
            var (log, simulatedRuns) = Run(steps, recheck: true);
            var violations = GateInvariants.Check(log, Config);
            var ran = log.OfType<ExecutionEntry>().Count(e => DecisionEngine.Ran(e.Execution.Status));
            return (violations.Count == 0 && ran == simulatedRuns)
                .Label($"violations: {string.Join(" | ", violations)}; ran {ran}, actions ran {simulatedRuns}");
        });

    [Property(MaxTest = 100)]
    public Property ReplayStorms_EachKeyRunsAtMostOnce_AcrossRestarts() =>
        Prop.ForAll(Arb.From(Scenario(maxSteps: 60, keys: 3, restartWeight: 3)), steps =>
        {
            var (log, simulatedRuns) = Run(steps, recheck: true);
            var perKey = log.OfType<ExecutionEntry>().Where(e => DecisionEngine.Ran(e.Execution.Status)).GroupBy(e => e.Execution.IdempotencyKey).Max(g => (int?)g.Count()) ?? 0;
            return (perKey <= 1 && simulatedRuns <= 3).Label($"max runs of one key: {perKey}; actions ran {simulatedRuns}");
        });

    [Fact]
    public void Scenarios_ExerciseEveryGateApprovalsRechecksAndDuplicates()
    {
        // The properties are only as good as their scenarios: check that they reach every path worth guarding.
        var scenarios = Scenario(maxSteps: 80).Sample(300, new Rnd(20260302UL), 80);
        Assert.True(scenarios.Length >= 300, $"{scenarios.Length} scenarios");
        var logs = scenarios.Select(steps => Run(steps, recheck: true).Log).ToList();
        var decisions = logs.SelectMany(l => l.OfType<DecisionEntry>()).Select(e => e.Decision).ToList();
        var executions = logs.SelectMany(l => l.OfType<ExecutionEntry>()).Select(e => e.Execution).ToList();

        foreach (var gate in ReferenceGates.All(Config).Select(g => g.Name))
        {
            Assert.Contains(decisions, d => d.Verdict == GateVerdict.Deny && d.DecisiveGates.Any(g => g.Gate == gate));
        }

        Assert.Contains(executions, e => e.Status == ExecutionStatus.Succeeded);
        Assert.Contains(logs, l => l.OfType<ApprovalEntry>().Any(a => a.Approval.Approved && l.OfType<ExecutionEntry>().Any(e => e.Execution.DecisionId == a.Approval.DecisionId && e.Execution.Status == ExecutionStatus.Succeeded)));
        Assert.Contains(executions, e => e.Status == ExecutionStatus.Duplicate);
        Assert.Contains(executions, e => e.Status == ExecutionStatus.Rejected);
        Assert.Contains(executions, e => e.Status == ExecutionStatus.Denied && e.Detail.StartsWith("re-checked", StringComparison.Ordinal));
    }

    [Fact]
    public void Invariants_WouldCatchABypass()
    {
        // The offline check is not vacuous: a log with an execution inside the freeze, past the rate limit and of a denied
        // decision is reported.
        var p = new RemediationProposal("restart", ["api-1"], RiskClass.Low, "ep", 0.9, "k", T0);
        var allowed = new Decision("dec-1", p, [], GateVerdict.Allow, T0, false);
        var denied = new Decision("dec-2", p with { IdempotencyKey = "k2" }, [], GateVerdict.Deny, T0, false);
        var at = Config.FreezeFrom;
        AuditEntry[] log =
        [
            new DecisionEntry(allowed),
            new DecisionEntry(denied),
            new ExecutionEntry(new ExecutionRecord("dec-1", "restart", "k", ExecutionStatus.Succeeded, at, at, "")),
            new ExecutionEntry(new ExecutionRecord("dec-2", "restart", "k2", ExecutionStatus.Succeeded, at, at, "")),
        ];

        var violations = GateInvariants.Check(log, Config);

        Assert.Contains(violations, v => v.Contains("inside the freeze", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("executed a Deny decision", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("within the cooldown", StringComparison.Ordinal));
    }

    private static Gen<List<Step>> Scenario(int maxSteps, int keys = 8, int restartWeight = 1)
    {
        var propose =
            from action in Gen.Choose(0, ActionCatalog.Length - 1)
            from count in Gen.Frequency((4, Gen.Choose(1, 2)), (1, Gen.Choose(3, 5)))
            from targets in Gen.Shuffle(TargetPool).Select(t => string.Join(",", t.Take(count)))
            from risk in Gen.Frequency((6, Gen.Elements(RiskClass.Low, RiskClass.Medium)), (1, Gen.Constant(RiskClass.High)), (1, Gen.Constant(RiskClass.Destructive)))
            from confidence in Gen.Frequency((4, Gen.Choose(60, 100)), (1, Gen.Choose(30, 59))).Select(x => x / 100.0)
            from key in Gen.Choose(0, keys - 1)
            from executeNow in Gen.Frequency((1, Gen.Constant(true)), (1, Gen.Constant(false)))
            select (Step)new Propose(action, targets, risk, confidence, key, executeNow);
        var advance = Gen.Frequency((3, Gen.Choose(0, 120)), (2, Gen.Choose(121, 900)), (1, Gen.Choose(901, 3600))).Select(s => (Step)new Advance(s));
        var answer = from pick in Gen.Choose(0, 10) from reject in Gen.Frequency((3, Gen.Constant(false)), (1, Gen.Constant(true))) select (Step)new Answer(pick, reject);
        var again = Gen.Choose(0, 100).Select(pick => (Step)new ExecuteAgain(pick));
        var restart = Gen.Constant((Step)new Restart());
        var step = Gen.Frequency((6, propose), (4, advance), (2, answer), (4, again), (restartWeight, restart));
        return Gen.Choose(1, maxSteps).SelectMany(n => Gen.ListOf(step, n)).Select(s => s.ToList());
    }

    /// <summary>Runs a scenario. Every gate, the audit log and the actions complete synchronously, so nothing blocks.</summary>
    private static (IReadOnlyList<AuditEntry> Log, int SimulatedRuns) Run(List<Step> steps, bool recheck)
    {
        var time = new FakeTimeProvider(T0);
        var audit = new InMemoryAuditLog();
        var world = new World(time, audit, recheck);
        var decisions = new List<string>();
        var simulatedRuns = 0;
        foreach (var step in steps)
        {
            switch (step)
            {
                case Propose p:
                    var (id, _) = ActionCatalog[p.Action];
                    var proposal = new RemediationProposal(id, p.Targets.Split(','), p.Risk, "ep-" + p.Key, p.Confidence, "key-" + p.Key, time.GetUtcNow());
                    var decision = Done(world.Engine.DecideAsync(proposal));
                    decisions.Add(decision.DecisionId);
                    if (p.ExecuteNow)
                    {
                        Done(world.Executor.ExecuteAsync(decision));
                    }

                    break;

                case Advance a:
                    time.Advance(TimeSpan.FromSeconds(a.Seconds));
                    break;

                case Answer a:
                    var pending = world.Engine.Approvals.ListPending();
                    if (pending.Count > 0)
                    {
                        var chosen = pending[a.Pick % pending.Count].Decision.DecisionId;
                        Done(a.Reject ? world.Engine.Approvals.RejectAsync(chosen, "prop", "random") : world.Engine.Approvals.ApproveAsync(chosen, "prop", "random"));
                        Done(world.Executor.ExecuteByIdAsync(chosen));
                    }

                    break;

                case ExecuteAgain e when decisions.Count > 0:
                    // Mostly a recent decision: one allowed earlier but not yet run is where a re-check matters.
                    Done(world.Executor.ExecuteByIdAsync(decisions[^(1 + (e.Pick % Math.Min(decisions.Count, 5)))]));
                    break;

                case Restart:
                    simulatedRuns += world.SimulatedRuns;
                    world = new World(time, audit, recheck);
                    Done(world.Engine.RestoreAsync());
                    break;
            }
        }

        return (audit.Entries, simulatedRuns + world.SimulatedRuns);
    }

    private static T Done<T>(ValueTask<T> pending)
    {
        Assert.True(pending.IsCompleted, "the scenario's engine path is synchronous");
        return pending.Result;
    }

    private sealed class World
    {
        private readonly SimulatedAction[] _actions;

        public World(FakeTimeProvider time, InMemoryAuditLog audit, bool recheck)
        {
            _actions = [.. ActionCatalog.Select(a => new SimulatedAction(a.Id, a.Risk))];
            var registry = new ActionRegistry(_actions);
            var pipeline = new GatePipeline(ReferenceGates.All(Config), timeProvider: time);
            var approvals = new ApprovalQueue(audit, new ApprovalQueueOptions { ApprovalTimeout = Config.ApprovalTimeout }, time);
            Engine = new DecisionEngine(pipeline, audit, registry, new ExecutionHistory(timeProvider: time), approvals, timeProvider: time);
            Executor = new RemediationExecutor(Engine, new RemediationExecutorOptions { RecheckGates = recheck }, time);
        }

        public DecisionEngine Engine { get; }

        public RemediationExecutor Executor { get; }

        public int SimulatedRuns => _actions.Sum(a => a.RunCount);
    }

    private abstract record Step;

    private sealed record Propose(int Action, string Targets, RiskClass Risk, double Confidence, int Key, bool ExecuteNow) : Step;

    private sealed record Advance(int Seconds) : Step;

    private sealed record Answer(int Pick, bool Reject) : Step;

    private sealed record ExecuteAgain(int Pick) : Step;

    private sealed record Restart : Step;
}
