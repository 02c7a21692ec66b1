using Aiops.Correlation;
using Aiops.Detection;
using Microsoft.Extensions.Time.Testing;

namespace Aiops.Rca.Eval;

/// <summary>How the Aiops path is configured for a run.</summary>
/// <param name="Threshold">The detectors' threshold; <see langword="null"/> keeps the default (0.99).</param>
/// <param name="DeclareRoles">Whether the metric roles of the topology's names are given to the classifier by configuration.</param>
internal sealed record RunSettings(double? Threshold = null, bool DeclareRoles = true);

/// <summary>What the Aiops path made of a case.</summary>
/// <param name="Ranking">The services of the chosen episode's root-cause hypotheses, most likely first; empty when no episode held a post-onset signal.</param>
/// <param name="TimeToDetect">From the true onset to the first post-onset signal of the chosen episode reaching the correlator; <see langword="null"/> when none.</param>
/// <param name="EpisodesBeforeOnset">Episodes (merged ones counted once) opened before the true onset: false incidents.</param>
/// <param name="Episodes">Every episode opened in the run (merged ones counted once).</param>
/// <param name="Chosen">The chosen episode's last snapshot, or <see langword="null"/>.</param>
internal sealed record AiopsOutcome(IReadOnlyList<string> Ranking, TimeSpan? TimeToDetect, int EpisodesBeforeOnset, int Episodes, Episode? Chosen);

/// <summary>
/// Runs a case through the real path: every series through a default <see cref="DetectorSet"/> (the ensemble detector), the
/// scores through the core <see cref="AnomalySignalBridge"/> with its default options (as the hosted detection stage uses
/// it) to signals, the signals and change events through a
/// <see cref="Correlator"/> with the call graph declared and a <see cref="RootCauseRanker"/>, on a fake clock that follows
/// the data. Aiops finds the onset itself; the episode scored is the one holding most signals that started after the true
/// onset, and its ranking is read from its last snapshot.
/// </summary>
internal static class AiopsRunner
{
    private const int DrainEvery = 5;

    /// <summary>Runs one case.</summary>
    public static AiopsOutcome Run(CaseData data, RunSettings settings)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(settings);
        var time = new FakeTimeProvider(data.Start);
        var threshold = settings.Threshold;
        var detectors = new DetectorSet(
            new DetectorSetOptions(),
            threshold is { } t ? _ => new EnsembleDetector(new EnsembleOptions { Threshold = t }) : null,
            time);
        var classifier = new SignalClassifierOptions();
        if (settings.DeclareRoles)
        {
            foreach (var (name, role) in data.Case.Topology.Names.Roles)
            {
                classifier.MetricRoles[name] = role;
            }
        }

        var correlator = new Correlator(
            new CorrelatorOptions(),
            data.Case.Topology.Graph(),
            new RootCauseRanker(new RootCauseRankerOptions { Classifier = classifier }),
            time);

        var series = data.Series.Select(s =>
        {
            var labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["service"] = s.Service };
            var key = new SeriesKey(s.Metric, labels);
            return (Data: s, Key: key, Bridge: new AnomalySignalBridge(key));
        }).ToArray();

        // Keyed by occurrence (fingerprint and onset): the bridge reuses the series' fingerprint for every occurrence.
        var sentAt = new Dictionary<(string Fingerprint, DateTimeOffset Onset), DateTimeOffset>();
        var snapshots = new Dictionary<string, Episode>(StringComparer.Ordinal);
        var change = 0;
        for (var i = 0; i < data.Length; i++)
        {
            var now = data.At(i);
            time.SetUtcNow(now);
            while (change < data.Changes.Count && data.Changes[change].At <= i)
            {
                correlator.Add(data.Changes[change++].Change);
            }

            foreach (var (s, key, bridge) in series)
            {
                if (detectors.TryUpdate(key, now, s.Values[i], out var score) && bridge.Update(score, now, out var signal) != AnomalySignalEvent.None && signal is not null)
                {
                    sentAt.TryAdd((signal.Fingerprint, signal.Onset), now);
                    correlator.Add(signal);
                }
            }

            correlator.Tick();
            if (i % DrainEvery == 0 || i == data.Length - 1)
            {
                foreach (var episode in correlator.DrainChanged())
                {
                    snapshots[episode.Id] = episode;
                }
            }
        }

        var roots = snapshots.Values.Where(e => e.MergedInto is null).ToList();
        var onset = data.At(data.Onset);
        var before = roots.Count(e => e.OpenedAt < onset);
        if (data.Case.IsControl)
        {
            return new AiopsOutcome([], null, before, roots.Count, null);
        }

        Episode? chosen = null;
        var best = 0;
        foreach (var episode in roots.OrderBy(e => e.Id, StringComparer.Ordinal))
        {
            var after = episode.Members.Count(m => m.Signal.Onset >= onset);
            if (after > best)
            {
                (chosen, best) = (episode, after);
            }
        }

        if (chosen is null)
        {
            return new AiopsOutcome([], null, before, roots.Count, null);
        }

        var detected = chosen.Members.Where(m => m.Signal.Onset >= onset && sentAt.ContainsKey((m.Signal.Fingerprint, m.Signal.Onset))).Min(m => sentAt[(m.Signal.Fingerprint, m.Signal.Onset)]);
        var ranking = chosen.RootCause?.Hypotheses.Select(h => h.Entity).ToList() ?? [];
        return new AiopsOutcome(ranking, detected - onset, before, roots.Count, chosen);
    }
}
