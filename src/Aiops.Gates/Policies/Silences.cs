using System.Text.RegularExpressions;

namespace Aiops.Gates;

/// <summary>
/// Where the <see cref="SilenceGate"/> learns which alerts are silenced (a copy of Alertmanager's silences, say).
/// Implementations are thread-safe and answer quickly (a gate has a timeout and fails closed).
/// </summary>
public interface ISilenceSource
{
    /// <summary>Finds a silence that is active at an instant and matches a label set.</summary>
    /// <param name="labels">The labels of the episode's alerts.</param>
    /// <param name="at">The instant.</param>
    /// <param name="cancellationToken">Signalled when the gate's time is up.</param>
    /// <returns>A matching active silence, or <see langword="null"/> when none matches.</returns>
    ValueTask<Silence?> FindActiveAsync(IReadOnlyDictionary<string, string> labels, DateTimeOffset at, CancellationToken cancellationToken = default);
}

/// <summary>
/// An Alertmanager-style silence: it silences every label set that all of its <see cref="Matchers"/> match, from
/// <see cref="StartsAt"/> (inclusive) until <see cref="EndsAt"/> (exclusive). Immutable and thread-safe.
/// </summary>
public sealed class Silence
{
    /// <summary>Initializes a new instance of the <see cref="Silence"/> class.</summary>
    /// <param name="id">The silence's id.</param>
    /// <param name="matchers">The matchers; at least one (a silence without matchers would silence everything).</param>
    /// <param name="startsAt">When it starts (inclusive).</param>
    /// <param name="endsAt">When it ends (exclusive); after <paramref name="startsAt"/>.</param>
    /// <param name="createdBy">Who created it.</param>
    /// <param name="comment">Why.</param>
    /// <exception cref="ArgumentException">The id is empty, there are no matchers, or the end is not after the start.</exception>
    public Silence(string id, IEnumerable<SilenceMatcher> matchers, DateTimeOffset startsAt, DateTimeOffset endsAt, string createdBy = "", string comment = "")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(matchers);
        SilenceMatcher[] list = [.. matchers];
        if (list.Length == 0 || Array.Exists(list, m => m is null))
        {
            throw new ArgumentException("A silence needs at least one matcher, and no null ones.", nameof(matchers));
        }

        if (endsAt <= startsAt)
        {
            throw new ArgumentException($"The silence ends ({endsAt:O}) at or before it starts ({startsAt:O}).", nameof(endsAt));
        }

        Id = id;
        Matchers = list;
        StartsAt = startsAt;
        EndsAt = endsAt;
        CreatedBy = createdBy ?? string.Empty;
        Comment = comment ?? string.Empty;
    }

    /// <summary>Gets the silence's id.</summary>
    public string Id { get; }

    /// <summary>Gets the matchers; all must match.</summary>
    public IReadOnlyList<SilenceMatcher> Matchers { get; }

    /// <summary>Gets when the silence starts (inclusive).</summary>
    public DateTimeOffset StartsAt { get; }

    /// <summary>Gets when the silence ends (exclusive).</summary>
    public DateTimeOffset EndsAt { get; }

    /// <summary>Gets who created the silence.</summary>
    public string CreatedBy { get; }

    /// <summary>Gets why the silence was created.</summary>
    public string Comment { get; }

    /// <summary>Gets whether the silence is active at an instant: <see cref="StartsAt"/> ≤ <paramref name="at"/> &lt; <see cref="EndsAt"/>.</summary>
    /// <param name="at">The instant.</param>
    /// <returns><see langword="true"/> when active.</returns>
    public bool IsActiveAt(DateTimeOffset at) => at >= StartsAt && at < EndsAt;

    /// <summary>Gets whether every matcher matches a label set.</summary>
    /// <param name="labels">The labels.</param>
    /// <returns><see langword="true"/> when the silence covers the label set.</returns>
    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        foreach (var matcher in Matchers)
        {
            if (!matcher.Matches(labels))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Returns the matchers in Alertmanager notation: <c>{alertname="X", severity=~"warn|crit"}</c>.</summary>
    /// <returns>The matchers.</returns>
    public override string ToString() => "{" + string.Join(", ", Matchers) + "}";
}

/// <summary>
/// One Alertmanager matcher: a label name and a value, compared for equality or by a regular expression, optionally negated
/// (<c>=</c>, <c>!=</c>, <c>=~</c>, <c>!~</c>). A label the set lacks has the empty value, as in Alertmanager. Regular
/// expressions are anchored at both ends and run without backtracking (linear time, like Alertmanager's RE2). Immutable
/// and thread-safe.
/// </summary>
public sealed class SilenceMatcher
{
    private readonly Regex? _regex;

    /// <summary>Initializes a new instance of the <see cref="SilenceMatcher"/> class.</summary>
    /// <param name="name">The label name.</param>
    /// <param name="value">The value, or the regular expression when <paramref name="isRegex"/> is set.</param>
    /// <param name="isRegex">Whether <paramref name="value"/> is a regular expression. Default: <see langword="false"/>.</param>
    /// <param name="isEqual">Whether the matcher matches on a match (<see langword="true"/>) or on a mismatch (negated). Default: <see langword="true"/>.</param>
    /// <exception cref="ArgumentException">The name is empty or the regular expression is invalid or unsupported.</exception>
    public SilenceMatcher(string name, string value, bool isRegex = false, bool isEqual = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(value);
        Name = name;
        Value = value;
        IsRegex = isRegex;
        IsEqual = isEqual;
        if (isRegex)
        {
            try
            {
                _regex = new Regex($"^(?:{value})$", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
            }
            catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
            {
                throw new ArgumentException($"'{value}' is not a supported regular expression: {ex.Message}", nameof(value), ex);
            }
        }
    }

    /// <summary>Gets the label name.</summary>
    public string Name { get; }

    /// <summary>Gets the value or regular expression.</summary>
    public string Value { get; }

    /// <summary>Gets a value indicating whether <see cref="Value"/> is a regular expression.</summary>
    public bool IsRegex { get; }

    /// <summary>Gets a value indicating whether the matcher matches on a match (<see langword="false"/>: negated).</summary>
    public bool IsEqual { get; }

    /// <summary>A matcher <c>name="value"</c>.</summary>
    /// <param name="name">The label name.</param>
    /// <param name="value">The value.</param>
    /// <returns>The matcher.</returns>
    public static SilenceMatcher Equal(string name, string value) => new(name, value);

    /// <summary>A matcher <c>name!="value"</c>.</summary>
    /// <param name="name">The label name.</param>
    /// <param name="value">The value.</param>
    /// <returns>The matcher.</returns>
    public static SilenceMatcher NotEqual(string name, string value) => new(name, value, isEqual: false);

    /// <summary>A matcher <c>name=~"pattern"</c>.</summary>
    /// <param name="name">The label name.</param>
    /// <param name="pattern">The regular expression (anchored).</param>
    /// <returns>The matcher.</returns>
    public static SilenceMatcher Regex(string name, string pattern) => new(name, pattern, isRegex: true);

    /// <summary>A matcher <c>name!~"pattern"</c>.</summary>
    /// <param name="name">The label name.</param>
    /// <param name="pattern">The regular expression (anchored).</param>
    /// <returns>The matcher.</returns>
    public static SilenceMatcher NotRegex(string name, string pattern) => new(name, pattern, isRegex: true, isEqual: false);

    /// <summary>Gets whether the matcher matches a label set (a missing label has the empty value).</summary>
    /// <param name="labels">The labels.</param>
    /// <returns><see langword="true"/> on a match.</returns>
    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var actual = labels.TryGetValue(Name, out var v) && v is not null ? v : string.Empty;
        var hit = _regex is null ? string.Equals(actual, Value, StringComparison.Ordinal) : _regex.IsMatch(actual);
        return hit == IsEqual;
    }

    /// <summary>Returns the matcher in Alertmanager notation, for example <c>severity=~"warn|crit"</c>.</summary>
    /// <returns>The matcher.</returns>
    public override string ToString() => $"{Name}{(IsEqual ? (IsRegex ? "=~" : "=") : (IsRegex ? "!~" : "!="))}\"{Value}\"";
}

/// <summary>
/// An <see cref="ISilenceSource"/> held in memory: the host mirrors silences into it (from Alertmanager's API, say).
/// When several active silences match, the first added wins. Thread-safe: readers never block.
/// </summary>
public sealed class InMemorySilenceSource : ISilenceSource
{
    private readonly Lock _lock = new();
    private volatile Silence[] _silences = [];

    /// <summary>Gets the silences held, in the order they were first added.</summary>
    public IReadOnlyList<Silence> Silences => _silences;

    /// <summary>Adds a silence, or replaces the one with the same id (keeping its place).</summary>
    /// <param name="silence">The silence.</param>
    /// <exception cref="ArgumentNullException"><paramref name="silence"/> is <see langword="null"/>.</exception>
    public void Upsert(Silence silence)
    {
        ArgumentNullException.ThrowIfNull(silence);
        lock (_lock)
        {
            var current = _silences;
            var index = Array.FindIndex(current, s => string.Equals(s.Id, silence.Id, StringComparison.Ordinal));
            Silence[] next;
            if (index >= 0)
            {
                next = (Silence[])current.Clone();
                next[index] = silence;
            }
            else
            {
                next = [.. current, silence];
            }

            _silences = next;
        }
    }

    /// <summary>Removes a silence (an expired or deleted one).</summary>
    /// <param name="id">The silence's id.</param>
    /// <returns><see langword="true"/> when it was held.</returns>
    public bool Remove(string id)
    {
        lock (_lock)
        {
            var current = _silences;
            var next = Array.FindAll(current, s => !string.Equals(s.Id, id, StringComparison.Ordinal));
            _silences = next;
            return next.Length != current.Length;
        }
    }

    /// <summary>Removes the silences that ended at or before an instant.</summary>
    /// <param name="now">The instant.</param>
    /// <returns>How many were removed.</returns>
    public int RemoveExpired(DateTimeOffset now)
    {
        lock (_lock)
        {
            var current = _silences;
            var next = Array.FindAll(current, s => s.EndsAt > now);
            _silences = next;
            return current.Length - next.Length;
        }
    }

    /// <inheritdoc />
    public ValueTask<Silence?> FindActiveAsync(IReadOnlyDictionary<string, string> labels, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(labels);
        foreach (var silence in _silences)
        {
            if (silence.IsActiveAt(at) && silence.Matches(labels))
            {
                return new(silence);
            }
        }

        return new((Silence?)null);
    }
}
