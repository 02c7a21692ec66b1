namespace Aiops.Detection.Internal;

/// <content>Snapshot: the history and the martingale.</content>
internal sealed partial class ConformalTest
{
    public void Write(ref SnapshotWriter writer)
    {
        _history.Write(ref writer);
        writer.WriteDouble(_logMartingale);
    }

    public void Read(ref SnapshotReader reader)
    {
        _history.Read(ref reader);
        _logMartingale = reader.ReadDouble();
    }
}
