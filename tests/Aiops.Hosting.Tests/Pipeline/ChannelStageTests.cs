using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Aiops.Hosting.Tests.Pipeline;

public sealed class ChannelStageTests
{
    [Fact]
    public async Task StopAsync_BackgroundWorkFailed_FailureCountedAndLoggedAndDrainStillRuns()
    {
        // A stage's background work (approval polls, correlation ticks) with a failure it does not handle (a defect): the loop
        // must still drain what is queued and run OnDrainedAsync (the final save, the wait for running actions' records), and
        // the failure must be counted and logged when it happens, not end the work in silence.
        using var meters = new TestMeterFactory();
        var telemetry = new PipelineTelemetry(meters);
        var logger = new FakeLogger();
        var channel = Channel.CreateUnbounded<int>();
        using var stage = new FailingBackgroundStage(channel, telemetry, logger);
        await stage.StartAsync(CancellationToken.None);

        await stage.BackgroundFailed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(channel.Writer.TryWrite(1));
        Assert.True(channel.Writer.TryWrite(2));
        await stage.StopAsync(CancellationToken.None);

        Assert.Equal([1, 2], stage.Processed);
        Assert.True(stage.DrainedRan, "OnDrainedAsync did not run after the background work failed");
        Assert.Equal(1, telemetry.RemediationErrors);
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Error && r.Exception?.Message == "background bug");
    }

    /// <summary>A stage whose background work throws once it has started; it records what it processed and whether it drained.</summary>
    private sealed class FailingBackgroundStage(Channel<int> channel, PipelineTelemetry telemetry, ILogger logger)
        : ChannelStage<int>(channel, "test", telemetry, logger)
    {
        public TaskCompletionSource BackgroundFailed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<int> Processed { get; } = [];

        public bool DrainedRan { get; private set; }

        protected override ValueTask ProcessAsync(int item)
        {
            Processed.Add(item);
            return ValueTask.CompletedTask;
        }

        protected override async Task RunBackgroundAsync(CancellationToken stopping)
        {
            await Task.Yield();
            try
            {
                throw new InvalidOperationException("background bug");
            }
            finally
            {
                BackgroundFailed.TrySetResult();
            }
        }

        protected override Task OnDrainedAsync()
        {
            DrainedRan = true;
            return Task.CompletedTask;
        }
    }
}
