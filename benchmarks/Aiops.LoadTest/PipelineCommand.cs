using System.Diagnostics;
using Aiops.Correlation;
using Aiops.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Aiops.LoadTest;

/// <summary>
/// End-to-end throughput of the hosted pipeline: one writer pushes every sample through
/// <see cref="AiopsPipelineWriter.TryWriteSample"/>, never more than the channel holds ahead of what detection has
/// processed (so nothing is dropped), and the clock stops when the detection stage reports the last sample processed.
/// </summary>
internal static class PipelineCommand
{
    public static async Task<int> RunAsync(CommandLine options)
    {
        var seriesCount = options.Int("series", 10_000, min: 1);
        var points = options.Int("points", 500, min: 1);
        var capacity = options.Int("capacity", 100_000, min: 1);
        var anomalies = options.Int("anomalies", 20);
        var detector = options.String("detector", "ensemble");
        var workers = options.Int("workers", 0); // 0: the option's default (processors, at most 4)
        var total = (long)seriesCount * points;
        var series = new SyntheticSeries(seriesCount, anomalies, spikeAt: points * 3 / 4);

        using var probe = new PipelineProbe();
        using var host = PipelineHost.Create("Wait", capacity, seriesCount, detector, workers);
        await host.StartAsync();
        var writer = host.Services.GetRequiredService<AiopsPipelineWriter>();
        var step = TimeSpan.FromSeconds(10);
        var start = DateTimeOffset.UtcNow - (points * step);

        Console.WriteLine($"pipeline: {seriesCount:N0} series x {points:N0} points = {total:N0} samples, detector {detector}, {(workers == 0 ? $"default ({new DetectionStageOptions().Workers})" : workers)} detection worker(s), channel {capacity:N0} (Wait), {Environment.ProcessorCount} cores");
        var memory = new MemoryProbe(TimeSpan.FromMilliseconds(100));
        var gcBefore = GC.CollectionCount(0);
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var pauseBefore = GC.GetTotalPauseDuration();
        var clock = Stopwatch.StartNew();
        var refused = await Task.Run(async () =>
        {
            long written = 0, refusedCount = 0;
            for (var p = 0; p < points; p++)
            {
                var timestamp = start + (p * step);
                for (var s = 0; s < seriesCount; s++)
                {
                    while (written - probe.Detected >= capacity)
                    {
                        await Task.Delay(1);
                    }

                    if (writer.TryWriteSample(new MetricSample(series.Keys[s], timestamp, series.Value(s, p))))
                    {
                        written++;
                    }
                    else
                    {
                        refusedCount++;
                    }
                }
            }

            return refusedCount;
        });
        var writeSeconds = clock.Elapsed.TotalSeconds;
        while (probe.Detected < total - refused)
        {
            await Task.Delay(1);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        await memory.DisposeAsync();
        var gcCount = GC.CollectionCount(0) - gcBefore;
        var pause = GC.GetTotalPauseDuration() - pauseBefore;

        // Let correlation catch up with the anomaly signals, then stop: the stage saves every open episode on stop.
        var wait = Stopwatch.StartNew();
        while (probe.Correlated < probe.Signals - probe.DroppedSignals && wait.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(10);
        }

        var scored = host.Services.GetRequiredService<ScoreBoard>().Count;
        await host.StopAsync();
        var episodes = await host.Services.GetRequiredService<IEpisodeStore>().ListAsync();

        Console.WriteLine();
        Console.WriteLine($"  samples processed      {probe.Detected,14:N0}   in {seconds:F2} s (writer done after {writeSeconds:F2} s)");
        Console.WriteLine($"  samples/s end to end   {probe.Detected / seconds,14:N0}");
        Console.WriteLine($"  process CPU time       {cpuSeconds,14:F2} s   {cpuSeconds * 1e9 / Math.Max(1, probe.Detected):F0} ns per sample (all threads: writer, detection, GC)");
        Console.WriteLine($"  series scored          {scored,14:N0}");
        Console.WriteLine($"  spikes injected        {series.Anomalous,14:N0}   series with a 3-point spike at point {points * 3 / 4}");
        Console.WriteLine($"  anomalies (onsets)     {probe.Onsets,14:N0}   anomaly signals sent: {probe.Signals:N0}, correlated: {probe.Correlated:N0}");
        Console.WriteLine($"  episodes               {episodes.Count,14:N0}");
        Console.WriteLine($"  dropped / refused      {probe.DroppedSamples,14:N0}   samples ({refused:N0} refused by TryWriteSample), {probe.DroppedSignals:N0} signals");
        Console.WriteLine($"  peak managed heap      {MemoryProbe.Mib(memory.PeakHeapBytes),14}   (sampled every 100 ms; {gcCount} gen0 GCs, {pause.TotalSeconds:F2} s paused)");
        Console.WriteLine($"  peak working set       {MemoryProbe.Mib(memory.PeakWorkingSetBytes),14}   (process peak {MemoryProbe.Mib(MemoryProbe.ProcessPeakWorkingSet())})");
        return probe.DroppedSamples == 0 && refused == 0 ? 0 : 1;
    }
}
