using System.Runtime.CompilerServices;

namespace Aiops.Testing;

/// <summary>Measures the managed bytes a loop allocates on the current thread.</summary>
public static class Allocations
{
    /// <summary>
    /// Runs <paramref name="step"/> for every index in [<paramref name="from"/>, <paramref name="to"/>) and returns the bytes
    /// allocated meanwhile by the first half of the loop or by the second, whichever is smaller. Work that allocates per
    /// index allocates in both halves; the runtime now and then counts a one-off of about 8 KB against the thread (the rest
    /// of its allocation context, when a collection started by another thread retires it), which lands in one half at most,
    /// so a test under load does not fail on it. The loop lives here, compiled fully optimised from the start: a loop in a
    /// tiered test method is swapped for an optimised copy mid-run (on-stack replacement), and that swap allocates a few
    /// bytes of its own.
    /// </summary>
    /// <param name="from">The first index.</param>
    /// <param name="to">One past the last index; at least two indices.</param>
    /// <param name="step">The work per index; create the delegate before calling.</param>
    /// <returns>The bytes allocated by the half of the loop that allocated less.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    public static long During(int from, int to, Action<int> step)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentOutOfRangeException.ThrowIfLessThan(to - from, 2);
        var middle = from + ((to - from) / 2);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = from; i < middle; i++)
        {
            step(i);
        }

        var halfway = GC.GetAllocatedBytesForCurrentThread();
        for (var i = middle; i < to; i++)
        {
            step(i);
        }

        return Math.Min(halfway - before, GC.GetAllocatedBytesForCurrentThread() - halfway);
    }
}
