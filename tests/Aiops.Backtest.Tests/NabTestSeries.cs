using Aiops.Backtest.Nab;

namespace Aiops.Backtest.Tests;

/// <summary>Builds small in-memory series: one row a minute from 2024-01-01 00:00 UTC.</summary>
internal static class NabTestSeries
{
    public static readonly DateTime Origin = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static readonly NabProfile Standard = NabProfiles.Default[0];

    public static readonly NabProfile RewardLowFalseNegatives = NabProfiles.Default[2];

    public static DateTime At(int row) => Origin.AddMinutes(row);

    /// <summary>A series of <paramref name="rows"/> rows scoring 0 except at <paramref name="scores"/>, with windows given as (first row, last row).</summary>
    public static NabSeries Create(string key, int rows, IReadOnlyDictionary<int, double> scores, params (int First, int Last)[] windows) =>
        new(
            key,
            [.. Enumerable.Range(0, rows).Select(At)],
            [.. Enumerable.Range(0, rows).Select(i => scores.TryGetValue(i, out var s) ? s : 0.0)],
            [.. windows.Select(w => new LabelWindow(At(w.First), At(w.Last)))]);
}
