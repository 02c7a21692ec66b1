namespace Aiops.Backtest.Csv;

/// <summary>One data row of a <c>timestamp,value</c> file, with the original text of both fields.</summary>
/// <param name="LineNumber">The 1-based line number (the header is line 1).</param>
/// <param name="TimestampText">The timestamp field exactly as in the file.</param>
/// <param name="ValueText">The value field exactly as in the file.</param>
/// <param name="Timestamp">The parsed timestamp (UTC).</param>
/// <param name="Value">The parsed value; <see cref="double.NaN"/> for an empty or NaN field.</param>
internal readonly record struct SeriesRow(int LineNumber, string TimestampText, string ValueText, DateTimeOffset Timestamp, double Value);

/// <summary>Reads NAB data files: header <c>timestamp,value</c>, one point a line, timestamps as in <see cref="TimestampText"/>.</summary>
internal static class SeriesCsv
{
    /// <summary>The required header.</summary>
    public const string Header = "timestamp,value";

    /// <summary>Streams the rows of a file, validating each line as it is read. Blank lines are ignored.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="displayPath">The name used in error messages (usually the path relative to the data directory).</param>
    /// <returns>The rows, in file order.</returns>
    /// <exception cref="CsvFormatException">The header is missing or different, or a line has a bad field count, timestamp or value.</exception>
    public static IEnumerable<SeriesRow> Read(string path, string displayPath)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(displayPath);
        return ReadCore(path, displayPath);
    }

    private static IEnumerable<SeriesRow> ReadCore(string path, string displayPath)
    {
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        var header = reader.ReadLine();
        if (header is null || !CsvText.HeaderColumns(header).SequenceEqual(["timestamp", "value"]))
        {
            var found = header is null ? "an empty file" : CsvText.Quote(header);
            throw new CsvFormatException(displayPath, 1, $"expected the header '{Header}' but found {found}");
        }

        var lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            yield return ParseLine(line, lineNumber, displayPath);
        }
    }

    private static SeriesRow ParseLine(string line, int lineNumber, string displayPath)
    {
        var comma = line.IndexOf(',', StringComparison.Ordinal);
        if (comma < 0 || line.IndexOf(',', comma + 1) >= 0)
        {
            var fields = line.Count(c => c == ',') + 1;
            throw new CsvFormatException(displayPath, lineNumber, $"expected 2 fields (timestamp,value) but found {fields}: {CsvText.Quote(line)}");
        }

        var timestampText = line[..comma];
        var valueText = line[(comma + 1)..];
        if (!TimestampText.TryParse(timestampText, out var timestamp))
        {
            throw new CsvFormatException(displayPath, lineNumber, $"unparsable timestamp {CsvText.Quote(timestampText)} (expected {TimestampText.ExpectedFormat})");
        }

        if (!CsvText.TryParseValue(valueText, out var value))
        {
            throw new CsvFormatException(displayPath, lineNumber, $"unparsable value {CsvText.Quote(valueText)} (expected a number, NaN or nothing)");
        }

        return new SeriesRow(lineNumber, timestampText, valueText, new DateTimeOffset(timestamp, TimeSpan.Zero), value);
    }
}
