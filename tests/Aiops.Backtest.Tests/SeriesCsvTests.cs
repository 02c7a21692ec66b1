using Aiops.Backtest.Csv;

namespace Aiops.Backtest.Tests;

public sealed class SeriesCsvTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Read_ValidFile_KeepsFieldTextAndParsesUtc()
    {
        var path = _temp.Write("a.csv", "timestamp,value\n2014-04-01 00:00:00,1.50\n2014-04-01 00:05:00,-7e2\n");

        var rows = SeriesCsv.Read(path, "a.csv").ToList();

        Assert.Equal(2, rows.Count);
        Assert.Equal(("2014-04-01 00:00:00", "1.50", 2), (rows[0].TimestampText, rows[0].ValueText, rows[0].LineNumber));
        Assert.Equal(new DateTimeOffset(2014, 4, 1, 0, 5, 0, TimeSpan.Zero), rows[1].Timestamp);
        Assert.Equal(TimeSpan.Zero, rows[1].Timestamp.Offset);
        Assert.Equal(-700.0, rows[1].Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("NaN")]
    [InlineData("nan")]
    public void Read_EmptyOrNaNValue_GivesNaN(string valueText)
    {
        var path = _temp.Write("a.csv", $"timestamp,value\n2014-04-01 00:00:00,{valueText}\n");

        var row = Assert.Single(SeriesCsv.Read(path, "a.csv"));

        Assert.True(double.IsNaN(row.Value));
        Assert.Equal(valueText, row.ValueText);
    }

    [Fact]
    public void Read_UnparsableTimestamp_NamesFileAndLine()
    {
        var path = _temp.Write("a.csv", "timestamp,value\n2014-04-01 00:00:00,1\n2014-04-01 00:05:00,2\n01/04/2014 00:10,3\n");

        var ex = Assert.Throws<CsvFormatException>(() => SeriesCsv.Read(path, "cat/a.csv").ToList());

        Assert.Equal(4, ex.LineNumber);
        Assert.Equal("cat/a.csv", ex.Path);
        Assert.StartsWith("cat/a.csv, line 4: unparsable timestamp '01/04/2014 00:10'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_UnparsableValue_NamesFileAndLine()
    {
        var path = _temp.Write("a.csv", "timestamp,value\n2014-04-01 00:00:00,1\n2014-04-01 00:05:00,1,5\n");

        var ex = Assert.Throws<CsvFormatException>(() => SeriesCsv.Read(path, "a.csv").ToList());

        Assert.Equal(3, ex.LineNumber);
        Assert.Contains("expected 2 fields", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NonNumericValue_NamesFileAndLine()
    {
        var path = _temp.Write("a.csv", "timestamp,value\n2014-04-01 00:00:00,twelve\n");

        var ex = Assert.Throws<CsvFormatException>(() => SeriesCsv.Read(path, "a.csv").ToList());

        Assert.Equal("a.csv, line 2: unparsable value 'twelve' (expected a number, NaN or nothing)", ex.Message);
    }

    [Theory]
    [InlineData("time,value\n2014-04-01 00:00:00,1\n")]
    [InlineData("2014-04-01 00:00:00,1\n")]
    [InlineData("timestamp,value,anomaly_score\n2014-04-01 00:00:00,1,0\n")]
    [InlineData("")]
    public void Read_MissingOrOtherHeader_FailsOnLineOne(string content)
    {
        var path = _temp.Write("a.csv", content);

        var ex = Assert.Throws<CsvFormatException>(() => SeriesCsv.Read(path, "a.csv").ToList());

        Assert.Equal(1, ex.LineNumber);
        Assert.Contains("expected the header 'timestamp,value'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResultCsvRead_NonFiniteScore_NamesFileAndLine()
    {
        var path = _temp.Write("r.csv", "timestamp,value,anomaly_score\n2014-04-01 00:00:00,1,0.5\n2014-04-01 00:05:00,1,NaN\n");

        var ex = Assert.Throws<CsvFormatException>(() => ResultCsv.Read(path, "cat/r.csv"));

        Assert.StartsWith("cat/r.csv, line 3: anomaly_score 'NaN'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2014-04-01 00:00:00")]
    [InlineData("2014-04-01 00:00:00.000000")]
    [InlineData("2014-04-01T00:00:00Z")]
    [InlineData("2014-04-01T02:00:00+02:00")]
    public void TimestampTextTryParse_AcceptedFormats_GiveTheSameUtcInstant(string text)
    {
        Assert.True(TimestampText.TryParse(text, out var utc));
        Assert.Equal(new DateTime(2014, 4, 1, 0, 0, 0, DateTimeKind.Utc), utc);
        Assert.Equal(DateTimeKind.Utc, utc.Kind);
    }
}
