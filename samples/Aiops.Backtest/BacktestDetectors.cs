using Aiops.Detection;

namespace Aiops.Backtest;

/// <summary>
/// The names the backtest commands accept: the <see cref="DetectorCatalog"/>'s detectors, and, for measurement only, the
/// building blocks as <c>block:NAME</c> (each wrapped in a <see cref="CalibratedDetector"/>, so it flags by a false-alarm
/// rate like the catalogue's), two of those read as one as <c>combo:A+B</c> (<see cref="ComboDetector"/>), and one fed a
/// log-transformed series as <c>log:NAME</c> (<see cref="TransformDetector"/>).
/// Building blocks score below 40 (NAB standard, cross-validated) alone; the prefix keeps them
/// out of the names a user would pick a detector by.
/// </summary>
internal static class BacktestDetectors
{
    /// <summary>The prefix of a building block's name.</summary>
    public const string BlockPrefix = "block:";

    private static readonly Dictionary<string, Func<AnomalyDetector>> Blocks = new(StringComparer.OrdinalIgnoreCase)
    {
        [DetectorNames.RobustZScore] = () => new RobustZScoreDetector(),
        [DetectorNames.Seasonal] = () => new SeasonalDetector(),
        [DetectorNames.SpectralResidual] = () => new SpectralResidualDetector(),
        [DetectorNames.Art] = () => new ArtDetector(),
        [DetectorNames.SsaChangePoint] = () => new SsaChangePointDetector(),
        [DetectorNames.IidSpike] = () => new IidSpikeDetector(),
        [DetectorNames.IidChangePoint] = () => new IidChangePointDetector(),
        ["bocpd"] = () => new BocpdDetector(),
        ["artime"] = () => new ArtimeDetector(),
    };

    // Read raw (their own probability, no calibration), for measurement only: ARTime causal and as published with NAB's
    // look-ahead, and the contextual detector with the file's range known in advance (IPrimedDetector).
    private static readonly Dictionary<string, Func<IAnomalyDetector>> Raw = new(StringComparer.OrdinalIgnoreCase)
    {
        ["artime"] = () => new ArtimeDetector(),
        ["artime-oracle"] = () => new ArtimeDetector("artime-oracle", rangeKnown: true, lengthKnown: true),
        ["artime-oracle-range"] = () => new ArtimeDetector("artime-oracle-range", rangeKnown: true),
        ["artime-oracle-length"] = () => new ArtimeDetector("artime-oracle-length", lengthKnown: true),
        ["artime-step2"] = () => new ArtimeDetector("artime-step2", step: 2, trend: 120),
        ["artime-step5"] = () => new ArtimeDetector("artime-step5", step: 5, trend: 120),
        ["artime-trend34"] = () => new ArtimeDetector("artime-trend34", trend: 34),
        ["artime-handover"] = () => new ArtimeHandover(),
        ["contextual-oracle"] = () => new ContextualOracle(),
    };

    /// <summary>Gets the building blocks' names, with their prefix.</summary>
    public static IReadOnlyList<string> BlockNames { get; } = [.. Blocks.Keys.Select(k => BlockPrefix + k)];

    /// <summary>Gets the list of valid names, for usage errors and help.</summary>
    public static string Valid =>
        $"{string.Join(", ", DetectorCatalog.Names)}; read raw, for measurement only: {string.Join(", ", Raw.Keys)}; building blocks, for measurement only: {string.Join(", ", BlockNames)}; two catalogue detectors read as one, for measurement only: {ComboDetector.Prefix}A+B (e.g. {ComboDetector.Prefix}{DetectorNames.Ensemble}+{BlockPrefix}{DetectorNames.Art}); a detector fed ln(1 + x / c), for measurement only: {TransformDetector.Prefix}NAME (e.g. {TransformDetector.Prefix}{DetectorNames.Ensemble})";

    /// <summary>Tells whether a name is a catalogue detector or a prefixed building block.</summary>
    /// <param name="name">The name, case-insensitive.</param>
    /// <returns><see langword="true"/> when <see cref="Create"/> accepts it.</returns>
    public static bool IsKnown(string name) =>
        DetectorCatalog.Names.Contains(name, StringComparer.OrdinalIgnoreCase) || Raw.ContainsKey(name) || TryBlock(name, out _) || ComboDetector.TryParse(name, out _, out _) || TransformDetector.TryParse(name, out _);

    /// <summary>Creates a new detector by name.</summary>
    /// <param name="name">A catalogue name, or <c>block:</c> and a building block's name.</param>
    /// <param name="falseAlarmsPerWeek">The sensitivity (<see cref="AnomalyDetectorOptions.FalseAlarmsPerWeek"/>); default 1.</param>
    /// <returns>A new detector.</returns>
    /// <exception cref="ArgumentException">The name is unknown.</exception>
    public static IAnomalyDetector Create(string name, double falseAlarmsPerWeek = 1) =>
        TryBlock(name, out var factory) ? new CalibratedDetector(factory(), new CalibratedOptions { FalseAlarmsPerWeek = falseAlarmsPerWeek })
        : Raw.TryGetValue(name, out var raw) ? raw()
        : ComboDetector.TryParse(name, out var first, out var second) ? new ComboDetector(name, Create(first, falseAlarmsPerWeek), Create(second, falseAlarmsPerWeek))
        : TransformDetector.TryParse(name, out var inner) ? new TransformDetector(name, Create(inner, falseAlarmsPerWeek))
        : DetectorCatalog.Create(name, new DetectorCatalogOptions { FalseAlarmsPerWeek = falseAlarmsPerWeek });

    private static bool TryBlock(string name, out Func<AnomalyDetector> factory)
    {
        factory = null!;
        return name.StartsWith(BlockPrefix, StringComparison.OrdinalIgnoreCase)
            && Blocks.TryGetValue(name[BlockPrefix.Length..], out factory!);
    }
}
