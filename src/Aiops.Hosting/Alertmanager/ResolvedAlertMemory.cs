using Aiops.Correlation;

namespace Aiops.Hosting.Alertmanager;

/// <summary>
/// The alert instances (fingerprint and <c>startsAt</c>) seen resolved, so that a replay of one's firing notification, under
/// any group key, is recognised and opens nothing. Filled by the webhook as resolves arrive and, at start, from the resolved
/// alert members of the restored episodes (a replay after a restart is recognised too). Bounded like the webhook's duplicate
/// cache: <see cref="AlertmanagerDuplicateCache.DefaultCapacity"/> instances, each for <see cref="Window"/>. Thread-safe.
/// </summary>
internal sealed class ResolvedAlertMemory(TimeProvider time)
{
    /// <summary>
    /// How long a resolved instance is remembered: as long as correlation accepts a signal's onset (its default
    /// <c>MaxSignalAge</c>), so an older replay is refused there instead.
    /// </summary>
    internal static readonly TimeSpan Window = TimeSpan.FromDays(1);

    /// <summary>The end reason the correlator gives a member whose alert was resolved (not one that merely went stale).</summary>
    internal const string AlertResolvedReason = "alert resolved";

    private readonly AlertmanagerDuplicateCache _resolved = new(time, Window);

    /// <summary>Gets how many instances are remembered.</summary>
    public int Count => _resolved.Count;

    /// <summary>Remembers a resolved alert instance.</summary>
    /// <param name="alert">The resolved alert.</param>
    public void Resolved(AlertSignal alert) => _resolved.TryAdd(AlertmanagerMapping.InstanceKey(alert));

    /// <summary>Whether a firing alert is an instance seen resolved: a replay of an alert that ended.</summary>
    /// <param name="alert">The firing alert.</param>
    /// <returns><see langword="true"/> for a replay.</returns>
    public bool IsReplay(AlertSignal alert) => _resolved.Contains(AlertmanagerMapping.InstanceKey(alert));

    /// <summary>
    /// Remembers the resolved alert members of restored episodes, as of their end: the newest
    /// <see cref="AlertmanagerDuplicateCache.DefaultCapacity"/> of those that ended within <see cref="Window"/>. A member
    /// that only went stale (no notification for a while) is left out: Alertmanager may still send it as firing.
    /// </summary>
    /// <param name="episodes">The restored episodes.</param>
    /// <returns>How many instances were remembered.</returns>
    public int Seed(IEnumerable<Episode> episodes)
    {
        ArgumentNullException.ThrowIfNull(episodes);
        var since = time.GetUtcNow() - Window;
        var resolved = episodes
            .SelectMany(static e => e.Members)
            .Where(m => m is { Signal: AlertSignal, IsActive: false, EndReason: AlertResolvedReason, EndedAt: { } ended } && ended > since)
            .OrderByDescending(static m => m.EndedAt!.Value)
            .Take(_resolved.Capacity)
            .Reverse(); // oldest first, as the memory evicts
        var count = 0;
        foreach (var member in resolved)
        {
            count += _resolved.Remember(AlertmanagerMapping.InstanceKey((AlertSignal)member.Signal), member.EndedAt!.Value) ? 1 : 0;
        }

        return count;
    }
}
