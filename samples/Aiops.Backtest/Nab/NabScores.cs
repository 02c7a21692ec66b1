namespace Aiops.Backtest.Nab;

/// <summary>The NAB score of one file at the corpus threshold.</summary>
/// <param name="Key">The label key of the file.</param>
/// <param name="Windows">How many windows the file has.</param>
/// <param name="Detected">How many of them had a detection (true positives).</param>
/// <param name="FalsePositives">How many scored rows outside windows were detections.</param>
/// <param name="RawScore">The file's contribution to the raw score.</param>
internal sealed record NabFileScore(string Key, int Windows, int Detected, int FalsePositives, double RawScore);

/// <summary>The NAB score of a corpus under one profile at one threshold.</summary>
/// <param name="Profile">The profile.</param>
/// <param name="Threshold">The threshold: a row is a detection when its score is at least this.</param>
/// <param name="RawScore">The sum of the weighted true positives, false positives and false negatives.</param>
/// <param name="NullScore">The raw score of a detector that never fires: −windows × fnWeight.</param>
/// <param name="PerfectScore">The raw score of a detector that fires at the start of every window and nowhere else: windows × tpWeight.</param>
/// <param name="NormalizedScore">100 × (raw − null) / (perfect − null); <see cref="double.NaN"/> when the corpus has no window.</param>
/// <param name="TruePositives">The number of windows with a detection.</param>
/// <param name="FalsePositives">The number of detections outside windows (probationary rows excluded).</param>
/// <param name="FalseNegatives">The number of windows without detection.</param>
/// <param name="Files">The per-file breakdown, in corpus order.</param>
internal sealed record NabProfileScore(
    NabProfile Profile,
    double Threshold,
    double RawScore,
    double NullScore,
    double PerfectScore,
    double NormalizedScore,
    int TruePositives,
    int FalsePositives,
    int FalseNegatives,
    IReadOnlyList<NabFileScore> Files);
