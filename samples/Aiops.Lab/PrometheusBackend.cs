using System.Globalization;
using Aiops.Correlation;
using Aiops.Gates;

namespace Aiops.Lab;

/// <summary>The real lab: HTTP load on the app, alerts from Prometheus, episodes and decisions from the receiver's API.</summary>
internal sealed class PrometheusBackend : ILabBackend
{
    private readonly LabStack _stack;
    private readonly LoadGenerator _load;
    private readonly AlertWatcher _alerts;
    private readonly ReceiverClient _receiver;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public PrometheusBackend(LabStack stack, double rate)
    {
        _stack = stack;
        _load = new LoadGenerator(stack.Urls.App, rate);
        _alerts = new AlertWatcher(stack.Urls.Prometheus);
        _receiver = new ReceiverClient(stack.Urls.Receiver);
    }

    public ILoad Load => _load;

    public LabUrls? Urls => _stack.Urls;

    public IReadOnlyList<AlertTransition> AlertTransitions => _alerts.Transitions;

    public IReadOnlyCollection<string> ActiveAlerts => [.. _alerts.Active.Keys];

    public async Task<bool> RateIsScoredAsync(CancellationToken cancellationToken)
    {
        var scores = await LabStack.JsonAsync(_http, new Uri(_stack.Urls.Exporter, "aiops/api/scores")).WaitAsync(cancellationToken).ConfigureAwait(false);
        return scores?.AsArray().Any(s => ((string?)s?["series"])?.StartsWith(Shared.LabAutomation.RequestRate, StringComparison.Ordinal) == true && (string?)s?["status"] == "scored") == true;
    }

    /// <summary>
    /// The call graph as Prometheus sees it: every (service, peer) pair of the app's client-call series
    /// (<c>group by (service, peer) (lab_client_requests_total)</c>), sorted; empty when Prometheus does not answer.
    /// </summary>
    public async Task<IReadOnlyList<(string Service, string Peer)>> CallGraphAsync(CancellationToken cancellationToken)
    {
        var query = Uri.EscapeDataString("group by (service, peer) (lab_client_requests_total)");
        var answer = await LabStack.JsonAsync(_http, new Uri(_stack.Urls.Prometheus, "api/v1/query?query=" + query)).WaitAsync(cancellationToken).ConfigureAwait(false);
        return [.. (answer?["data"]?["result"]?.AsArray() ?? [])
            .Select(r => ((string?)r?["metric"]?["service"] ?? string.Empty, (string?)r?["metric"]?["peer"] ?? string.Empty))
            .Order()];
    }

    public Task StartBadDeployAsync(TimeSpan duration, CancellationToken cancellationToken) =>
        PostAsync(string.Create(CultureInfo.InvariantCulture, $"scenario/bad-deploy?seconds={duration.TotalSeconds:0}"), cancellationToken);

    public Task StartPaymentLatencyAsync(TimeSpan duration, CancellationToken cancellationToken) =>
        PostAsync(string.Create(CultureInfo.InvariantCulture, $"scenario/latency?seconds={duration.TotalSeconds:0}"), cancellationToken);

    public Task ResetAsync(CancellationToken cancellationToken) => PostAsync("scenario/reset", cancellationToken);

    public Task<IReadOnlyList<Episode>> EpisodesAsync(CancellationToken cancellationToken) => _receiver.EpisodesAsync(cancellationToken);

    public Task<IReadOnlyList<AuditEntry>> AuditAsync(CancellationToken cancellationToken) => _receiver.AuditAsync(cancellationToken);

    public Task<IReadOnlyList<Notification>> NotificationsAsync(CancellationToken cancellationToken) => _receiver.NotificationsAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _load.DisposeAsync().ConfigureAwait(false);
        await _alerts.DisposeAsync().ConfigureAwait(false);
        _receiver.Dispose();
        _http.Dispose();
    }

    private async Task PostAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsync(new Uri(_stack.Urls.App, path), content: null, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }
}
