using Aiops.Detection;
using Aiops.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Aiops.Hosting.Tests.Pipeline;

/// <summary>Builds a real host with AddAiops and the pipeline stages on a fake clock, and waits on conditions.</summary>
internal static class PipelineTestHost
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static IHost Build(
        FakeTimeProvider time,
        Action<AiopsBuilder>? configure = null,
        IDictionary<string, string?>? config = null,
        Action<IServiceCollection>? services = null,
        bool pipeline = true)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(config ?? new Dictionary<string, string?>());
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddAiops(configure ?? (static _ => { }));
        if (!pipeline)
        {
            // The test reads the sample channel itself, so the stages that AddAiops registers must not consume it: drop their
            // hosted-service registrations (the factories declared by PipelineServiceCollectionExtensions).
            var stages = builder.Services.Where(d => d.ServiceType == typeof(IHostedService)
                && d.ImplementationFactory?.Method.DeclaringType is { } type
                && (type == typeof(PipelineServiceCollectionExtensions) || type.DeclaringType == typeof(PipelineServiceCollectionExtensions))).ToList();
            Assert.Equal(2, stages.Count);
            stages.ForEach(d => builder.Services.Remove(d));
        }
        services?.Invoke(builder.Services);
        return builder.Build();
    }

    /// <summary>
    /// Creates a calibrated robust z-score detector (a building block, not selectable by name), which judges a series after a
    /// few points, for tests that need alerts early: the ensemble, the catalogue's detector, flags nothing in a series' warm-up.
    /// </summary>
    public static IAnomalyDetector RobustZScore(SeriesKey key) => new CalibratedDetector(new RobustZScoreDetector());

    /// <summary>Makes the detection stage use <see cref="RobustZScore"/> for every series.</summary>
    public static void UseRobustZScore(IServiceCollection services) =>
        services.Configure<DetectionStageOptions>(o => o.DetectorFactory = RobustZScore);

    /// <summary>Polls a condition on the real clock for at most <paramref name="seconds"/>.</summary>
    public static async Task<bool> WaitUntilAsync(Func<bool> condition, double seconds = 5)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(10);
        }

        return true;
    }
}
