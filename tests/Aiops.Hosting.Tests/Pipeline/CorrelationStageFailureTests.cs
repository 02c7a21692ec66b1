using Aiops.Correlation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Aiops.Hosting.Tests.Pipeline;

public sealed class CorrelationStageFailureTests
{
    [Fact]
    public async Task CorrelationStage_RankerThrowsForOneEpisode_OtherEpisodesStillSavedAndTicked()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var host = PipelineTestHost.Build(time, services: s => s.AddSingleton<IRootCauseRanker>(new PoisonRanker()));
        await host.StartAsync();
        var writer = host.Services.GetRequiredService<AiopsPipelineWriter>();
        var correlator = host.Services.GetRequiredService<Correlator>();
        var store = host.Services.GetRequiredService<IEpisodeStore>();

        // One bad episode: the ranker throws while the tick snapshots it (DrainChanged), outside any try/catch of the stage.
        Assert.True(writer.TryWriteSignal(Anomaly("poison", time.GetUtcNow())));
        Assert.True(await PipelineTestHost.WaitUntilAsync(() => correlator.OpenCount == 1));
        time.Advance(TimeSpan.FromSeconds(1));
        await Task.Delay(200); // let the tick run on the thread pool (the clock is fake; this only yields)

        // A good episode afterwards.
        Assert.True(writer.TryWriteSignal(Anomaly("api", time.GetUtcNow())));
        Assert.True(await PipelineTestHost.WaitUntilAsync(() => correlator.OpenCount == 2));
        for (var i = 0; i < 5; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(50);
        }

        var savedWhileRunning = await PipelineTestHost.WaitUntilAsync(
            () => store.ListAsync().AsTask().Result.Any(e => e.Entities.Contains("api")), seconds: 3);
        await host.StopAsync();
        var savedAfterStop = (await store.ListAsync()).Any(e => e.Entities.Contains("api"));

        Assert.True(savedWhileRunning || savedAfterStop, "the 'api' episode was never saved: the tick loop died on the 'poison' episode and the stop skipped OnDrainedAsync");
    }

    private static AnomalySignal Anomaly(string service, DateTimeOffset at) =>
        new($"latency{{service=\"{service}\"}}", "latency", at, new Dictionary<string, string> { ["service"] = service, ["namespace"] = service }, 0.99, Direction.Up, 5);

    private sealed class PoisonRanker : IRootCauseRanker
    {
        private readonly RootCauseRanker _inner = new();

        public RootCauseAnalysis Analyze(Episode episode, DependencyGraph graph) =>
            episode.Entities.Contains("poison") ? throw new InvalidOperationException("bad episode") : _inner.Analyze(episode, graph);
    }
}
