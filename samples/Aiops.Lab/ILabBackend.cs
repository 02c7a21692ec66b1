using Aiops.Correlation;
using Aiops.Gates;

namespace Aiops.Lab;

/// <summary>A load whose rate can change at any time and that reports each second.</summary>
internal interface ILoad
{
    /// <summary>Gets or sets the target rate in requests per second.</summary>
    double Rate { get; set; }

    /// <summary>Takes the counts since the last call.</summary>
    LoadSecond TakeSecond();
}

/// <summary>
/// Where the scenarios run: the real lab (HTTP load, Prometheus, Alertmanager, the receiver's API) or the embedded one
/// (everything in this process, no alerts).
/// </summary>
internal interface ILabBackend : IAsyncDisposable
{
    /// <summary>Gets the load on the app.</summary>
    ILoad Load { get; }

    /// <summary>Gets the addresses to print, or <see langword="null"/> in the embedded lab.</summary>
    LabUrls? Urls { get; }

    /// <summary>Gets every alert transition Prometheus showed so far (none in the embedded lab).</summary>
    IReadOnlyList<AlertTransition> AlertTransitions { get; }

    /// <summary>Gets the alerts pending or firing now (none in the embedded lab).</summary>
    IReadOnlyCollection<string> ActiveAlerts { get; }

    /// <summary>Whether the request rate's detector is warm (its latest point is scored).</summary>
    Task<bool> RateIsScoredAsync(CancellationToken cancellationToken);

    /// <summary>Starts a bad deploy: 40 % of checkout requests fail for <paramref name="duration"/>, or until <see cref="ResetAsync"/>.</summary>
    Task StartBadDeployAsync(TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>Makes payment 300 ms slower for <paramref name="duration"/>, or until <see cref="ResetAsync"/>.</summary>
    Task StartPaymentLatencyAsync(TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>Ends any scenario in the app.</summary>
    Task ResetAsync(CancellationToken cancellationToken);

    /// <summary>The episodes, newest first.</summary>
    Task<IReadOnlyList<Episode>> EpisodesAsync(CancellationToken cancellationToken);

    /// <summary>The audit log, oldest first.</summary>
    Task<IReadOnlyList<AuditEntry>> AuditAsync(CancellationToken cancellationToken);

    /// <summary>The Alertmanager notifications the receiver got, oldest first (none in the embedded lab).</summary>
    Task<IReadOnlyList<Notification>> NotificationsAsync(CancellationToken cancellationToken);
}
