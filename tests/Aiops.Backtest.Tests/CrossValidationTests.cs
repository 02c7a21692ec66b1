using Aiops.Backtest.CrossValidation;
using static Aiops.Backtest.Tests.NabTestSeries;

namespace Aiops.Backtest.Tests;

public sealed class CrossValidationTests
{
    private const double Tolerance = 1e-9;

    [Fact]
    public void Evaluate_CategoriesPreferDifferentThresholds_EachFoldUsesTheThresholdOfTheOtherCategory()
    {
        // a: window rows 40–49 detected at 0.9, a false positive at 0.5 (row 20); best alone: 0.9.
        // b: window rows 40–49 detected at 0.5 only; best alone: 0.5.
        var a = Create("a/x.csv", 100, new Dictionary<int, double> { [20] = 0.5, [40] = 0.9 }, (40, 49));
        var b = Create("b/y.csv", 100, new Dictionary<int, double> { [40] = 0.5 }, (40, 49));

        var result = CrossValidationRunner.Evaluate(Standard, [(a, a), (b, b)]);

        Assert.Equal([("a", 0.5), ("b", 0.9)], result.Folds.Select(f => (f.Category, f.Threshold)));
        // In sample (0.5 for both): 2 TP − 0.11 → 100·(1.89 + 2)/4.
        Assert.Equal(97.25, result.InSample.NormalizedScore, Tolerance);
        // Cross-validated: a at 0.5 (TP and FP), b at 0.9 (missed): 1 − 0.11 − 1 → 100·(−0.11 + 2)/4.
        Assert.Equal(47.25, result.CrossValidated.NormalizedScore, Tolerance);
        Assert.Equal((1, 1, 1), (result.CrossValidated.TruePositives, result.CrossValidated.FalsePositives, result.CrossValidated.FalseNegatives));
    }

    [NabDataFact]
    public void Cv_EnsembleOnTheSharedCorpus_PrintsInSampleCrossValidatedAndEveryFold()
    {
        var (exitCode, stdout, stderr) = Cli.Run("cv", "--data", NabData.Data, "--labels", NabData.Labels, "--detector", "ensemble");

        Assert.True(exitCode == ExitCodes.Success, stderr);
        Assert.Contains("cross-val", stdout, StringComparison.Ordinal);
        foreach (var category in Directory.GetDirectories(NabData.Data).Select(Path.GetFileName))
        {
            Assert.Contains(category!, stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Cv_UnknownDetector_IsAUsageError()
    {
        var (exitCode, _, stderr) = Cli.Run("cv", "--data", ".", "--labels", typeof(CrossValidationTests).Assembly.Location, "--detector", "iid-spike");

        Assert.Equal(ExitCodes.UsageError, exitCode);
        Assert.Contains("iid-spike", stderr, StringComparison.Ordinal);
    }
}
