using System.Diagnostics;

namespace Aiops.LoadTest;

/// <summary>Samples the managed heap and the working set on a timer and keeps their peaks.</summary>
internal sealed class MemoryProbe : IAsyncDisposable
{
    private readonly PeriodicTimer _timer;
    private readonly Task _loop;
    private readonly CancellationTokenSource _stop = new();
    private long _peakHeap;
    private long _peakWorkingSet;

    public MemoryProbe(TimeSpan interval)
    {
        _timer = new PeriodicTimer(interval);
        Take();
        _loop = LoopAsync();
    }

    public long PeakHeapBytes => Interlocked.Read(ref _peakHeap);

    public long PeakWorkingSetBytes => Interlocked.Read(ref _peakWorkingSet);

    public static string Mib(long bytes) => $"{bytes / (1024.0 * 1024.0):F1} MiB";

    /// <summary>The process's own peak working set (VmHWM), which also covers moments between samples.</summary>
    public static long ProcessPeakWorkingSet()
    {
        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }

    /// <summary>Reads the current managed heap (without forcing a collection) and working set, and updates the peaks.</summary>
    public (long HeapBytes, long WorkingSetBytes) Take()
    {
        var heap = GC.GetTotalMemory(forceFullCollection: false);
        var workingSet = Environment.WorkingSet;
        Max(ref _peakHeap, heap);
        Max(ref _peakWorkingSet, workingSet);
        return (heap, workingSet);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _timer.Dispose();
        _stop.Dispose();
    }

    private static void Max(ref long peak, long value)
    {
        var current = Interlocked.Read(ref peak);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref peak, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    private async Task LoopAsync()
    {
        try
        {
            while (await _timer.WaitForNextTickAsync(_stop.Token))
            {
                Take();
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }
}
