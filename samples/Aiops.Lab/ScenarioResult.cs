using Aiops.Correlation;
using Aiops.Gates;

namespace Aiops.Lab;

/// <summary>What one scenario produced: the alerts as Prometheus and the receiver saw them, the episode, and the automation log.</summary>
/// <param name="Name">The scenario.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="ViaPrometheus">Whether the real lab ran it (alerts and notifications exist), not the embedded one.</param>
/// <param name="Alerts">Every alert transition Prometheus showed during the scenario.</param>
/// <param name="Notifications">The Alertmanager notifications the receiver got during the scenario.</param>
/// <param name="Episode">The scenario's episode (the receiver's largest episode opened during it), or <see langword="null"/>.</param>
/// <param name="Decisions">The gate decisions on that episode, in order.</param>
/// <param name="Executions">The execution records of those decisions, in order.</param>
internal sealed record ScenarioResult(
    string Name,
    DateTimeOffset StartedAt,
    bool ViaPrometheus,
    IReadOnlyList<AlertTransition> Alerts,
    IReadOnlyList<Notification> Notifications,
    Episode? Episode,
    IReadOnlyList<Decision> Decisions,
    IReadOnlyList<ExecutionRecord> Executions)
{
    /// <summary>The states an alert went through during the scenario.</summary>
    public IReadOnlyList<AlertState> AlertHistory(string alert) => [.. Alerts.Where(a => a.Alert == alert).Select(a => a.State)];

    /// <summary>How many notifications carried an alert's firing occurrence (same start): more than one means Alertmanager repeated it.</summary>
    public int FiringNotifications(string alertname) =>
        Notifications.SelectMany(n => n.Alerts).Where(a => a.Name == alertname && a.Status == "firing").GroupBy(a => a.StartsAt).Select(g => g.Count()).DefaultIfEmpty(0).Max();

    /// <summary>The statuses of an alert in the notifications, in order (a repeated notification repeats its status).</summary>
    public IReadOnlyList<string> NotifiedStatuses(string alertname) =>
        [.. Notifications.SelectMany(n => n.Alerts).Where(a => a.Name == alertname).Select(a => a.Status)];
}
