namespace Aiops.Benchmarks;

/// <summary>A clock the benchmark sets by hand, so time never moves while a benchmark runs.</summary>
internal sealed class SettableClock : TimeProvider
{
    public DateTimeOffset Now { get; set; }

    public override DateTimeOffset GetUtcNow() => Now;
}
