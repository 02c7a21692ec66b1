using Aiops.Correlation;
using Aiops.Detection;

namespace Aiops.Rca.Eval;

/// <summary>Which score → signal path the benchmark uses.</summary>
internal enum SignalPath
{
    /// <summary>
    /// The benchmark's own <see cref="ScoreSignalAdapter"/> (<c>--adapter legacy</c>, the default): it scores far better than
    /// the core bridge on this benchmark (README, "Root cause, end to end").
    /// </summary>
    Legacy = 0,

    /// <summary>The core <see cref="AnomalySignalBridge"/> with its default options, as a user of the library would run it (<c>--adapter core</c>).</summary>
    Core = 1,
}

/// <summary>One series' score → signal step, whichever path is selected.</summary>
internal interface ISignalSource
{
    /// <summary>Feeds one score; returns the signal to send to the correlator now, or <see langword="null"/>.</summary>
    AnomalySignal? Observe(in AnomalyScore score, DateTimeOffset now);
}

/// <summary>Creates the selected path's source for a series.</summary>
internal static class SignalSources
{
    /// <summary>Creates a source for one series.</summary>
    public static ISignalSource Create(SignalPath path, SeriesKey key, IReadOnlyDictionary<string, string> labels) => path switch
    {
        SignalPath.Core => new CoreSource(new AnomalySignalBridge(key)),
        _ => new LegacySource(new ScoreSignalAdapter(key, labels)),
    };

    private sealed class CoreSource(AnomalySignalBridge bridge) : ISignalSource
    {
        public AnomalySignal? Observe(in AnomalyScore score, DateTimeOffset now) =>
            bridge.Update(score, now, out var signal) == AnomalySignalEvent.None ? null : signal;
    }

    private sealed class LegacySource(ScoreSignalAdapter adapter) : ISignalSource
    {
        public AnomalySignal? Observe(in AnomalyScore score, DateTimeOffset now) => adapter.Observe(score);
    }
}
