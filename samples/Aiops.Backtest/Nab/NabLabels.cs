using System.Text.Json;
using Aiops.Backtest.Csv;

namespace Aiops.Backtest.Nab;

/// <summary>A labeled anomaly window; both ends are included.</summary>
/// <param name="Start">The first instant of the window (UTC).</param>
/// <param name="End">The last instant of the window (UTC).</param>
internal sealed record LabelWindow(DateTime Start, DateTime End);

/// <summary>Reads NAB window labels (<c>combined_windows.json</c>).</summary>
internal static class NabLabels
{
    /// <summary>
    /// Reads <c>{"category/name.csv": [["start", "end"], ...], ...}</c>; timestamps as in <see cref="TimestampText"/>.
    /// </summary>
    /// <param name="path">The file to read.</param>
    /// <returns>The windows of each data file key, sorted by start.</returns>
    /// <exception cref="InvalidDataException">The file is not in the expected shape or a timestamp does not parse.</exception>
    public static IReadOnlyDictionary<string, IReadOnlyList<LabelWindow>> Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var labels = new Dictionary<string, IReadOnlyList<LabelWindow>>(StringComparer.Ordinal);
            foreach (var file in document.RootElement.EnumerateObject())
            {
                var windows = new List<LabelWindow>();
                foreach (var pair in file.Value.EnumerateArray())
                {
                    if (pair.GetArrayLength() != 2)
                    {
                        throw new InvalidDataException($"{path}: a window of '{file.Name}' is not a [start, end] pair.");
                    }

                    var start = Timestamp(pair[0], path, file.Name);
                    var end = Timestamp(pair[1], path, file.Name);
                    if (end < start)
                    {
                        throw new InvalidDataException($"{path}: a window of '{file.Name}' ends before it starts ({pair}).");
                    }

                    windows.Add(new LabelWindow(start, end));
                }

                labels[file.Name] = [.. windows.OrderBy(w => w.Start)];
            }

            return labels;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path}: not a NAB windows file ({ex.Message}).", ex);
        }
    }

    private static DateTime Timestamp(JsonElement element, string path, string key) =>
        TimestampText.TryParse(element.GetString(), out var timestamp)
            ? timestamp
            : throw new InvalidDataException($"{path}: window timestamp '{element}' of '{key}' does not parse (expected {TimestampText.ExpectedFormat}).");
}
