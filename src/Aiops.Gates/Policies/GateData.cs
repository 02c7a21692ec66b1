using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Aiops.Gates;

/// <summary>
/// A small immutable string map for <see cref="GateDecision.Data"/>: one array, linear lookup, insertion order kept (so the
/// audit log reads in the order a gate wrote it). Cheaper than a dictionary for the handful of figures a gate reports.
/// </summary>
internal sealed class GateData : IReadOnlyDictionary<string, string>
{
    private readonly KeyValuePair<string, string>[] _items;

    public GateData(params KeyValuePair<string, string>[] items) => _items = items;

    public int Count => _items.Length;

    public IEnumerable<string> Keys => _items.Select(i => i.Key);

    public IEnumerable<string> Values => _items.Select(i => i.Value);

    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"No data item '{key}'.");

    public static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Format(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);

    public static string Format(DateTimeOffset value) => value.ToString("O", CultureInfo.InvariantCulture);

    public static string Format(bool value) => value ? "true" : "false";

    public bool ContainsKey(string key) => TryGetValue(key, out _);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        foreach (var item in _items)
        {
            if (string.Equals(item.Key, key, StringComparison.Ordinal))
            {
                value = item.Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, string>>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
