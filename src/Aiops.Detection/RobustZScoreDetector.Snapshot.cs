using Aiops.Detection.Internal;

namespace Aiops.Detection;

/// <content>Snapshot: the rolling window.</content>
public sealed partial class RobustZScoreDetector
{
    /// <inheritdoc />
    internal override SnapshotKind SnapshotKind => SnapshotKind.RobustZScore;

    /// <inheritdoc />
    internal override void WriteState(ref SnapshotWriter writer) => _window.Write(ref writer);

    /// <inheritdoc />
    internal override void ReadState(ref SnapshotReader reader) => _window.Read(ref reader);
}
