using Aiops.Backtest.Nab;
using static Aiops.Backtest.Tests.NabTestSeries;

namespace Aiops.Backtest.Tests;

/// <summary>
/// Hand-computed NAB cases. Unless stated otherwise a file has 100 rows, so the probationary period is min(floor(0.15·100), 750) = 15
/// rows (0–14), and one window covers rows 40–49 (width w = 10, last row e = 49). σ(y) = 2/(1 + e^(5y)) − 1 = tanh(−5y/2);
/// σ(−1) = tanh(2.5) = 0.986614298. Standard profile: tp 1, fp 0.11, fn 1, so null = −1 and perfect = +1 for one window.
/// </summary>
public sealed class NabScorerTests
{
    private const double Tolerance = 1e-9;

    [Fact]
    public void ScoreBestThreshold_DetectionAtWindowStart_EarnsFullTruePositiveWeight()
    {
        // Row 40: y = −(49 − 40 + 1)/10 = −1, weight σ(−1)/σ(−1) = 1 → raw 1 = perfect → 100.
        // Lower thresholds add 25 full FPs before the window (−2.75) and more after it, so threshold 1 wins.
        var scorer = NabScorer.Create([Create("c/a.csv", 100, new Dictionary<int, double> { [40] = 1.0 }, (40, 49))]);

        var result = scorer.ScoreBestThreshold(Standard);

        Assert.Equal(1.0, result.Threshold);
        Assert.Equal(1.0, result.RawScore, Tolerance);
        Assert.Equal(100.0, result.NormalizedScore, Tolerance);
        Assert.Equal((1, 0, 0), (result.TruePositives, result.FalsePositives, result.FalseNegatives));
    }

    [Fact]
    public void ScoreBestThreshold_DetectionAtWindowEnd_EarnsSmallTruePositiveWeight()
    {
        // Row 49: y = −(49 − 49 + 1)/10 = −0.1, weight tanh(0.25)/tanh(2.5) = 0.244918662/0.986614298 = 0.248241550
        // → normalised 100·(0.248241550 + 1)/2 = 62.4120775.
        var scorer = NabScorer.Create([Create("c/a.csv", 100, new Dictionary<int, double> { [49] = 1.0 }, (40, 49))]);

        var result = scorer.ScoreBestThreshold(Standard);

        Assert.Equal(0.24824154977542992, result.RawScore, Tolerance);
        Assert.Equal(62.4120774887715, result.NormalizedScore, 1e-7);
    }

    [Fact]
    public void ScoreAtThreshold_DetectionMidWindow_EarnsSigmoidOfPosition()
    {
        // Row 45: y = −(49 − 45 + 1)/10 = −0.5, weight tanh(1.25)/tanh(2.5) = 0.848283640/0.986614298 = 0.859792567.
        var scorer = NabScorer.Create([Create("c/a.csv", 100, new Dictionary<int, double> { [45] = 1.0 }, (40, 49))]);

        Assert.Equal(0.8597925669097837, scorer.ScoreAtThreshold(Standard, 0.5).RawScore, Tolerance);
    }

    [Fact]
    public void ScoreAtThreshold_SeveralDetectionsInWindow_OnlyEarliestCounts()
    {
        // Rows 45 and 48 detected: only row 45 counts (0.859792567), once; row 48 alone would give
        // tanh(0.5)/tanh(2.5) = 0.468386844. No FP is charged for the second detection.
        var scorer = NabScorer.Create([Create("c/a.csv", 100, new Dictionary<int, double> { [45] = 1.0, [48] = 1.0 }, (40, 49))]);

        var result = scorer.ScoreAtThreshold(Standard, 0.5);

        Assert.Equal(0.8597925669097837, result.RawScore, Tolerance);
        Assert.Equal((1, 0, 0), (result.TruePositives, result.FalsePositives, result.FalseNegatives));
    }

    [Fact]
    public void ScoreAtThreshold_FalsePositiveRightAfterWindow_CostsLessThanFullWeight()
    {
        // TP at row 40 (+1) and an FP at row 50: distance (50 − 49)/(10 − 1) = 1/9, σ(1/9) = tanh(−5/18) = −0.270847119,
        // cost 0.11·(−0.270847119) = −0.029793183 → raw 0.970206817.
        var scorer = NabScorer.Create([Create("c/a.csv", 100, new Dictionary<int, double> { [40] = 1.0, [50] = 1.0 }, (40, 49))]);

        var result = scorer.ScoreAtThreshold(Standard, 0.5);

        Assert.Equal(0.9702068169631607, result.RawScore, Tolerance);
        Assert.Equal(1, result.FalsePositives);
    }

    [Fact]
    public void ScoreAtThreshold_FalsePositiveFarAfterWindow_CostsFullWeight()
    {
        // FP at row 90: distance (90 − 49)/9 = 4.56 > 3 → σ = −1, cost −0.11 → raw 1 − 0.11 = 0.89.
        var scorer = NabScorer.Create([Create("c/a.csv", 100, new Dictionary<int, double> { [40] = 1.0, [90] = 1.0 }, (40, 49))]);

        Assert.Equal(0.89, scorer.ScoreAtThreshold(Standard, 0.5).RawScore, Tolerance);
    }

    [Fact]
    public void ScoreAtThreshold_FalsePositiveBeforeFirstWindow_CostsFullWeight()
    {
        // FP at row 20, no preceding window → −0.11; the window is detected at its start → raw 0.89.
        var scorer = NabScorer.Create([Create("c/a.csv", 100, new Dictionary<int, double> { [20] = 1.0, [40] = 1.0 }, (40, 49))]);

        Assert.Equal(0.89, scorer.ScoreAtThreshold(Standard, 0.5).RawScore, Tolerance);
    }

    [Fact]
    public void ScoreAtThreshold_FalsePositiveThreeWidthsAfterWindow_UsesSigmoidNotCap()
    {
        // FP at row 76: distance 27/9 = 3, not above 3, so σ(3) = tanh(−7.5) = −0.999999388 (the cap −1 applies only above 3).
        var scorer = NabScorer.Create([Create("c/a.csv", 100, new Dictionary<int, double> { [40] = 1.0, [76] = 1.0 }, (40, 49))]);

        Assert.Equal(1.0 + (0.11 * -0.9999993881955461), scorer.ScoreAtThreshold(Standard, 0.5).RawScore, 1e-12);
    }

    [Fact]
    public void ScoreAtThreshold_DetectionInProbationaryPeriod_IsIgnored()
    {
        // Row 10 < 15 is probationary: no FP; the window is missed → raw −1. The same detection at row 20 costs −0.11.
        var probationary = NabScorer.Create([Create("c/a.csv", 100, new Dictionary<int, double> { [10] = 1.0 }, (40, 49))]);
        var scored = NabScorer.Create([Create("c/a.csv", 100, new Dictionary<int, double> { [20] = 1.0 }, (40, 49))]);

        var ignored = probationary.ScoreAtThreshold(Standard, 0.5);
        var counted = scored.ScoreAtThreshold(Standard, 0.5);

        Assert.Equal(-1.0, ignored.RawScore, Tolerance);
        Assert.Equal(0, ignored.FalsePositives);
        Assert.Equal(-1.11, counted.RawScore, Tolerance);
        Assert.Equal(1, counted.FalsePositives);
    }

    [Fact]
    public void ScoreBestThreshold_MissedWindow_CostsFalseNegativeWeight()
    {
        // All scores 0. Threshold 0 detects all 85 scored rows: +1 for the window, but 25 full FPs before it alone cost 2.75,
        // so "never fire" (1.1) wins: raw = −fnWeight = −2 (reward_low_FN_rate) = null → normalised 0.
        var scorer = NabScorer.Create([Create("c/a.csv", 100, new Dictionary<int, double>(), (40, 49))]);

        var result = scorer.ScoreBestThreshold(RewardLowFalseNegatives);

        Assert.Equal(1.1, result.Threshold);
        Assert.Equal(-2.0, result.RawScore, Tolerance);
        Assert.Equal(-2.0, result.NullScore, Tolerance);
        Assert.Equal(1.0, result.PerfectScore, Tolerance);
        Assert.Equal(0.0, result.NormalizedScore, Tolerance);
        Assert.Equal((0, 0, 1), (result.TruePositives, result.FalsePositives, result.FalseNegatives));
    }

    [Fact]
    public void ScoreBestThreshold_IntermediateThresholdBest_PicksIt()
    {
        // Row 40 scores 0.8 (TP at start, +1), row 90 scores 0.9 (far FP, −0.11), all other rows 0.1. Candidates:
        // 1.1 → −1; 0.9 → −1.11; 0.8 → 1 − 0.11 = 0.89; 0.1 → +1 − 0.11 − 24·0.11 − (50 FPs after the window) < 0.
        // Best is 0.8 with raw 0.89 → normalised 100·(0.89 + 1)/2 = 94.5.
        var scores = Enumerable.Range(0, 100).ToDictionary(i => i, i => i switch { 40 => 0.8, 90 => 0.9, _ => 0.1 });
        var scorer = NabScorer.Create([Create("c/a.csv", 100, scores, (40, 49))]);

        var result = scorer.ScoreBestThreshold(Standard);

        Assert.Equal(0.8, result.Threshold);
        Assert.Equal(0.89, result.RawScore, Tolerance);
        Assert.Equal(94.5, result.NormalizedScore, 1e-7);
        Assert.Equal((1, 1, 0), (result.TruePositives, result.FalsePositives, result.FalseNegatives));
    }

    [Fact]
    public void ScoreBestThreshold_TwoFiles_UsesOneThresholdForTheCorpus()
    {
        // File a: TP at the window start with score 0.8 (+1). File b, no window: rows 20–24 score 0.85 (5 full FPs, −0.55).
        // Alone, b is best at 1.1 (raw 0); for the corpus 0.8 gives 1 − 0.55 = 0.45 > −1 (1.1) and > −1.55 (0.85).
        // Normalised: 100·(0.45 + 1)/2 = 72.5; b's share is −0.55 with 5 FPs.
        var a = Create("c/a.csv", 100, new Dictionary<int, double> { [40] = 0.8 }, (40, 49));
        var b = Create("c/b.csv", 100, Enumerable.Range(20, 5).ToDictionary(i => i, _ => 0.85));
        var scorer = NabScorer.Create([a, b]);

        var result = scorer.ScoreBestThreshold(Standard);

        Assert.Equal(0.8, result.Threshold);
        Assert.Equal(0.45, result.RawScore, Tolerance);
        Assert.Equal(72.5, result.NormalizedScore, 1e-7);
        var fileB = Assert.Single(result.Files, f => f.Key == "c/b.csv");
        Assert.Equal(-0.55, fileB.RawScore, Tolerance);
        Assert.Equal(5, fileB.FalsePositives);
    }

    [Fact]
    public void ScoreBestThreshold_EqualScores_PrefersHigherThreshold()
    {
        // Rows 40 (0.9) and 41 (0.7) lie in the window: threshold 0.9 and 0.7 both score +1 (only the earliest counts).
        // NAB keeps the first (highest) threshold of equal scores.
        var scorer = NabScorer.Create([Create("c/a.csv", 100, new Dictionary<int, double> { [40] = 0.9, [41] = 0.7 }, (40, 49))]);

        var result = scorer.ScoreBestThreshold(Standard);

        Assert.Equal(0.9, result.Threshold);
        Assert.Equal(1.0, result.RawScore, Tolerance);
    }

    [Fact]
    public void Create_WindowWithoutRows_ThrowsNamingTheFile()
    {
        var series = new NabSeries("c/a.csv", [At(0), At(1)], [0.0, 0.0], [new LabelWindow(At(5), At(6))]);

        var ex = Assert.Throws<InvalidDataException>(() => NabScorer.Create([series]));

        Assert.Contains("c/a.csv", ex.Message, StringComparison.Ordinal);
        Assert.Contains("covers no row", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_RowsOutOfOrderOutsideWindows_MatchesWindowsByTimestamp()
    {
        // Row 30 jumps back 20 minutes (NAB files have such glitches); the window rows 40–49 are still found by timestamp,
        // so a detection at row 40 earns the full TP.
        var timestamps = Enumerable.Range(0, 100).Select(i => i == 30 ? At(10) : At(i)).ToArray();
        var scores = Enumerable.Range(0, 100).Select(i => i == 40 ? 1.0 : 0.0).ToArray();
        var series = new NabSeries("c/a.csv", timestamps, scores, [new LabelWindow(At(40), At(49))]);

        Assert.Equal(1.0, NabScorer.Create([series]).ScoreAtThreshold(Standard, 0.5).RawScore, Tolerance);
    }

    [Theory]
    [InlineData(100, 15)]
    [InlineData(4032, 604)]
    [InlineData(4999, 749)]
    [InlineData(5000, 750)]
    [InlineData(22695, 750)]
    public void ProbationaryLength_RowCount_IsFifteenPercentCappedAt750(int rows, int expected) =>
        Assert.Equal(expected, NabScorer.ProbationaryLength(rows, NabScorer.DefaultProbationPercent));

    [Theory]
    [InlineData(-1.0, 0.9866142981514305)]
    [InlineData(0.0, 0.0)]
    [InlineData(1.0, -0.9866142981514305)]
    [InlineData(3.0, -0.9999993881955461)]
    [InlineData(3.0001, -1.0)]
    public void ScaledSigmoid_Position_MatchesNabCurve(double position, double expected) =>
        Assert.Equal(expected, NabScorer.ScaledSigmoid(position), 1e-12);

    [Fact]
    public void Create_ScoreNotANumber_RefusedNamingTheFile()
    {
        // A NaN would make the threshold search loop forever (it never equals the threshold it steps to).
        var series = Create("c/a.csv", 100, new Dictionary<int, double> { [40] = double.NaN }, (40, 49));

        var error = Assert.Throws<ArgumentException>(() => NabScorer.Create([series]));

        Assert.Contains("c/a.csv", error.Message, StringComparison.Ordinal);
    }
}
