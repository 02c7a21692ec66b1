using System.Diagnostics;

namespace Aiops.Lab;

/// <summary>Calls an action at a target rate that may change at any time, from a 20 ms tick.</summary>
internal static class RatePacer
{
    /// <summary>
    /// Runs until <paramref name="cancellationToken"/> fires: credit accrues at <paramref name="rate"/> per second and every
    /// tick spends it on calls, so the average rate is exact though ticks are coarse; at most a second's worth is saved up,
    /// so a stall is not followed by a burst.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    public static async Task RunAsync(Func<double> rate, Action arrive, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        var clock = Stopwatch.StartNew();
        var last = clock.Elapsed;
        var credit = 0d;
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            var now = clock.Elapsed;
            var perSecond = rate();
            credit = Math.Min(credit + (perSecond * (now - last).TotalSeconds), Math.Max(1, perSecond));
            last = now;
            for (; credit >= 1; credit--)
            {
                arrive();
            }
        }
    }
}
