using System.ComponentModel.DataAnnotations;
using Aiops.Correlation;
using Aiops.Gates;

namespace Aiops.Hosting;

/// <summary>
/// Options of the hosted remediation stage (episodes → proposals → gates → execution), bound from <c>Aiops:Remediation</c>
/// (<see cref="SectionName"/>) and validated when the host starts. The gates themselves bind from <c>Aiops:Gates</c>
/// (see <see cref="GatesOptions"/>).
/// </summary>
/// <remarks>
/// Nothing runs by default: with no <see cref="Rules"/> (and no custom <see cref="IRemediationPlanner"/>) no remediation is
/// proposed, and only registered actions can run — <c>AddAiops</c> registers none.
/// </remarks>
public sealed class RemediationOptions : IValidatableObject
{
    /// <summary>The configuration section the options bind from: <c>Aiops:Remediation</c>.</summary>
    public const string SectionName = "Aiops:Remediation";

    /// <summary>
    /// Gets or sets the rules of the default planner: which action to propose for which kind of episode. Default: empty
    /// (nothing is proposed).
    /// </summary>
    public IList<RemediationRule> Rules { get; set; } = [];

    /// <summary>
    /// Gets or sets the path of the durable audit log (JSON Lines, fsync per commit); decisions, approvals and executions
    /// survive restarts and a restart never re-runs a key. <see langword="null"/> keeps the log in memory (lost on restart).
    /// Default: <see langword="null"/>. Ignored when the host registers its own <see cref="IAuditLog"/>.
    /// </summary>
    public string? AuditLogPath { get; set; }

    /// <summary>
    /// Gets or sets how often decisions waiting for approval are checked, so that an approved one runs (and a rejected or
    /// expired one is recorded as not run). Default: 1 second. Range: [10 ms, 1 hour].
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan ApprovalPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets the episode states in which remediation is proposed. Default: <see cref="EpisodeState.Firing"/> only,
    /// so that an episode must have been active for its pending duration first.
    /// </summary>
    public IList<EpisodeState> States { get; set; } = [];

    /// <summary>Gets the states to propose in: <see cref="States"/>, or <see cref="EpisodeState.Firing"/> when empty.</summary>
    /// <returns>The states.</returns>
    internal IReadOnlyCollection<EpisodeState> EffectiveStates() => States.Count == 0 ? [EpisodeState.Firing] : [.. States];

    /// <inheritdoc/>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (var i = 0; i < Rules.Count; i++)
        {
            var prefix = $"{nameof(Rules)}:{i}:";
            if (Rules[i] is not { } rule)
            {
                yield return new ValidationResult("a rule is required.", [prefix.TrimEnd(':')]);
                continue;
            }

            if (string.IsNullOrWhiteSpace(rule.Action))
            {
                yield return new ValidationResult("the action id is required.", [prefix + nameof(RemediationRule.Action)]);
            }

            if (rule.Risk is { } risk && !Enum.IsDefined(risk))
            {
                yield return new ValidationResult($"'{risk}' is not a risk class.", [prefix + nameof(RemediationRule.Risk)]);
            }

            if (rule.For < TimeSpan.Zero || rule.For > RemediationRule.MaxFor)
            {
                yield return new ValidationResult($"'{rule.For}' is out of range [00:00:00, {RemediationRule.MaxFor}].", [prefix + nameof(RemediationRule.For)]);
            }

            if (string.IsNullOrWhiteSpace(rule.Target))
            {
                yield return new ValidationResult("the target is required (default: '{entity}').", [prefix + nameof(RemediationRule.Target)]);
            }
        }

        foreach (var state in States)
        {
            if (!Enum.IsDefined(state))
            {
                yield return new ValidationResult($"'{state}' is not an episode state.", [nameof(States)]);
            }
        }
    }
}

/// <summary>
/// A rule of the default <see cref="IRemediationPlanner"/>: when an episode's root cause matches, propose
/// <see cref="Action"/> on <see cref="Target"/>. Not thread-safe while being configured; read-only afterwards.
/// </summary>
public sealed class RemediationRule
{
    /// <summary>The placeholder in <see cref="Target"/> replaced by the top root-cause entity: <c>{entity}</c>.</summary>
    public const string EntityPlaceholder = "{entity}";

    /// <summary>Gets or sets the id of the registered action to propose (see <see cref="IRemediationAction.Id"/>). Required.</summary>
    public string Action { get; set; } = string.Empty;

    /// <summary>Gets or sets the root-cause categories the rule applies to. Default: empty (any category).</summary>
    public IList<IncidentCategory> Categories { get; set; } = [];

    /// <summary>Gets or sets the root-cause entities (services) the rule applies to. Default: empty (any entity).</summary>
    public IList<string> Entities { get; set; } = [];

    /// <summary>
    /// Gets or sets what the action acts on; <c>{entity}</c> is replaced by the top root-cause entity. Default: <c>{entity}</c>.
    /// </summary>
    public string Target { get; set; } = EntityPlaceholder;

    /// <summary>
    /// Gets or sets the proposal's risk class; <see langword="null"/> uses the action's declared risk. The decision engine
    /// never lowers a proposal below the action's declared risk. Default: <see langword="null"/>.
    /// </summary>
    public RiskClass? Risk { get; set; }

    /// <summary>
    /// Gets or sets how long the incident must have held before the rule proposes anything, like Prometheus' <c>for:</c>:
    /// the episode has been firing for this long and the top root-cause entity has a member signal active now whose
    /// onset is at least this long ago (a blip that is over proposes nothing). The proposal is made at the first change of
    /// the episode after that (anomalies are re-sent and alerts repeated while they last). 0 proposes as soon as the episode
    /// is in a remediation state. Default: 0. Range: [0, 1 day].
    /// </summary>
    public TimeSpan For { get; set; }

    /// <summary>The longest <see cref="For"/>: 1 day.</summary>
    internal static readonly TimeSpan MaxFor = TimeSpan.FromDays(1);
}
