using System.ComponentModel.DataAnnotations;

namespace Aiops.Correlation;

/// <summary>
/// The default <see cref="IEpisodeStore"/>: keeps the latest snapshot of every open episode (pending or firing) and a
/// bounded history of closed ones (resolved, inactive or merged), in memory. Nothing survives a restart; use
/// <see cref="FileEpisodeStore"/> for that.
/// </summary>
/// <remarks>
/// <para>
/// Saves are upserts by <see cref="Episode.Id"/>, last write wins. When more than
/// <see cref="InMemoryEpisodeStoreOptions.MaxClosedEpisodes"/> closed episodes are held, the oldest closed ones (by
/// <see cref="Episode.UpdatedAt"/>, ties by id in ordinal order) are evicted and counted in <see cref="EvictedCount"/>; open
/// episodes are never evicted (the <see cref="Correlator"/> bounds how many are open). A later snapshot of a closed episode
/// in an open state (it reopened) takes it out of the closed history.
/// </para>
/// <para>Thread-safe: every member may be called concurrently; operations are serialised by one lock and complete synchronously.</para>
/// </remarks>
public sealed class InMemoryEpisodeStore : IEpisodeStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Episode> _episodes = new(StringComparer.Ordinal);
    private readonly SortedSet<(DateTimeOffset UpdatedAt, string Id)> _closed = new(ClosedOrder.Instance);
    private readonly int _maxClosed;
    private long _evicted;

    /// <summary>Initializes a new instance of the <see cref="InMemoryEpisodeStore"/> class.</summary>
    /// <param name="options">The options; <see langword="null"/> uses the defaults. Read once.</param>
    /// <exception cref="ValidationException">An option is out of range.</exception>
    public InMemoryEpisodeStore(InMemoryEpisodeStoreOptions? options = null)
    {
        options ??= new InMemoryEpisodeStoreOptions();
        options.Validate();
        _maxClosed = options.MaxClosedEpisodes;
    }

    /// <summary>Gets the number of episodes held, open and closed. Thread-safe.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _episodes.Count;
            }
        }
    }

    /// <summary>Gets the number of closed episodes (resolved, inactive or merged) held in the bounded history. Thread-safe.</summary>
    public int ClosedCount
    {
        get
        {
            lock (_gate)
            {
                return _closed.Count;
            }
        }
    }

    /// <summary>
    /// Gets how many closed episodes were evicted from the history since the store was created (an episode saved again
    /// after its eviction and evicted again counts twice). Thread-safe.
    /// </summary>
    public long EvictedCount => Interlocked.Read(ref _evicted);

    /// <inheritdoc/>
    /// <remarks>Completes synchronously. An episode in state <see cref="EpisodeState.Resolved"/> or <see cref="EpisodeState.Inactive"/>,
    /// or with <see cref="Episode.MergedInto"/> set, counts as closed; saving it may evict the oldest closed episode.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="episode"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="episode"/> has an empty id.</exception>
    public ValueTask SaveAsync(Episode episode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(episode);
        ArgumentException.ThrowIfNullOrEmpty(episode.Id, nameof(episode));
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        Save(episode);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    /// <remarks>Completes synchronously; an evicted episode is unknown.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> is <see langword="null"/>.</exception>
    public ValueTask<Episode?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<Episode?>(cancellationToken);
        }

        return new(Get(id));
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Completes synchronously. Every set filter of <paramref name="query"/> must match: <see cref="EpisodeQuery.State"/>
    /// exactly, <see cref="EpisodeQuery.Entity"/> as one of <see cref="Episode.Entities"/> (ordinal), <see cref="EpisodeQuery.Since"/>
    /// at or before <see cref="Episode.UpdatedAt"/>. Sorted newest <see cref="Episode.UpdatedAt"/> first, ties by id in
    /// descending ordinal order, then cut to <see cref="EpisodeQuery.Limit"/>.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="EpisodeQuery.Limit"/> is negative.</exception>
    public ValueTask<IReadOnlyList<Episode>> ListAsync(EpisodeQuery? query = null, CancellationToken cancellationToken = default)
    {
        if (query?.Limit is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.Limit, "The limit must not be negative.");
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<IReadOnlyList<Episode>>(cancellationToken);
        }

        return new(List(query));
    }

    /// <summary>Whether an episode counts as closed: resolved, inactive or merged into another.</summary>
    internal static bool IsClosed(Episode episode) =>
        episode.State is EpisodeState.Resolved or EpisodeState.Inactive || episode.MergedInto is not null;

    /// <summary>The upsert behind <see cref="SaveAsync"/>, for callers that already validated the episode.</summary>
    internal void Save(Episode episode)
    {
        lock (_gate)
        {
            if (_episodes.TryGetValue(episode.Id, out var previous) && IsClosed(previous))
            {
                _closed.Remove((previous.UpdatedAt, previous.Id));
            }

            _episodes[episode.Id] = episode;
            if (!IsClosed(episode))
            {
                return;
            }

            _closed.Add((episode.UpdatedAt, episode.Id));
            while (_closed.Count > _maxClosed)
            {
                var oldest = _closed.Min;
                _closed.Remove(oldest);
                _episodes.Remove(oldest.Id);
                Interlocked.Increment(ref _evicted);
            }
        }
    }

    internal Episode? Get(string id)
    {
        lock (_gate)
        {
            return _episodes.GetValueOrDefault(id);
        }
    }

    internal List<Episode> List(EpisodeQuery? query)
    {
        List<Episode> matches;
        lock (_gate)
        {
            if (query is null)
            {
                matches = [.. _episodes.Values];
            }
            else
            {
                matches = [];
                foreach (var episode in _episodes.Values)
                {
                    if ((query.State is not { } state || episode.State == state)
                        && (query.Since is not { } since || episode.UpdatedAt >= since)
                        && (query.Entity is not { } entity || Involves(episode, entity)))
                    {
                        matches.Add(episode);
                    }
                }
            }
        }

        // Sorted outside the lock: the snapshots are immutable.
        matches.Sort(static (a, b) =>
        {
            var byTime = b.UpdatedAt.CompareTo(a.UpdatedAt);
            return byTime != 0 ? byTime : string.CompareOrdinal(b.Id, a.Id);
        });

        if (query?.Limit is { } limit && limit < matches.Count)
        {
            matches.RemoveRange(limit, matches.Count - limit);
        }

        return matches;
    }

    private static bool Involves(Episode episode, string entity)
    {
        foreach (var candidate in episode.Entities)
        {
            if (string.Equals(candidate, entity, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Oldest <see cref="Episode.UpdatedAt"/> first, ties by id in ordinal order: <see cref="SortedSet{T}.Min"/> is evicted first.</summary>
    private sealed class ClosedOrder : IComparer<(DateTimeOffset UpdatedAt, string Id)>
    {
        public static readonly ClosedOrder Instance = new();

        public int Compare((DateTimeOffset UpdatedAt, string Id) x, (DateTimeOffset UpdatedAt, string Id) y)
        {
            var byTime = x.UpdatedAt.CompareTo(y.UpdatedAt);
            return byTime != 0 ? byTime : string.CompareOrdinal(x.Id, y.Id);
        }
    }
}

/// <summary>Options of <see cref="InMemoryEpisodeStore"/>. Read once when the store is created.</summary>
public sealed class InMemoryEpisodeStoreOptions
{
    /// <summary>
    /// Gets or sets how many closed episodes (resolved, inactive or merged) are kept; beyond it the oldest closed ones are
    /// evicted. Open episodes do not count and are never evicted. Default: 1,000. Range: [0, 10,000,000].
    /// </summary>
    [Range(0, 10_000_000)]
    public int MaxClosedEpisodes { get; set; } = 1_000;

    /// <summary>Checks every property against its documented range.</summary>
    /// <exception cref="ValidationException">A value is out of range; the message names the option and the property.</exception>
    public void Validate() => Aiops.Detection.Internal.OptionsValidator.ThrowIfInvalid(this);
}
