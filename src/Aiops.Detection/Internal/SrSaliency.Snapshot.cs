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
        _head = reader.ReadCount(_count == _windowSize ? _windowSize - 1 : 0, "the spectral-residual head"); // moves once full
        _slides = reader.ReadCount(ResyncInterval, "the slides since resynchronisation");
        Array.Clear(_ring);
        reader.ReadFinites(_ring.AsSpan(0, _count), "the spectral-residual window");
        if (_count == _windowSize)
        {
            // Not checked: values near ±double.MaxValue overflow it (to NaN) in use too, and the next resynchronisation
            // recomputes it from the window.
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
