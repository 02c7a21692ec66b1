namespace Aiops.Lab.App;

/// <summary>Thread-safe random numbers for the simulation, seedable for tests.</summary>
public sealed class LabRandom(int? seed = null)
{
    private readonly Lock _lock = new();
    private readonly Random _random = seed is { } s ? new Random(s) : new Random();

    /// <summary>A number in [0, 1).</summary>
    public double NextDouble()
    {
        lock (_lock)
        {
            return _random.NextDouble();
        }
    }

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool Chance(double p) => p > 0 && NextDouble() < p;

    /// <summary><paramref name="milliseconds"/> with uniform ±<paramref name="fraction"/> jitter.</summary>
    public TimeSpan Jitter(double milliseconds, double fraction) =>
        TimeSpan.FromMilliseconds(Math.Max(0, milliseconds * (1 + (fraction * ((2 * NextDouble()) - 1)))));
}
