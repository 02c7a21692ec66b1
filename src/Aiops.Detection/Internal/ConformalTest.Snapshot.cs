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
        _history.Read(ref reader, finiteValues: false); // a forecast's errors can overflow
        _logMartingale = reader.ReadDoubleIn(0, double.MaxValue, "the log martingale"); // kept at or above 0, finite
    }
}
