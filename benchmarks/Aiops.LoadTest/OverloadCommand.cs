using System.Diagnostics;
using Aiops.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Aiops.LoadTest;

/// <summary>
/// Memory under overload: writers offer samples faster than detection consumes (at <c>--rate</c>, or as fast as they can)
/// with FullMode DropOldest, and the managed heap and working set are printed every second. Bounded means the last third
/// of the run peaks no higher than the middle third (within a margin) while drops keep being counted. The detection
/// stage reports processed items only when it finds its channel empty, which never happens under overload, so the
/// consumed rate is computed as offered minus dropped (exact to within the channel's capacity).
/// </summary>
internal static class OverloadCommand
{
    private const int TicksPerSecond = 100;

    public static async Task<int> RunAsync(CommandLine options)
    {
        var rate = options.Int("rate", 0);
        var writers = options.Int("writers", 2, min: 1);
        var seconds = options.Int("seconds", 30, min: 3);
        var seriesCount = options.Int("series", 10_000, min: writers);
        var capacity = options.Int("capacity", 100_000, min: 1);
        var detector = options.String("detector", "ensemble");
        var series = new SyntheticSeries(seriesCount, anomalousSeries: 0, spikeAt: -1);

        using var probe = new PipelineProbe();
        using var host = PipelineHost.Create("DropOldest", capacity, seriesCount, detector);
        await host.StartAsync();
        var writer = host.Services.GetRequiredService<AiopsPipelineWriter>();
        var offered = new long[writers];
        using var stop = new CancellationTokenSource();
        Console.WriteLine($"overload: {writers} writers offering {(rate > 0 ? $"{rate:N0} samples/s" : "as fast as they can")} for {seconds} s over {seriesCount:N0} series, detector {detector}, channel {capacity:N0} (DropOldest), {Environment.ProcessorCount} cores");
        Console.WriteLine();
        Console.WriteLine("     s     offered/s     dropped/s    consumed/s      heap MiB   working set MiB");

        var tasks = new Task[writers];
        for (var w = 0; w < writers; w++)
        {
            var index = w;
            tasks[w] = Task.Run(() => WriteAsync(writer, series, index, writers, rate, offered, stop.Token));
        }

        var memory = new MemoryProbe(TimeSpan.FromMilliseconds(100));
        var rows = new List<(double Heap, double WorkingSet)>();
        long lastOffered = 0, lastDropped = 0;
        var clock = Stopwatch.StartNew();
        using (var timer = new PeriodicTimer(TimeSpan.FromSeconds(1)))
        {
            for (var s = 1; s <= seconds && await timer.WaitForNextTickAsync(); s++)
            {
                var (heap, workingSet) = memory.Take();
                long nowOffered = offered.Sum(), nowDropped = probe.DroppedSamples;
                rows.Add((heap / 1048576.0, workingSet / 1048576.0));
                long offeredDelta = nowOffered - lastOffered, droppedDelta = nowDropped - lastDropped;
                Console.WriteLine($"{s,6} {offeredDelta,13:N0} {droppedDelta,13:N0} {offeredDelta - droppedDelta,13:N0} {rows[^1].Heap,13:F1} {rows[^1].WorkingSet,17:F1}");
                (lastOffered, lastDropped) = (nowOffered, nowDropped);
            }
        }

        await stop.CancelAsync();
        await Task.WhenAll(tasks);
        var elapsed = clock.Elapsed.TotalSeconds;
        await memory.DisposeAsync();
        var stopClock = Stopwatch.StartNew();
        await host.StopAsync();

        // Detector state grows while the series' windows fill; bounded means it has stopped growing: the last third of the run
        // peaks no higher than the middle third (within 10 %).
        var third = rows.Count / 3;
        double middleHeap = rows.Skip(third).Take(third).Max(r => r.Heap), lastHeap = rows.Skip(2 * third).Max(r => r.Heap);
        double middleSet = rows.Skip(third).Take(third).Max(r => r.WorkingSet), lastSet = rows.Skip(2 * third).Max(r => r.WorkingSet);
        var bounded = lastHeap <= middleHeap * 1.1 && lastSet <= middleSet * 1.1;
        Console.WriteLine();
        Console.WriteLine($"  offered                {offered.Sum() / elapsed,14:N0} samples/s");
        Console.WriteLine($"  consumed               {(offered.Sum() - probe.DroppedSamples) / elapsed,14:N0} samples/s (offered - dropped; the channel holds at most {capacity:N0})");
        Console.WriteLine($"  processed by detection {probe.Detected,14:N0} samples, including the channel drained on stop");
        Console.WriteLine($"  dropped (DropOldest)   {probe.DroppedSamples,14:N0} samples ({100.0 * probe.DroppedSamples / Math.Max(1, offered.Sum()):F1} % of offered)");
        Console.WriteLine($"  peak managed heap      {MemoryProbe.Mib(memory.PeakHeapBytes),14}   max middle third {middleHeap:F1} MiB, last third {lastHeap:F1} MiB");
        Console.WriteLine($"  peak working set       {MemoryProbe.Mib(memory.PeakWorkingSetBytes),14}   max middle third {middleSet:F1} MiB, last third {lastSet:F1} MiB (process peak {MemoryProbe.Mib(MemoryProbe.ProcessPeakWorkingSet())})");
        Console.WriteLine($"  bounded                {(bounded ? "yes" : "NO"),14}   (last-third peaks within 10 % of middle-third peaks)");
        Console.WriteLine($"  shutdown drain         {stopClock.Elapsed.TotalSeconds,14:F2} s");
        return bounded ? 0 : 1;
    }

    /// <summary>
    /// Writes rounds of one point per series of this writer's share, paced to <paramref name="rate"/> in 10 ms ticks (or
    /// unpaced). Each writer owns its series, so every series' timestamps increase.
    /// </summary>
    private static async Task WriteAsync(AiopsPipelineWriter writer, SyntheticSeries series, int index, int writers, int rate, long[] offered, CancellationToken cancellationToken)
    {
        var start = DateTimeOffset.UtcNow;
        var perTick = rate > 0 ? Math.Max(1, rate / writers / TicksPerSecond) : int.MaxValue;
        using var timer = rate > 0 ? new PeriodicTimer(TimeSpan.FromSeconds(1.0 / TicksPerSecond)) : null;
        var keys = series.Keys;
        int point = 0, s = index;
        long count = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            for (var i = 0; i < perTick && !cancellationToken.IsCancellationRequested; i++)
            {
                writer.TryWriteSample(new MetricSample(keys[s], start.AddMilliseconds(point), series.Value(s, point)));
                count++;
                s += writers;
                if (s >= keys.Length)
                {
                    s = index;
                    point++;
                }

                if ((count & 1023) == 0)
                {
                    Volatile.Write(ref offered[index], count);
                }
            }

            Volatile.Write(ref offered[index], count);
            if (timer is not null)
            {
                try
                {
                    await timer.WaitForNextTickAsync(cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }
}
