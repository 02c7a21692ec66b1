using Aiops.Correlation;
using Aiops.Gates;
using Microsoft.Extensions.Options;

namespace Aiops.Hosting;

/// <summary>
/// The default <see cref="IRemediationPlanner"/>: for each <see cref="RemediationOptions.Rules"/> entry whose categories
/// and entities match the episode's root cause, proposes the rule's action on its target, with the top hypothesis's score
/// as confidence, the root-cause explanation and hypotheses as evidence, and the labels of the root entity's signals (for
/// silence gates); a rule with <see cref="RemediationRule.For"/> waits until the incident has held that long. Episodes
/// without a root-cause analysis get no proposal. Thread-safe.
/// </summary>
/// <remarks>
/// The idempotency key is <c>action/target/fingerprint@onset</c> of the episode's earliest signal: it names the incident by
/// what started it rather than by the episode id, which a restarted correlator hands out again. So an alert that
/// Alertmanager repeats after a restart (same fingerprint and start) never runs the same action twice, while a new incident
/// gets a new key.
/// </remarks>
public sealed class RuleBasedRemediationPlanner : IRemediationPlanner
{
    private readonly IOptions<RemediationOptions> _options;
    private readonly ActionRegistry _actions;

    /// <summary>Initializes a new instance of the <see cref="RuleBasedRemediationPlanner"/> class.</summary>
    /// <param name="options">The remediation options (their rules).</param>
    /// <param name="actions">The registered actions, for their declared risk.</param>
    public RuleBasedRemediationPlanner(IOptions<RemediationOptions> options, ActionRegistry actions)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(actions);
        _options = options;
        _actions = actions;
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<RemediationProposal>> PlanAsync(Episode episode, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(episode);
        if (episode.RootCause is not { Hypotheses.Count: > 0 } analysis)
        {
            return ValueTask.FromResult<IReadOnlyList<RemediationProposal>>([]);
        }

        var top = analysis.Hypotheses[0];
        var first = episode.Members.MinBy(static m => m.Signal.Onset)?.Signal;
        var anchor = first is null ? episode.Id : $"{first.Fingerprint}@{first.Onset.UtcDateTime:O}";
        List<RemediationProposal>? proposals = null;
        foreach (var rule in _options.Value.Rules)
        {
            if ((rule.Categories.Count > 0 && !rule.Categories.Contains(analysis.Category))
                || (rule.Entities.Count > 0 && !rule.Entities.Contains(top.Entity, StringComparer.Ordinal))
                || (rule.For > TimeSpan.Zero && !HeldFor(episode, top.Entity, rule.For, now)))
            {
                continue;
            }

            var target = rule.Target.Replace(RemediationRule.EntityPlaceholder, top.Entity, StringComparison.Ordinal);
            var risk = rule.Risk ?? (_actions.TryGet(rule.Action, out var action) ? action.Risk : RiskClass.High);
            (proposals ??= []).Add(new RemediationProposal(
                rule.Action,
                [target],
                risk,
                episode.Id,
                Math.Clamp(top.Score, 0, 1),
                $"{rule.Action}/{target}/{anchor}",
                now)
            {
                Evidence = Evidence(episode, analysis),
                Labels = Labels(episode, top.Entity),
            });
        }

        return ValueTask.FromResult<IReadOnlyList<RemediationProposal>>(proposals ?? (IReadOnlyList<RemediationProposal>)[]);
    }

    /// <summary>Whether the episode has been firing for <paramref name="duration"/> and the entity has a member active that long.</summary>
    internal static bool HeldFor(Episode episode, string entity, TimeSpan duration, DateTimeOffset now)
    {
        if (episode.State != EpisodeState.Firing)
        {
            return false;
        }

        var firingSince = episode.Transitions.LastOrDefault(static t => t.To == EpisodeState.Firing)?.At;
        if (firingSince is null || now - firingSince < duration)
        {
            return false;
        }

        foreach (var member in episode.Members)
        {
            if (member.IsActive && string.Equals(member.Entity, entity, StringComparison.Ordinal) && now - member.Signal.Onset >= duration)
            {
                return true;
            }
        }

        return false;
    }

    private static List<string> Evidence(Episode episode, RootCauseAnalysis analysis)
    {
        var lines = new List<string>(2 + Math.Min(3, analysis.Hypotheses.Count))
        {
            $"episode {episode.Id} ({episode.State}) on {string.Join(", ", episode.Entities)}: {episode.Members.Count} signals",
            $"root cause {analysis.Category}: {analysis.Explanation}",
        };
        foreach (var hypothesis in analysis.Hypotheses.Take(3))
        {
            lines.Add($"hypothesis {hypothesis.Entity} score {hypothesis.Score:F2}");
        }

        return lines;
    }

    // The root entity's signals' labels (first value wins), alerts first: silence matchers are written against alert labels.
    private static Dictionary<string, string> Labels(Episode episode, string entity)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var member in episode.Members.Where(m => m.Entity == entity).OrderBy(m => m.Signal is AlertSignal ? 0 : 1))
        {
            foreach (var (name, value) in member.Signal.Labels)
            {
                labels.TryAdd(name, value);
            }
        }

        return labels;
    }
}
