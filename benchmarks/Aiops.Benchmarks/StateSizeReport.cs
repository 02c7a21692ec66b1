using System.Globalization;
using Aiops.Detection;

namespace Aiops.Benchmarks;

/// <summary>
/// Prints the state bytes per series of each detector after 5,000 points of a daily-seasonal 5-minute series, and the bytes of
/// its snapshot (<see cref="DetectorSnapshot.Save"/>, what a scale-out grain stores) where it has one.
/// Run: <c>dotnet run -c Release --project benchmarks/Aiops.Benchmarks -- state</c>.
/// </summary>
internal static class StateSizeReport
{
    public static void Print(TextWriter output)
    {
        output.WriteLine("| detector | state bytes per series | snapshot bytes |");
        output.WriteLine("|---|---:|---:|");
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var random = new Random(42);
        foreach (var name in BenchmarkDetectors.Names)
        {
            var detector = BenchmarkDetectors.Create(name);
            for (var i = 0; i < 5000; i++)
            {
                detector.Update(start.AddMinutes(5 * i), 100 + (10 * Math.Sin(2 * Math.PI * i / 288)) + random.NextDouble());
            }

            var snapshot = DetectorSnapshot.IsSupported(detector) ? DetectorSnapshot.Save(detector).Length.ToString(CultureInfo.InvariantCulture) : "–";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {detector.StateSizeBytes} | {snapshot} |"));
        }
    }
}
