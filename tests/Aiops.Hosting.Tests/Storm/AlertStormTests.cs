namespace Aiops.Hosting.Tests.Storm;

public sealed class AlertStormTests
{
    [Fact]
    public async Task Webhook_IncidentThenTenThousandUnrelatedAlerts_IncidentIsDecided()
    {
        await using var host = await StormTestHost.StartAsync();

        await host.PostAsync("incident", [("inc-1", "HighRequestRate", StormTestHost.IncidentService), ("inc-2", "HighErrorRate", StormTestHost.IncidentService)]);
        var payloads = Enumerable.Range(0, 100).Select(p => host.PostAsync(
            "storm-" + p,
            Enumerable.Range(p * 100, 100).Select(i => ($"noise-{i}", "TargetDown", $"svc-{i}"))));
        await Task.WhenAll(payloads);

        string? incident = null;
        Assert.True(await host.AdvanceUntilAsync(() =>
        {
            incident ??= host.Correlator.Snapshot().FirstOrDefault(e => e.Entities.Contains(StormTestHost.IncidentService))?.Id;
            return incident is not null && host.DecisionsAsync().Result.Exists(d => d.Decision.Proposal.EpisodeId == incident);
        }));

        var decisions = await host.DecisionsAsync();
        var decision = Assert.Single(decisions);
        Assert.Equal(incident, decision.Decision.Proposal.EpisodeId);
        Assert.Equal([StormTestHost.IncidentService], decision.Decision.Proposal.Targets);
        Assert.True(await Pipeline.PipelineTestHost.WaitUntilAsync(() => host.Correlator.OpenCount == 10_001, 30), $"{host.Correlator.OpenCount} open episodes");
    }
}
