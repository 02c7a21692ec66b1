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
            ReadInterval(ref r);
            ReadState(ref r);
            r.EnsureEnd();
        }
        catch
        {
            Reset();
            throw;
        }
    }

    /// <summary>
    /// Reads the last timestamp and the sampling-interval estimate, and checks that they are a state <see cref="Update"/> can
    /// reach: the last timestamp none (before the first point) or a <see cref="DateTimeOffset.UtcTicks"/>; no step before two
    /// points; otherwise a smallest step of at least one tick that fits between the first possible timestamp and the last one
    /// as many times as there were steps, a mean step (seconds) finite and at least half the smallest step, and points per
    /// week derived from it exactly as <see cref="Update"/> derives them (its logarithm to within rounding). Anything else
    /// would divide by zero, never flag again, or skip every later point as out of order.
    /// </summary>
    private void ReadInterval(ref SnapshotReader r)
    {
        _lastTicks = r.ReadInt64();
        _smallestStep = r.ReadInt64();
        _meanStep = r.ReadDouble();
        _pointsPerWeek = r.ReadDouble();
        _log10PointsPerWeek = r.ReadDouble();
        _steps = r.ReadInt64();
        if (_lastTicks != long.MinValue && (_lastTicks < 0 || _lastTicks > DateTime.MaxValue.Ticks))
        {
            throw r.Corrupt($"the last timestamp is {_lastTicks} ticks, not a time");
        }

        r.LastTicks = _lastTicks;

        bool valid;
        if (_steps == 0)
        {
            valid = _smallestStep == long.MaxValue && _meanStep == 0 && _pointsPerWeek == DefaultPointsPerWeek;
        }
        else
        {
            // Every step is at least the smallest, and the first point was at or after tick 0.
            valid = _steps > 0 && _lastTicks != long.MinValue && _steps <= _lastTicks
                && _smallestStep >= 1 && _smallestStep <= _lastTicks / _steps
                && double.IsFinite(_meanStep) && _meanStep >= 0.5 * _smallestStep / TimeSpan.TicksPerSecond
                && _pointsPerWeek == SecondsPerWeek / _meanStep;
        }

        if (!valid || !(Math.Abs(_log10PointsPerWeek - Math.Log10(_pointsPerWeek)) <= 1e-9))
        {
            throw r.Corrupt(
                $"the sampling interval ({_steps} steps, the smallest {_smallestStep} ticks, the mean {_meanStep} s, {_pointsPerWeek} points a week, log10 {_log10PointsPerWeek}) is not one a series makes");
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
