using Aiops.Correlation;
using Aiops.Detection;
using Aiops.Detection.Tracking;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Aiops.Hosting.Tests.Pipeline;

/// <summary>The detection stage reports each series' anomaly state through the public <see cref="AnomalySignalBridge"/>.</summary>
public sealed class DetectionStageLifecycleTests
{
    [Fact]
    public async Task DetectionStage_LevelShiftThenReturn_OneMemberActiveThroughTheShiftEndedAsRecovered()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var host = PipelineTestHost.Build(
            time,
            config: new Dictionary<string, string?>
            {
                ["Aiops:Detection:RepeatInterval"] = "00:00:05",
                ["Aiops:Detection:Tracking:ReturnFor"] = "00:00:05",
            },
            services: PipelineTestHost.UseRobustZScore);
        await host.StartAsync();
        var writer = host.Services.GetRequiredService<AiopsPipelineWriter>();
        var board = host.Services.GetRequiredService<ScoreBoard>();
        var correlator = host.Services.GetRequiredService<Correlator>();
        var series = new SeriesKey("rps", [new("service", "checkout")]);
        var activeThroughShift = true;

        // 60 s at 100, 60 s at 300 (the detector adapts within its window), then 30 s back at 100.
        for (var s = 0; s < 150; s++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            var at = time.GetUtcNow();
            var value = (s is >= 60 and < 120 ? 300 : 100) + (s % 3);
            Assert.True(writer.TryWriteSample(new MetricSample(series, at, value)));
            Assert.True(await PipelineTestHost.WaitUntilAsync(() => board.TryGet(series, out var score) && score.Score.Timestamp == at));
            if (s is > 75 and < 120) // started once it has held HoldPoints (16) points, dated at its first
            {
                await PipelineTestHost.WaitUntilAsync(() => correlator.OpenCount == 1);
                activeThroughShift &= correlator.Snapshot() is [{ Members: [{ IsActive: true }] }];
            }
        }

        Assert.True(await PipelineTestHost.WaitUntilAsync(() => correlator.Snapshot() is [{ Members: [{ IsActive: false }] }]));
        var episode = Assert.Single(correlator.Snapshot());
        var member = Assert.Single(episode.Members);
        var signal = Assert.IsType<AnomalySignal>(member.Signal);
        Assert.True(activeThroughShift, "the member went inactive during the shift");
        Assert.Equal(PipelineTestHost.Start.AddSeconds(61), signal.Onset);
        Assert.Equal((PipelineTestHost.Start.AddSeconds(121), AnomalyEndReason.Recovered), (signal.EndedAt, signal.EndReason));
        Assert.StartsWith("recovered", member.EndReason, StringComparison.Ordinal);
        Assert.Equal(Direction.Up, signal.Direction);
        Assert.True(signal.Magnitude > 100, $"magnitude {signal.Magnitude} should be the uncapped robust deviation");
        Assert.True(member.Repeats >= 5, $"{member.Repeats} repeats: a lasting anomaly is re-sent every 5 s");
        await host.StopAsync();
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1000000")]
    public async Task StartAsync_FalseAlarmsPerWeekOutOfRange_FailsWithConfigurationPath(string rate)
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var host = PipelineTestHost.Build(time, config: new Dictionary<string, string?> { ["Aiops:Detection:FalseAlarmsPerWeek"] = rate });

        var ex = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());

        Assert.Contains("FalseAlarmsPerWeek", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Options_FalseAlarmsPerWeekInConfiguration_Bound()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var host = PipelineTestHost.Build(time, config: new Dictionary<string, string?> { ["Aiops:Detection:FalseAlarmsPerWeek"] = "12.5" });

        Assert.Equal(12.5, host.Services.GetRequiredService<IOptions<DetectionStageOptions>>().Value.FalseAlarmsPerWeek);
    }

    [Fact]
    public async Task StartAsync_InvalidTrackingOption_FailsWithConfigurationPath()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var host = PipelineTestHost.Build(time, config: new Dictionary<string, string?> { ["Aiops:Detection:Tracking:ExitDeviation"] = "0" });

        var ex = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());

        Assert.Contains("Aiops:Detection:Tracking:ExitDeviation", ex.ToString(), StringComparison.Ordinal);
    }
}
