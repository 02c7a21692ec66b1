using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Aiops.Lab.App;

/// <summary>Feature flags: a harmless target for an HTTP remediation action (nothing in the simulation reads them).</summary>
public sealed partial class FeatureFlags
{
    /// <summary>At most this many flags exist.</summary>
    public const int MaxFlags = 100;

    private readonly ConcurrentDictionary<string, bool> _flags = new(StringComparer.Ordinal);

    /// <summary>Creates the flags with their initial values.</summary>
    public FeatureFlags(IEnumerable<KeyValuePair<string, bool>> initial)
    {
        foreach (var (name, on) in initial)
        {
            if (IsValidName(name))
            {
                _flags[name] = on;
            }
        }
    }

    /// <summary>True for 1-64 characters of [a-z0-9._-] starting with a letter or digit.</summary>
    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    /// <summary>Sets a flag; false when the name is invalid or the flag would be one too many.</summary>
    public bool TrySet(string name, bool on)
    {
        if (!IsValidName(name) || (!_flags.ContainsKey(name) && _flags.Count >= MaxFlags))
        {
            return false;
        }

        _flags[name] = on;
        return true;
    }

    /// <summary>All flags, sorted by name.</summary>
    public SortedDictionary<string, bool> Snapshot() => new(_flags, StringComparer.Ordinal);

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial Regex NamePattern();
}
