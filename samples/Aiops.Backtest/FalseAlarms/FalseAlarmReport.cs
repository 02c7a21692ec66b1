using System.Globalization;
using Aiops.Detection;

namespace Aiops.Backtest.FalseAlarms;

/// <summary>False onsets of one detector on one kind of healthy series at one step.</summary>
/// <param name="Kind">The kind of series.</param>
/// <param name="Step">The sampling interval.</param>
/// <param name="Series">How many series were run.</param>
/// <param name="SeriesDays">The time they cover in days (the first point to one step after the last: on regular sampling, the
/// length asked for; a series with gaps covers more time with the same points).</param>
/// <param name="Onsets">Flagged points after at least <see cref="AnomalyDetectorOptions.OnsetQuietPoints"/> unflagged points.</param>
/// <param name="FlaggedPoints">All flagged points.</param>
internal sealed record FalseAlarmCell(HealthyKind Kind, TimeSpan Step, int Series, double SeriesDays, int Onsets, long FlaggedPoints)
{
    /// <summary>Gets the measured false onsets per series per week.</summary>
    public double OnsetsPerWeek => Onsets / (SeriesDays / 7);
}

/// <summary>
/// Runs a detector over seeded healthy series (every <see cref="HealthyKind"/> at steps of 1 s, 10 s and 60 s) and counts its
/// false onsets, to compare with its configured <see cref="AnomalyDetectorOptions.FalseAlarmsPerWeek"/>. Every flag on these
/// series is false: they have no anomaly.
/// </summary>
internal static class FalseAlarmReport
{
    /// <summary>The series per kind and step of the command's default run: with <see cref="DefaultDays"/>, 2,040 series-days.</summary>
    public const int DefaultSeriesPerCell = 34;

    /// <summary>The length in days of each series of the command's default run.</summary>
    public const double DefaultDays = 2;

    /// <summary>The steps measured.</summary>
    public static readonly TimeSpan[] Steps = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60)];

    /// <summary>Measures every kind at every step.</summary>
    /// <param name="detector">Creates a fresh detector per series.</param>
    /// <param name="seriesPerCell">How many series per kind and step.</param>
    /// <param name="length">The length asked for: each series has this length divided by the step points (it lasts this long on regular sampling).</param>
    /// <param name="steps">The steps to measure.</param>
    /// <param name="parallelism">How many series run at once.</param>
    /// <param name="sampling">How the points are spaced in time.</param>
    /// <param name="kinds">The kinds; <see langword="null"/> for <see cref="HealthySeries.DefaultKinds"/>. A kind's series are the
    /// same whichever others are measured beside it.</param>
    /// <returns>One cell per kind and step.</returns>
    public static IReadOnlyList<FalseAlarmCell> Measure(Func<IAnomalyDetector> detector, int seriesPerCell, TimeSpan length, IReadOnlyList<TimeSpan> steps, int parallelism, Sampling sampling = Sampling.Regular, IReadOnlyList<HealthyKind>? kinds = null)
    {
        var cells = (from kind in kinds ?? HealthySeries.DefaultKinds from s in Enumerable.Range(0, steps.Count) select (kind, step: steps[s], seedCell: ((int)kind * steps.Count) + s)).ToArray();
        var onsets = new int[cells.Length, seriesPerCell];
        var flagged = new long[cells.Length, seriesPerCell];
        var covered = new double[cells.Length, seriesPerCell];
        Parallel.For(0, cells.Length * seriesPerCell, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, n =>
        {
            var (c, s) = (n / seriesPerCell, n % seriesPerCell);
            var (kind, step, seedCell) = cells[c];
            var (timestamps, values) = HealthySeries.Generate(kind, step, length, seed: (seedCell * 100_003) + s, sampling);
            (onsets[c, s], flagged[c, s]) = CountOnsets(detector(), timestamps, values);
            covered[c, s] = timestamps.Length == 0 ? 0 : (timestamps[^1] - timestamps[0] + step).TotalDays;
        });

        return [.. cells.Select((cell, c) => new FalseAlarmCell(
            cell.kind,
            cell.step,
            seriesPerCell,
            Enumerable.Range(0, seriesPerCell).Sum(s => covered[c, s]),
            Enumerable.Range(0, seriesPerCell).Sum(s => onsets[c, s]),
            Enumerable.Range(0, seriesPerCell).Sum(s => flagged[c, s])))];
    }

    /// <summary>
    /// Runs a series through <paramref name="detector"/> and counts its onsets: flagged points after at least
    /// <see cref="AnomalyDetectorOptions.OnsetQuietPoints"/> unflagged points (the series' start counts as quiet).
    /// </summary>
    /// <param name="detector">A fresh detector.</param>
    /// <param name="timestamps">The points' timestamps.</param>
    /// <param name="values">The points' values.</param>
    /// <returns>The onsets and all flagged points.</returns>
    public static (int Onsets, long Flagged) CountOnsets(IAnomalyDetector detector, IReadOnlyList<DateTimeOffset> timestamps, IReadOnlyList<double> values)
    {
        var onsets = 0;
        var flagged = 0L;
        var quiet = AnomalyDetectorOptions.OnsetQuietPoints;
        for (var i = 0; i < values.Count; i++)
        {
            if (detector.Update(timestamps[i], values[i]).IsAnomaly)
            {
                onsets += quiet >= AnomalyDetectorOptions.OnsetQuietPoints ? 1 : 0;
                flagged++;
                quiet = 0;
            }
            else
            {
                quiet++;
            }
        }

        return (onsets, flagged);
    }

    /// <summary>Writes the cells as a table, with the total.</summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="detector">The detector's name.</param>
    /// <param name="cells">The measured cells.</param>
    /// <param name="configured">The false onsets per series per week the detector was configured for.</param>
    public static void Write(TextWriter writer, string detector, IReadOnlyList<FalseAlarmCell> cells, double configured = 1)
    {
        var c = CultureInfo.InvariantCulture;
        var days = cells.Sum(x => x.SeriesDays);
        var onsets = cells.Sum(x => x.Onsets);
        writer.WriteLine(string.Create(c, $"== {detector}: false onsets on healthy series (configured: {configured} per series per week; onset = flag after >= {AnomalyDetectorOptions.OnsetQuietPoints} quiet points)"));
        writer.WriteLine(string.Create(c, $"{"kind",-18} {"step",6} {"series",7} {"days",7} {"onsets",7} {"flagged",8} {"per week",9}"));
        foreach (var x in cells)
        {
            writer.WriteLine(string.Create(c, $"{x.Kind,-18} {x.Step.TotalSeconds,5}s {x.Series,7} {x.SeriesDays,7:F0} {x.Onsets,7} {x.FlaggedPoints,8} {x.OnsetsPerWeek,9:F3}"));
        }

        writer.WriteLine(string.Create(c, $"{"total",-18} {"",6} {cells.Sum(x => x.Series),7} {days,7:F0} {onsets,7} {cells.Sum(x => x.FlaggedPoints),8} {onsets / (days / 7),9:F3}"));
        writer.WriteLine();
    }
}
