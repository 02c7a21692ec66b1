using Aiops.Detection.Internal;

namespace Aiops.Detection;

/// <content>Snapshot: the saliency's window and sliding spectrum.</content>
public sealed partial class SpectralResidualDetector
{
    /// <inheritdoc />
    internal override SnapshotKind SnapshotKind => SnapshotKind.SpectralResidual;

    /// <inheritdoc />
    internal override void WriteState(ref SnapshotWriter writer) => _saliency.Write(ref writer);

    /// <inheritdoc />
    internal override void ReadState(ref SnapshotReader reader) => _saliency.Read(ref reader);
}
