namespace Aiops.Hosting.Alertmanager;

/// <summary>
/// Remembers recently seen notifications so Alertmanager's retries and repeats are acknowledged without being processed
/// again. Bounded: at most <see cref="Capacity"/> keys, evicted oldest first; a key expires <c>window</c> after it was
/// first seen. Thread-safe.
/// </summary>
internal sealed class AlertmanagerDuplicateCache(TimeProvider time, TimeSpan window, int capacity = AlertmanagerDuplicateCache.DefaultCapacity)
{
    /// <summary>The default number of remembered notifications.</summary>
    public const int DefaultCapacity = 65_536;

    private readonly Lock _lock = new();
    private readonly Dictionary<UInt128, long> _seen = [];
    private readonly Queue<(UInt128 Key, long SeenAt)> _order = new();
    private readonly long _windowTicks = window.Ticks;

    /// <summary>Gets the most keys remembered at once.</summary>
    public int Capacity { get; } = capacity;

    /// <summary>Gets how many keys are remembered.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _seen.Count;
            }
        }
    }

    /// <summary>Records the key unless it was seen within the window.</summary>
    /// <param name="key">The notification's key.</param>
    /// <returns><see langword="true"/> for a new notification, <see langword="false"/> for a duplicate.</returns>
    public bool TryAdd(UInt128 key)
    {
        if (_windowTicks <= 0)
        {
            return true;
        }

        var now = time.GetUtcNow().UtcTicks;
        lock (_lock)
        {
            Evict(now);
            if (_seen.TryGetValue(key, out var at) && now - at < _windowTicks)
            {
                return false;
            }

            _seen[key] = now;
            _order.Enqueue((key, now));
            return true;
        }
    }

    /// <summary>
    /// Records a key as seen at an earlier time (restored history), so it expires <c>window</c> after then. Keys must be
    /// recorded oldest first and before live ones for the oldest-first eviction to hold; one already outside the window is ignored.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="seenAt">When it was seen.</param>
    /// <returns><see langword="true"/> when it is now remembered.</returns>
    public bool Remember(UInt128 key, DateTimeOffset seenAt)
    {
        var now = time.GetUtcNow().UtcTicks;
        var at = Math.Min(seenAt.UtcTicks, now);
        if (now - at >= _windowTicks)
        {
            return false;
        }

        lock (_lock)
        {
            Evict(now);
            if (!_seen.TryGetValue(key, out var known) || known < at)
            {
                _seen[key] = at;
                _order.Enqueue((key, at));
            }

            return true;
        }
    }

    private void Evict(long now)
    {
        while (_order.TryPeek(out var head) && (now - head.SeenAt >= _windowTicks || _seen.Count >= Capacity))
        {
            _order.Dequeue();
            if (_seen.TryGetValue(head.Key, out var seenAt) && seenAt == head.SeenAt)
            {
                _seen.Remove(head.Key);
            }
        }
    }

    /// <summary>Whether the key was recorded within the window (without recording it).</summary>
    /// <param name="key">The key.</param>
    /// <returns><see langword="true"/> when it was.</returns>
    public bool Contains(UInt128 key)
    {
        var now = time.GetUtcNow().UtcTicks;
        lock (_lock)
        {
            return _seen.TryGetValue(key, out var at) && now - at < _windowTicks;
        }
    }

    /// <summary>Forgets a key, so a notification that could not be processed is processed when retried.</summary>
    /// <param name="key">The key.</param>
    public void Remove(UInt128 key)
    {
        lock (_lock)
        {
            _seen.Remove(key);
        }
    }
}
