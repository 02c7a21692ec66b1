namespace Aiops.Detection.Internal;

/// <content>Snapshot: the window, the sliding spectrum (bit for bit, since it drifts until the next resynchronisation) and the counters.</content>
internal sealed partial class SrSaliency
{
    public void Write(ref SnapshotWriter writer)
    {
        writer.WriteShape(_windowSize);
        writer.WriteShape(_frameLength);
        writer.WriteShape(_obsRe.Length);
        writer.WriteInt32(_count);
        writer.WriteInt32(_head);
        writer.WriteInt32(_slides);
        writer.WriteDoubles(_ring.AsSpan(0, _count));
        if (_count == _windowSize)
        {
            writer.WriteDoubles(_obsRe);
            writer.WriteDoubles(_obsIm);
        }
    }

    public void Read(ref SnapshotReader reader)
    {
        reader.ReadShape(_windowSize, "the spectral-residual window");
        reader.ReadShape(_frameLength, "the spectral-residual frame");
        reader.ReadShape(_obsRe.Length, "the spectral-residual bins");
        _count = reader.ReadCount(_windowSize, "the spectral-residual count");
        _head = reader.ReadCount(_windowSize - 1, "the spectral-residual head");
        _slides = reader.ReadCount(ResyncInterval, "the slides since resynchronisation");
        Array.Clear(_ring);
        reader.ReadDoubles(_ring.AsSpan(0, _count));
        if (_count == _windowSize)
        {
            reader.ReadDoubles(_obsRe);
            reader.ReadDoubles(_obsIm);
        }
        else
        {
            Array.Clear(_obsRe);
            Array.Clear(_obsIm);
        }
    }
}
