using System.Text.Json;
using Aiops.Backtest.Nab;

namespace Aiops.Backtest.Tests;

/// <summary>
/// Runs the scorer on the published outputs of two NAB detectors for the 24 shared files; NAB's own scorer gives the numbers
/// in the shared README's table, and this implementation must match them to within 0.01.
/// </summary>
public sealed class NabReferenceTests
{
    [NabDataTheory]
    [InlineData("numenta", 64.85, 59.12, 69.85)]
    [InlineData("windowedGaussian", 28.16, 22.38, 31.59)]
    public void Score_ReferenceResults_MatchesNabTable(string detector, double standard, double lowFalsePositives, double lowFalseNegatives)
    {
        var report = NabRunner.Score(
            new NabOptions(NabData.ReferenceResults(detector), NabData.Labels, NabData.Profiles, detector, JsonFile: null),
            TextWriter.Null);

        Assert.NotNull(report);
        Assert.Equal((24, 39), (report.SeriesCount, report.WindowCount));
        var scores = report.Profiles.ToDictionary(p => p.Profile.Name, p => p.NormalizedScore);
        Assert.Equal(standard, scores["standard"], 0.01);
        Assert.Equal(lowFalsePositives, scores["reward_low_FP_rate"], 0.01);
        Assert.Equal(lowFalseNegatives, scores["reward_low_FN_rate"], 0.01);
    }

    [NabDataFact]
    public void Nab_NumentaReferenceWithoutDetectorName_MapsPrefixedFilesAndWritesJson()
    {
        using var temp = new TempDirectory();
        var json = Path.Combine(temp.Path, "numenta.json");

        var (exitCode, stdout, stderr) = Cli.Run("nab", "--results", NabData.ReferenceResults("numenta"), "--labels", NabData.Labels, "--json", json);

        Assert.True(exitCode == 0, stderr);
        Assert.DoesNotContain("warning", stderr, StringComparison.Ordinal);
        Assert.Contains("24 files, 39 windows", stdout, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(64.85, document.RootElement.GetProperty("scores").GetProperty("standard").GetDouble(), 0.01);
    }

    [NabDataFact]
    public void ScoreThenNab_SharedData_ScoresEveryRowOfEveryFile()
    {
        using var temp = new TempDirectory();

        var score = Cli.Run("score", "--data", NabData.Data, "--out", temp.Path, "--detector", "block:robust-zscore");
        var nab = Cli.Run("nab", "--results", temp.Path, "--labels", NabData.Labels);

        Assert.True(score.ExitCode == 0, score.Stderr);
        var inputs = CsvFiles.Find(NabData.Data);
        Assert.Equal(24, inputs.Count);
        foreach (var input in inputs)
        {
            var output = Path.Combine(temp.Path, input.RelativePath);
            Assert.Equal(File.ReadLines(input.FullPath).Count(), File.ReadLines(output).Count());
        }

        Assert.True(nab.ExitCode == 0, nab.Stderr);
        Assert.Contains("24 files, 39 windows", nab.Stdout, StringComparison.Ordinal);
    }
}
