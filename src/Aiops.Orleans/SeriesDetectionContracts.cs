namespace Aiops.Orleans;

/// <summary>
/// A detection shard: one series (<see cref="DetectionPlacement.SeriesGrain"/>) or one bucket of series
/// (<see cref="DetectionPlacement.BucketGrain"/>). It holds each series' detector and anomaly tracking, sends the tracking's
/// signals to their correlation scope, and snapshots its detectors to grain storage.
/// </summary>
internal interface ISeriesDetectionGrain : IGrainWithStringKey
{
    /// <summary>
    /// Scores a batch of points, in order. A batch that names its <see cref="SeriesBatch.Source"/> is applied once: sent
    /// again (its first call outlived the response timeout, or failed part-way), only its points not yet scored are scored.
    /// </summary>
    Task<DetectionReply> DetectAsync(SeriesBatch batch);

    /// <summary>Gets a series' detector snapshot as it is now (tests, measurements), or <see langword="null"/> when it is not held.</summary>
    Task<byte[]?> GetSnapshotAsync(string series);

    /// <summary>Writes the snapshots of the series changed since the last write now (tests, measurements).</summary>
    Task PersistAsync();

    /// <summary>Gets the identity of the silo the shard is active on (tests).</summary>
    Task<string> GetSiloAsync();
}

/// <summary>A series named in a <see cref="SeriesBatch"/>.</summary>
/// <param name="Text">The series key's canonical text (its identity in the shard's state).</param>
/// <param name="Metric">The metric name.</param>
/// <param name="Labels">The labels, flattened: name, value, name, value…</param>
[GenerateSerializer]
[Immutable]
internal sealed record SeriesRef([property: Id(0)] string Text, [property: Id(1)] string Metric, [property: Id(2)] string[] Labels);

/// <summary>Points for one shard: point i is (<c>Ticks[i]</c>, <c>Values[i]</c>) of <c>Series[Index[i]]</c>.</summary>
/// <param name="Series">The distinct series of the batch.</param>
/// <param name="Index">Each point's series, as an index into <paramref name="Series"/>.</param>
/// <param name="Ticks">Each point's timestamp (UTC ticks).</param>
/// <param name="Values">Each point's value.</param>
/// <param name="ReturnScores">Whether the reply carries every point's probability (tests).</param>
/// <param name="Source">
/// The forwarder that sent it (unique per forwarder instance), or <see langword="null"/>: then the batch is scored whenever
/// it comes (tests, measurements).
/// </param>
/// <param name="Sequence">
/// The batch's number at its <paramref name="Source"/>: increasing, the same for every attempt of one batch. The shard
/// remembers per source the last batch and how many of its points it scored, so an attempt of a batch already scored is
/// answered without scoring again (an older batch than the last is skipped too).
/// </param>
[GenerateSerializer]
[Immutable]
internal sealed record SeriesBatch(
    [property: Id(0)] SeriesRef[] Series,
    [property: Id(1)] int[] Index,
    [property: Id(2)] long[] Ticks,
    [property: Id(3)] double[] Values,
    [property: Id(4)] bool ReturnScores = false,
    [property: Id(5)] string? Source = null,
    [property: Id(6)] long Sequence = 0);

/// <summary>What a shard did with a batch.</summary>
/// <param name="Anomalies">Points flagged.</param>
/// <param name="Restored">Series of the batch whose detector was restored from a snapshot by this call (they skipped a warm-up).</param>
/// <param name="Probabilities">Each point's probability (NaN when not scored), when the batch asked for scores.</param>
/// <param name="RawScores">Each point's raw score, when the batch asked for scores.</param>
/// <param name="Events">Each point's <see cref="Aiops.Correlation.AnomalySignalEvent"/> (as a number), when the batch asked for scores.</param>
[GenerateSerializer]
[Immutable]
internal sealed record DetectionReply(
    [property: Id(0)] int Anomalies,
    [property: Id(1)] int Restored,
    [property: Id(2)] double[]? Probabilities,
    [property: Id(3)] double[]? RawScores,
    [property: Id(4)] int[]? Events = null);

/// <summary>One series in a shard's persisted state.</summary>
[GenerateSerializer]
internal sealed class SeriesSnapshot
{
    [Id(0)] public string Metric { get; set; } = string.Empty;

    [Id(1)] public string[] Labels { get; set; } = [];

    /// <summary>The detector's <see cref="Aiops.Detection.DetectorSnapshot"/>.</summary>
    [Id(2)] public byte[] Detector { get; set; } = [];

    /// <summary>Points the series' detector had scored when the snapshot was taken.</summary>
    [Id(3)] public long Points { get; set; }

    /// <summary>
    /// The series' anomaly tracking (<see cref="Aiops.Detection.Tracking.AnomalyTracker"/> snapshot), taken with the detector's;
    /// <see langword="null"/> in state written before it was persisted (the series then tracks afresh).
    /// </summary>
    [Id(4)] public byte[]? Tracker { get; set; }
}

/// <summary>The persisted state of an <see cref="ISeriesDetectionGrain"/>: its series by key text.</summary>
[GenerateSerializer]
internal sealed class SeriesDetectionState
{
    [Id(0)] public Dictionary<string, SeriesSnapshot> Series { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The last batch of each forwarder (<see cref="SeriesBatch.Source"/>) and how far it was scored, saved with the snapshots
    /// it is part of; empty in state written before it was kept.
    /// </summary>
    [Id(1)] public Dictionary<string, AppliedBatch> Applied { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>How far a shard scored the last batch of one forwarder.</summary>
[GenerateSerializer]
internal sealed class AppliedBatch
{
    /// <summary>The batch's <see cref="SeriesBatch.Sequence"/>.</summary>
    [Id(0)] public long Sequence { get; set; }

    /// <summary>How many of its points were scored (its first ones).</summary>
    [Id(1)] public int Points { get; set; }

    /// <summary>When the forwarder last sent a batch (entries of forwarders silent for an hour are dropped).</summary>
    [Id(2)] public DateTimeOffset At { get; set; }
}
