namespace Aiops.Rca.Eval.Tests;

public sealed class RecordedCasesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("aiops-recorded-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Write_ThenRead_SameSeriesAndTheSameRankingAsTheGeneratedCase()
    {
        var @case = Benchmark.Cases(Topology.OnlineBoutique(), perFault: 1, controls: 0, seed: 5).First(c => c.Fault == FaultKind.PacketLoss);
        var generated = MetricGenerator.Generate(@case);
        var directory = RecordedCases.Write(generated, _root);

        var loaded = RecordedCases.Read(_root, Path.Combine(directory, RecordedCases.DataFile), []);

        var data = loaded.Data;
        Assert.Equal(@case.Target, data.Case.Target); // from the directory's name
        Assert.Equal((generated.Length, generated.Onset), (data.Length, data.Onset));
        Assert.Equal(generated.At(generated.Length - 1), data.At(data.Length - 1));
        Assert.Equal(generated.Series.Select(s => (s.Service, s.Metric)), data.Series.Select(s => (s.Service, s.Metric)));
        Assert.All(generated.Series.Zip(data.Series), p => Assert.Equal(p.First.Values, p.Second.Values));
        Assert.Empty(loaded.Notes);

        // A recording has no change events: the same path on the generated data without them ranks the same.
        var settings = new RunSettings(DeclareRoles: false, DeclareGraph: false);
        var expected = AiopsRunner.Run(generated with { Changes = [] }, settings);
        var replayed = AiopsRunner.Run(data, settings);
        Assert.NotEmpty(expected.Ranking);
        Assert.Equal(expected.Ranking, replayed.Ranking);
        Assert.Equal(expected.TimeToDetect, replayed.TimeToDetect);
        Assert.Equal(Baselines.Baro(generated, generated.Onset), Baselines.Baro(data, data.Onset));
    }

    [Fact]
    public void Read_UntidyFile_CountsWhatItLeavesOutAndReadsTheRest()
    {
        var directory = Directory.CreateDirectory(Path.Combine(_root, "db_cpu", "1")).FullName;
        File.WriteAllLines(Path.Combine(directory, "metrics.csv"),
        [
            "timestamp,db_cpu,api_latency-p95,orphan",
            "2026-03-01T12:00:00Z,1.5,0.2,7",
            "2026-03-01T12:00:01Z,,0.3,7",           // a missing sample
            "2026-03-01T12:00:01Z,9,9,7",            // a duplicate time
            "2026-03-01T12:00:00.5Z,9,9,7",          // out of order
            "2026-03-01T12:00:02Z,abc,0.4,7",        // not a number
            "2026-03-01T12:00:03Z,2.5,0.5,7",
        ]);
        File.WriteAllText(Path.Combine(directory, RecordedCases.OnsetFile), "1772366402"); // 12:00:02

        var loaded = RecordedCases.Read(_root, Path.Combine(directory, "metrics.csv"), []);

        Assert.Equal("db", loaded.Data.Case.Target);
        Assert.Equal((4, 2), (loaded.Data.Length, loaded.Data.Onset));
        Assert.Equal(["db", "api"], loaded.Data.Case.Topology.Services);
        Assert.Equal([1.5, double.NaN, double.NaN, 2.5], loaded.Data.Series[0].Values);
        Assert.Equal("latency-p95", loaded.Data.Series[1].Metric);
        Assert.Equal("1 columns naming no service left out; 2 rows not after the previous one skipped; 2 empty or non-numeric cells (missing samples)", loaded.Notes);
    }

    [Fact]
    public void Load_FilesThatCannotBeCases_SkippedWithTheirReason()
    {
        var noOnset = Directory.CreateDirectory(Path.Combine(_root, "a")).FullName;
        File.WriteAllLines(Path.Combine(noOnset, "data.csv"), ["time,svc_cpu", "1,1", "2,2"]);
        var noTime = Directory.CreateDirectory(Path.Combine(_root, "b")).FullName;
        File.WriteAllLines(Path.Combine(noTime, "data.csv"), ["when,svc_cpu", "1,1", "2,2"]);
        File.WriteAllText(Path.Combine(noTime, RecordedCases.OnsetFile), "2");
        var early = Directory.CreateDirectory(Path.Combine(_root, "c")).FullName;
        File.WriteAllLines(Path.Combine(early, "data.csv"), ["time,svc_cpu", "1,1", "2,2"]);
        File.WriteAllText(Path.Combine(early, RecordedCases.OnsetFile), "0");
        var good = Directory.CreateDirectory(Path.Combine(_root, "d")).FullName;
        File.WriteAllLines(Path.Combine(good, "data.csv"), ["time,svc_cpu", "1,1", "2,2"]);
        File.WriteAllText(Path.Combine(good, RecordedCases.OnsetFile), "2");
        using var skipped = new StringWriter();

        var cases = RecordedCases.Load(_root, [], skipped);

        var loaded = Assert.Single(cases);
        Assert.Equal("root cause not known", loaded.Notes);
        Assert.Null(loaded.Data.Case.Target);
        var lines = skipped.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Contains("no inject_time.txt beside it", lines[0], StringComparison.Ordinal);
        Assert.Contains("the first column is 'when', not time or timestamp", lines[1], StringComparison.Ordinal);
        Assert.Contains("at or before the first row", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public void ReadGraph_ArrowsAndCommas_ParsedAndAMalformedLineNamed()
    {
        var file = Path.Combine(_root, "graph.txt");
        File.WriteAllLines(file, ["# calls", "frontend -> cart", "", "cart,redis"]);
        Assert.Equal([("frontend", "cart"), ("cart", "redis")], RecordedCases.ReadGraph(file));

        File.AppendAllLines(file, ["checkout"]);
        var error = Assert.Throws<FormatException>(() => RecordedCases.ReadGraph(file));
        Assert.Contains("line 5: 'checkout' is not 'caller -> callee'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReplayCli_ExportedCases_ScoresEveryMethodOnTheKnownCauses()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(RcaCli.Success, RcaCli.Run(["export", "--topology", "online-boutique", "--cases", "1", "--seed", "5", "--out", _root], stdout, stderr));
        Assert.Equal(6, Directory.GetFiles(_root, RecordedCases.DataFile, SearchOption.AllDirectories).Length);

        stdout.GetStringBuilder().Clear();
        Assert.Equal(RcaCli.Success, RcaCli.Run(["replay", "--data", _root, "--details"], stdout, stderr));

        var text = stdout.ToString();
        Assert.Contains($"## 6 recorded cases under {_root} (6 with a known root cause); call graph not declared", text, StringComparison.Ordinal);
        Assert.Contains("| Aiops | ", text, StringComparison.Ordinal);
        Assert.Contains("| BARO (given the onset) | ", text, StringComparison.Ordinal);
        Assert.Equal(6, text.Split('\n').Count(l => l.Contains("cause ", StringComparison.Ordinal) && l.Contains("Aiops #", StringComparison.Ordinal)));
        Assert.Empty(stderr.ToString());
    }

    [Fact]
    public void Load_UnixTimeBeforeYearOne_SkippedWithItsReason()
    {
        var directory = Directory.CreateDirectory(Path.Combine(_root, "svc_cpu", "1")).FullName;
        File.WriteAllLines(Path.Combine(directory, RecordedCases.DataFile), ["time,svc_cpu", "-99999999999,1", "1,1", "2,2"]);
        File.WriteAllText(Path.Combine(directory, RecordedCases.OnsetFile), "2");
        using var skipped = new StringWriter();

        var cases = RecordedCases.Load(_root, [], skipped);

        Assert.Empty(cases);
        Assert.Contains("line 2: '-99999999999' is neither unix seconds nor an ISO 8601 time", skipped.ToString(), StringComparison.Ordinal);
    }


    [Fact]
    public void ReplayCli_DuplicateColumnNames_LeftOutAndCountedNotACrash()
    {
        var directory = Directory.CreateDirectory(Path.Combine(_root, "db_cpu", "1")).FullName;
        File.WriteAllLines(Path.Combine(directory, RecordedCases.DataFile),
            ["time,db_cpu,api_latency,db_cpu", .. Enumerable.Range(1, 60).Select(i => $"{i},{(i > 40 ? 50 : 1 + (i % 3))},{1 + (i % 2)},{i}")]);
        File.WriteAllText(Path.Combine(directory, RecordedCases.OnsetFile), "41");

        var loaded = RecordedCases.Read(_root, Path.Combine(directory, RecordedCases.DataFile), []);
        Assert.Equal(["db/cpu", "api/latency"], loaded.Data.Series.Select(s => $"{s.Service}/{s.Metric}"));
        Assert.Contains("1 duplicate columns left out", loaded.Notes, StringComparison.Ordinal);

        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(RcaCli.Success, RcaCli.Run(["replay", "--data", _root], stdout, stderr));
        Assert.Contains("## 1 recorded cases", stdout.ToString(), StringComparison.Ordinal);
    }


    [Fact]
    public void Baselines_MissingSampleBeforeTheOnset_StillScoreTheSeries()
    {
        // A recorded case's missing sample is NaN: before the onset it made the series' mean NaN, and NSigma never ranked it.
        var directory = Directory.CreateDirectory(Path.Combine(_root, "db_cpu", "1")).FullName;
        File.WriteAllLines(Path.Combine(directory, RecordedCases.DataFile),
            ["time,db_cpu,api_latency", .. Enumerable.Range(1, 40).Select(i => $"{i},{(i == 5 ? string.Empty : i > 30 ? "100" : (1 + (i % 3)).ToString(System.Globalization.CultureInfo.InvariantCulture))},{(i > 30 ? 3 : 1 + (i % 2))}")]);
        File.WriteAllText(Path.Combine(directory, RecordedCases.OnsetFile), "31");

        var data = RecordedCases.Read(_root, Path.Combine(directory, RecordedCases.DataFile), []).Data;

        Assert.Equal("db", Baselines.NSigma(data, data.Onset)[0]);
        Assert.Equal("db", Baselines.Baro(data, data.Onset)[0]);
    }


    [Fact]
    public void Read_QuotedCellsWithCommas_ColumnsStayAligned()
    {
        // Prometheus-style column names carry commas inside their labels, quoted as CSV quotes them.
        var directory = Directory.CreateDirectory(Path.Combine(_root, "db_cpu", "1")).FullName;
        File.WriteAllLines(Path.Combine(directory, RecordedCases.DataFile),
        [
            "time,\"api_latency{quantile=\"\"0.9\"\",le=\"\"1\"\"}\",db_cpu",
            "1,0.5,7",
            "2,0.6,8",
            "3,0.7,9",
        ]);
        File.WriteAllText(Path.Combine(directory, RecordedCases.OnsetFile), "2");

        var loaded = RecordedCases.Read(_root, Path.Combine(directory, RecordedCases.DataFile), []);

        Assert.Equal(["api", "db"], loaded.Data.Series.Select(s => s.Service));
        Assert.Equal("latency{quantile=\"0.9\",le=\"1\"}", loaded.Data.Series[0].Metric);
        Assert.Equal([7.0, 8, 9], loaded.Data.Series[1].Values);
        Assert.Empty(loaded.Notes);
    }


    [Fact]
    public void ReplayCli_GraphIsADirectory_UsageError()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        Assert.Equal(RcaCli.UsageError, RcaCli.Run(["replay", "--data", _root, "--graph", _root], stdout, stderr));
        Assert.StartsWith("error: ", stderr.ToString(), StringComparison.Ordinal);
    }


    [Fact]
    public void ExportCli_OutIsAFile_ErrorNotACrash()
    {
        var file = Path.Combine(_root, "taken.txt");
        File.WriteAllText(file, "not a directory");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        Assert.Equal(RcaCli.UsageError, RcaCli.Run(["export", "--topology", "online-boutique", "--cases", "1", "--out", file], stdout, stderr));
        Assert.StartsWith("error: ", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TimeColumnOnly_SkippedForHavingNoSeries()
    {
        var directory = Directory.CreateDirectory(Path.Combine(_root, "svc_cpu", "1")).FullName;
        File.WriteAllLines(Path.Combine(directory, RecordedCases.DataFile), ["time", "1", "2"]);
        File.WriteAllText(Path.Combine(directory, RecordedCases.OnsetFile), "2");
        using var skipped = new StringWriter();

        Assert.Empty(RecordedCases.Load(_root, [], skipped));

        // Not "the first column is 'time', not time or timestamp": the time column is there, the series are not.
        Assert.Contains("no column named <service>_<metric>", skipped.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("replay")]
    [InlineData("replay", "--data")]
    [InlineData("export", "--topology", "online-boutique", "--cases", "1")]
    public void Cli_MissingRequiredOption_UsageError(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(RcaCli.UsageError, RcaCli.Run(args, stdout, stderr));
        Assert.Contains("usage: Aiops.Rca.Eval " + args[0], stderr.ToString(), StringComparison.Ordinal);
    }
}
