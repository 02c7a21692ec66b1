using Aiops.Detection.Internal;

namespace Aiops.Detection;

/// <content>Snapshot: the inner detector, the tail calibration and the refractory period.</content>
public sealed partial class CalibratedDetector
{
    /// <inheritdoc />
    internal override SnapshotKind SnapshotKind => _inner.SnapshotKind == 0 ? 0 : SnapshotKind.Calibrated;

    /// <inheritdoc />
    internal override void WriteState(ref SnapshotWriter writer)
    {
        _inner.WriteNested(ref writer);
        _calibration.Write(ref writer);
        _damping.Write(ref writer);
    }

    /// <inheritdoc />
    internal override void ReadState(ref SnapshotReader reader)
    {
        _inner.ReadNested(ref reader);
        _calibration.Read(ref reader);
        _damping.Read(ref reader);
    }
}
