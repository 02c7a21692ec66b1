using Aiops.Detection.Internal;

namespace Aiops.Detection;

/// <content>Snapshot: the conformal history.</content>
public sealed partial class IidSpikeDetector
{
    /// <inheritdoc />
    internal override SnapshotKind SnapshotKind => SnapshotKind.IidSpike;

    /// <inheritdoc />
    internal override void WriteState(ref SnapshotWriter writer) => _test.Write(ref writer);

    /// <inheritdoc />
    internal override void ReadState(ref SnapshotReader reader) => _test.Read(ref reader);
}
