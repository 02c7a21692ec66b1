namespace Aiops.Detection.Internal;

/// <content>Snapshot: the segments' factors, the two moments and the count of points learned.</content>
internal partial struct SeasonalScale
{
    public readonly void Write(ref SnapshotWriter writer)
    {
        writer.WriteInt32(_factors.Length);
        writer.WriteSingles(_factors);
        writer.WriteDouble(_crossMoment);
        writer.WriteDouble(_factorMoment);
        writer.WriteInt64(_updates);
    }

    /// <summary>Reads the scale of a period of <paramref name="period"/> phases, written by <see cref="Write"/>.</summary>
    public static SeasonalScale Read(ref SnapshotReader reader, int period)
    {
        var count = reader.ReadCount(Segments, "the seasonal scale's segments");
        if (count != (period > 1 ? Math.Min(Segments, period) : 0))
        {
            throw reader.Corrupt("the seasonal scale's segments do not fit its period");
        }

        var scale = new SeasonalScale { _factors = new float[count] };
        reader.ReadSingles(scale._factors);
        foreach (var factor in scale._factors)
        {
            if (!(factor >= MinFactor && factor <= MaxFactor))
            {
                throw reader.Corrupt("a seasonal scale factor is out of its range");
            }
        }

        scale._crossMoment = reader.ReadDouble();
        scale._factorMoment = reader.ReadDouble();
        scale._updates = reader.ReadInt64();
        if (!double.IsFinite(scale._crossMoment) || !(scale._factorMoment >= 0 && scale._factorMoment < double.PositiveInfinity) || scale._updates < 0)
        {
            throw reader.Corrupt("the seasonal scale's moments are not finite or its count is negative");
        }

        return scale;
    }
}
