using Aiops.Detection.Internal;

namespace Aiops.Detection;

/// <content>Snapshot: the training points while training; then the SSA model and the forecast errors' conformal history.</content>
public sealed partial class SsaChangePointDetector
{
    /// <inheritdoc />
    internal override SnapshotKind SnapshotKind => SnapshotKind.SsaChangePoint;

    /// <inheritdoc />
    internal override void WriteState(ref SnapshotWriter writer)
    {
        writer.WriteShape(_options.TrainingSize);
        writer.WriteBool(_training is not null);
        if (_training is not null)
        {
            writer.WriteInt32(_trainingCount);
            writer.WriteDoubles(_training.AsSpan(0, _trainingCount));
            return;
        }

        _forecaster.Write(ref writer);
        _errors.Write(ref writer);
    }

    /// <inheritdoc />
    internal override void ReadState(ref SnapshotReader reader)
    {
        reader.ReadShape(_options.TrainingSize, "the SSA training points");
        _errors.Clear();
        _forecaster = new SsaForecaster(_options.WindowSize, _options.TrainingSize, _options.Rank);
        if (reader.ReadBool())
        {
            _training ??= new double[_options.TrainingSize];
            _trainingCount = reader.ReadCount(_training.Length - 1, "the SSA training count");
            reader.ReadFinites(_training.AsSpan(0, _trainingCount), "the SSA training points");
            return;
        }

        _training = null;
        _trainingCount = _options.TrainingSize;
        _forecaster.Read(ref reader);
        _errors.Read(ref reader);
    }
}
