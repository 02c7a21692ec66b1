using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using Aiops.Correlation;

namespace Aiops.Hosting;

/// <summary>
/// The channel of changed episodes from correlation to remediation: one pending entry per episode, so that an update is
/// never dropped. A newer snapshot of an episode that is still waiting replaces the waiting one in place (the latest state
/// wins, and the episode keeps its place in the queue), so the channel holds at most one entry per episode changed since
/// remediation last read; it never evicts. Single reader, any number of writers; thread-safe.
/// </summary>
internal sealed class CoalescingEpisodeChannel : Channel<Episode>
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Episode> _latest = new(StringComparer.Ordinal);

    // Ids in arrival order: the signal a reader waits on, and the completion. Unbounded, but it never holds an id twice.
    private readonly Channel<string> _order = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Action _coalesced;

    /// <summary>Initializes a new instance of the <see cref="CoalescingEpisodeChannel"/> class.</summary>
    /// <param name="coalesced">Called (under no lock of the caller's) each time a waiting snapshot is replaced by a newer one.</param>
    public CoalescingEpisodeChannel(Action coalesced)
    {
        _coalesced = coalesced;
        Reader = new EpisodeReader(this);
        Writer = new EpisodeWriter(this);
    }

    /// <summary>Gets the number of episodes waiting.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _latest.Count;
            }
        }
    }

    private bool TryWrite(Episode episode)
    {
        ArgumentNullException.ThrowIfNull(episode);
        bool replaced;
        lock (_gate)
        {
            replaced = _latest.ContainsKey(episode.Id);
            if (!replaced && !_order.Writer.TryWrite(episode.Id))
            {
                return false; // completed
            }

            _latest[episode.Id] = episode;
        }

        if (replaced)
        {
            _coalesced();
        }

        return true;
    }

    private bool TryRead([MaybeNullWhen(false)] out Episode episode)
    {
        lock (_gate)
        {
            while (_order.Reader.TryRead(out var id))
            {
                if (_latest.Remove(id, out episode))
                {
                    return true;
                }
            }
        }

        episode = null;
        return false;
    }

    private sealed class EpisodeReader(CoalescingEpisodeChannel owner) : ChannelReader<Episode>
    {
        public override Task Completion => owner._order.Reader.Completion;

        public override bool CanCount => true;

        public override int Count => owner.Count;

        public override bool TryRead([MaybeNullWhen(false)] out Episode item) => owner.TryRead(out item);

        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) =>
            owner._order.Reader.WaitToReadAsync(cancellationToken);
    }

    private sealed class EpisodeWriter(CoalescingEpisodeChannel owner) : ChannelWriter<Episode>
    {
        public override bool TryComplete(Exception? error = null) => owner._order.Writer.TryComplete(error);

        public override bool TryWrite(Episode item) => owner.TryWrite(item);

        public override ValueTask<bool> WaitToWriteAsync(CancellationToken cancellationToken = default) =>
            owner._order.Writer.WaitToWriteAsync(cancellationToken);
    }
}
