using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Aiops.Backtest.Tests;

public sealed class NabCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public NabCommandTests()
    {
        // cat/a.csv: 100 one-minute rows, window rows 40–49; cat/b.csv: 100 rows, no window.
        _temp.Write("labels.json", """{"cat/a.csv": [["2024-01-01 00:40:00.000000", "2024-01-01 00:49:00.000000"]], "cat/b.csv": []}""");
    }

    private string Labels => Path.Combine(_temp.Path, "labels.json");

    private string Results => Path.Combine(_temp.Path, "results");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Nab_PrefixedResults_PrintsTableAndWritesJson()
    {
        // a: detection at the window start (0.8) → +1; b: 2 full FPs (0.9) → −0.22. Best threshold 0.8: raw 0.78,
        // standard 100·(0.78 + 1)/2 = 89; reward_low_FP_rate (fp 0.22): 0.8 → 1 − 0.44 = 0.56 → 78;
        // reward_low_FN_rate (fn 2): null −2, perfect 1 → 100·(0.78 + 2)/3 = 92.667.
        _temp.Write("results/cat/det_a.csv", ResultFile(100, new() { [40] = 0.8 }));
        _temp.Write("results/cat/det_b.csv", ResultFile(100, new() { [30] = 0.9, [60] = 0.9 }));
        var json = Path.Combine(_temp.Path, "scores.json");

        var (exitCode, stdout, stderr) = Cli.Run("nab", "--results", Results, "--labels", Labels, "--detector-name", "det", "--json", json);

        Assert.True(exitCode == 0, stderr);
        Assert.Contains("2 files, 1 windows", stdout, StringComparison.Ordinal);
        Assert.Matches(@"standard\s+0\.8\s+89\.00\s+0\.780\s+1\s+2\s+0", stdout);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var scores = document.RootElement.GetProperty("scores");
        Assert.Equal(89.0, scores.GetProperty("standard").GetDouble(), 1e-9);
        Assert.Equal(78.0, scores.GetProperty("reward_low_FP_rate").GetDouble(), 1e-9);
        Assert.Equal(278.0 / 3.0, scores.GetProperty("reward_low_FN_rate").GetDouble(), 1e-9);
    }

    [Fact]
    public void Nab_ProfilesFile_UsesItsWeights()
    {
        // One profile with fpWeight 1: the two FPs in b now cost 2, so threshold 0.8 gives 1 − 2 = −1 = "never fire";
        // NAB keeps the higher threshold (1.1) on a tie → normalised 0.
        _temp.Write("results/cat/det_a.csv", ResultFile(100, new() { [40] = 0.8 }));
        _temp.Write("results/cat/det_b.csv", ResultFile(100, new() { [30] = 0.9, [60] = 0.9 }));
        var profiles = _temp.Write("profiles.json", """{"strict": {"CostMatrix": {"tpWeight": 1.0, "fnWeight": 1.0, "fpWeight": 1.0, "tnWeight": 1.0}}}""");

        var (exitCode, stdout, stderr) = Cli.Run("nab", "--results", Results, "--labels", Labels, "--profiles", profiles);

        Assert.True(exitCode == 0, stderr);
        Assert.Matches(@"strict\s+1\.1\s+0\.00\s+-1\.000\s+0\s+0\s+1", stdout);
        Assert.DoesNotContain("standard", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Nab_BadResultFile_ExitsWithErrorNamingFileAndLine()
    {
        _temp.Write("results/cat/a.csv", ResultFile(100, new() { [40] = 0.8 }).Replace("0.8\n", "high\n", StringComparison.Ordinal));
        _temp.Write("results/cat/b.csv", ResultFile(100, []));

        var (exitCode, _, stderr) = Cli.Run("nab", "--results", Results, "--labels", Labels);

        Assert.Equal(1, exitCode);
        Assert.Contains("cat/a.csv, line 42: anomaly_score 'high' is not a finite number", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Nab_UnlabeledAndMissingFiles_WarnsAndScoresTheRest()
    {
        _temp.Write("results/cat/a.csv", ResultFile(100, new() { [40] = 0.8 }));
        _temp.Write("results/cat/unknown.csv", ResultFile(100, []));

        var (exitCode, stdout, stderr) = Cli.Run("nab", "--results", Results, "--labels", Labels);

        Assert.Equal(0, exitCode);
        Assert.Contains("warning: cat/unknown.csv: no label key matches", stderr, StringComparison.Ordinal);
        Assert.Contains("warning: cat/b.csv: labeled but no result file found", stderr, StringComparison.Ordinal);
        Assert.Matches(@"standard\s+0\.8\s+100\.00", stdout);
    }

    [Fact]
    public void Nab_MissingLabelsFile_ExitsWithUsageError()
    {
        Directory.CreateDirectory(Results);

        var (exitCode, _, stderr) = Cli.Run("nab", "--results", Results, "--labels", Path.Combine(_temp.Path, "nope.json"));

        Assert.Equal(2, exitCode);
        Assert.Contains("nope.json", stderr, StringComparison.Ordinal);
    }

    /// <summary>A result file of one-minute rows from 2024-01-01 00:00, anomaly_score 0 except at the given rows.</summary>
    private static string ResultFile(int rows, Dictionary<int, double> scores)
    {
        var text = new StringBuilder("timestamp,value,anomaly_score\n");
        var start = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < rows; i++)
        {
            var score = scores.TryGetValue(i, out var s) ? s : 0.0;
            text.Append(CultureInfo.InvariantCulture, $"{start.AddMinutes(i):yyyy-MM-dd HH:mm:ss},{i},{score.ToString("R", CultureInfo.InvariantCulture)}\n");
        }

        return text.ToString();
    }
}
