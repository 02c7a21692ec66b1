namespace Aiops.Correlation;

/// <summary>
/// Where episodes are kept once the <see cref="Correlator"/> hands them over: every snapshot of a changed episode is saved
/// (an upsert by <see cref="Episode.Id"/>). Implementations must be thread-safe.
/// </summary>
public interface IEpisodeStore
{
    /// <summary>Saves a snapshot, replacing any earlier snapshot with the same id.</summary>
    /// <param name="episode">The snapshot.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    /// <returns>A task that completes when the snapshot is stored (durably, for durable stores).</returns>
    ValueTask SaveAsync(Episode episode, CancellationToken cancellationToken = default);

    /// <summary>Reads the latest snapshot of an episode.</summary>
    /// <param name="id">The episode id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The snapshot, or <see langword="null"/> when unknown (or aged out).</returns>
    ValueTask<Episode?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Lists the latest snapshots, newest first.</summary>
    /// <param name="query">Filters; <see langword="null"/> lists everything held.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The matching episodes, newest <see cref="Episode.UpdatedAt"/> first.</returns>
    ValueTask<IReadOnlyList<Episode>> ListAsync(EpisodeQuery? query = null, CancellationToken cancellationToken = default);
}

/// <summary>Filters for <see cref="IEpisodeStore.ListAsync"/>; every set property must match.</summary>
/// <param name="State">Only episodes in this state.</param>
/// <param name="Entity">Only episodes involving this service.</param>
/// <param name="Since">Only episodes updated at or after this time.</param>
/// <param name="Limit">At most this many (newest first); <see langword="null"/> for all.</param>
public sealed record EpisodeQuery(EpisodeState? State = null, string? Entity = null, DateTimeOffset? Since = null, int? Limit = null);
