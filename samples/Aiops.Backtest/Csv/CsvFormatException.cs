namespace Aiops.Backtest.Csv;

/// <summary>A CSV file is malformed; <see cref="Exception.Message"/> names the file and the 1-based line.</summary>
internal sealed class CsvFormatException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="CsvFormatException"/> class.</summary>
    /// <param name="path">The file, as shown to the user.</param>
    /// <param name="lineNumber">The 1-based line number; the header is line 1.</param>
    /// <param name="detail">What is wrong with the line.</param>
    public CsvFormatException(string path, int lineNumber, string detail)
        : base($"{path}, line {lineNumber}: {detail}")
    {
        Path = path;
        LineNumber = lineNumber;
        Detail = detail;
    }

    /// <summary>Gets the file, as shown to the user.</summary>
    public string Path { get; }

    /// <summary>Gets the 1-based line number of the bad line (the header is line 1).</summary>
    public int LineNumber { get; }

    /// <summary>Gets what is wrong with the line, without the file and line prefix.</summary>
    public string Detail { get; }
}
