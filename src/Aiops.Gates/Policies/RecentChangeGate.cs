using System.ComponentModel.DataAnnotations;

namespace Aiops.Gates;

/// <summary>
/// Asks for a person when something changed recently where the remediation would act: a change within
/// <see cref="RecentChangeGateOptions.Window"/> before the decision (or stamped after it) on one of the proposal's targets,
/// or on the value of one of its <see cref="RecentChangeGateOptions.LabelKeys"/> labels (the episode's service), or — with
/// <see cref="RecentChangeGateOptions.AnyTarget"/> — anywhere, gives <see cref="RecentChangeGateOptions.Verdict"/>
/// (require approval by default). Names compare case-insensitively. The most recent matching change is reported.
/// Thread-safe when the feed is.
/// </summary>
public sealed class RecentChangeGate : IGatePolicy
{
    private readonly IChangeFeed _feed;
    private readonly TimeSpan _window;
    private readonly bool _anyTarget;
    private readonly string[] _kinds;
    private readonly string[] _labelKeys;
    private readonly GateVerdict _verdict;
    private readonly string _windowText;

    /// <summary>Initializes a new instance of the <see cref="RecentChangeGate"/> class.</summary>
    /// <param name="feed">Where changes are read from.</param>
    /// <param name="options">The options; <see langword="null"/> uses the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="feed"/> is <see langword="null"/>.</exception>
    /// <exception cref="ValidationException">An option is out of range.</exception>
    public RecentChangeGate(IChangeFeed feed, RecentChangeGateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(feed);
        options ??= new RecentChangeGateOptions();
        options.Validate();
        Name = options.EffectiveName;
        _feed = feed;
        _window = options.Window;
        _anyTarget = options.AnyTarget;
        _kinds = [.. options.Kinds];
        _labelKeys = [.. options.LabelKeys];
        _verdict = options.Verdict;
        _windowText = GateData.Format(_window);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public async ValueTask<GateDecision> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var now = context.Now;
        var since = now - _window;
        var changes = await _feed.GetChangesSinceAsync(since, cancellationToken).ConfigureAwait(false);
        ChangeNotice? latest = null;
        var matches = 0;
        foreach (var change in changes)
        {
            if (change is null || change.At < since || !KindMatches(change.Kind) || !TargetMatches(change.Target, context.Proposal))
            {
                continue;
            }

            matches++;
            if (latest is null || change.At > latest.At)
            {
                latest = change;
            }
        }

        if (latest is null)
        {
            return GateDecision.Allow(
                $"no change{(_anyTarget ? string.Empty : " on the proposal's targets")} in the last {_windowText}",
                new GateData(new("window", _windowText), new("changes", GateData.Format(changes.Count)), new("anyTarget", GateData.Format(_anyTarget))));
        }

        var ago = now - latest.At;
        var data = new GateData(
            new("window", _windowText),
            new("target", latest.Target),
            new("kind", latest.Kind),
            new("at", GateData.Format(latest.At)),
            new("age", GateData.Format(ago)),
            new("matchingChanges", GateData.Format(matches)),
            new("description", latest.Description ?? string.Empty));
        var reason = $"'{latest.Kind}' change on '{latest.Target}' at {GateData.Format(latest.At)} ({GateData.Format(ago)} before the decision) is within the recent-change window of {_windowText}"
            + (latest.Description is null ? string.Empty : $": {latest.Description}");
        return _verdict == GateVerdict.Deny ? GateDecision.Deny(reason, data) : GateDecision.RequireApproval(reason, data);
    }

    private bool KindMatches(string kind)
    {
        if (_kinds.Length == 0)
        {
            return true;
        }

        foreach (var k in _kinds)
        {
            if (string.Equals(k, kind, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private bool TargetMatches(string target, RemediationProposal proposal)
    {
        if (_anyTarget)
        {
            return true;
        }

        foreach (var t in proposal.Targets)
        {
            if (string.Equals(t, target, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        if (_labelKeys.Length > 0 && proposal.Labels is { Count: > 0 } labels)
        {
            foreach (var key in _labelKeys)
            {
                if (labels.TryGetValue(key, out var value) && string.Equals(value, target, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }
}

/// <summary>Options of <see cref="RecentChangeGate"/>.</summary>
public sealed class RecentChangeGateOptions : GatePolicyOptions, IValidatableObject
{
    /// <inheritdoc />
    public override string Type => GateNames.RecentChange;

    /// <summary>Gets or sets how far back a change counts (inclusive). Default: 30 minutes. Range: [1 second, 7 days].</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Gets or sets a value indicating whether a change anywhere counts, not only on the proposal's targets and services. Default: <see langword="false"/>.</summary>
    public bool AnyTarget { get; set; }

    /// <summary>Gets or sets the change kinds that count (case-insensitive). Default: empty, which means every kind. A configured list replaces the default.</summary>
    [Required]
    public IList<string> Kinds { get; set; } = [];

    /// <summary>
    /// Gets or sets the proposal labels whose values also name what the remediation touches, so a deploy of the episode's
    /// service counts even when the targets are its instances. Default: <c>service</c>. A configured list replaces the default.
    /// </summary>
    [Required]
    public IList<string> LabelKeys { get; set; } = ["service"];

    /// <summary>
    /// Gets or sets the verdict after a recent change: <see cref="GateVerdict.RequireApproval"/> or <see cref="GateVerdict.Deny"/>
    /// (<see cref="GateVerdict.Allow"/> is a validation error). Default: <see cref="GateVerdict.RequireApproval"/>.
    /// </summary>
    [EnumDataType(typeof(GateVerdict))]
    public GateVerdict Verdict { get; set; } = GateVerdict.RequireApproval;

    /// <inheritdoc />
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (Verdict == GateVerdict.Allow)
        {
            yield return new ValidationResult("The verdict after a recent change must be RequireApproval or Deny.", [nameof(Verdict)]);
        }

        if (Kinds?.Any(string.IsNullOrWhiteSpace) == true)
        {
            yield return new ValidationResult("The list holds an empty kind.", [nameof(Kinds)]);
        }

        if (LabelKeys?.Any(string.IsNullOrWhiteSpace) == true)
        {
            yield return new ValidationResult("The list holds an empty label name.", [nameof(LabelKeys)]);
        }
    }
}
