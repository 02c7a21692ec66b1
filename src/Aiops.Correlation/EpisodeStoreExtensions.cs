namespace Aiops.Correlation;

/// <summary>Queries over an <see cref="IEpisodeStore"/>.</summary>
public static class EpisodeStoreExtensions
{
    /// <summary>The most merge hops followed before giving up (a merged episode points at an older, surviving one).</summary>
    private const int MaxMergeHops = 16;

    /// <summary>
    /// Finds the episode of an entity (service) at a time: the latest-opened stored episode involving
    /// <paramref name="entity"/> that was open at <paramref name="at"/> (see <see cref="Episode.Covers"/>); an episode that
    /// was merged into another is resolved to that one, so the caller never has to follow <see cref="Episode.MergedInto"/>.
    /// </summary>
    /// <param name="store">The store.</param>
    /// <param name="entity">The entity (service).</param>
    /// <param name="at">The time.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The episode, or <see langword="null"/> when none covers that time.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> or <paramref name="entity"/> is <see langword="null"/>.</exception>
    public static async ValueTask<Episode?> FindAsync(this IEpisodeStore store, string entity, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(entity);
        var candidates = await store.ListAsync(new EpisodeQuery(Entity: entity), cancellationToken).ConfigureAwait(false);
        Episode? found = null;
        foreach (var candidate in candidates)
        {
            // A merged episode closed when it was merged; the time it covered belongs to the surviving one.
            var episode = candidate.MergedInto is null ? candidate : await ResolveAsync(store, candidate, cancellationToken).ConfigureAwait(false);
            if (episode.Covers(at) && (found is null || episode.OpenedAt > found.OpenedAt))
            {
                found = episode;
            }
        }

        return found;
    }

    /// <summary>Follows <see cref="Episode.MergedInto"/> to the episode that absorbed <paramref name="episode"/>.</summary>
    /// <param name="store">The store.</param>
    /// <param name="episode">The episode.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The surviving episode; <paramref name="episode"/> itself when it was not merged or its target is no longer stored.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> or <paramref name="episode"/> is <see langword="null"/>.</exception>
    public static async ValueTask<Episode> ResolveAsync(this IEpisodeStore store, Episode episode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(episode);
        for (var hops = 0; episode.MergedInto is { } id && hops < MaxMergeHops; hops++)
        {
            if (await store.GetAsync(id, cancellationToken).ConfigureAwait(false) is not { } target)
            {
                break;
            }

            episode = target;
        }

        return episode;
    }
}
