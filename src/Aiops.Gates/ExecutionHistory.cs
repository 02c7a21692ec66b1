using System.ComponentModel.DataAnnotations;

namespace Aiops.Gates;

/// <summary>
/// The in-memory <see cref="IExecutionHistory"/>: the starts of every action within <see cref="ExecutionHistoryOptions.Retention"/>
/// (at most <see cref="ExecutionHistoryOptions.MaxStartsPerAction"/> per action) and the number of actions running now.
/// The <see cref="RemediationExecutor"/> records a start <em>before</em> the action runs, so gates evaluated concurrently
/// already count it; the <see cref="DecisionEngine"/> rebuilds it from the audit log on restore.
/// </summary>
/// <remarks>Thread-safe: every member takes one lock; queries cost O(log n + matches) per action.</remarks>
public sealed class ExecutionHistory : IExecutionHistory
{
    private readonly Lock _gate = new();
    private readonly ExecutionHistoryOptions _options;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, List<Start>> _byAction = new(StringComparer.Ordinal);
    private int _running;

    /// <summary>Initializes a new instance of the <see cref="ExecutionHistory"/> class.</summary>
    /// <param name="options">The options; <see langword="null"/> uses the defaults.</param>
    /// <param name="timeProvider">The clock that ages starts out; <see langword="null"/> uses <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ValidationException">An option is out of range.</exception>
    public ExecutionHistory(ExecutionHistoryOptions? options = null, TimeProvider? timeProvider = null)
    {
        _options = options ?? new ExecutionHistoryOptions();
        Aiops.Detection.Internal.OptionsValidator.ThrowIfInvalid(_options);
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    public int Running
    {
        get
        {
            lock (_gate)
            {
                return _running;
            }
        }
    }

    /// <inheritdoc/>
    /// <remarks>Starts older than the retention are forgotten, so a window longer than it undercounts.</remarks>
    public int CountSince(string actionId, DateTimeOffset since, string? target = null)
    {
        ArgumentNullException.ThrowIfNull(actionId);
        lock (_gate)
        {
            if (!_byAction.TryGetValue(actionId, out var starts))
            {
                return 0;
            }

            var first = FirstAtOrAfter(starts, since);
            if (target is null)
            {
                return starts.Count - first;
            }

            var count = 0;
            for (var i = first; i < starts.Count; i++)
            {
                if (Touches(starts[i], target))
                {
                    count++;
                }
            }

            return count;
        }
    }

    /// <inheritdoc/>
    public DateTimeOffset? LastStart(string actionId, string? target = null)
    {
        ArgumentNullException.ThrowIfNull(actionId);
        lock (_gate)
        {
            if (!_byAction.TryGetValue(actionId, out var starts))
            {
                return null;
            }

            var horizon = _time.GetUtcNow() - _options.Retention;
            for (var i = starts.Count - 1; i >= 0 && starts[i].At >= horizon; i--)
            {
                if (target is null || Touches(starts[i], target))
                {
                    return starts[i].At;
                }
            }

            return null;
        }
    }

    /// <summary>Records that an action starts now: it counts as a start and as running until <see cref="RecordFinish"/>.</summary>
    /// <param name="actionId">The action.</param>
    /// <param name="targets">Its targets.</param>
    /// <param name="at">The start time.</param>
    /// <exception cref="ArgumentNullException"><paramref name="actionId"/> or <paramref name="targets"/> is <see langword="null"/>.</exception>
    public void RecordStart(string actionId, IReadOnlyList<string> targets, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(actionId);
        ArgumentNullException.ThrowIfNull(targets);
        lock (_gate)
        {
            Add(actionId, targets, at);
            _running++;
        }
    }

    /// <summary>Records that a started action finished (whatever its outcome): it no longer counts as running.</summary>
    public void RecordFinish()
    {
        lock (_gate)
        {
            if (_running > 0)
            {
                _running--;
            }
        }
    }

    /// <summary>Records a start that has already finished (replayed from the audit log): it counts as a start, never as running.</summary>
    /// <param name="actionId">The action.</param>
    /// <param name="targets">Its targets.</param>
    /// <param name="at">The start time.</param>
    /// <exception cref="ArgumentNullException"><paramref name="actionId"/> or <paramref name="targets"/> is <see langword="null"/>.</exception>
    public void RecordPast(string actionId, IReadOnlyList<string> targets, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(actionId);
        ArgumentNullException.ThrowIfNull(targets);
        lock (_gate)
        {
            Add(actionId, targets, at);
        }
    }

    private static bool Touches(Start start, string target)
    {
        foreach (var t in start.Targets)
        {
            if (string.Equals(t, target, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static int FirstAtOrAfter(List<Start> starts, DateTimeOffset since)
    {
        int lo = 0, hi = starts.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (starts[mid].At < since)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private void Add(string actionId, IReadOnlyList<string> targets, DateTimeOffset at)
    {
        var horizon = _time.GetUtcNow() - _options.Retention;
        if (!_byAction.TryGetValue(actionId, out var starts))
        {
            starts = [];
            _byAction[actionId] = starts;
        }

        var start = new Start(at, [.. targets]);
        if (starts.Count == 0 || starts[^1].At <= at)
        {
            starts.Add(start);
        }
        else
        {
            // Replays may arrive out of order; keep the list sorted, later entries after equal times.
            var index = FirstAtOrAfter(starts, at.AddTicks(1));
            starts.Insert(index, start);
        }

        var expired = FirstAtOrAfter(starts, horizon);
        var excess = starts.Count - expired - _options.MaxStartsPerAction;
        var drop = expired + Math.Max(0, excess);
        if (drop > 0)
        {
            starts.RemoveRange(0, drop);
        }

        if (starts.Count == 0)
        {
            _byAction.Remove(actionId);
        }

        PruneOthers(horizon);
    }

    private void PruneOthers(DateTimeOffset horizon)
    {
        // Cheap sweep: actions whose newest start is older than the retention are forgotten entirely.
        if (_byAction.Count <= 64)
        {
            return;
        }

        List<string>? stale = null;
        foreach (var (id, starts) in _byAction)
        {
            if (starts[^1].At < horizon)
            {
                (stale ??= []).Add(id);
            }
        }

        if (stale is not null)
        {
            foreach (var id in stale)
            {
                _byAction.Remove(id);
            }
        }
    }

    private readonly record struct Start(DateTimeOffset At, string[] Targets);
}

/// <summary>Options of <see cref="ExecutionHistory"/>. Read once when the history is created.</summary>
public sealed class ExecutionHistoryOptions
{
    /// <summary>
    /// Gets or sets how long a start is remembered; rate-limit and cooldown windows longer than this undercount.
    /// Default: 24 hours. Range: [1 minute, 30 days].
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Gets or sets the most starts remembered per action (the oldest are forgotten first). Default: 10,000. Range: [1, 1,000,000].</summary>
    [Range(1, 1_000_000)]
    public int MaxStartsPerAction { get; set; } = 10_000;
}
