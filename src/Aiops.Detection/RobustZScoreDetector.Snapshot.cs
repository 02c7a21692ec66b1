using Aiops.Detection.Internal;

namespace Aiops.Detection;

/// <content>Snapshot: the rolling window, the pooled scale and the learned resolution.</content>
public sealed partial class RobustZScoreDetector
{
    /// <inheritdoc />
    internal override SnapshotKind SnapshotKind => SnapshotKind.RobustZScore;

    /// <inheritdoc />
    internal override void WriteState(ref SnapshotWriter writer)
    {
        _window.Write(ref writer);
        writer.WriteShape(_scaleMemory);
        writer.WriteDouble(_pooledVariance);
        writer.WriteInt32(_pooledCount);
        writer.WriteDouble(Resolution);
    }

    /// <inheritdoc />
    internal override void ReadState(ref SnapshotReader reader)
    {
        _window.Read(ref reader, finiteValues: true);
        reader.ReadShape(_scaleMemory, "the robust z-score's scale memory");
        _pooledVariance = reader.ReadDoubleIn(0, double.PositiveInfinity, "the pooled variance");
        _pooledCount = reader.ReadCount(_scaleMemory, "the pooled scale's count");
        Resolution = reader.ReadDoubleIn(0, double.PositiveInfinity, "the learned resolution");
    }
}
