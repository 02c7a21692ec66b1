using Aiops.Correlation;
using Aiops.Detection;
using Microsoft.Extensions.Time.Testing;

namespace Aiops.Rca.Eval;

/// <summary>How the Aiops path is configured for a run.</summary>
/// <param name="FalseAlarmsPerWeek">The detectors' sensitivity (<see cref="AnomalyDetectorOptions.FalseAlarmsPerWeek"/>); <see langword="null"/> keeps the default (1).</param>
/// <param name="DeclareRoles">Whether the metric roles of the topology's names are given to the classifier by configuration.</param>
/// <param name="DeclareGraph">Whether the topology's call graph is given to the correlator (<see langword="false"/>: an
/// empty graph, as a user who declares no dependencies runs it).</param>
/// <param name="Trace">Where to write one tab-separated line per onset (series, time, the ensemble's reading that flagged it,
/// benign events near it), per episode (its first member) and per fault case (the target's flags after the onset); none when null.</param>
internal sealed record RunSettings(double? FalseAlarmsPerWeek = null, bool DeclareRoles = true, TextWriter? Trace = null, bool DeclareGraph = true);

/// <summary>What the Aiops path made of a case.</summary>
/// <param name="Ranking">The services of the chosen episode's root-cause hypotheses, most likely first; empty when no episode held a post-onset signal.</param>
/// <param name="TimeToDetect">From the true onset to the first post-onset signal of the chosen episode reaching the correlator; <see langword="null"/> when none.</param>
/// <param name="EpisodesBeforeOnset">Episodes (merged ones counted once) opened before the true onset: false incidents.</param>
/// <param name="Episodes">Every episode opened in the run (merged ones counted once).</param>
/// <param name="Chosen">The chosen episode's last snapshot, or <see langword="null"/>.</param>
/// <param name="PagedBeforeOnset">Episodes that fired before the true onset, or (controls) are still pending at the end of the run with
/// an anomaly not ended: false pages. A pending episode is not paged (Prometheus' <c>for:</c>) and not proposed for remediation
/// (<c>RemediationOptions.States</c> defaults to firing only); one still pending at the end with a member that has not ended is
/// counted, as it might yet fire.</param>
/// <param name="Paged">Every episode of the run that fired, or is still pending at its end with a member that has not ended.</param>
internal sealed record AiopsOutcome(IReadOnlyList<string> Ranking, TimeSpan? TimeToDetect, int EpisodesBeforeOnset, int Episodes, Episode? Chosen, int PagedBeforeOnset = 0, int Paged = 0);

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

    /// <summary>The ensemble's options for a run: the default ones unless a sensitivity is set.</summary>
    public static EnsembleOptions? DetectorOptions(RunSettings settings) =>
        settings.FalseAlarmsPerWeek is { } rate ? new EnsembleOptions { FalseAlarmsPerWeek = rate } : null;

    /// <summary>Runs one case.</summary>
    public static AiopsOutcome Run(CaseData data, RunSettings settings)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(settings);
        var time = new FakeTimeProvider(data.Start);
        var trace = settings.Trace;
        var ensembles = new Dictionary<SeriesKey, EnsembleDetector>();
        var detectors = new DetectorSet(
            new DetectorSetOptions(),
            key =>
            {
                var detector = new EnsembleDetector(DetectorOptions(settings));
                ensembles[key] = detector;
                return detector;
            },
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
            settings.DeclareGraph ? data.Case.Topology.Graph() : DependencyGraph.Empty,
            new RootCauseRanker(new RootCauseRankerOptions { Classifier = classifier }),
            time);

        var series = data.Series.Select(s =>
        {
            var labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["service"] = s.Service };
            var key = new SeriesKey(s.Metric, labels);
            return (Data: s, Key: key, Bridge: new AnomalySignalBridge(key));
        }).ToArray();
        // For --trace only: the reading behind each point's surprise, and the flags after the onset.
        var readings = trace is null ? null : series.ToDictionary(s => s.Key, _ => new (EnsembleDetector.Reading Reading, double Raw, bool Flagged)[data.Length]);
        var flaggedAfter = series.ToDictionary(s => s.Key, _ => 0);

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
                var ok = detectors.TryUpdate(key, now, s.Values[i], out var score);
                if (ok && readings is not null)
                {
                    readings[key][i] = (ensembles[key].LastReading, score.RawScore, score.IsAnomaly);
                    if (score.IsAnomaly && i >= data.Onset)
                    {
                        flaggedAfter[key]++;
                    }
                }

                AnomalySignal? signal = null;
                var ev = ok ? bridge.Update(score, now, out signal) : AnomalySignalEvent.None;
                if (ev == AnomalySignalEvent.Onset && trace is not null && readings is not null)
                {
                    var oi = (int)(signal!.Onset - data.Start).TotalSeconds;
                    var r = readings[key][oi];
                    var near = string.Join(";", data.Events.Where(e => oi >= e.At - 5 && oi <= e.At + e.Duration + 30 && (e.Service == s.Service || e.Kind is "burst")).Select(e => $"{e.Kind}:{e.Service}@{oi - e.At}"));
                    // How it started: the onset point flagged (a flag far from the baseline, or an armed drift), a flag while
                    // confirming, none (a sustained level or the count test).
                    var flags = 0;
                    for (var j = Math.Max(0, oi); j <= i; j++)
                    {
                        flags += readings[key][j].Flagged ? 1 : 0;
                    }

                    var how = r.Flagged ? "flag" : flags > 0 ? "flag-later" : i - oi >= 16 ? "sustain-or-count" : "count-or-armed";
                    trace.WriteLine($"ONSET\t{data.Case}\t{(data.Case.IsControl ? "ctl" : oi < data.Onset ? "pre" : "post")}\t{s.Service}\t{s.Metric}\t{oi}\t{oi - data.Onset}\tread={r.Reading}\traw={r.Raw:0.00}\tconfirm={i - oi}\tmag={signal.Magnitude:0.0}\thow={how}\tbase={bridge.Tracker.BaselineCount}\tnear={near}");
                }

                if (ev == AnomalySignalEvent.End && trace is not null && signal is not null)
                {
                    var oi = (int)(signal.Onset - data.Start).TotalSeconds;
                    var back = signal.EndedAt is { } e ? (e - signal.Onset).TotalSeconds : double.NaN;
                    trace.WriteLine($"END\t{data.Case}\t{(data.Case.IsControl ? "ctl" : oi < data.Onset ? "pre" : "post")}\t{s.Service}\t{s.Metric}\t{oi}\tlasted={back:0}\treason={signal.EndReason}");
                }

                if (ev != AnomalySignalEvent.None && signal is not null)
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
        if (trace is { } tw)
        {
            foreach (var e in roots)
            {
                var first = e.Members.OrderBy(m => m.Signal.Onset).First();
                var fired = e.Transitions.FirstOrDefault(t => t.To == EpisodeState.Firing)?.At;
                var lasted = e.Members.Max(m => ((m.EndedAt ?? data.At(data.Length - 1)) - m.Signal.Onset).TotalSeconds);
                tw.WriteLine($"EPISODE\t{data.Case}\t{(e.OpenedAt - data.Start).TotalSeconds:0}\t{first.Entity}\t{first.Signal.Name}\t{(first.Signal.Onset - data.Start).TotalSeconds:0}\tmembers={e.Members.Count}\tstate={e.State}\tfired={(fired is { } f ? (f - data.Start).TotalSeconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture) : "-")}\tlongest={lasted:0}");
            }

            if (!data.Case.IsControl)
            {
                var tgt = series.Where(x => x.Data.Service == data.Case.Target).Select(x => $"{x.Data.Metric}:f{flaggedAfter[x.Key]}:{(x.Bridge.Tracker.IsAnomalous ? "anom@" + (x.Bridge.Tracker.Onset - data.Start).TotalSeconds : "-")}:mean {x.Data.Values.Take(data.Onset).Skip(data.Onset - 300).Average():0.###}->{x.Data.Values.Skip(data.Onset).Average():0.###}");
                tw.WriteLine($"TARGET\t{data.Case}\t{string.Join(" ", tgt)}\tallflagged={flaggedAfter.Values.Sum()}");
            }
        }

        var onset = data.At(data.Onset);
        var before = roots.Count(e => e.OpenedAt < onset);
        static DateTimeOffset? FiredAt(Episode e) => e.Transitions.FirstOrDefault(t => t.To == EpisodeState.Firing)?.At;
        var paged = roots.Count(e => FiredAt(e) is not null || (e.State == EpisodeState.Pending && e.Members.Any(m => m.IsActive && m.EndedAt is null)));
        var pagedBefore = data.Case.IsControl ? paged : roots.Count(e => FiredAt(e) is { } at && at < onset);
        if (data.Case.IsControl)
        {
            return new AiopsOutcome([], null, before, roots.Count, null, pagedBefore, paged);
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
            return new AiopsOutcome([], null, before, roots.Count, null, pagedBefore, paged);
        }

        var detected = chosen.Members.Where(m => m.Signal.Onset >= onset && sentAt.ContainsKey((m.Signal.Fingerprint, m.Signal.Onset))).Min(m => sentAt[(m.Signal.Fingerprint, m.Signal.Onset)]);
        var ranking = chosen.RootCause?.Hypotheses.Select(h => h.Entity).ToList() ?? [];
        return new AiopsOutcome(ranking, detected - onset, before, roots.Count, chosen, pagedBefore, paged);
    }
}
