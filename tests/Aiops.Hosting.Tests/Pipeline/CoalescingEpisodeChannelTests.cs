using Aiops.Correlation;

namespace Aiops.Hosting.Tests.Pipeline;

public sealed class CoalescingEpisodeChannelTests
{
    [Fact]
    public void TryWrite_SameEpisodeTwiceBeforeRead_ReaderGetsLatestOnceInFirstPosition()
    {
        var coalesced = 0;
        var channel = new CoalescingEpisodeChannel(() => coalesced++);

        Assert.True(channel.Writer.TryWrite(Snapshot("ep-000001", EpisodeState.Pending)));
        Assert.True(channel.Writer.TryWrite(Snapshot("ep-000002", EpisodeState.Pending)));
        Assert.True(channel.Writer.TryWrite(Snapshot("ep-000001", EpisodeState.Firing)));

        Assert.Equal(2, channel.Reader.Count);
        Assert.True(channel.Reader.TryRead(out var first));
        Assert.Equal(("ep-000001", EpisodeState.Firing), (first.Id, first.State));
        Assert.True(channel.Reader.TryRead(out var second));
        Assert.Equal("ep-000002", second.Id);
        Assert.False(channel.Reader.TryRead(out _));
        Assert.Equal(1, coalesced);
    }

    [Fact]
    public void TryWrite_ManyMoreEpisodesThanAnyCapacity_NoneIsDropped()
    {
        var channel = new CoalescingEpisodeChannel(static () => { });
        for (var i = 0; i < 20_000; i++)
        {
            Assert.True(channel.Writer.TryWrite(Snapshot($"ep-{i:D6}", EpisodeState.Firing)));
        }

        var read = 0;
        while (channel.Reader.TryRead(out _))
        {
            read++;
        }

        Assert.Equal(20_000, read);
    }

    [Fact]
    public async Task Complete_AfterWrites_ReaderDrainsThenCompletesAndWritesAreRefused()
    {
        var channel = new CoalescingEpisodeChannel(static () => { });
        Assert.True(channel.Writer.TryWrite(Snapshot("ep-000001", EpisodeState.Firing)));
        Assert.True(channel.Writer.TryComplete());

        Assert.False(channel.Writer.TryWrite(Snapshot("ep-000002", EpisodeState.Firing)));
        Assert.True(await channel.Reader.WaitToReadAsync());
        Assert.True(channel.Reader.TryRead(out var only));
        Assert.Equal("ep-000001", only.Id);
        Assert.False(await channel.Reader.WaitToReadAsync());
        await channel.Reader.Completion.WaitAsync(TimeSpan.FromSeconds(5));
    }

    private static Episode Snapshot(string id, EpisodeState state) =>
        new(id, state, PipelineTestHost.Start, PipelineTestHost.Start, [], [], [], [], 1, null);
}
