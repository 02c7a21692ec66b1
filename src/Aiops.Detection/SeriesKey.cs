using System.Text;

namespace Aiops.Detection;

/// <summary>
/// Identifies a metric series: a metric name plus its label set. Labels are sorted by name, so the same set given in any
/// order is the same key. The canonical text (<see cref="ToString"/>) is Prometheus-like:
/// <c>http_requests_total{code="500",job="api"}</c>; two keys have the same text exactly when they are equal.
/// </summary>
/// <remarks>Immutable and thread-safe. Create a key once per series and reuse it: lookups with it allocate nothing.</remarks>
public sealed class SeriesKey : IEquatable<SeriesKey>
{
    private readonly KeyValuePair<string, string>[] _labels;
    private readonly int _hashCode;
    private string? _text;

    /// <summary>Initializes a new instance of the <see cref="SeriesKey"/> class.</summary>
    /// <param name="metric">The metric name; not empty.</param>
    /// <param name="labels">
    /// The labels; names must be unique and neither <see langword="null"/> nor empty, values must not be <see langword="null"/>
    /// (an empty value is allowed). <see langword="null"/> means none.
    /// </param>
    /// <exception cref="ArgumentException">
    /// The metric name is empty, a label name is <see langword="null"/>, empty or repeated, or a label value is <see langword="null"/>.
    /// </exception>
    public SeriesKey(string metric, IEnumerable<KeyValuePair<string, string>>? labels = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(metric);
        Metric = metric;
        _labels = labels is null ? [] : [.. labels];
        Array.Sort(_labels, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var hash = new HashCode();
        hash.Add(metric, StringComparer.Ordinal);
        for (var i = 0; i < _labels.Length; i++)
        {
            if (string.IsNullOrEmpty(_labels[i].Key))
            {
                throw new ArgumentException($"Series '{metric}' has a label with an empty name.", nameof(labels));
            }

            if (_labels[i].Value is null)
            {
                throw new ArgumentException($"Series '{metric}' has the label '{_labels[i].Key}' with a null value.", nameof(labels));
            }

            if (i > 0 && string.Equals(_labels[i].Key, _labels[i - 1].Key, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Series '{metric}' has the label '{_labels[i].Key}' twice.", nameof(labels));
            }

            hash.Add(_labels[i].Key, StringComparer.Ordinal);
            hash.Add(_labels[i].Value, StringComparer.Ordinal);
        }

        _hashCode = hash.ToHashCode();
    }

    /// <summary>Gets the metric name.</summary>
    public string Metric { get; }

    /// <summary>Gets the labels, sorted by name.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Labels => _labels;

    /// <inheritdoc />
    public bool Equals(SeriesKey? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is null || other._hashCode != _hashCode || other._labels.Length != _labels.Length
            || !string.Equals(other.Metric, Metric, StringComparison.Ordinal))
        {
            return false;
        }

        for (var i = 0; i < _labels.Length; i++)
        {
            if (!string.Equals(_labels[i].Key, other._labels[i].Key, StringComparison.Ordinal)
                || !string.Equals(_labels[i].Value, other._labels[i].Value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as SeriesKey);

    /// <inheritdoc />
    public override int GetHashCode() => _hashCode;

    /// <summary>
    /// Returns the canonical text, <c>metric{name="value",...}</c> with the labels sorted by name (computed once). It tells
    /// every two unequal keys apart, whatever their names hold: a value is quoted, with <c>\</c> and <c>"</c> escaped by a
    /// backslash; a label name of letters, digits, <c>_</c>, <c>.</c>, <c>:</c> and <c>-</c> only (Prometheus and
    /// OpenTelemetry names) is written as is, any other quoted and escaped as a value is (<c>{"a b"="1"}</c>, as Prometheus 3
    /// writes such names); a metric name is written as is (a query expression may name a series), and without labels it is
    /// followed by <c>{}</c> when it ends with <c>}</c>, so that it never reads as a name with labels.
    /// </summary>
    /// <returns>The canonical text.</returns>
    public override string ToString() => _text ??= Format();

    private string Format()
    {
        if (_labels.Length == 0)
        {
            return Metric.EndsWith('}') ? Metric + "{}" : Metric;
        }

        var builder = new StringBuilder(Metric).Append('{');
        for (var i = 0; i < _labels.Length; i++)
        {
            builder.Append(i == 0 ? string.Empty : ",");
            var name = _labels[i].Key;
            if (IsPlainName(name))
            {
                builder.Append(name);
            }
            else
            {
                AppendQuoted(builder, name);
            }

            AppendQuoted(builder.Append('='), _labels[i].Value);
        }

        return builder.Append('}').ToString();
    }

    private static bool IsPlainName(string name)
    {
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or ':' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static void AppendQuoted(StringBuilder builder, string text) =>
        builder.Append('"').Append(text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
}
