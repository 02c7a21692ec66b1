namespace Aiops.Correlation.Tests;

/// <summary>Builders for signals in tests.</summary>
internal static class TestSignals
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static Dictionary<string, string> Labels(string service, string ns = "prod") => new() { ["service"] = service, ["namespace"] = ns };

    public static AnomalySignal Anomaly(string service, string metric, DateTimeOffset onset, Direction direction = Direction.Up, double score = 0.99, string ns = "prod") =>
        new($"{metric}{{service=\"{service}\",namespace=\"{ns}\"}}", metric, onset, Labels(service, ns), score, direction, 5);

    public static AlertSignal Alert(string service, string name, DateTimeOffset onset, AlertStatus status = AlertStatus.Firing, string? fingerprint = null) =>
        new(fingerprint ?? $"{name}/{service}", name, onset, Labels(service), status, status == AlertStatus.Resolved ? onset.AddMinutes(5) : null, "warning", new Dictionary<string, string>());

    public static ChangeSignal Deploy(string service, DateTimeOffset at, string version = "v2") =>
        new($"deploy/{service}/{version}", $"deploy {service} {version}", at, Labels(service), ChangeKind.Deploy);
}
