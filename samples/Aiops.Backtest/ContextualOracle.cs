using Aiops.Detection;

namespace Aiops.Backtest;

/// <summary>
/// For measurement only (<c>contextual-oracle</c>): the catalogue's <c>contextual</c> (a <see cref="ContextualDetector"/> in a
/// <see cref="CalibratedDetector"/>, default options) whose range is set before the first point from the file's minimum and
/// maximum, as NAB hands them to CAD OSE, instead of being learned from the first points. Measures how much of CAD OSE's score
/// is the range known in advance. The range is set through the detector's internal <c>PresetRange</c>.
/// </summary>
internal sealed class ContextualOracle : IAnomalyDetector, IPrimedDetector
{
    private readonly ContextualDetector _inner = new();
    private readonly CalibratedDetector _calibrated;
    private bool _primed;

    /// <summary>Initializes a new instance of the <see cref="ContextualOracle"/> class.</summary>
    public ContextualOracle() => _calibrated = new CalibratedDetector(_inner);

    /// <inheritdoc />
    public string Name => "contextual-oracle";

    /// <inheritdoc />
    public int StateSizeBytes => _calibrated.StateSizeBytes;

    /// <inheritdoc />
    public void Prime(double min, double max, int length)
    {
        _inner.PresetRange(min, max);
        _primed = true;
    }

    /// <inheritdoc />
    public AnomalyScore Update(DateTimeOffset timestamp, double value) => _primed
        ? _calibrated.Update(timestamp, value)
        : throw new InvalidOperationException("contextual-oracle must be primed with the file's range before its first point.");

    /// <inheritdoc />
    public void Reset()
    {
        _calibrated.Reset();
        _primed = false;
    }
}
