using System.ComponentModel.DataAnnotations;
using Aiops.Detection.Internal;

namespace Aiops.Gates;

/// <summary>
/// Where the <see cref="RecentChangeGate"/> learns about deploys, configuration changes and other changes. Implementations
/// are thread-safe; they may query a deploy system, but should answer quickly (a gate has a timeout and fails closed).
/// </summary>
public interface IChangeFeed
{
    /// <summary>Gets the changes made at or after an instant (and any stamped later, whatever the clocks say), in any order.</summary>
    /// <param name="since">The start of the window (inclusive).</param>
    /// <param name="cancellationToken">Signalled when the gate's time is up.</param>
    /// <returns>The changes; empty when there were none.</returns>
    ValueTask<IReadOnlyList<ChangeNotice>> GetChangesSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default);
}

/// <summary>A change to something a remediation might act on. Immutable.</summary>
/// <param name="Target">What changed: a target name as proposals use it, or a service (matched against the proposal's labels).</param>
/// <param name="Kind">What kind of change (<c>deploy</c>, <c>config</c>, <c>flag</c>...).</param>
/// <param name="At">When it happened.</param>
public sealed record ChangeNotice(string Target, string Kind, DateTimeOffset At)
{
    /// <summary>Gets a description for the reason and the audit log (a version, a commit, who). Default: <see langword="null"/>.</summary>
    public string? Description { get; init; }
}

/// <summary>
/// An <see cref="IChangeFeed"/> held in memory: the host adds notices (from deploy webhooks, say) and the gate reads them.
/// Notices older than <see cref="InMemoryChangeFeedOptions.Retention"/> are dropped as new ones arrive, and at most
/// <see cref="InMemoryChangeFeedOptions.Capacity"/> are kept (the oldest go first). Thread-safe.
/// </summary>
public sealed class InMemoryChangeFeed : IChangeFeed
{
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _retention;
    private readonly int _capacity;
    private readonly List<ChangeNotice> _notices = []; // Sorted by At; equal instants keep arrival order.
    private readonly Lock _lock = new();

    /// <summary>Initializes a new instance of the <see cref="InMemoryChangeFeed"/> class.</summary>
    /// <param name="timeProvider">The clock for <see cref="Record"/> and for retention. Default: <see cref="TimeProvider.System"/>.</param>
    /// <param name="options">The options; <see langword="null"/> uses the defaults.</param>
    /// <exception cref="ValidationException">An option is out of range.</exception>
    public InMemoryChangeFeed(TimeProvider? timeProvider = null, InMemoryChangeFeedOptions? options = null)
    {
        options ??= new InMemoryChangeFeedOptions();
        OptionsValidator.ThrowIfInvalid(options);
        _timeProvider = timeProvider ?? TimeProvider.System;
        _retention = options.Retention;
        _capacity = options.Capacity;
    }

    /// <summary>Gets how many notices are held.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _notices.Count;
            }
        }
    }

    /// <summary>Adds a notice, then drops notices past the retention or the capacity.</summary>
    /// <param name="notice">The notice.</param>
    /// <exception cref="ArgumentNullException"><paramref name="notice"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The notice has an empty target or kind.</exception>
    public void Add(ChangeNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        ArgumentException.ThrowIfNullOrWhiteSpace(notice.Target, nameof(notice));
        ArgumentException.ThrowIfNullOrWhiteSpace(notice.Kind, nameof(notice));
        var horizon = _timeProvider.GetUtcNow() - _retention;
        lock (_lock)
        {
            // Usually the newest: insert after every notice at or before it.
            var index = _notices.Count;
            while (index > 0 && _notices[index - 1].At > notice.At)
            {
                index--;
            }

            _notices.Insert(index, notice);
            var expired = 0;
            while (expired < _notices.Count && _notices[expired].At < horizon)
            {
                expired++;
            }

            expired = Math.Max(expired, _notices.Count - _capacity);
            if (expired > 0)
            {
                _notices.RemoveRange(0, expired);
            }
        }
    }

    /// <summary>Records a change that happened now (by the feed's clock).</summary>
    /// <param name="target">What changed.</param>
    /// <param name="kind">What kind of change.</param>
    /// <param name="description">An optional description.</param>
    /// <returns>The notice added.</returns>
    /// <exception cref="ArgumentException"><paramref name="target"/> or <paramref name="kind"/> is empty.</exception>
    public ChangeNotice Record(string target, string kind, string? description = null)
    {
        var notice = new ChangeNotice(target, kind, _timeProvider.GetUtcNow()) { Description = description };
        Add(notice);
        return notice;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<ChangeNotice>> GetChangesSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            // Binary search for the first notice at or after since.
            int lo = 0, hi = _notices.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (_notices[mid].At < since)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            IReadOnlyList<ChangeNotice> result = lo == _notices.Count ? [] : _notices.GetRange(lo, _notices.Count - lo);
            return new(result);
        }
    }
}

/// <summary>Options of <see cref="InMemoryChangeFeed"/>. Read once when the feed is created.</summary>
public sealed class InMemoryChangeFeedOptions
{
    /// <summary>
    /// Gets or sets how long notices are kept (by the feed's clock); keep it at least as long as the longest
    /// <see cref="RecentChangeGateOptions.Window"/>. Default: 24 hours. Range: [1 minute, 30 days].
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Gets or sets the most notices kept; the oldest are dropped first. Default: 10000. Range: [1, 10000000].</summary>
    [Range(1, 10_000_000)]
    public int Capacity { get; set; } = 10_000;
}
