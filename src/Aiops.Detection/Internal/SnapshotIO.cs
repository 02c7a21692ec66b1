using System.Buffers;
using System.Buffers.Binary;
using System.IO;

namespace Aiops.Detection.Internal;

/// <summary>The kinds of state a detector snapshot holds, one byte each, checked on restore.</summary>
internal enum SnapshotKind : byte
{
    RobustZScore = 1,
    Seasonal = 2,
    SpectralResidual = 3,
    SsaChangePoint = 4,
    IidSpike = 5,
    IidChangePoint = 6,
    Contextual = 7,
    Calibrated = 8,
    Ensemble = 9,
    Art = 10,
    Innovation = 11,
}

/// <summary>Writes a detector snapshot: little-endian fixed-width fields into an <see cref="IBufferWriter{T}"/>.</summary>
internal ref struct SnapshotWriter(IBufferWriter<byte> output)
{
    private readonly IBufferWriter<byte> _output = output;

    public int Written { get; private set; }

    public void WriteByte(byte value)
    {
        _output.GetSpan(1)[0] = value;
        Advance(1);
    }

    public void WriteBool(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_output.GetSpan(4), value);
        Advance(4);
    }

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_output.GetSpan(4), value);
        Advance(4);
    }

    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_output.GetSpan(8), value);
        Advance(8);
    }

    public void WriteDouble(double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(_output.GetSpan(8), value);
        Advance(8);
    }

    public void WriteSingle(float value)
    {
        BinaryPrimitives.WriteSingleLittleEndian(_output.GetSpan(4), value);
        Advance(4);
    }

    public void WriteDoubles(scoped ReadOnlySpan<double> values)
    {
        var span = _output.GetSpan(values.Length * sizeof(double));
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(span[(i * sizeof(double))..], values[i]);
        }

        Advance(values.Length * sizeof(double));
    }

    public void WriteSingles(scoped ReadOnlySpan<float> values)
    {
        var span = _output.GetSpan(values.Length * sizeof(float));
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(span[(i * sizeof(float))..], values[i]);
        }

        Advance(values.Length * sizeof(float));
    }

    /// <summary>Writes a dimension the restoring detector must share (a window length, a table size).</summary>
    public void WriteShape(int value) => WriteInt32(value);

    private void Advance(int count)
    {
        _output.Advance(count);
        Written += count;
    }
}

/// <summary>Reads a detector snapshot; every read past the end, and every mismatch, throws <see cref="InvalidDataException"/>.</summary>
internal ref struct SnapshotReader(ReadOnlySpan<byte> input)
{
    private readonly ReadOnlySpan<byte> _input = input;
    private int _position;

    /// <summary>
    /// Gets or sets the UTC ticks of the last point the detector being restored accepted (read from the header), or
    /// <see cref="long.MinValue"/> before its first: every member saw that point last, so no time a member keeps is later.
    /// </summary>
    public long LastTicks { readonly get; set; } = long.MinValue;

    /// <summary>Reads the ticks of a point the detector has seen: in [0, <see cref="LastTicks"/>] (0 when it has seen none).</summary>
    public long ReadSeenTicks(string what) => ReadInt64In(0, Math.Max(LastTicks, 0), what);

    public readonly int Remaining => _input.Length - _position;

    public byte ReadByte() => Take(1)[0];

    public bool ReadBool() => ReadByte() switch
    {
        0 => false,
        1 => true,
        var b => throw Corrupt($"a flag byte is {b}, not 0 or 1"),
    };

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    public float ReadSingle() => BinaryPrimitives.ReadSingleLittleEndian(Take(4));

    public void ReadDoubles(scoped Span<double> destination)
    {
        var bytes = Take(destination.Length * sizeof(double));
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes[(i * sizeof(double))..]);
        }
    }

    public void ReadSingles(scoped Span<float> destination)
    {
        var bytes = Take(destination.Length * sizeof(float));
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * sizeof(float))..]);
        }
    }

    /// <summary>Reads a count and checks it lies in [0, <paramref name="max"/>].</summary>
    public int ReadCount(int max, string what) => ReadInt32In(0, max, what);

    /// <summary>Reads an int and checks it lies in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int ReadInt32In(int min, int max, string what)
    {
        var value = ReadInt32();
        return value < min || value > max ? throw Corrupt($"{what} is {value}, outside [{min}, {max}]") : value;
    }

    /// <summary>Reads a long and checks it lies in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public long ReadInt64In(long min, long max, string what)
    {
        var value = ReadInt64();
        return value < min || value > max ? throw Corrupt($"{what} is {value}, outside [{min}, {max}]") : value;
    }

    /// <summary>Reads a side of normal (the sign of a deviation): −1, 0 or 1.</summary>
    public int ReadSide(string what) => ReadInt32In(-1, 1, what);

    /// <summary>Reads the UTC ticks of a point in time, which lie in [0, <see cref="DateTime.MaxValue"/>.Ticks] (as every <see cref="DateTimeOffset.UtcTicks"/>).</summary>
    public long ReadTicks(string what) => ReadInt64In(0, DateTime.MaxValue.Ticks, what);

    /// <summary>Reads a double and checks it is finite.</summary>
    public double ReadFinite(string what)
    {
        var value = ReadDouble();
        return double.IsFinite(value) ? value : throw Corrupt($"{what} is {value}, not finite");
    }

    /// <summary>Reads a double and checks it lies in [<paramref name="min"/>, <paramref name="max"/>] (so is not NaN; either bound may be infinite).</summary>
    public double ReadDoubleIn(double min, double max, string what)
    {
        var value = ReadDouble();
        return value >= min && value <= max ? value : throw Corrupt($"{what} is {value}, outside [{min}, {max}]");
    }

    /// <summary>Reads a double that is either <see cref="double.NaN"/> (none) or finite.</summary>
    public double ReadFiniteOrNaN(string what)
    {
        var value = ReadDouble();
        return double.IsFinite(value) || double.IsNaN(value) ? value : throw Corrupt($"{what} is {value}, neither finite nor NaN");
    }

    /// <summary>Reads doubles and checks every one is finite.</summary>
    public void ReadFinites(scoped Span<double> destination, string what)
    {
        ReadDoubles(destination);
        foreach (var value in destination)
        {
            if (!double.IsFinite(value))
            {
                throw Corrupt($"{what} holds {value}, not finite");
            }
        }
    }

    /// <summary>Reads a dimension written by <see cref="SnapshotWriter.WriteShape"/> and checks it matches this detector's.</summary>
    public void ReadShape(int expected, string what)
    {
        var actual = ReadInt32();
        if (actual != expected)
        {
            throw new InvalidDataException(
                $"The detector snapshot was taken with {what} = {actual}; this detector has {expected}. Restore into a detector created with the same options.");
        }
    }

    /// <summary>Reads a nested state's kind byte and checks it.</summary>
    public void ReadKind(SnapshotKind expected)
    {
        var kind = ReadByte();
        if (kind != (byte)expected)
        {
            throw new InvalidDataException(
                $"The detector snapshot holds the state of {DetectorSnapshot.KindName(kind)} where {DetectorSnapshot.KindName((byte)expected)} was expected: it was taken from another kind of detector.");
        }
    }

    public readonly void EnsureEnd()
    {
        if (Remaining != 0)
        {
            throw Corrupt($"{Remaining} bytes are left over after the state");
        }
    }

    public readonly InvalidDataException Corrupt(string what) =>
        new($"The detector snapshot is corrupt: {what} (at byte {_position} of {_input.Length}).");

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > _input.Length - _position)
        {
            throw new InvalidDataException(
                $"The detector snapshot is truncated: {count} more bytes were needed at byte {_position}, but it is {_input.Length} bytes long.");
        }

        var span = _input.Slice(_position, count);
        _position += count;
        return span;
    }
}
