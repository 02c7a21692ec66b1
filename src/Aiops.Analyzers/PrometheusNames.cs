using System.Collections.Generic;
using System.Text;

namespace Aiops.Analyzers;

/// <summary>The kind of a prometheus-net metric, from the factory method that creates it.</summary>
internal enum MetricKind
{
    Counter,
    Gauge,
    Histogram,
    Summary,
}

/// <summary>The Prometheus naming conventions (https://prometheus.io/docs/practices/naming/) as checks and mechanical fixes.</summary>
internal static class PrometheusNames
{
    private const string TotalSuffix = "_total";

    // Units that are not base units, with the base unit to convert to. Converting changes the values, so it is never a fix.
    private static readonly Dictionary<string, string> NonBaseUnits = new(System.StringComparer.Ordinal)
    {
        ["ms"] = "seconds", ["msec"] = "seconds", ["millis"] = "seconds", ["milliseconds"] = "seconds",
        ["us"] = "seconds", ["micros"] = "seconds", ["microseconds"] = "seconds",
        ["ns"] = "seconds", ["nanos"] = "seconds", ["nanoseconds"] = "seconds",
        ["mins"] = "seconds", ["minutes"] = "seconds", ["hours"] = "seconds", ["days"] = "seconds",
        ["kb"] = "bytes", ["kib"] = "bytes", ["kilobytes"] = "bytes",
        ["mb"] = "bytes", ["mib"] = "bytes", ["megabytes"] = "bytes",
        ["gb"] = "bytes", ["gib"] = "bytes", ["gigabytes"] = "bytes",
        ["percent"] = "ratio", ["pct"] = "ratio",
    };

    /// <summary>Checks a metric name.</summary>
    /// <param name="name">The name.</param>
    /// <param name="kind">The metric kind.</param>
    /// <param name="fixedName">The name with every mechanical fix applied (snake_case, _total), or null when none applies.</param>
    /// <returns>The problems, empty when the name is fine.</returns>
    internal static List<string> CheckMetricName(string name, MetricKind kind, out string? fixedName)
    {
        var problems = new List<string>();
        fixedName = null;
        if (name.Length == 0)
        {
            problems.Add("a metric name is not empty");
            return problems;
        }

        var fixable = true;
        if (IsDigit(name[0]))
        {
            problems.Add("a metric name does not start with a digit");
            fixable = false;
        }

        if (name.StartsWith("__", System.StringComparison.Ordinal))
        {
            problems.Add("the prefix '__' is reserved for Prometheus' internal use");
        }

        if (name.IndexOf(':') >= 0)
        {
            problems.Add("':' is reserved for recording rules");
            fixable = false;
        }

        var candidate = name;
        if (!IsSnakeCase(name))
        {
            candidate = ToSnakeCase(name);
            problems.Add(HasOnlyValidCharacters(name) ? "names are snake_case" : "names contain only [a-z0-9_]; use snake_case");
        }

        if (kind == MetricKind.Counter)
        {
            if (!candidate.EndsWith(TotalSuffix, System.StringComparison.Ordinal))
            {
                problems.Add("a counter's name ends in '_total'");
                candidate += TotalSuffix;
            }
        }
        else if (candidate.EndsWith(TotalSuffix, System.StringComparison.Ordinal))
        {
            problems.Add($"only counters end in '_total', and this is a {kind.ToString().ToLowerInvariant()}");
            candidate = candidate.Substring(0, candidate.Length - TotalSuffix.Length);
        }

        foreach (var token in candidate.Split('_'))
        {
            if (NonBaseUnits.TryGetValue(token, out var baseUnit))
            {
                problems.Add($"'_{token}' is not a base unit; record {baseUnit} (and convert the values) as '_{baseUnit}'");
            }
        }

        if (fixable && candidate.Length > 0 && !string.Equals(candidate, name, System.StringComparison.Ordinal))
        {
            fixedName = candidate;
        }

        return problems;
    }

    /// <summary>Checks a label name.</summary>
    /// <param name="label">The label name.</param>
    /// <param name="kind">The metric kind (histograms reserve 'le', summaries 'quantile').</param>
    /// <param name="fixedName">The snake_case name when that is the only fix, or null.</param>
    /// <returns>The problems, empty when the label is fine.</returns>
    internal static List<string> CheckLabelName(string label, MetricKind kind, out string? fixedName)
    {
        var problems = new List<string>();
        fixedName = null;
        if (label.Length == 0 || IsDigit(label[0]) || label.IndexOf(':') >= 0)
        {
            problems.Add("a label name matches [a-zA-Z_][a-zA-Z0-9_]*");
            return problems;
        }

        if (label.StartsWith("__", System.StringComparison.Ordinal))
        {
            problems.Add("the prefix '__' is reserved for Prometheus' internal use");
        }

        if ((kind == MetricKind.Histogram && label == "le") || (kind == MetricKind.Summary && label == "quantile"))
        {
            problems.Add($"'{label}' is reserved by the {kind.ToString().ToLowerInvariant()} itself");
        }

        if (!IsSnakeCase(label))
        {
            problems.Add(HasOnlyValidCharacters(label) ? "label names are snake_case" : "a label name matches [a-zA-Z_][a-zA-Z0-9_]*; use snake_case");
            var snake = ToSnakeCase(label);
            if (snake.Length > 0 && problems.Count == 1)
            {
                fixedName = snake;
            }
        }

        return problems;
    }

    /// <summary>Converts to snake_case: words split at case changes and at any character outside [a-zA-Z0-9_].</summary>
    /// <param name="name">The name.</param>
    /// <returns>The snake_case name.</returns>
    internal static string ToSnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (IsUpper(c))
            {
                var previous = i > 0 ? name[i - 1] : '\0';
                var next = i + 1 < name.Length ? name[i + 1] : '\0';
                if (i > 0 && (IsLower(previous) || IsDigit(previous) || (IsUpper(previous) && IsLower(next))))
                {
                    builder.Append('_');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else if (IsLower(c) || IsDigit(c) || c == '_')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('_');
            }
        }

        // Collapse runs of '_' made by the split (a leading "__" is kept: it is reported, never silently changed).
        var text = builder.ToString();
        var start = text.StartsWith("__", System.StringComparison.Ordinal) && name.StartsWith("__", System.StringComparison.Ordinal) ? 2 : 0;
        var collapsed = new StringBuilder(text.Length);
        collapsed.Append(text, 0, start);
        for (var i = start; i < text.Length; i++)
        {
            if (text[i] == '_' && collapsed.Length > start && collapsed[collapsed.Length - 1] == '_')
            {
                continue;
            }

            collapsed.Append(text[i]);
        }

        return collapsed.ToString().TrimEnd('_');
    }

    /// <summary>Whether a name is snake_case: [a-z_][a-z0-9_]*.</summary>
    /// <param name="name">The name.</param>
    /// <returns>True when it is.</returns>
    internal static bool IsSnakeCase(string name)
    {
        foreach (var c in name)
        {
            if (!(IsLower(c) || IsDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool HasOnlyValidCharacters(string name)
    {
        foreach (var c in name)
        {
            if (!(IsLower(c) || IsUpper(c) || IsDigit(c) || c == '_' || c == ':'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsLower(char c) => c is >= 'a' and <= 'z';

    private static bool IsUpper(char c) => c is >= 'A' and <= 'Z';

    private static bool IsDigit(char c) => c is >= '0' and <= '9';
}
