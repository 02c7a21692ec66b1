namespace Aiops.Detection.Tests;

/// <summary>A detector of our base class that only warms up: for what the base class does alone (hygiene, the sampling
/// estimate) and for a detector without a snapshot format.</summary>
internal sealed class WarmingUpDetector() : AnomalyDetector("warming-up", new RobustZScoreOptions())
{
    /// <summary>Gets the base class's estimate of the points per week.</summary>
    public double PointsPerWeekEstimate => PointsPerWeek;

    public override int StateSizeBytes => 0;

    protected override AnomalyScore UpdateCore(DateTimeOffset timestamp, double value) => AnomalyScore.WarmingUp(timestamp, value);

    protected override void ResetCore()
    {
    }
}
