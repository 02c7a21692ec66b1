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

    /// <summary>
    /// Diagnostic (<c>--adapter core-unit-floor</c>): the core bridge, but a signal whose baseline scale is at the tracker's
    /// 1e-6 floor (MAD 0) gets its magnitude in the series' units, i.e. scale 1 as BARO's RobustScaler and the adapter do.
    /// Measures how much of the bridge's gap that floor explains.
    /// </summary>
    CoreUnitFloor = 2,
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
        SignalPath.Core => new CoreSource(new AnomalySignalBridge(key), unitFloor: false),
        SignalPath.CoreUnitFloor => new CoreSource(new AnomalySignalBridge(key), unitFloor: true),
        _ => new LegacySource(new ScoreSignalAdapter(key, labels)),
    };

    private sealed class CoreSource(AnomalySignalBridge bridge, bool unitFloor) : ISignalSource
    {
        public AnomalySignal? Observe(in AnomalyScore score, DateTimeOffset now)
        {
            if (bridge.Update(score, now, out var signal) == AnomalySignalEvent.None || signal is null)
            {
                return null;
            }

            var tracker = bridge.Tracker;
            var floor = 1e-6 * Math.Max(1, Math.Abs(tracker.BaselineMedian));
            return unitFloor && tracker.BaselineScale <= floor * (1 + 1e-9) ? signal with { Magnitude = signal.Magnitude * tracker.BaselineScale } : signal;
        }
    }

    private sealed class LegacySource(ScoreSignalAdapter adapter) : ISignalSource
    {
        public AnomalySignal? Observe(in AnomalyScore score, DateTimeOffset now) => adapter.Observe(score);
    }
}
