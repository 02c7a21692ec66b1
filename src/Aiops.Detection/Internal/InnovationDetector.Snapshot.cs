namespace Aiops.Detection.Internal;

/// <content>Snapshot: the innovations' robust z-score, the last point, the mean step and the moments φ is learned from.</content>
internal sealed partial class InnovationDetector
{
    /// <inheritdoc />
    internal override SnapshotKind SnapshotKind => SnapshotKind.Innovation;

    /// <inheritdoc />
    internal override void WriteState(ref SnapshotWriter writer)
    {
        _innovations.WriteNested(ref writer);
        writer.WriteDouble(_previous);
        writer.WriteInt64(_previousTicks);
        writer.WriteDouble(_meanStep);
        writer.WriteInt32(_steps);
        writer.WriteDouble(_weight);
        writer.WriteDouble(_mean);
        writer.WriteDouble(_deviation);
        writer.WriteDouble(_variance);
        writer.WriteDouble(_autocovariance);
    }

    /// <inheritdoc />
    internal override void ReadState(ref SnapshotReader reader)
    {
        _innovations.ReadNested(ref reader);
        _previous = reader.ReadFiniteOrNaN("the innovation member's last point");
        _previousTicks = reader.ReadSeenTicks("the innovation member's last time");
        _meanStep = reader.ReadDoubleIn(0, double.MaxValue, "the innovation member's mean step");
        _steps = reader.ReadCount(StepMemory, "the innovation member's step count");
        _weight = reader.ReadDouble();
        _mean = reader.ReadFinite("the innovation member's mean");
        _deviation = reader.ReadFiniteOrNaN("the innovation member's last deviation");
        _variance = reader.ReadDouble();
        _autocovariance = reader.ReadFinite("the innovation member's autocovariance");
        if (!(_weight is >= 0 and <= Memory) || !(_variance >= 0 && _variance <= double.MaxValue))
        {
            throw reader.Corrupt($"the innovation member's weight is {_weight} and variance {_variance}");
        }
    }
}
