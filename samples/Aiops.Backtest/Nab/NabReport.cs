using System.Globalization;
using System.Text.Json;

namespace Aiops.Backtest.Nab;

/// <summary>The NAB scores of one detector's results under every profile.</summary>
/// <param name="Detector">The detector name shown in the report.</param>
/// <param name="ResultsDirectory">Where the result files were read from.</param>
/// <param name="LabelsFile">The window labels used.</param>
/// <param name="SeriesCount">How many files were scored.</param>
/// <param name="WindowCount">How many windows those files have.</param>
/// <param name="ProbationPercent">The probationary share of each file.</param>
/// <param name="Profiles">The score under each profile, each at its own best corpus threshold.</param>
internal sealed record NabReport(
    string Detector,
    string ResultsDirectory,
    string LabelsFile,
    int SeriesCount,
    int WindowCount,
    double ProbationPercent,
    IReadOnlyList<NabProfileScore> Profiles)
{
    /// <summary>Writes the report as a table: one line per profile.</summary>
    /// <param name="writer">Where to write.</param>
    public void WriteTable(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var c = CultureInfo.InvariantCulture;
        writer.WriteLine(string.Create(c, $"NAB scores of '{Detector}': {SeriesCount} files, {WindowCount} windows ({ResultsDirectory})"));
        writer.WriteLine(string.Create(c, $"{"profile",-20} {"threshold",-20} {"score",8} {"raw",9} {"TP",5} {"FP",6} {"FN",5}"));
        foreach (var p in Profiles)
        {
            var score = double.IsNaN(p.NormalizedScore) ? "n/a" : p.NormalizedScore.ToString("F2", c);
            writer.WriteLine(string.Create(
                c,
                $"{p.Profile.Name,-20} {p.Threshold.ToString("R", c),-20} {score,8} {p.RawScore,9:F3} {p.TruePositives,5} {p.FalsePositives,6} {p.FalseNegatives,5}"));
        }

        writer.WriteLine("TP/FN: windows detected/missed; FP: detections outside windows; score: 100*(raw-null)/(perfect-null).");
    }

    /// <summary>Writes the report as JSON, with the per-file breakdown of every profile.</summary>
    /// <param name="path">The file to write.</param>
    public void WriteJson(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("detector", Detector);
        json.WriteString("results", ResultsDirectory);
        json.WriteString("labels", LabelsFile);
        json.WriteNumber("files", SeriesCount);
        json.WriteNumber("windows", WindowCount);
        json.WriteNumber("probationPercent", ProbationPercent);
        json.WriteStartObject("scores");
        foreach (var p in Profiles)
        {
            WriteNumberOrNull(json, p.Profile.Name, p.NormalizedScore);
        }

        json.WriteEndObject();
        json.WriteStartArray("profiles");
        foreach (var p in Profiles)
        {
            json.WriteStartObject();
            json.WriteString("profile", p.Profile.Name);
            json.WriteNumber("tpWeight", p.Profile.TruePositiveWeight);
            json.WriteNumber("fpWeight", p.Profile.FalsePositiveWeight);
            json.WriteNumber("fnWeight", p.Profile.FalseNegativeWeight);
            json.WriteNumber("threshold", p.Threshold);
            WriteNumberOrNull(json, "score", p.NormalizedScore);
            json.WriteNumber("rawScore", p.RawScore);
            json.WriteNumber("nullScore", p.NullScore);
            json.WriteNumber("perfectScore", p.PerfectScore);
            json.WriteNumber("truePositives", p.TruePositives);
            json.WriteNumber("falsePositives", p.FalsePositives);
            json.WriteNumber("falseNegatives", p.FalseNegatives);
            json.WriteStartArray("files");
            foreach (var f in p.Files)
            {
                json.WriteStartObject();
                json.WriteString("file", f.Key);
                json.WriteNumber("windows", f.Windows);
                json.WriteNumber("detected", f.Detected);
                json.WriteNumber("falsePositives", f.FalsePositives);
                json.WriteNumber("rawScore", f.RawScore);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumber(name, value);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
