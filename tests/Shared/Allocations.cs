using System.Runtime.CompilerServices;

namespace Aiops.Testing;

/// <summary>Measures the managed bytes a loop allocates on the current thread.</summary>
public static class Allocations
{
    /// <summary>
    /// Runs <paramref name="step"/> for every index in [<paramref name="from"/>, <paramref name="to"/>) and returns the bytes
    /// allocated meanwhile. The loop lives here, compiled fully optimised from the start: a loop in a tiered test method is
    /// swapped for an optimised copy mid-run (on-stack replacement), and that swap allocates a few bytes of its own.
    /// </summary>
    /// <param name="from">The first index.</param>
    /// <param name="to">One past the last index.</param>
    /// <param name="step">The work per index; create the delegate before calling.</param>
    /// <returns>The bytes allocated by the loop.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    public static long During(int from, int to, Action<int> step)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = from; i < to; i++)
        {
            step(i);
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
