using System.Globalization;

namespace Aiops.Backtest.Csv;

/// <summary>Small helpers shared by the CSV readers: header fields, value parsing, display of offending text.</summary>
internal static class CsvText
{
    /// <summary>Splits a header line into trimmed, lower-case column names.</summary>
    /// <param name="line">The header line.</param>
    /// <returns>The column names.</returns>
    public static string[] HeaderColumns(string line) =>
        [.. line.Split(',').Select(c => c.Trim().Trim('"').ToLowerInvariant())];

    /// <summary>Parses a value with the invariant culture; empty text and <c>NaN</c> (any case) give <see cref="double.NaN"/>.</summary>
    /// <param name="text">The field text.</param>
    /// <param name="value">The parsed value.</param>
    /// <returns><see langword="true"/> when the text is empty or a number.</returns>
    public static bool TryParseValue(ReadOnlySpan<char> text, out double value)
    {
        var trimmed = text.Trim();
        if (trimmed.IsEmpty)
        {
            value = double.NaN;
            return true;
        }

        return double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Quotes a field for an error message, shortening very long text.</summary>
    /// <param name="text">The offending text.</param>
    /// <returns>The text in single quotes.</returns>
    public static string Quote(ReadOnlySpan<char> text) =>
        text.Length <= 60 ? $"'{text}'" : $"'{text[..57]}...'";
}
