using Aiops.Correlation;
using Aiops.Detection;
using Aiops.Detection.Tracking;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;
using Aiops.Gates;
using Aiops.Gates.Actions;

namespace Aiops.Lab.Shared;

/// <summary>
/// What the lab's automation knows, in one place for the receiver, the exporter and the embedded lab: the actions (all
/// simulated: nothing real is changed) and the detectors with their noise floors.
/// </summary>
internal static class LabAutomation
{
    /// <summary>The series the lab scores: the exporter's PromQL query names, and the embedded lab's instrument names.</summary>
    public const string RequestRate = "rps";

    /// <summary>The share of 5xx answers.</summary>
    public const string ErrorRatio = "error_ratio";

    /// <summary>The 95th percentile of request latency, in seconds.</summary>
    public const string LatencyP95 = "latency_p95";

    /// <summary>The file of the golden-signal queries, next to the service's assembly.</summary>
    public const string GoldenSignalsFile = "golden-signals.json";

    /// <summary>
    /// Adds the golden-signal Prometheus source (<c>Aiops:Sources:Prometheus:0</c>: request rate, error ratio and p95 latency
    /// of every service, one point a second) as the configuration's lowest-precedence source, so that appsettings.json,
    /// the environment and the command line (the runner's <c>--Aiops:Sources:Prometheus:0:BaseAddress=...</c>) override it.
    /// The exporter scores and exports these series; the receiver scores them for its dashboard.
    /// </summary>
    public static void AddGoldenSignals(IConfigurationBuilder configuration) =>
        configuration.Sources.Insert(0, new JsonConfigurationSource
        {
            Path = GoldenSignalsFile,
            Optional = false,
            FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory),
        });

    /// <summary>
    /// The lab's service graph, declared to the correlator: <see cref="LabTopology.Calls"/> (frontend calls checkout, which
    /// calls store and payment), the same edges the app's <c>lab_client_requests_total{service, peer}</c> shows Prometheus.
    /// </summary>
    public static DependencyGraph Dependencies() => new(LabTopology.Calls);

    /// <summary>The remediation actions: a scale-out (medium risk: the gates may allow it) and a rollback (high risk: a person decides).</summary>
    public static IReadOnlyList<IRemediationAction> Actions() =>
    [
        new SimulatedAction("scale-out", RiskClass.Medium, "scale out"),
        new SimulatedAction("rollback", RiskClass.High, "roll back"),
    ];

    /// <summary>
    /// The anomaly state's options per series: the same noise floors as <see cref="Detector"/>, an onset that must hold three
    /// points, a return to normal that must hold 3 s and a new normal after 30 s the detector no longer flags (the lab's
    /// scenarios last seconds, not minutes).
    /// </summary>
    public static AnomalyTrackerOptions Tracking(SeriesKey series) => new()
    {
        ReturnFor = TimeSpan.FromSeconds(3),
        ConfirmPoints = 3, // three points in a row, so a one-second blip is not an incident
        HoldPoints = 3, // the lab's faults last 15 s: a flagged departure starts after ConfirmPoints, not the default 16 points
        NewNormalAfter = TimeSpan.FromSeconds(30), // the lab's time scale; also ends an anomaly whose baseline was the start-up
        MinimumScale = MinimumScale(series),
    };

    /// <summary>A robust z-score detector per series with a noise floor in the series' own units.</summary>
    /// <remarks>
    /// Without a floor, a load generator's near-constant rate has a MAD close to zero and any jitter looks anomalous. The
    /// floors are what an operator would call "not worth a look": 3 requests/s, 2 % of errors, 20 ms of p95 latency.
    /// </remarks>
    public static IAnomalyDetector Detector(SeriesKey series) => new RobustZScoreDetector(new RobustZScoreOptions
    {
        WindowSize = 120,
        MinimumPoints = 15,
        MinimumScale = MinimumScale(series),
    });

    private static double MinimumScale(SeriesKey series) => series.Metric switch
    {
        RequestRate => 3,
        ErrorRatio => 0.02,
        LatencyP95 => 0.02,
        _ => 0,
    };
}
