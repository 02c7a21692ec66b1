using Aiops.Correlation;
using Aiops.Gates;
using Aiops.Hosting.Tests.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Aiops.Hosting.Tests.Remediation;

public sealed class RemediationShutdownTests
{
    private static readonly Dictionary<string, string?> FastLifecycle = new()
    {
        ["Aiops:Correlation:PendingFor"] = "00:00:05",
        ["Aiops:Gates:Policies:0:Type"] = GateNames.Confidence,
        ["Aiops:Gates:Policies:0:MinConfidence"] = "0.5",
        ["Aiops:Gates:Policies:1:Type"] = GateNames.RiskCeiling,
    };

    [Fact]
    public async Task StopAsync_ShutdownTimeoutWhileActionRuns_OutcomeStillRecorded()
    {
        // The host's shutdown timeout fires while an action runs: the action's token fires, the executor ends the attempt as
        // cancelled at shutdown, and the stage waits for that record before the host disposes the audit log.
        var path = Path.Combine(Path.GetTempPath(), "aiops-review-" + Guid.NewGuid().ToString("N"), "audit.jsonl");
        try
        {
            var action = new BlockingAction("scale-out");
            var config = new Dictionary<string, string?>(FastLifecycle) { ["Aiops:Remediation:AuditLogPath"] = path };
            var time = new FakeTimeProvider(PipelineTestHost.Start);
            var host = PipelineTestHost.Build(
                time,
                b => b.AddAction(action).ConfigureRemediation(o => o.Rules.Add(new RemediationRule { Action = action.Id })),
                config);
            var telemetry = host.Services.GetRequiredService<PipelineTelemetry>();
            await host.StartAsync();
            await FireAsync(host, time, Alert("a1", "HighRequestRate", "api", time.GetUtcNow()));
            Assert.True(await PipelineTestHost.WaitUntilAsync(() => action.Started));

            using (var shutdownTimedOut = new CancellationTokenSource())
            {
                await shutdownTimedOut.CancelAsync();
                await host.StopAsync(shutdownTimedOut.Token);
            }

            host.Dispose();
            action.Release();
            Assert.True(await PipelineTestHost.WaitUntilAsync(() => action.Returned));
            Assert.Equal(0, telemetry.RemediationErrors);

            await using var log = await JsonLinesAuditLog.OpenAsync(new JsonLinesAuditLogOptions { Path = path });
            var entries = await log.ReadAllAsync().ToListAsync();
            var decision = Assert.Single(entries.OfType<DecisionEntry>()).Decision;
            Assert.Equal(GateVerdict.Allow, decision.Verdict);
            Assert.True(action.Started);
            var execution = Assert.Single(entries.OfType<ExecutionEntry>()).Execution; // the action ran: its outcome must be in the log
            Assert.Equal(ExecutionStatus.Failed, execution.Status);
            Assert.Contains("shutdown", execution.Detail, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    private static AlertSignal Alert(string fingerprint, string name, string service, DateTimeOffset onset) =>
        new(fingerprint, name, onset, new Dictionary<string, string> { ["alertname"] = name, ["service"] = service }, AlertStatus.Firing, null, "warning", new Dictionary<string, string>());

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

    /// <summary>A low-risk action that runs until released or until its token fires (it honours the token).</summary>
    private sealed class BlockingAction(string id) : IRemediationAction
    {
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
