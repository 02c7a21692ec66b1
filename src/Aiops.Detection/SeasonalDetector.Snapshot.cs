using Aiops.Detection.Internal;

namespace Aiops.Detection;

/// <content>
/// Snapshot: the warm-up points, their steps and the first and last timestamps while warming up; then the seasonal slots (with
/// their unit when the season outgrew a float), level, trend, error scale,
/// the clock the phases follow (the time of the last point's step and the sampling step) and the error scale's factors along the period.
/// </content>
public sealed partial class SeasonalDetector
{
    /// <inheritdoc />
    internal override SnapshotKind SnapshotKind => SnapshotKind.Seasonal;

    /// <inheritdoc />
    internal override void WriteState(ref SnapshotWriter writer)
    {
        writer.WriteShape(_options.WarmupPoints);
        writer.WriteBool(_warmup is not null);
        if (_warmup is not null)
        {
            writer.WriteInt32(_warmupCount);
            writer.WriteDoubles(_warmup.AsSpan(0, _warmupCount));
            writer.WriteSingles(_warmupSteps.AsSpan(0, _warmupCount));
            writer.WriteInt64(_step);
            writer.WriteInt64(_clock);
            return;
        }

        // A season that outgrew a float (values beyond ±3.4e38) is written with its unit after a negated period; an ordinary
        // one (unit 1) is written exactly as before the unit existed.
        if (_seasonUnit == 1)
        {
            writer.WriteInt32(_season.Length);
        }
        else
        {
            writer.WriteInt32(-_season.Length);
            writer.WriteDouble(_seasonUnit);
        }

        writer.WriteSingles(_season);
        writer.WriteInt32(_phase);
        writer.WriteDouble(_level);
        writer.WriteDouble(_trend);
        writer.WriteDouble(_meanAbsoluteError);
        writer.WriteInt64(_clock);
        writer.WriteInt64(_step);
        _scale.Write(ref writer);
    }

    /// <inheritdoc />
    internal override void ReadState(ref SnapshotReader reader)
    {
        reader.ReadShape(_options.WarmupPoints, "the seasonal warm-up points");
        _warmupCount = 0;
        _season = [];
        _seasonUnit = 1;
        _phase = 0;
        _level = _trend = _meanAbsoluteError = 0;
        _clock = _step = 0;
        _scale = new();
        if (reader.ReadBool())
        {
            _warmup ??= new double[_options.WarmupPoints];
            _warmupSteps ??= new float[_options.WarmupPoints];
            _warmupCount = reader.ReadCount(_warmup.Length - 1, "the seasonal warm-up count");
            reader.ReadFinites(_warmup.AsSpan(0, _warmupCount), "the seasonal warm-up points");
            reader.ReadSingles(_warmupSteps.AsSpan(0, _warmupCount));
            foreach (var step in _warmupSteps.AsSpan(0, _warmupCount))
            {
                if (!(step >= 0 && step < float.PositiveInfinity))
                {
                    throw reader.Corrupt("a seasonal warm-up step is negative or not finite");
                }
            }

            // The first and the last warm-up point's times (0 before the first): the last is the detector's last point.
            _step = reader.ReadSeenTicks("the seasonal warm-up's first time");
            _clock = reader.ReadSeenTicks("the seasonal warm-up's last time");
            if (_clock < _step)
            {
                throw reader.Corrupt("the seasonal warm-up ends before it begins");
            }

            return;
        }

        _warmup = null;
        _warmupSteps = null;
        var period = reader.ReadInt32In(-MaxDetectedPeriod, MaxDetectedPeriod, "the seasonal period");
        if (period == 0)
        {
            throw reader.Corrupt("a trained seasonal model has no period");
        }

        _seasonUnit = 1;
        if (period < 0)
        {
            period = -period;
            _seasonUnit = reader.ReadDoubleIn(2, double.MaxValue, "the seasonal unit");
            if (Math.ScaleB(1.0, Math.ILogB(_seasonUnit)) != _seasonUnit)
            {
                throw reader.Corrupt($"the seasonal unit {_seasonUnit} is not a power of two");
            }
        }

        _season = new float[period];
        reader.ReadSingles(_season);
        foreach (var slot in _season)
        {
            if (!float.IsFinite(slot))
            {
                throw reader.Corrupt("a seasonal slot is not finite");
            }
        }

        _phase = reader.ReadCount(period - 1, "the seasonal phase");
        _level = reader.ReadFinite("the seasonal level");
        _trend = reader.ReadFinite("the seasonal trend");
        _meanAbsoluteError = reader.ReadDoubleIn(0, double.MaxValue, "the seasonal error scale");

        // The clock follows the points to within a step or so: kept within a range of time either side of the timestamps' so
        // that the steps counted from it never overflow.
        _clock = reader.ReadInt64In(-DateTime.MaxValue.Ticks, 2 * DateTime.MaxValue.Ticks, "the seasonal clock");
        _step = reader.ReadInt64();
        if (_step < 1 || _step > DateTime.MaxValue.Ticks)
        {
            throw reader.Corrupt("a trained seasonal model has no sampling step");
        }

        _scale = SeasonalScale.Read(ref reader, period);
    }
}
