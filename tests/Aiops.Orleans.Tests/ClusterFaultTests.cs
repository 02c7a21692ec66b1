using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Aiops.Gates;
using Aiops.Gates.Serialization;
using Aiops.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Aiops.Orleans.Tests;

/// <summary>
/// Faults the clustered coordinator must survive: grain calls that fail (the grain's silo died and is not yet declared dead)
/// and grain-storage writes that fail. One in-process silo whose calls and store the tests fault.
/// </summary>
public sealed class ClusterFaultTests(ClusterFaultTests.Fixture fixture) : IClassFixture<ClusterFaultTests.Fixture>
{
    private static ClusterWorld World => Fixture.World;

    /// <summary>
    /// The stage's three admission attempts fail (the decision grain unreachable): the decision stays allowed and unclaimed,
    /// the scope keeps offering the episode (NeedsRemediation is true), and once the grain answers again it must run.
    /// </summary>
    [Theory]
    [InlineData(3, "checkout")]
    [InlineData(2, "payments")] // control: the stage's own third attempt gets through (another target: the rate limit is per target)
    public async Task Resume_AdmissionFailedThreeTimesThenGrainReachable_AllowedDecisionRunsOnce(int failures, string service)
    {
        var ns = "admit-fail-" + Guid.NewGuid().ToString("N")[..8];
        Fixture.Faults.Arm(typeof(IDecisionGrain), nameof(IDecisionGrain.AdmitAsync), key => key.Contains(ns, StringComparison.Ordinal), times: failures);
        var silo = ClusterWorld.Services(fixture.Cluster.Silos[0]);
        Assert.Equal(200, await ClusterWorld.PostAsync(silo, ClusterWorld.Payload($"g-{ns}", service, ns, World.Time.GetUtcNow(), "HighErrorRate")));

        // The three attempts fail (1 s and 2 s apart); from then on the grain answers.
        Assert.True(await ClusterWorld.WaitUntilAsync(() => Task.FromResult(Fixture.Faults.Remaining == 0), 60), "the stage never asked for admission");
        // The scope offers the episode until its decision has run; on a loaded machine the stage's own retry may already have
        // run it before the first resume, so resuming is asked again until it has (each resume is idempotent: the key's grain
        // admits the decision once).
        var scope = fixture.Cluster.GrainFactory.GetGrain<ICorrelationScopeGrain>(ns);
        var offered = 0;
        var ran = await ClusterWorld.WaitUntilAsync(
            async () =>
            {
                if (World.Runs.Keys.Any(k => k.Contains(ns, StringComparison.Ordinal)))
                {
                    return true;
                }

                offered += await scope.ResumeAsync();
                return false;
            },
            30);
        Assert.True(ran, $"the allowed decision never ran after the grain answered again (the scope offered it {offered} times)");
        Assert.Equal(1, World.Runs.Where(r => r.Key.Contains(ns, StringComparison.Ordinal)).Sum(r => r.Value));
    }

    /// <summary>
    /// After a restart the silo's engine restores the decisions of its audit log (a decision grain appends there too). In a
    /// cluster the key's grain, not that engine, says whether a decision still needs the stage: allowed and not claimed, it
    /// must run when the alert comes again.
    /// </summary>
    [Fact]
    public async Task Remediate_KeyKnownToLocalEngine_ClusterDecisionStillRuns()
    {
        var ns = "restored-" + Guid.NewGuid().ToString("N")[..8];
        var silo = ClusterWorld.Services(fixture.Cluster.Silos[0]);
        var startsAt = World.Time.GetUtcNow();

        // The planner's key: action/target/fingerprint@onset of the episode's first signal.
        var key = string.Create(CultureInfo.InvariantCulture, $"restart/search/g-{ns}-0@{startsAt.UtcDateTime:O}");
        await silo.GetRequiredService<DecisionEngine>().DecideAsync(new RemediationProposal("restart", ["search"], RiskClass.Low, "ep-restored", 0.9, key, startsAt));
        Assert.True(silo.GetRequiredService<DecisionEngine>().TryGetDecisionByKey(key, out _));

        Assert.Equal(200, await ClusterWorld.PostAsync(silo, ClusterWorld.Payload($"g-{ns}", "search", ns, startsAt, "HighErrorRate")));

        Assert.True(await ClusterWorld.WaitUntilAsync(() => Task.FromResult(World.Runs.ContainsKey(key)), 60), "the cluster's allowed decision never ran");
    }

    /// <summary>A decision altered after it was made (another action, same id and key) must not run: only recorded decisions run.</summary>
    [Fact]
    public async Task ExecuteAsync_DecisionAlteredToAnotherAction_Refused()
    {
        var silo = ClusterWorld.Services(fixture.Cluster.Silos[0]);
        var coordinator = silo.GetRequiredService<IRemediationCoordinator>();
        var key = "restart/altered/" + Guid.NewGuid().ToString("N")[..8];
        var proposal = new RemediationProposal("restart", [key], RiskClass.Low, "ep-altered", 0.9, key, World.Time.GetUtcNow());
        var decision = await coordinator.DecideAsync(proposal, CancellationToken.None);
        Assert.Equal(GateVerdict.Allow, decision.Verdict);

        // Same id and key, but the high-risk action that needs a person's approval.
        var altered = decision with { Proposal = decision.Proposal with { ActionId = ClusterWorld.ApprovalAction, Risk = RiskClass.High } };
        var record = await coordinator.ExecuteAsync(altered, CancellationToken.None);

        Assert.NotEqual(ExecutionStatus.Succeeded, record.Status);
        Assert.False(World.Runs.ContainsKey(key), $"'{record.ActionId}' ran: {record.Status} {record.Detail}");
    }

    /// <summary>
    /// An execution asked for with a token that has already fired (the host's shutdown timeout cut the remediation stage short
    /// while its episode loop or approval poll still got to a decision) must neither claim the key nor start the action, as
    /// in single-process mode: the action would run after the stage stopped waiting for its record, and the decision, its key
    /// claimed, could never run again. Nothing happened, so the decision runs at a later execution.
    /// </summary>
    [Fact]
    public async Task ExecuteAsync_TokenAlreadyCancelled_NotAdmittedNotRunAndRunsLater()
    {
        var silo = ClusterWorld.Services(fixture.Cluster.Silos[0]);
        var coordinator = silo.GetRequiredService<IRemediationCoordinator>();
        var key = "flush/cancelled/" + Guid.NewGuid().ToString("N")[..8];
        var proposal = new RemediationProposal(ClusterWorld.FlushAction(3), [key], RiskClass.Low, "ep-cancelled", 0.9, key, World.Time.GetUtcNow());
        var decision = await coordinator.DecideAsync(proposal, CancellationToken.None);
        Assert.Equal(GateVerdict.Allow, decision.Verdict);

        using var stopped = new CancellationTokenSource();
        await stopped.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await coordinator.ExecuteAsync(decision, stopped.Token));
        Assert.False(World.Runs.ContainsKey(key), "the action ran on a token that had already fired");

        var record = await coordinator.ExecuteAsync(decision, CancellationToken.None);
        Assert.Equal(ExecutionStatus.Succeeded, record.Status);
        Assert.Equal(1, World.Runs[key]);
    }

    /// <summary>
    /// The action ran but its outcome could not be given to the key's grain (its silo unreachable): the outcome must still be
    /// in this host's audit log. The execution fails without an outcome for the stage, and its next try is a duplicate, so
    /// the log was the last place the run's status could be recorded.
    /// </summary>
    [Fact]
    public async Task ExecuteAsync_OutcomeNotRecordedByGrain_OutcomeStillInLocalAuditLog()
    {
        var silo = ClusterWorld.Services(fixture.Cluster.Silos[0]);
        var coordinator = silo.GetRequiredService<IRemediationCoordinator>();
        var key = "flush/outcome-lost/" + Guid.NewGuid().ToString("N")[..8];
        var proposal = new RemediationProposal(ClusterWorld.FlushAction(4), [key], RiskClass.Low, "ep-outcome", 0.9, key, World.Time.GetUtcNow());
        var decision = await coordinator.DecideAsync(proposal, CancellationToken.None);
        Assert.Equal(GateVerdict.Allow, decision.Verdict);

        Fixture.Faults.Arm(typeof(IDecisionGrain), nameof(IDecisionGrain.RecordOutcomeAsync), k => k == key, times: 1);
        await Assert.ThrowsAnyAsync<Exception>(async () => await coordinator.ExecuteAsync(decision, CancellationToken.None));

        Assert.Equal(0, Fixture.Faults.Remaining);
        Assert.Equal(1, World.Runs[key]);
        var recorded = new List<ExecutionRecord>();
        await foreach (var entry in silo.GetRequiredService<IAuditLog>().ReadAllAsync())
        {
            if (entry is ExecutionEntry { Execution: var execution } && execution.IdempotencyKey == key)
            {
                recorded.Add(execution);
            }
        }

        Assert.Equal(ExecutionStatus.Succeeded, Assert.Single(recorded).Status);
    }

    /// <summary>
    /// The grain admits the execution (claims the key, records the start) but its reply is lost, as when the call outlives
    /// the response timeout: the coordinator's next ask, from the same execution, is admitted again and the action runs once;
    /// a later execution of the same decision is a duplicate.
    /// </summary>
    [Fact]
    public async Task ExecuteAsync_AdmissionReplyLost_RunsOnceAndLaterExecutionIsDuplicate()
    {
        var silo = ClusterWorld.Services(fixture.Cluster.Silos[0]);
        var coordinator = silo.GetRequiredService<IRemediationCoordinator>();
        var key = "flush/lost-reply/" + Guid.NewGuid().ToString("N")[..8];
        var proposal = new RemediationProposal(ClusterWorld.FlushAction(1), [key], RiskClass.Low, "ep-lost", 0.9, key, World.Time.GetUtcNow());
        var decision = await coordinator.DecideAsync(proposal, CancellationToken.None);
        Assert.Equal(GateVerdict.Allow, decision.Verdict);

        Fixture.Faults.Arm(typeof(IDecisionGrain), nameof(IDecisionGrain.AdmitAsync), k => k == key, times: 1, replyLost: true);
        var record = await coordinator.ExecuteAsync(decision, CancellationToken.None);
        var again = await coordinator.ExecuteAsync(decision, CancellationToken.None);

        Assert.Equal(0, Fixture.Faults.Remaining);
        Assert.Equal(ExecutionStatus.Succeeded, record.Status);
        Assert.Equal(ExecutionStatus.Duplicate, again.Status);
        Assert.Equal(1, World.Runs[key]);
    }

    /// <summary>
    /// The approval index could not be told once (its silo unreachable): the caller retries, gets the recorded
    /// require-approval decision, and it must still be listed and answerable on every replica.
    /// </summary>
    [Fact]
    public async Task DecideAsync_ApprovalIndexUnreachableOnce_DecisionStillListedAndApprovable()
    {
        var silo = ClusterWorld.Services(fixture.Cluster.Silos[0]);
        var coordinator = silo.GetRequiredService<IRemediationCoordinator>();
        var approvals = silo.GetRequiredService<IApprovalCoordinator>();
        var key = "failover/index/" + Guid.NewGuid().ToString("N")[..8];
        var proposal = new RemediationProposal(ClusterWorld.ApprovalAction, [key], RiskClass.High, "ep-index", 0.9, key, World.Time.GetUtcNow());

        Fixture.Faults.Arm(typeof(IApprovalIndexGrain), nameof(IApprovalIndexGrain.AddAsync), _ => true, times: 1);
        await Assert.ThrowsAnyAsync<Exception>(async () => await coordinator.DecideAsync(proposal, CancellationToken.None));
        var decision = await coordinator.DecideAsync(proposal, CancellationToken.None);
        Assert.Equal(GateVerdict.RequireApproval, decision.Verdict);

        var pending = await approvals.ListPendingAsync(CancellationToken.None);
        var state = await approvals.GetStateAsync(decision.DecisionId, CancellationToken.None);
        var answer = await approvals.AnswerAsync(decision.DecisionId, true, "oncall", "checked", CancellationToken.None);
        Assert.True(
            pending.Any(p => p.Decision.DecisionId == decision.DecisionId) && state == ApprovalState.Pending && answer.Status == ApprovalResultStatus.Approved,
            $"listed: {pending.Any(p => p.Decision.DecisionId == decision.DecisionId)}, state: {state}, answer: {answer.Status} ({answer.Message})");
    }

    /// <summary>
    /// The answer's write fails: the caller is told the answer failed ("durable or not at all"), nothing is in the cluster's
    /// audit log, yet the grain keeps the approval in memory and admits the action.
    /// </summary>
    [Fact]
    public async Task AnswerAsync_WriteFails_ActionDoesNotRunOnTheUnrecordedApproval()
    {
        var silo = ClusterWorld.Services(fixture.Cluster.Silos[0]);
        var coordinator = silo.GetRequiredService<IRemediationCoordinator>();
        var approvals = silo.GetRequiredService<IApprovalCoordinator>();
        var key = "failover/write/" + Guid.NewGuid().ToString("N")[..8];
        var proposal = new RemediationProposal(ClusterWorld.ApprovalAction, [key], RiskClass.High, "ep-write", 0.9, key, World.Time.GetUtcNow());
        var decision = await coordinator.DecideAsync(proposal, CancellationToken.None);
        Assert.Equal(GateVerdict.RequireApproval, decision.Verdict);

        Fixture.Storage.FailNext("decision", key);
        await Assert.ThrowsAnyAsync<Exception>(async () => await approvals.AnswerAsync(decision.DecisionId, true, "oncall", "checked", CancellationToken.None));

        var record = await coordinator.ExecuteAsync(decision, CancellationToken.None);
        var audited = (await ClusterAudit.ReadAsync(fixture.Cluster.GrainFactory, World.Time.GetUtcNow(), 1000, CancellationToken.None))
            .Select(json => JsonSerializer.Deserialize(json, GatesJson.AuditEntry))
            .OfType<ApprovalEntry>()
            .Any(a => a.Approval.DecisionId == decision.DecisionId);
        Assert.False(
            record.Status == ExecutionStatus.Succeeded,
            $"ran ({record.Status}) on an approval whose write failed; approval in the cluster audit: {audited}");
    }

    /// <summary>
    /// The cluster's history could not store a start: the admission fails and is asked again; the start that was never
    /// stored must not count, or the retry is refused by the per-target rate limit (one start per target an hour).
    /// </summary>
    [Fact]
    public async Task ExecuteAsync_HistoryWriteFailsOnce_UnstoredStartNotCountedAndActionRuns()
    {
        var silo = ClusterWorld.Services(fixture.Cluster.Silos[0]);
        var coordinator = silo.GetRequiredService<IRemediationCoordinator>();
        var key = "flush/history/" + Guid.NewGuid().ToString("N")[..8];
        var proposal = new RemediationProposal(ClusterWorld.FlushAction(2), [key], RiskClass.Low, "ep-history", 0.9, key, World.Time.GetUtcNow());
        var decision = await coordinator.DecideAsync(proposal, CancellationToken.None);
        Assert.Equal(GateVerdict.Allow, decision.Verdict);

        Fixture.Storage.FailNext("history", AiopsGrains.HistoryKey);
        var record = await coordinator.ExecuteAsync(decision, CancellationToken.None);

        Assert.True(record.Status == ExecutionStatus.Succeeded, $"{record.Status}: {record.Detail}");
        Assert.Equal(1, World.Runs[key]);
    }

    /// <summary>One in-process silo whose grain calls and grain store the tests fault.</summary>
    public sealed class Fixture : SiloFixture<Fixture.Configurator>
    {
        internal static ClusterWorld World { get; } = new();

        internal static CallFaults Faults { get; } = new();

        internal static FailingStorage Storage { get; } = new();

        public sealed class Configurator : ISiloConfigurator
        {
            public void Configure(ISiloBuilder siloBuilder)
            {
                const string Inner = "inner";
                siloBuilder.AddMemoryGrainStorage(Inner);
                siloBuilder.Services.AddKeyedSingleton<IGrainStorage>(AiopsGrains.StorageName, (sp, _) => Storage.Over(sp.GetRequiredKeyedService<IGrainStorage>(Inner)));
                siloBuilder.AddIncomingGrainCallFilter(Faults.InvokeAsync);
                World.Configure(siloBuilder);
                siloBuilder.Services.Configure<AiopsOrleansOptions>(o => o.ResumeInterval = TimeSpan.FromMilliseconds(500));
            }
        }
    }

    /// <summary>Makes the next calls of one grain method fail, as calls to a silo that died and is not yet declared dead.</summary>
    internal sealed class CallFaults
    {
        private Type? _interface;
        private string? _method;
        private Func<string, bool> _key = static _ => false;
        private bool _replyLost;
        private int _remaining;

        public int Remaining => Math.Max(0, Volatile.Read(ref _remaining));

        /// <summary>
        /// Makes the next <paramref name="times"/> matching calls fail: before the grain runs them, or, with
        /// <paramref name="replyLost"/>, after it ran them (the caller sees a timeout, the grain did the work).
        /// </summary>
        public void Arm(Type grainInterface, string method, Func<string, bool> key, int times, bool replyLost = false)
        {
            (_interface, _method, _key, _replyLost) = (grainInterface, method, key, replyLost);
            Volatile.Write(ref _remaining, times);
        }

        public async Task InvokeAsync(IIncomingGrainCallContext context)
        {
            if (context.InterfaceMethod?.DeclaringType == _interface && context.InterfaceMethod?.Name == _method && _key(context.TargetId.Key.ToString()!)
                && Interlocked.Decrement(ref _remaining) >= 0)
            {
                if (_replyLost)
                {
                    await context.Invoke();
                    throw new TimeoutException("fault injected: the reply was lost");
                }

                throw new SiloUnavailableException("fault injected: the grain's silo is unreachable");
            }

            await context.Invoke();
        }
    }

    /// <summary>A grain store whose next write of one state name and grain key fails.</summary>
    internal sealed class FailingStorage
    {
        private readonly ConcurrentDictionary<(string State, string Key), int> _fail = new();

        public IGrainStorage Over(IGrainStorage inner) => new Store(inner, this);

        public void FailNext(string stateName, string key) => _fail[(stateName, key)] = 1;

        private sealed class Store(IGrainStorage inner, FailingStorage owner) : IGrainStorage
        {
            public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

            public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
                owner._fail.TryRemove((stateName, grainId.Key.ToString()!), out _)
                    ? Task.FromException(new IOException("fault injected: the store did not take the write"))
                    : inner.WriteStateAsync(stateName, grainId, grainState);

            public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);
        }
    }
}
