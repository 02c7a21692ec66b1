namespace Aiops.Correlation.Eval;

/// <summary>The knobs of the scenario generator for one difficulty (and its storm variant).</summary>
/// <param name="MinServices">The fewest services in the graph.</param>
/// <param name="MaxServices">The most services in the graph.</param>
/// <param name="GroupSizes">The incidents, as groups that overlap in time (a group of 3 is three concurrent incidents).</param>
/// <param name="MinOffset">The shortest delay between the starts of concurrent incidents.</param>
/// <param name="MaxOffset">The longest delay between the starts of concurrent incidents.</param>
/// <param name="MinHopsApart">How far apart (undirected hops) the affected services of concurrent incidents must be.</param>
/// <param name="MinDuration">The shortest incident.</param>
/// <param name="MaxDuration">The longest incident.</param>
/// <param name="NoiseAnomalies">Isolated anomaly signals, each its own ground-truth group.</param>
/// <param name="NoiseFlappers">Alerts that flap on their own (fire, resolve, re-fire), each its own group.</param>
/// <param name="BenignDeploys">Deploys that cause nothing.</param>
/// <param name="MinInstances">The fewest pods per service (alerts are per pod).</param>
/// <param name="MaxInstances">The most pods per service.</param>
/// <param name="ResendInterval">How often a firing alert is re-sent (Prometheus → Alertmanager resend).</param>
/// <param name="FlapProbability">The chance that an incident alert resolves and re-fires during the incident.</param>
/// <param name="MaxFlaps">The most resolve/re-fire cycles of one flapping alert.</param>
internal sealed record GeneratorProfile(
    int MinServices,
    int MaxServices,
    IReadOnlyList<int> GroupSizes,
    TimeSpan MinOffset,
    TimeSpan MaxOffset,
    int MinHopsApart,
    TimeSpan MinDuration,
    TimeSpan MaxDuration,
    int NoiseAnomalies,
    int NoiseFlappers,
    int BenignDeploys,
    int MinInstances,
    int MaxInstances,
    TimeSpan ResendInterval,
    double FlapProbability,
    int MaxFlaps)
{
    /// <summary>How often an ongoing anomaly is re-reported by the detector (same fingerprint and onset).</summary>
    public static TimeSpan AnomalyRepeatInterval { get; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets the total number of incidents.</summary>
    public int Incidents => GroupSizes.Sum();

    /// <summary>The profile of a difficulty.</summary>
    /// <param name="difficulty">The difficulty.</param>
    /// <param name="storm">Whether to return the storm variant: long incidents, many pods, fast resends, more flapping.</param>
    /// <returns>The profile.</returns>
    public static GeneratorProfile For(Difficulty difficulty, bool storm)
    {
        var profile = difficulty switch
        {
            Difficulty.Easy => new GeneratorProfile(
                20, 30, [2, 1, 1], Minutes(5), Minutes(10), 4, Minutes(6), Minutes(12),
                NoiseAnomalies: 8, NoiseFlappers: 1, BenignDeploys: 1, MinInstances: 1, MaxInstances: 2,
                ResendInterval: TimeSpan.FromSeconds(60), FlapProbability: 0.1, MaxFlaps: 1),
            Difficulty.Medium => new GeneratorProfile(
                30, 45, [2, 2, 1, 1], Minutes(2), Minutes(6), 4, Minutes(8), Minutes(16),
                NoiseAnomalies: 20, NoiseFlappers: 2, BenignDeploys: 2, MinInstances: 1, MaxInstances: 2,
                ResendInterval: TimeSpan.FromSeconds(45), FlapProbability: 0.2, MaxFlaps: 2),
            Difficulty.Hard => new GeneratorProfile(
                45, 60, [3, 2, 2, 1], Minutes(0), Minutes(3), 3, Minutes(10), Minutes(20),
                NoiseAnomalies: 45, NoiseFlappers: 4, BenignDeploys: 3, MinInstances: 1, MaxInstances: 3,
                ResendInterval: TimeSpan.FromSeconds(30), FlapProbability: 0.3, MaxFlaps: 3),
            _ => throw new ArgumentOutOfRangeException(nameof(difficulty), difficulty, "Unknown difficulty."),
        };

        if (!storm)
        {
            return profile;
        }

        return profile with
        {
            MinDuration = profile.MinDuration * 2.5,
            MaxDuration = profile.MaxDuration * 2.5,
            MaxInstances = profile.MaxInstances + 2,
            ResendInterval = profile.ResendInterval / 2,
            FlapProbability = Math.Min(0.6, profile.FlapProbability * 1.5),
            MaxFlaps = profile.MaxFlaps + 1,
        };
    }

    private static TimeSpan Minutes(double minutes) => TimeSpan.FromMinutes(minutes);
}
