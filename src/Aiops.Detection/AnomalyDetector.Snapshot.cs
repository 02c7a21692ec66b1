using System.Buffers;
using System.IO;
using Aiops.Detection.Internal;

namespace Aiops.Detection;

/// <content>State snapshots: the header, the sampling-interval estimate, and the hooks each built-in detector overrides.</content>
public abstract partial class AnomalyDetector
{
    /// <summary>Gets the kind written in the snapshot header; 0 when the detector has no snapshot format.</summary>
    internal virtual SnapshotKind SnapshotKind => 0;

    /// <inheritdoc />
    public void WriteSnapshot(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ThrowIfUnsupported();
        var w = new SnapshotWriter(writer);
        w.WriteByte(DetectorSnapshot.Magic0);
        w.WriteByte(DetectorSnapshot.Magic1);
        w.WriteByte(DetectorSnapshot.FormatVersion);
        w.WriteByte((byte)SnapshotKind);
        w.WriteInt64(_lastTicks);
        w.WriteInt64(_smallestStep);
        w.WriteDouble(_meanStep);
        w.WriteDouble(_pointsPerWeek);
        w.WriteDouble(_log10PointsPerWeek);
        w.WriteInt64(_steps);
        WriteState(ref w);
    }

    /// <inheritdoc />
    public void RestoreSnapshot(ReadOnlySpan<byte> snapshot)
    {
        ThrowIfUnsupported();
        var r = new SnapshotReader(snapshot);
        if (snapshot.Length < 4 || snapshot[0] != DetectorSnapshot.Magic0 || snapshot[1] != DetectorSnapshot.Magic1)
        {
            throw new InvalidDataException($"The {snapshot.Length} bytes are not a detector snapshot (no snapshot header).");
        }

        if (snapshot[2] != DetectorSnapshot.FormatVersion)
        {
            throw new InvalidDataException(
                $"The detector snapshot has format version {snapshot[2]}; this build reads version {DetectorSnapshot.FormatVersion} only.");
        }

        r.ReadByte();
        r.ReadByte();
        r.ReadByte();
        r.ReadKind(SnapshotKind); // a snapshot of another kind leaves the detector as it was
        try
        {
            _lastTicks = r.ReadInt64();
            _smallestStep = r.ReadInt64();
            _meanStep = r.ReadDouble();
            _pointsPerWeek = r.ReadDouble();
            _log10PointsPerWeek = r.ReadDouble();
            _steps = r.ReadInt64();
            ReadState(ref r);
            r.EnsureEnd();
        }
        catch
        {
            Reset();
            throw;
        }
    }

    /// <summary>Writes the algorithm's state (without the header and the sampling-interval estimate).</summary>
    internal virtual void WriteState(ref SnapshotWriter writer) => ThrowIfUnsupported();

    /// <summary>Reads what <see cref="WriteState"/> wrote, replacing the algorithm's state.</summary>
    internal virtual void ReadState(ref SnapshotReader reader) => ThrowIfUnsupported();

    /// <summary>Writes a member's state (a composing detector owns its members): its kind byte, then its state.</summary>
    internal void WriteNested(ref SnapshotWriter writer)
    {
        ThrowIfUnsupported();
        writer.WriteByte((byte)SnapshotKind);
        WriteState(ref writer);
    }

    /// <summary>Reads what <see cref="WriteNested"/> wrote.</summary>
    internal void ReadNested(ref SnapshotReader reader)
    {
        ThrowIfUnsupported();
        reader.ReadKind(SnapshotKind);
        ReadState(ref reader);
    }

    private void ThrowIfUnsupported()
    {
        if (SnapshotKind == 0)
        {
            throw new NotSupportedException($"Detector '{Name}' ({GetType().Name}) does not support state snapshots.");
        }
    }
}
