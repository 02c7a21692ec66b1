using System.Globalization;

namespace Aiops.Backtest.Csv;

/// <summary>The timestamps and anomaly scores of one detector result file.</summary>
/// <param name="Timestamps">The row timestamps (UTC), in file order (mostly ascending).</param>
/// <param name="Scores">The anomaly score of each row.</param>
internal sealed record ResultSeries(IReadOnlyList<DateTime> Timestamps, IReadOnlyList<double> Scores);

/// <summary>Reads detector result files: a header with (at least) <c>timestamp</c> and <c>anomaly_score</c> columns.</summary>
internal static class ResultCsv
{
    /// <summary>Reads a result file.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="displayPath">The name used in error messages.</param>
    /// <returns>The rows' timestamps and scores.</returns>
    /// <exception cref="CsvFormatException">A column is missing, a field does not parse, or a score is not finite.</exception>
    public static ResultSeries Read(string path, string displayPath)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(displayPath);

        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        var header = reader.ReadLine() ?? throw new CsvFormatException(displayPath, 1, "the file is empty; expected a header with timestamp and anomaly_score columns");
        var columns = CsvText.HeaderColumns(header);
        var timestampColumn = Array.IndexOf(columns, "timestamp");
        var scoreColumn = Array.IndexOf(columns, "anomaly_score");
        if (timestampColumn < 0 || scoreColumn < 0)
        {
            throw new CsvFormatException(displayPath, 1, $"expected a header with timestamp and anomaly_score columns but found {CsvText.Quote(header)}");
        }

        var timestamps = new List<DateTime>();
        var scores = new List<double>();
        var lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var fields = line.Split(',');
            if (fields.Length != columns.Length)
            {
                throw new CsvFormatException(displayPath, lineNumber, $"expected {columns.Length} fields but found {fields.Length}");
            }

            if (!TimestampText.TryParse(fields[timestampColumn], out var timestamp))
            {
                throw new CsvFormatException(displayPath, lineNumber, $"unparsable timestamp {CsvText.Quote(fields[timestampColumn])} (expected {TimestampText.ExpectedFormat})");
            }

            if (!double.TryParse(fields[scoreColumn], NumberStyles.Float, CultureInfo.InvariantCulture, out var score) || !double.IsFinite(score))
            {
                throw new CsvFormatException(displayPath, lineNumber, $"anomaly_score {CsvText.Quote(fields[scoreColumn])} is not a finite number");
            }

            timestamps.Add(timestamp);
            scores.Add(score);
        }

        return new ResultSeries(timestamps, scores);
    }
}
