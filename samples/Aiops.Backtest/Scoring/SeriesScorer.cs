using System.Globalization;
using System.Text;
using Aiops.Backtest.Csv;
using Aiops.Detection;

namespace Aiops.Backtest.Scoring;

/// <summary>Scores one <c>timestamp,value</c> file with a fresh detector and writes <c>timestamp,value,anomaly_score</c>.</summary>
internal static class SeriesScorer
{
    /// <summary>The header of the files written.</summary>
    public const string OutputHeader = "timestamp,value,anomaly_score";

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>
    /// Reads <paramref name="inputPath"/>, feeds every row to a new detector (<see cref="BacktestDetectors.Create"/>) in file order
    /// and writes one output row per input row: the timestamp and value text as read, then the probability with round-trip
    /// precision. The output appears only when the whole file was scored; a bad file leaves no output behind.
    /// </summary>
    /// <param name="inputPath">The series to score.</param>
    /// <param name="outputPath">Where to write the scores; its directory must exist.</param>
    /// <param name="displayPath">The name used in error messages.</param>
    /// <param name="detectorName">The name of the detector (<see cref="BacktestDetectors"/>).</param>
    /// <returns>The number of rows scored.</returns>
    /// <exception cref="CsvFormatException">The input is malformed.</exception>
    /// <exception cref="InvalidOperationException">The detector returned a probability outside [0, 1].</exception>
    public static int ScoreFile(string inputPath, string outputPath, string displayPath, string detectorName)
    {
        var detector = BacktestDetectors.Create(detectorName);
        var partialPath = outputPath + ".partial";
        var rows = 0;
        try
        {
            using (var writer = new StreamWriter(partialPath, append: false, Utf8NoBom) { NewLine = "\n" })
            {
                writer.WriteLine(OutputHeader);
                IEnumerable<SeriesRow> input = SeriesCsv.Read(inputPath, displayPath);
                if (detector is IPrimedDetector)
                {
                    var all = input.ToArray();
                    Priming.PrimeIfAsked(detector, [.. all.Select(r => r.Value)]);
                    input = all;
                }

                foreach (var row in input)
                {
                    var probability = detector.Update(row.Timestamp, row.Value).Probability;
                    if (!(probability >= 0 && probability <= 1))
                    {
                        throw new InvalidOperationException(
                            $"{displayPath}, line {row.LineNumber}: detector '{detectorName}' returned probability {probability.ToString("R", CultureInfo.InvariantCulture)} outside [0, 1]");
                    }

                    writer.Write(row.TimestampText);
                    writer.Write(',');
                    writer.Write(row.ValueText);
                    writer.Write(',');
                    writer.WriteLine(probability.ToString("R", CultureInfo.InvariantCulture));
                    rows++;
                }
            }

            File.Move(partialPath, outputPath, overwrite: true);
            return rows;
        }
        catch
        {
            File.Delete(partialPath);
            File.Delete(outputPath);
            throw;
        }
    }
}
