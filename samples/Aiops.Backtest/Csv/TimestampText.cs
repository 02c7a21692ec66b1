using System.Globalization;

namespace Aiops.Backtest.Csv;

/// <summary>Parses the timestamps of NAB-format files (<c>2014-04-01 00:00:00</c>, optionally with fractional seconds) as UTC.</summary>
internal static class TimestampText
{
    /// <summary>The format named in error messages.</summary>
    public const string ExpectedFormat = "yyyy-MM-dd HH:mm:ss";

    private static readonly string[] Formats =
    [
        "yyyy-MM-dd HH:mm:ss",
        "yyyy-MM-dd HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd HH:mm",
        "yyyy-MM-ddTHH:mm:ss",
        "yyyy-MM-ddTHH:mm:ss.FFFFFFF",
        "yyyy-MM-ddTHH:mm:ssK",
        "yyyy-MM-ddTHH:mm:ss.FFFFFFFK",
    ];

    /// <summary>Parses a timestamp with the invariant culture; text without an offset is taken as UTC.</summary>
    /// <param name="text">The timestamp text; surrounding white space is ignored.</param>
    /// <param name="utc">The parsed instant, of kind <see cref="DateTimeKind.Utc"/>.</param>
    /// <returns><see langword="true"/> when the text is a timestamp in one of the accepted formats.</returns>
    public static bool TryParse(ReadOnlySpan<char> text, out DateTime utc) =>
        DateTime.TryParseExact(
            text.Trim(),
            Formats,
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
            out utc);
}
