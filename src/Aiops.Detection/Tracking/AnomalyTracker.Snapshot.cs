using System.Buffers;
using System.IO;
using Aiops.Detection.Internal;

namespace Aiops.Detection.Tracking;

/// <content>
/// State snapshots (<see cref="IStateSnapshot"/>): the header, the options the state depends on (checked on restore), the
/// baseline ring and, during an anomaly, the ring of values at the new level (oldest first, only the values held), the count
/// window (oldest first), and every scalar of the anomaly state. About 3.1 KB with the default options once the baseline
/// is full, up to 2 KB more during an anomaly.
/// </content>
public sealed partial class AnomalyTracker
{
    /// <summary>The format version of a tracker snapshot this build writes and the only one it reads: 1.</summary>
    public const byte SnapshotFormatVersion = 1;

    /// <summary>The kind byte of a tracker snapshot (detectors use 1 to 127): 128.</summary>
    internal const byte TrackerSnapshotKind = 128;

    /// <summary>
    /// Writes the tracker's state: a 4-byte header (the snapshot magic, <see cref="SnapshotFormatVersion"/> and the tracker
    /// kind) and the state in a compact little-endian binary form. The tracker is not changed. Not thread-safe: call it
    /// between updates, from the thread that updates.
    /// </summary>
    /// <param name="writer">Receives the bytes.</param>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> is <see langword="null"/>.</exception>
    public void WriteSnapshot(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var w = new SnapshotWriter(writer);
        w.WriteByte(DetectorSnapshot.Magic0);
        w.WriteByte(DetectorSnapshot.Magic1);
        w.WriteByte(SnapshotFormatVersion);
        w.WriteByte(TrackerSnapshotKind);

        // The options the state depends on: a tracker with other options refuses the snapshot.
        w.WriteShape(_ring.Length);
        w.WriteShape(_countLength);
        w.WriteInt32(_minimumBaseline);
        w.WriteInt32(_confirmPoints);
        w.WriteInt32(_sustainPoints);
        w.WriteInt32(_holdPoints);
        w.WriteDouble(_enter);
        w.WriteDouble(_exit);
        w.WriteDouble(_minimumScale);
        w.WriteInt64(_returnTicks);
        w.WriteInt64(_newNormalTicks);

        WriteRing(ref w, _ring, _start, _count);
        if (IsAnomalous)
        {
            WriteRing(ref w, _scratch, _recentStart, _recentCount); // the values at the new level (scratch space while normal)
        }
        else
        {
            w.WriteInt32(0);
        }

        w.WriteDouble(_resolution);
        w.WriteDouble(_lastNormal);
        w.WriteDouble(_detectorLower);
        w.WriteDouble(_detectorUpper);

        WriteScore(ref w, _candidate);
        w.WriteDouble(_candidateMedian);
        w.WriteDouble(_candidateScale);
        w.WriteInt32(_candidateSide);
        w.WriteInt32(_candidates);
        w.WriteInt32(_candidateMisses);

        w.WriteInt32(_armedLeft);
        w.WriteDouble(_armedMedian);
        w.WriteDouble(_armedScale);
        w.WriteInt32(_armedSide);

        w.WriteInt32(_sustainRefresh);
        w.WriteDouble(_sustainMedian);
        w.WriteDouble(_sustainScale);
        WriteScore(ref w, _sustainFirst);
        w.WriteInt32(_sustainSide);
        w.WriteInt32(_sustained);
        w.WriteInt32(_sustainGap);

        // The count window, oldest first.
        w.WriteInt32(_countFill);
        var oldest = _countFill == _countLength ? _countHead : 0;
        for (var i = 0; i < _countFill; i++)
        {
            var slot = (oldest + i) % _countLength;
            w.WriteDouble(_countValues[slot]);
            w.WriteInt64(_countTicks[slot]);
        }

        w.WriteDouble(_countSum);
        w.WriteInt32(_countRefresh);
        w.WriteBool(_countApplies);
        w.WriteDouble(_countRate);
        w.WriteDouble(_countDispersion);
        w.WriteDouble(_countUnit);
        w.WriteInt64(_stepTicks);
        w.WriteInt64(_lastTicks);
        w.WriteBool(_countAnomaly);
        w.WriteDouble(_rateWeight);
        w.WriteDouble(_rateSum);
        w.WriteDouble(_rateSquares);

        w.WriteBool(_hasFrozen);
        w.WriteDouble(_outerLower);
        w.WriteDouble(_outerUpper);
        w.WriteInt64(_lastFlagTicks);
        w.WriteInt64(_inBandSinceTicks);
        w.WriteBool(_inBand);
        w.WriteInt64((long)_backBits);
        w.WriteInt64(_insideRunTicks);

        w.WriteBool(IsAnomalous);
        WriteTime(ref w, Onset);
        w.WriteBool(EndedAt.HasValue);
        WriteTime(ref w, EndedAt.GetValueOrDefault());
        w.WriteByte((byte)EndReason);
        w.WriteBool(ReturningSince.HasValue);
        WriteTime(ref w, ReturningSince.GetValueOrDefault());
        w.WriteDouble(BaselineMedian);
        w.WriteDouble(BaselineScale);
        w.WriteDouble(Lower);
        w.WriteDouble(Upper);
        w.WriteDouble(Severity);
        w.WriteDouble(PeakSeverity);
        w.WriteDouble(PeakProbability);
    }

    /// <summary>
    /// Replaces the tracker's state with a snapshot written by <see cref="WriteSnapshot"/> from a tracker with the same options;
    /// the tracker then turns the next scores into exactly the transitions, onsets, ends and severities the original would have.
    /// The snapshot must be exactly the bytes written. One with another header, version or kind leaves the tracker unchanged;
    /// one that fails further in (other options, truncated, corrupt) resets it (as <see cref="Reset"/>) and the exception says
    /// why: it never keeps half a state. Corrupt includes every value the tracker could not have reached by its updates (a
    /// time outside <see cref="DateTimeOffset"/>'s range, NaN or an infinity where a point's value or a baseline is kept, a
    /// count beyond its option's bound), so a restored tracker never throws or stops working later. Not thread-safe: call it
    /// between updates, from the thread that updates.
    /// </summary>
    /// <param name="snapshot">The bytes.</param>
    /// <exception cref="InvalidDataException">The bytes are not a tracker snapshot, are of another format version, were
    /// taken with other options, or are truncated or corrupt.</exception>
    public void RestoreSnapshot(ReadOnlySpan<byte> snapshot)
    {
        if (snapshot.Length < 4 || snapshot[0] != DetectorSnapshot.Magic0 || snapshot[1] != DetectorSnapshot.Magic1)
        {
            throw new InvalidDataException($"The {snapshot.Length} bytes are not an anomaly tracker snapshot (no snapshot header).");
        }

        // The kind first: a detector's snapshot has its own format version, and is refused for what it holds.
        if (snapshot[3] != TrackerSnapshotKind)
        {
            throw new InvalidDataException(
                $"The snapshot holds the state of {DetectorSnapshot.KindName(snapshot[3])}, not of an anomaly tracker.");
        }

        if (snapshot[2] != SnapshotFormatVersion)
        {
            throw new InvalidDataException(
                $"The anomaly tracker snapshot has format version {snapshot[2]}; this build reads version {SnapshotFormatVersion} only.");
        }

        var r = new SnapshotReader(snapshot[4..]);
        try
        {
            Read(ref r);
            r.EnsureEnd();
        }
        catch (InvalidDataException)
        {
            Reset();
            throw;
        }
        catch (ArgumentOutOfRangeException ex)
        {
            Reset();
            throw new InvalidDataException($"The anomaly tracker snapshot is corrupt: {ex.Message}", ex);
        }
    }

    private void Read(ref SnapshotReader r)
    {
        var same = r.ReadInt32() == _ring.Length
            & r.ReadInt32() == _countLength
            & r.ReadInt32() == _minimumBaseline
            & r.ReadInt32() == _confirmPoints
            & r.ReadInt32() == _sustainPoints
            & r.ReadInt32() == _holdPoints
            & r.ReadDouble().Equals(_enter)
            & r.ReadDouble().Equals(_exit)
            & r.ReadDouble().Equals(_minimumScale)
            & r.ReadInt64() == _returnTicks
            & r.ReadInt64() == _newNormalTicks;
        if (!same)
        {
            throw new InvalidDataException(
                "The anomaly tracker snapshot was taken with other options (baseline length, count window, minimum baseline, confirm, sustain or hold points, deviations, minimum scale, return or new-normal time). Restore into a tracker created with the same options.");
        }

        // Every value the tracker keeps is a point's (finite), and every state is one Update can reach: a value out of its
        // domain would throw later (a NaN into Math.Sign, a time out of DateTimeOffset's range), stop a count from moving
        // (an int at its maximum) or leave the tracker unable to flag or end again.
        (_start, _count) = (0, ReadRing(ref r, _ring, "the baseline"));
        (_recentStart, _recentCount) = (0, ReadRing(ref r, _scratch, "the new level's values"));

        _resolution = r.ReadDoubleIn(double.Epsilon, double.PositiveInfinity, "the resolution"); // +∞ until two values differ
        _lastNormal = r.ReadFiniteOrNaN("the last normal value");
        _detectorLower = r.ReadFiniteOrNaN("the detector's lower band");
        _detectorUpper = r.ReadFiniteOrNaN("the detector's upper band");
        if (double.IsNaN(_detectorLower) != double.IsNaN(_detectorUpper))
        {
            throw r.Corrupt("the detector's band has one edge only");
        }

        _candidate = ReadScore(ref r);
        _candidateMedian = r.ReadDouble();
        _candidateScale = r.ReadDouble();
        _candidateSide = r.ReadSide("the onset candidate's side");
        _candidates = r.ReadCount(_holdPoints - 1, "the onset's agreeing points");
        _candidateMisses = r.ReadCount(_candidates > 0 ? _confirmPoints - 1 : 0, "the onset's disagreeing points");
        if (_candidates > 0)
        {
            CheckBaseline(ref r, _candidateMedian, _candidateScale, "the onset candidate's"); // read only while confirming
        }

        _armedLeft = r.ReadCount(_ring.Length, "the armed points left");
        _armedMedian = r.ReadFinite("the armed median");
        _armedScale = r.ReadDoubleIn(_armedLeft > 0 ? double.Epsilon : 0, double.PositiveInfinity, "the armed scale");
        _armedSide = r.ReadSide("the armed side");

        var refresh = Math.Max(1, _ring.Length / 8);
        _sustainRefresh = r.ReadCount(refresh, "the sustained baseline's refresh");
        (_sustainMedian, _sustainScale) = ReadBaseline(ref r, "the sustained run's");
        _sustainFirst = ReadScore(ref r);
        _sustainSide = r.ReadSide("the sustained run's side");
        _sustained = r.ReadCount(Math.Max(_sustainPoints - 1, 0), "the sustained points");
        _sustainGap = r.ReadCount(_sustained > 0 ? 1 : 0, "the sustained run's gap");
        if (double.IsNaN(_sustainMedian) && (_sustainRefresh > 0 || _sustained > 0))
        {
            // Its baseline is read before the refresh count is set and before a run opens.
            throw r.Corrupt("a sustained run or its refresh count has no baseline");
        }

        _countFill = r.ReadCount(_countLength, "the count window's fill");
        for (var i = 0; i < _countFill; i++)
        {
            _countValues[i] = r.ReadFinite("a count window value");
            _countTicks[i] = r.ReadTicks("a count window time");
        }

        _countHead = _countFill == _countLength ? 0 : _countFill;
        _countSum = r.ReadFinite("the count window's sum");
        _countRefresh = r.ReadCount(refresh, "the count baseline's refresh");
        _countApplies = r.ReadBool();
        _countRate = r.ReadDoubleIn(0, double.MaxValue, "the count rate");
        _countDispersion = r.ReadDoubleIn(1, double.MaxValue, "the count dispersion");
        _countUnit = r.ReadDoubleIn(double.Epsilon, double.MaxValue, "the count unit");
        _stepTicks = r.ReadInt64In(0, DateTime.MaxValue.Ticks, "the step");
        _lastTicks = r.ReadTicks("the last time");
        _countAnomaly = r.ReadBool();
        if ((_countApplies || _countAnomaly) && !(_countRate > 0))
        {
            throw r.Corrupt("the count test applies without a rate");
        }

        _rateWeight = r.ReadDoubleIn(0, _ring.Length + 1, "the rate's weight"); // a decayed count of memory the ring's length
        _rateSum = r.ReadFinite("the rate's sum");
        _rateSquares = r.ReadDoubleIn(0, double.PositiveInfinity, "the rate's sum of squares");

        _hasFrozen = r.ReadBool();
        _outerLower = ReadEdge(ref r, "the outer band's lower edge");
        _outerUpper = ReadEdge(ref r, "the outer band's upper edge");
        _lastFlagTicks = r.ReadTicks("the last flag's time");
        _inBandSinceTicks = r.ReadTicks("the time back in the band");
        _inBand = r.ReadBool();
        var backBits = (ulong)r.ReadInt64();
        _backBits = (backBits & ~_backMask) == 0 ? backBits : throw r.Corrupt($"the points back in the band are {backBits:x}, beyond the last {(2 * _confirmPoints) - 1}");
        _insideRunTicks = r.ReadTicks("the time the points inside the band began");

        IsAnomalous = r.ReadBool();
        if (!IsAnomalous && _recentCount > 0)
        {
            throw r.Corrupt("the new level's values are held while normal");
        }

        Onset = ReadTime(ref r);
        var ended = r.ReadBool();
        var endedAt = ReadTime(ref r);
        EndedAt = ended ? endedAt : null;
        var reason = r.ReadByte();
        EndReason = Enum.IsDefined((AnomalyEndReason)reason) ? (AnomalyEndReason)reason : throw r.Corrupt($"the end reason is {reason}");
        var returning = r.ReadBool();
        var returningSince = ReadTime(ref r);
        ReturningSince = returning ? returningSince : null;
        (BaselineMedian, BaselineScale) = ReadBaseline(ref r, "the frozen");
        Lower = ReadEdge(ref r, "the frozen band's lower edge");
        Upper = ReadEdge(ref r, "the frozen band's upper edge");
        Severity = r.ReadDoubleIn(double.NegativeInfinity, double.PositiveInfinity, "the severity");
        PeakSeverity = r.ReadDoubleIn(double.NegativeInfinity, double.PositiveInfinity, "the peak severity");
        PeakProbability = r.ReadDoubleIn(0, 1, "the peak probability");
    }

    // A baseline's median and robust σ: both NaN (no baseline), or a finite median and a positive σ.
    private static (double Median, double Scale) ReadBaseline(ref SnapshotReader r, string whose)
    {
        var median = r.ReadDouble();
        var scale = r.ReadDouble();
        CheckBaseline(ref r, median, scale, whose);
        return (median, scale);
    }

    private static void CheckBaseline(ref SnapshotReader r, double median, double scale, string whose)
    {
        if (!(double.IsNaN(median) && double.IsNaN(scale)) && !(double.IsFinite(median) && scale > 0))
        {
            throw r.Corrupt($"{whose} baseline is a median of {median} and a scale of {scale}");
        }
    }

    // A band's edge: a number or ±∞ (no baseline), never NaN.
    private static double ReadEdge(ref SnapshotReader r, string what) =>
        r.ReadDoubleIn(double.NegativeInfinity, double.PositiveInfinity, what);

    private static void WriteRing(ref SnapshotWriter w, double[] ring, int start, int count)
    {
        w.WriteInt32(count);
        for (var i = 0; i < count; i++)
        {
            var at = start + i;
            w.WriteDouble(ring[at >= ring.Length ? at - ring.Length : at]);
        }
    }

    // Restored oldest first from index 0: the same sequence, so every later push, median and swap behaves as in the original.
    private static int ReadRing(ref SnapshotReader r, double[] ring, string what)
    {
        var count = r.ReadCount(ring.Length, what + "' count");
        r.ReadFinites(ring.AsSpan(0, count), what);
        return count;
    }

    private static void WriteTime(ref SnapshotWriter w, DateTimeOffset time)
    {
        w.WriteInt64(time.UtcTicks);
        w.WriteInt32((int)time.Offset.TotalMinutes);
    }

    private static DateTimeOffset ReadTime(ref SnapshotReader r)
    {
        var ticks = r.ReadInt64();
        var minutes = r.ReadInt32();
        if (ticks < 0 || ticks > DateTime.MaxValue.Ticks || minutes < -14 * 60 || minutes > 14 * 60)
        {
            throw r.Corrupt($"a time is {ticks} ticks at offset {minutes} minutes");
        }

        return new DateTimeOffset(ticks, TimeSpan.Zero).ToOffset(TimeSpan.FromMinutes(minutes));
    }

    private static void WriteScore(ref SnapshotWriter w, in AnomalyScore score)
    {
        WriteTime(ref w, score.Timestamp);
        w.WriteDouble(score.Value);
        w.WriteByte((byte)score.Status);
        w.WriteDouble(score.Probability);
        w.WriteDouble(score.RawScore);
        w.WriteDouble(score.Expected);
        w.WriteDouble(score.Lower);
        w.WriteDouble(score.Upper);
        w.WriteBool(score.IsAnomaly);
    }

    // Rebuilt through the public factories: a scored point's flag comes back through its threshold (its own probability when
    // it was flagged, +∞ when not), so the score is equal to the one written, field for field.
    private static AnomalyScore ReadScore(ref SnapshotReader r)
    {
        var timestamp = ReadTime(ref r);
        var value = r.ReadFinite("a score's value"); // the tracker keeps scores of points it took, whose values are finite
        var status = (PointStatus)r.ReadByte();
        var probability = r.ReadDouble();
        var raw = r.ReadDouble();
        var expected = r.ReadDouble();
        var lower = r.ReadDouble();
        var upper = r.ReadDouble();
        var flagged = r.ReadBool();
        return status switch
        {
            PointStatus.Scored when probability is >= 0 and <= 1 =>
                AnomalyScore.Scored(timestamp, value, probability, raw, flagged ? probability : double.PositiveInfinity, expected, lower, upper),
            PointStatus.WarmingUp => AnomalyScore.WarmingUp(timestamp, value, expected, lower, upper),
            >= PointStatus.SkippedNonFinite and <= PointStatus.SkippedDuplicate => AnomalyScore.Skipped(timestamp, value, status),
            _ => throw r.Corrupt($"a score has status {(byte)status} and probability {probability}"),
        };
    }
}
