using System.Text.Json.Nodes;

namespace Aiops.Lab;

/// <summary>An alert's state as Prometheus reports it, or <see cref="Inactive"/>/<see cref="Resolved"/> once it is gone.</summary>
internal enum AlertState
{
    /// <summary>Gone before it fired.</summary>
    Inactive,

    /// <summary>Its condition holds, not yet for its <c>for:</c> duration.</summary>
    Pending,

    /// <summary>Its condition held for its <c>for:</c> duration.</summary>
    Firing,

    /// <summary>Gone after it fired.</summary>
    Resolved,
}

/// <summary>One observed state change of an alert.</summary>
/// <param name="Alert">The alert, as <c>alertname{service}</c>.</param>
/// <param name="State">The new state.</param>
/// <param name="At">When the watcher saw it (Prometheus's <c>activeAt</c> for pending).</param>
internal sealed record AlertTransition(string Alert, AlertState State, DateTimeOffset At);

/// <summary>
/// Polls Prometheus's <c>/api/v1/alerts</c> twice a second and records every alert's state changes, so a run shows each
/// alert go inactive → pending → firing → resolved. Thread-safe.
/// </summary>
internal sealed class AlertWatcher : IAsyncDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(2) };
    private readonly Uri _alerts;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, AlertState> _current = new(StringComparer.Ordinal);
    private readonly List<AlertTransition> _transitions = [];
    private readonly BackgroundLoop _poller;

    public AlertWatcher(Uri prometheus)
    {
        _alerts = new Uri(prometheus, "api/v1/alerts");
        _poller = new BackgroundLoop(PollAsync);
    }

    /// <summary>Gets every transition so far, in order.</summary>
    public IReadOnlyList<AlertTransition> Transitions
    {
        get
        {
            lock (_gate)
            {
                return [.. _transitions];
            }
        }
    }

    /// <summary>Gets the alerts pending or firing now, as <c>alertname{service}: state</c>.</summary>
    public IReadOnlyDictionary<string, AlertState> Active
    {
        get
        {
            lock (_gate)
            {
                return _current.Where(p => p.Value is AlertState.Pending or AlertState.Firing).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _poller.DisposeAsync().ConfigureAwait(false);
        _http.Dispose();
    }

    /// <summary>
    /// The display name of an alert: <c>alertname{service}</c>, or <c>alertname{service→peer}</c> for the client-call
    /// alerts, which fire once per edge of the call graph.
    /// </summary>
    public static string Name(string alertname, string? service, string? peer = null) =>
        string.IsNullOrEmpty(service) ? alertname
        : string.IsNullOrEmpty(peer) ? $"{alertname}{{{service}}}"
        : $"{alertname}{{{service}→{peer}}}";

    private async Task PollAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        do
        {
            if (await LabStack.JsonAsync(_http, _alerts).ConfigureAwait(false) is { } body && body["data"]?["alerts"]?.AsArray() is { } alerts)
            {
                Observe(alerts, DateTimeOffset.UtcNow);
            }
        }
        while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false));
    }

    private void Observe(JsonArray alerts, DateTimeOffset now)
    {
        var seen = new Dictionary<string, (AlertState State, DateTimeOffset ActiveAt)>(StringComparer.Ordinal);
        foreach (var alert in alerts)
        {
            var labels = alert?["labels"];
            var name = Name((string?)labels?["alertname"] ?? "?", (string?)labels?["service"], (string?)labels?["peer"]);
            var state = (string?)alert?["state"] == "firing" ? AlertState.Firing : AlertState.Pending;
            var activeAt = DateTimeOffset.TryParse((string?)alert?["activeAt"], System.Globalization.CultureInfo.InvariantCulture, out var active) ? active : now;
            if (!seen.TryGetValue(name, out var known) || state > known.State)
            {
                seen[name] = (state, activeAt);
            }
        }

        lock (_gate)
        {
            foreach (var (name, (state, activeAt)) in seen)
            {
                var previous = _current.GetValueOrDefault(name, AlertState.Inactive);
                if (previous == state)
                {
                    continue;
                }

                // A poll can fall between the start of a short `for:` and its end; Prometheus's activeAt says when the
                // alert went pending, so the history still shows the real path.
                if (state == AlertState.Firing && previous is not AlertState.Pending)
                {
                    _transitions.Add(new AlertTransition(name, AlertState.Pending, activeAt));
                }

                _transitions.Add(new AlertTransition(name, state, state == AlertState.Pending ? activeAt : now));
                _current[name] = state;
            }

            foreach (var (name, state) in _current.Where(p => p.Value is AlertState.Pending or AlertState.Firing && !seen.ContainsKey(p.Key)).ToList())
            {
                var next = state == AlertState.Firing ? AlertState.Resolved : AlertState.Inactive;
                _transitions.Add(new AlertTransition(name, next, now));
                _current[name] = next;
            }
        }
    }
}
