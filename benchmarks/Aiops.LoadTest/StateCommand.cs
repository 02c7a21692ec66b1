using Aiops.Detection;

namespace Aiops.LoadTest;

/// <summary>
/// Memory per series of a detector, measured on the managed heap (what the series really costs, object headers and
/// all) next to the detector's own <see cref="IAnomalyDetector.StateSizeBytes"/> estimate, after a given number of points
/// of the load test's synthetic series.
/// </summary>
internal static class StateCommand
{
    public static Task<int> RunAsync(CommandLine options)
    {
        var seriesCount = options.Int("series", 10_000, min: 1);
        var detector = options.String("detector", "ensemble");
        var series = new SyntheticSeries(seriesCount, anomalousSeries: 0, spikeAt: -1);
        var start = DateTimeOffset.UtcNow - TimeSpan.FromDays(30);
        Console.WriteLine($"state: {seriesCount:N0} series, detector {detector}; heap bytes per series (measured) and StateSizeBytes (estimated)");
        Console.WriteLine();
        Console.WriteLine("  points   heap bytes/series   StateSizeBytes");
        foreach (var points in new[] { 1, 100, 500, 600, 1_000, 5_000 })
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var before = GC.GetTotalMemory(forceFullCollection: true);
            var detectors = new IAnomalyDetector[seriesCount];
            for (var s = 0; s < seriesCount; s++)
            {
                detectors[s] = DetectorCatalog.Create(detector);
            }

            for (var p = 0; p < points; p++)
            {
                var timestamp = start + TimeSpan.FromSeconds(10 * p);
                for (var s = 0; s < seriesCount; s++)
                {
                    detectors[s].Update(timestamp, series.Value(s, p));
                }
            }

            var after = GC.GetTotalMemory(forceFullCollection: true);
            var estimated = detectors.Average(static d => (double)d.StateSizeBytes);
            GC.KeepAlive(detectors);
            Console.WriteLine($"  {points,6:N0} {(after - before) / (double)seriesCount,19:N0} {estimated,16:N0}");
        }

        return Task.FromResult(0);
    }
}
