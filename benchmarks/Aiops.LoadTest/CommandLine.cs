using System.Globalization;

namespace Aiops.LoadTest;

/// <summary>The <c>--name value</c> options of a command.</summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, string> _values;

    private CommandLine(Dictionary<string, string> values) => _values = values;

    public static CommandLine Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"Expected '--name value' pairs, got '{args[i]}'.");
            }

            values[args[i][2..]] = args[i + 1];
        }

        return new CommandLine(values);
    }

    public string? String(string name) => _values.GetValueOrDefault(name);

    public string String(string name, string fallback) => _values.GetValueOrDefault(name) ?? fallback;

    public int Int(string name, int fallback, int min = 0) =>
        _values.TryGetValue(name, out var text) ? Check(name, int.Parse(text, CultureInfo.InvariantCulture), min) : fallback;

    private static int Check(string name, int value, int min) =>
        value >= min ? value : throw new ArgumentException($"--{name} must be at least {min}.");
}
