using System.Globalization;
using Aiops.Detection;

namespace Aiops.Backtest.Tests;

public sealed class ScoreCommandTests : IDisposable
{
    private const string RobustZ = BacktestDetectors.BlockPrefix + DetectorNames.RobustZScore;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Data => Path.Combine(_temp.Path, "data");

    private string Out => Path.Combine(_temp.Path, "out");

    [Fact]
    public void Score_SmallDirectory_WritesOneRowPerInputRowInOrder()
    {
        var input = Series(40, spikeAt: 30);
        _temp.Write("data/cat/a.csv", input);
        _temp.Write("data/b.csv", Series(20, spikeAt: -1));

        var (exitCode, _, stderr) = Cli.Run("score", "--data", Data, "--out", Out, "--detector", RobustZ);

        Assert.True(exitCode == 0, stderr);
        var inputLines = input.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var outputLines = File.ReadAllLines(Path.Combine(Out, "cat", "a.csv"));
        Assert.Equal("timestamp,value,anomaly_score", outputLines[0]);
        Assert.Equal(inputLines.Length, outputLines.Length);
        for (var i = 1; i < inputLines.Length; i++)
        {
            Assert.StartsWith(inputLines[i] + ",", outputLines[i], StringComparison.Ordinal);
            var score = double.Parse(outputLines[i].Split(',')[2], CultureInfo.InvariantCulture);
            Assert.InRange(score, 0.0, 1.0);
        }

        Assert.Equal(21, File.ReadAllLines(Path.Combine(Out, "b.csv")).Length);
        Assert.Contains("[2/2]", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Score_RobustZScore_WritesTheDetectorsProbabilitiesExactly()
    {
        var input = Series(60, spikeAt: 45);
        _temp.Write("data/a.csv", input);

        var (exitCode, _, stderr) = Cli.Run("score", "--data", Data, "--out", Out, "--detector", RobustZ);

        Assert.True(exitCode == 0, stderr);
        var detector = BacktestDetectors.Create(RobustZ);
        var expected = input.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line =>
        {
            var fields = line.Split(',');
            var timestamp = DateTimeOffset.Parse(fields[0] + "Z", CultureInfo.InvariantCulture);
            return detector.Update(timestamp, double.Parse(fields[1], CultureInfo.InvariantCulture)).Probability;
        }).ToList();
        var actual = File.ReadAllLines(Path.Combine(Out, "a.csv")).Skip(1)
            .Select(line => double.Parse(line.Split(',')[2], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(expected, actual);
        Assert.Equal(0.0, actual[0]);
        Assert.True(actual[45] > 0.99, $"the spike scored {actual[45]}");
    }

    [Fact]
    public void Score_EmptyAndNaNValues_AreScoredAsSkippedRows()
    {
        _temp.Write("data/a.csv", "timestamp,value\n2014-04-01 00:00:00,1\n2014-04-01 00:05:00,\n2014-04-01 00:10:00,NaN\n2014-04-01 00:15:00,2\n");

        var (exitCode, _, stderr) = Cli.Run("score", "--data", Data, "--out", Out, "--detector", RobustZ);

        Assert.True(exitCode == 0, stderr);
        Assert.Equal(
            ["timestamp,value,anomaly_score", "2014-04-01 00:00:00,1,0", "2014-04-01 00:05:00,,0", "2014-04-01 00:10:00,NaN,0", "2014-04-01 00:15:00,2,0"],
            File.ReadAllLines(Path.Combine(Out, "a.csv")));
    }

    [Fact]
    public void Score_BadFiles_ReportsEachWithLineAndStillScoresTheOthers()
    {
        _temp.Write("data/good.csv", Series(20, spikeAt: -1));
        _temp.Write("data/cat/bad_timestamp.csv", "timestamp,value\n2014-04-01 00:00:00,1\n2014-04-01 00:05:00,2\nnot-a-time,3\n");
        _temp.Write("data/no_header.csv", "2014-04-01 00:00:00,1\n");

        var (exitCode, _, stderr) = Cli.Run("score", "--data", Data, "--out", Out, "--detector", RobustZ, "--parallelism", "2");

        Assert.Equal(1, exitCode);
        Assert.Contains("cat/bad_timestamp.csv, line 4: unparsable timestamp 'not-a-time'", stderr, StringComparison.Ordinal);
        Assert.Contains("no_header.csv, line 1: expected the header 'timestamp,value'", stderr, StringComparison.Ordinal);
        Assert.Contains("2 file(s) failed", stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Out, "good.csv")));
        Assert.False(File.Exists(Path.Combine(Out, "cat", "bad_timestamp.csv")));
        Assert.Empty(Directory.EnumerateFiles(Out, "*.partial", SearchOption.AllDirectories));
    }

    [Fact]
    public void Score_UnknownDetector_ExitsWithUsageErrorListingValidNames()
    {
        _temp.Write("data/a.csv", Series(20, spikeAt: -1));

        var (exitCode, _, stderr) = Cli.Run("score", "--data", Data, "--out", Out, "--detector", "no-such-detector");

        Assert.Equal(2, exitCode);
        Assert.Contains("unknown detector 'no-such-detector'", stderr, StringComparison.Ordinal);
        Assert.Contains(DetectorNames.Ensemble, stderr, StringComparison.Ordinal);
        Assert.Contains(RobustZ, stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Out));
    }

    [Fact]
    public void Score_MissingDataDirectory_ExitsWithUsageError()
    {
        var (exitCode, _, stderr) = Cli.Run("score", "--data", Path.Combine(_temp.Path, "missing"), "--out", Out);

        Assert.Equal(2, exitCode);
        Assert.Contains("missing", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Score_OutputInsideData_DoesNotReadItsOwnOutput()
    {
        _temp.Write("data/a.csv", Series(20, spikeAt: -1));
        var nestedOut = Path.Combine(Data, "scored");

        var first = Cli.Run("score", "--data", Data, "--out", nestedOut, "--detector", RobustZ);
        var second = Cli.Run("score", "--data", Data, "--out", nestedOut, "--detector", RobustZ);

        Assert.Equal((0, 0), (first.ExitCode, second.ExitCode));
        Assert.Contains("Scored 1 of 1 files", second.Stderr, StringComparison.Ordinal);
        Assert.Single(Directory.EnumerateFiles(nestedOut, "*.csv", SearchOption.AllDirectories));
    }

    [Fact]
    public void Score_RunTwiceInParallel_WritesIdenticalBytes()
    {
        for (var f = 0; f < 6; f++)
        {
            _temp.Write($"data/f{f}.csv", Series(50 + f, spikeAt: 40));
        }

        Assert.Equal(0, Cli.Run("score", "--data", Data, "--out", Out, "--detector", RobustZ, "--parallelism", "2").ExitCode);
        var first = Directory.GetFiles(Out).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();
        Assert.Equal(0, Cli.Run("score", "--data", Data, "--out", Out, "--detector", RobustZ, "--parallelism", "3").ExitCode);
        var second = Directory.GetFiles(Out).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();

        Assert.Equal(6, first.Count);
        Assert.Equal(first, second);
    }

    /// <summary>A noisy series of <paramref name="rows"/> 5-minute rows with a spike at <paramref name="spikeAt"/> (-1: none).</summary>
    private static string Series(int rows, int spikeAt)
    {
        var lines = new List<string> { "timestamp,value" };
        var start = new DateTime(2014, 4, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < rows; i++)
        {
            var value = i == spikeAt ? 500.0 : 10.0 + ((i * 7) % 5);
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{start.AddMinutes(5 * i):yyyy-MM-dd HH:mm:ss},{value}"));
        }

        return string.Join('\n', lines) + "\n";
    }
}
