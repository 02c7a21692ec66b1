namespace Aiops.Orleans;

/// <summary>Where a clustered host scores its metric samples (<see cref="AiopsOrleansOptions.Detection"/>).</summary>
public enum DetectionPlacement
{
    /// <summary>Each replica scores the samples it receives with its own detectors (the single-process detection stage). The default.</summary>
    Local = 0,

    /// <summary>
    /// One grain per series holds its detector and anomaly tracking; samples are forwarded to it in batches from whichever
    /// replica received them, and its state is snapshotted to grain storage, so the series resumes on another silo without a
    /// new warm-up.
    /// </summary>
    SeriesGrain = 1,

    /// <summary>
    /// As <see cref="SeriesGrain"/>, but one grain holds every series of a bucket (<see cref="AiopsOrleansOptions.DetectionBuckets"/>
    /// buckets by a stable hash of the series key): fewer, larger grain calls.
    /// </summary>
    BucketGrain = 2,
}
