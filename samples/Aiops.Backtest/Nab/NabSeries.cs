namespace Aiops.Backtest.Nab;

/// <summary>One detector result file ready for NAB scoring.</summary>
/// <param name="Key">The label key, <c>category/name.csv</c>.</param>
/// <param name="Timestamps">The row timestamps (UTC), in file order; mostly ascending (NAB files have a few rows out of order).</param>
/// <param name="Scores">The anomaly score of each row.</param>
/// <param name="Windows">The labeled windows of the file; they must not overlap.</param>
internal sealed record NabSeries(string Key, IReadOnlyList<DateTime> Timestamps, IReadOnlyList<double> Scores, IReadOnlyList<LabelWindow> Windows);
