namespace Aiops.Lab.App;

/// <summary>The scenarios the lab can inject.</summary>
public static class ScenarioNames
{
    /// <summary>No scenario.</summary>
    public const string None = "none";

    /// <summary>+300 ms in payment.</summary>
    public const string Latency = "latency";

    /// <summary>Payment fails 30 %; checkout retries, so downstream calls and errors amplify.</summary>
    public const string Errors = "errors";

    /// <summary>A new (bad) version: the version label changes and checkout fails 40 %.</summary>
    public const string BadDeploy = "bad-deploy";

    /// <summary>The built-in load generator runs at <c>Lab:SurgeRps</c> (only when it is on: <c>Lab:LoadRps</c> &gt; 0).</summary>
    public const string Surge = "surge";

    /// <summary>Ends the active scenario.</summary>
    public const string Reset = "reset";

    /// <summary>The names POST /scenario/{name} accepts.</summary>
    public static IReadOnlyList<string> All { get; } = [Latency, Errors, BadDeploy, Surge, Reset];
}

/// <summary>The active scenario, as GET /scenario returns it.</summary>
/// <param name="Name">The scenario's name, or "none".</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="EndsAt">When it ends by itself.</param>
/// <param name="RemainingSeconds">Seconds until it ends.</param>
/// <param name="Version">The version checkout reports now.</param>
/// <param name="Rate">The failure probability the scenario injects (payment for errors, checkout for bad-deploy), if any.</param>
public sealed record ScenarioSnapshot(string Name, DateTimeOffset? StartedAt, DateTimeOffset? EndsAt, double RemainingSeconds, string Version, double? Rate);

/// <summary>The single active scenario; it expires by itself after its duration (checked lazily and before every scrape).</summary>
public sealed class ScenarioState
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly LabOptions _options;
    private readonly LabMetrics _metrics;
    private string _name = ScenarioNames.None;
    private DateTimeOffset _startedAt;
    private DateTimeOffset _endsAt;
    private double? _rate;

    /// <summary>Creates the state with no scenario and publishes the normal version.</summary>
    public ScenarioState(LabOptions options, LabMetrics metrics, TimeProvider time)
    {
        _options = options;
        _metrics = metrics;
        _time = time;
        _metrics.SetVersion(options.Version);
    }

    /// <summary>The active scenario's name (after expiring it if its time is up).</summary>
    public string Active
    {
        get
        {
            lock (_lock)
            {
                Expire();
                return _name;
            }
        }
    }

    /// <summary>
    /// Starts <paramref name="name"/> for <paramref name="duration"/>, replacing any active scenario; "reset" ends it.
    /// <paramref name="rate"/> overrides the failure probability of errors (payment) and bad-deploy (checkout).
    /// </summary>
    public ScenarioSnapshot Start(string name, TimeSpan duration, double? rate = null)
    {
        if (!ScenarioNames.All.Contains(name))
        {
            throw new ArgumentException($"Unknown scenario '{name}'.", nameof(name));
        }

        lock (_lock)
        {
            if (name == ScenarioNames.Reset)
            {
                _name = ScenarioNames.None;
                _rate = null;
            }
            else
            {
                _name = name;
                _startedAt = _time.GetUtcNow();
                _endsAt = _startedAt + duration;
                _rate = name switch
                {
                    ScenarioNames.Errors => rate ?? _options.ErrorsScenarioRate,
                    ScenarioNames.BadDeploy => rate ?? _options.BadDeployErrorRate,
                    _ => null,
                };
            }

            _metrics.SetVersion(VersionOf(_name));
            return SnapshotLocked();
        }
    }

    /// <summary>The active scenario now.</summary>
    public ScenarioSnapshot Snapshot()
    {
        lock (_lock)
        {
            Expire();
            return SnapshotLocked();
        }
    }

    /// <summary>The failure probability of the active scenario (errors: payment; bad-deploy: checkout), else null.</summary>
    public double? Rate
    {
        get
        {
            lock (_lock)
            {
                Expire();
                return _rate;
            }
        }
    }

    /// <summary>Expires the scenario when its time is up (called before every scrape, so lab_build_info reverts on time).</summary>
    public void Refresh()
    {
        lock (_lock)
        {
            Expire();
        }
    }

    private string VersionOf(string name) => name == ScenarioNames.BadDeploy ? _options.BadVersion : _options.Version;

    private void Expire()
    {
        if (_name != ScenarioNames.None && _time.GetUtcNow() >= _endsAt)
        {
            _name = ScenarioNames.None;
            _rate = null;
            _metrics.SetVersion(_options.Version);
        }
    }

    private ScenarioSnapshot SnapshotLocked() => _name == ScenarioNames.None
        ? new ScenarioSnapshot(_name, null, null, 0, VersionOf(_name), null)
        : new ScenarioSnapshot(_name, _startedAt, _endsAt, Math.Max(0, (_endsAt - _time.GetUtcNow()).TotalSeconds), VersionOf(_name), _rate);
}
