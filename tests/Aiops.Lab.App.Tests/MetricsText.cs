using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Prometheus;

namespace Aiops.Lab.App.Tests;

/// <summary>Reads values out of the Prometheus text exposition.</summary>
internal static partial class MetricsText
{
    public static async Task<string> ExportAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The value of the sample <paramref name="name"/> whose labels are exactly <paramref name="labels"/> (any order), or null.</summary>
    public static double? Value(string text, string name, params (string Name, string Value)[] labels)
    {
        var wanted = labels.Select(l => $"{l.Name}=\"{l.Value}\"").Order(StringComparer.Ordinal).ToArray();
        foreach (Match match in Sample().Matches(text))
        {
            if (match.Groups["name"].Value != name)
            {
                continue;
            }

            var got = match.Groups["labels"].Value.Length == 0
                ? []
                : LabelPair().Matches(match.Groups["labels"].Value).Select(m => m.Value).Order(StringComparer.Ordinal).ToArray();
            if (got.SequenceEqual(wanted))
            {
                return double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex Sample();

    [GeneratedRegex(@"[a-zA-Z_][a-zA-Z0-9_]*=""[^""]*""")]
    private static partial Regex LabelPair();
}
