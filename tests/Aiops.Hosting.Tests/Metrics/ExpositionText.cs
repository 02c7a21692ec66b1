using System.Globalization;
using System.Text.RegularExpressions;

namespace Aiops.Hosting.Tests.Metrics;

/// <summary>A minimal parser of the Prometheus text exposition format (0.0.4), strict enough to catch malformed output.</summary>
internal sealed partial class ExpositionText
{
    private ExpositionText(List<Sample> samples, Dictionary<string, string> types)
    {
        Samples = samples;
        Types = types;
    }

    public IReadOnlyList<Sample> Samples { get; }

    /// <summary>Gets the <c># TYPE</c> of every family.</summary>
    public IReadOnlyDictionary<string, string> Types { get; }

    public static ExpositionText Parse(string text)
    {
        var samples = new List<Sample>();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith('#'))
            {
                var type = TypeLine().Match(line);
                if (type.Success)
                {
                    Assert.True(types.TryAdd(type.Groups[1].Value, type.Groups[2].Value), "duplicate TYPE: " + line);
                }
                else
                {
                    Assert.Matches(HelpLine(), line);
                }

                continue;
            }

            var match = SampleLine().Match(line);
            Assert.True(match.Success, "malformed sample line: " + line);
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match label in LabelPair().Matches(match.Groups[2].Value))
            {
                Assert.True(labels.TryAdd(label.Groups[1].Value, Unescape(label.Groups[2].Value)), "duplicate label: " + line);
            }

            var value = match.Groups[3].Value switch
            {
                "NaN" => double.NaN,
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                var v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
            samples.Add(new Sample(match.Groups[1].Value, labels, value));
        }

        return new ExpositionText(samples, types);
    }

    public IEnumerable<Sample> Named(string name) => Samples.Where(s => s.Name == name);

    public double? Value(string name, params (string Name, string Value)[] labels) =>
        Named(name).Where(s => labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value)).Select(s => (double?)s.Value).FirstOrDefault();

    private static string Unescape(string value) => value.Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);

    [GeneratedRegex(@"^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$")]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$")]
    private static partial Regex HelpLine();

    [GeneratedRegex(@"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*=""(?:[^""\\]|\\.)*"",?)*)\})? (\S+)(?: -?\d+)?$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();

    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);
}
