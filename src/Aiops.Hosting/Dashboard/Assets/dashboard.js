// Aiops on-call dashboard. Plain ES2020, no dependencies; every piece of data is written with textContent or attributes
// (never innerHTML). Reads the JSON API whose prefix the page gives in <body data-api>, and refreshes every few seconds.
(() => {
  'use strict';

  const body = document.body;
  const API = (body.dataset.api || '/aiops/api').replace(/\/+$/, '');
  const BASE = (body.dataset.base || '/aiops').replace(/\/+$/, '');
  const REFRESH_MS = Math.max(1000, Number(body.dataset.refreshMs) || 5000);
  const MAX_CHARTS = 24;
  const SVG_NS = 'http://www.w3.org/2000/svg';

  // ---- DOM helpers: text always goes through textContent / text nodes.
  function setAttrs(node, attrs) {
    if (!attrs) return;
    for (const [key, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'text') node.textContent = String(value);
      else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, String(value));
    }
  }
  function add(node, children) {
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }
  const h = (tag, attrs, ...children) => { const n = document.createElement(tag); setAttrs(n, attrs); return add(n, children); };
  const s = (tag, attrs, ...children) => { const n = document.createElementNS(SVG_NS, tag); setAttrs(n, attrs); return add(n, children); };
  const $ = (id) => document.getElementById(id);
  const replace = (node, ...children) => node.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  const empty = (text, testid) => h('p', { class: 'empty', 'data-testid': testid || null, text });

  // ---- Formatting.
  const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
  function fmtTime(iso) {
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return String(iso ?? '');
    return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  }
  function fmtClock(ms) {
    const d = new Date(ms);
    return Number.isNaN(d.getTime()) ? '' : d.toISOString().slice(11, 19) + 'Z';
  }
  function fmtNum(v) {
    if (!isNum(v)) return '–';
    const a = Math.abs(v);
    if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(2);
    return String(Number(v.toFixed(a >= 100 ? 1 : 3)));
  }
  const fmtProb = (p) => (isNum(p) ? p.toFixed(3) : '–');
  const fmtWeight = (w) => (isNum(w) ? (w > 0 ? '+' : w < 0 ? '−' : '') + Math.abs(w).toFixed(2) : '–');
  function fmtElapsed(text) {
    const m = /^(?:(\d+)\.)?(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(String(text ?? ''));
    if (!m) return String(text ?? '');
    const ms = ((Number(m[1] || 0) * 24 + Number(m[2])) * 3600 + Number(m[3]) * 60 + Number(m[4])) * 1000;
    return ms < 1000 ? `${ms.toFixed(ms < 10 ? 2 : 0)} ms` : `${(ms / 1000).toFixed(1)} s`;
  }
  function words(camel) {
    const text = String(camel ?? '').replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
    return text.charAt(0).toUpperCase() + text.slice(1);
  }
  const VERDICTS = { allow: 'Allowed', deny: 'Denied', requireApproval: 'Needs approval' };
  const verdictText = (v) => VERDICTS[v] || words(v);

  // ---- Fetching. Each call resolves to {ok, status, data, text}; network failures reject.
  async function getJson(url) {
    const response = await fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-store', credentials: 'same-origin' });
    const text = await response.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { data = null; }
    return { ok: response.ok, status: response.status, data, text };
  }
  const api = (path) => getJson(API + path);
  const problemText = (r) => (r.data && (r.data.detail || r.data.title)) || `HTTP ${r.status}`;

  // A section re-renders only when what it shows changed, so a click never lands on a node that is being replaced.
  const shown = new Map();
  function changed(key, text) {
    if (shown.get(key) === text) return false;
    shown.set(key, text);
    return true;
  }

  // ---- Header: pipeline state.
  async function refreshState() {
    const r = await getJson(BASE + '/state');
    const state = document.querySelector('[data-testid="pipeline-state"]');
    if (!changed('state', String(r.status) + r.text)) return;
    const stats = document.querySelector('[data-testid="pipeline-stats"]');
    const text = state.querySelector('.state-text');
    if (!r.ok || !r.data) {
      state.dataset.status = 'unhealthy';
      text.textContent = `Pipeline state unavailable (${problemText(r)})`;
      replace(stats);
      return;
    }
    const d = r.data;
    state.dataset.status = d.status;
    text.textContent = `Pipeline ${d.status}${d.description ? ' — ' + d.description : ''}`;
    const stat = (label, value, testid) => h('div', null, h('dt', { text: label }), h('dd', { 'data-testid': testid, text: value ?? '–' }));
    replace(stats,
      stat('series', d.series, 'stat-series'),
      stat('open episodes', d.openEpisodes, 'stat-open-episodes'),
      stat('queued samples', d.samplesQueued, 'stat-samples-queued'),
      stat('queued signals', d.signalsQueued, 'stat-signals-queued'));
  }

  // ---- Anomaly scores: one chart per series.
  function byInterest(a, b) {
    if (a.anomalous !== b.anomalous) return a.anomalous ? -1 : 1;
    if ((b.probability || 0) !== (a.probability || 0)) return (b.probability || 0) - (a.probability || 0);
    return a.series < b.series ? -1 : a.series > b.series ? 1 : 0;
  }

  async function refreshScores() {
    const host = $('scores');
    const r = await api('/scores');
    if (!r.ok || !Array.isArray(r.data)) {
      if (changed('scores', 'error' + r.status)) replace(host, empty(`Scores unavailable: ${problemText(r)}.`, 'scores-error'));
      return;
    }
    if (r.data.length === 0) {
      if (changed('scores', 'none')) {
        replace(host, empty('No series scored yet — add a metric source (AddMeterSource, AddPrometheusSource) or write samples to the pipeline.', 'scores-empty'));
      }
      return;
    }
    const chosen = [...r.data].sort(byInterest).slice(0, MAX_CHARTS);
    const query = chosen.map((x) => 'series=' + encodeURIComponent(x.series)).join('&');
    const history = await api('/scores/history?' + query);
    if (!changed('scores', r.text + '\n' + history.text)) return;
    const points = new Map((history.ok && Array.isArray(history.data) ? history.data : []).map((x) => [x.series, x.points || []]));
    replace(host,
      chosen.map((x) => scorePanel(x, points.get(x.series) || [])),
      r.data.length > chosen.length
        ? h('p', { class: 'note', text: `Showing the ${chosen.length} most anomalous of ${r.data.length} series.` })
        : null);
  }

  function scorePanel(score, points) {
    const band = isNum(score.lower) && isNum(score.upper) ? `[${fmtNum(score.lower)}, ${fmtNum(score.upper)}]` : 'no band yet';
    return h('article', { class: 'score' + (score.anomalous ? ' anomalous' : ''), 'data-testid': 'score-panel', 'data-series': score.series, 'data-anomalous': String(!!score.anomalous) },
      h('header', null,
        h('h3', { class: 'series', title: score.series, 'data-testid': 'score-series', text: score.series }),
        h('span', { class: 'prob', 'data-testid': 'score-probability', title: 'current anomaly probability', text: `p = ${fmtProb(score.probability)}${score.anomalous ? ' · anomalous' : ''}` })),
      h('div', { class: 'meta', 'data-testid': 'score-meta', text: `value ${fmtNum(score.value)} · expected ${fmtNum(score.expected)} · band ${band} · ${words(score.status)} · ${fmtTime(score.timestamp)}` }),
      chart(score.series, points));
  }

  function chart(series, raw) {
    const W = 400, H = 130, L = 48, R = 8, T = 8, B = 18;
    const root = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': `Anomaly score chart of ${series}`, 'data-testid': 'score-chart' });
    const pts = raw.map((p) => ({ ...p, t: Date.parse(p.timestamp) })).filter((p) => Number.isFinite(p.t));
    if (pts.length === 0) {
      return add(root, [s('path', { class: 'band', d: '', 'data-testid': 'score-band', 'data-empty': 'true' }),
        s('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'placeholder', text: 'No history yet' })]);
    }
    let t0 = pts[0].t, t1 = pts[pts.length - 1].t;
    if (t1 === t0) { t0 -= 1000; t1 += 1000; }
    let y0 = Infinity, y1 = -Infinity;
    for (const p of pts) {
      for (const v of [p.value, p.expected, p.lower, p.upper]) {
        if (isNum(v)) { y0 = Math.min(y0, v); y1 = Math.max(y1, v); }
      }
    }
    if (!Number.isFinite(y0)) { y0 = 0; y1 = 1; }
    if (y1 === y0) { y0 -= 1; y1 += 1; }
    const pad = (y1 - y0) * 0.08;
    y0 -= pad; y1 += pad;
    const x = (t) => (L + ((t - t0) / (t1 - t0)) * (W - L - R)).toFixed(1);
    const y = (v) => (T + ((y1 - v) / (y1 - y0)) * (H - T - B)).toFixed(1);

    // Grid and axis labels.
    const mid = (y0 + y1) / 2;
    add(root, [y1, mid, y0].map((v) => [
      s('line', { class: 'grid', x1: L, x2: W - R, y1: y(v), y2: y(v) }),
      s('text', { class: 'axis', x: L - 4, y: Number(y(v)) + 3, 'text-anchor': 'end', text: fmtNum(v) })]));
    add(root, [
      s('text', { class: 'axis', x: L, y: H - 4, 'text-anchor': 'start', text: fmtClock(pts[0].t) }),
      s('text', { class: 'axis', x: W - R, y: H - 4, 'text-anchor': 'end', text: fmtClock(pts[pts.length - 1].t) })]);

    // The band: one closed sub-path per run of points that have both edges.
    let band = '';
    let run = [];
    const flush = () => {
      if (run.length === 1) run = [{ ...run[0], t: run[0].t - 1 }, { ...run[0], t: run[0].t + 1 }];
      if (run.length > 1) {
        band += 'M' + run.map((p) => `${x(p.t)},${y(p.upper)}`).join('L')
          + 'L' + [...run].reverse().map((p) => `${x(p.t)},${y(p.lower)}`).join('L') + 'Z';
      }
      run = [];
    };
    for (const p of pts) { if (isNum(p.lower) && isNum(p.upper)) run.push(p); else flush(); }
    flush();
    const line = (key) => {
      let d = '', pen = false;
      for (const p of pts) {
        if (isNum(p[key])) { d += `${pen ? 'L' : 'M'}${x(p.t)},${y(p[key])}`; pen = true; } else pen = false;
      }
      return d;
    };
    add(root, [
      s('path', { class: 'band', d: band, 'data-testid': 'score-band', 'data-empty': String(band === '') }),
      s('path', { class: 'expected-line', d: line('expected'), 'data-testid': 'score-expected-line' }),
      s('path', { class: 'value-line', d: line('value'), 'data-testid': 'score-value-line' })]);
    for (const p of pts) {
      if (p.anomalous && isNum(p.value)) {
        root.append(s('circle', { class: 'anomaly-point', cx: x(p.t), cy: y(p.value), r: 3.5, 'data-testid': 'score-anomaly-point' },
          s('title', { text: `${fmtTime(p.timestamp)}: ${fmtNum(p.value)} (p = ${fmtProb(p.probability)})` })));
      }
    }
    const last = pts[pts.length - 1];
    if (isNum(last.value) && !last.anomalous) root.append(s('circle', { class: 'last-point', cx: x(last.t), cy: y(last.value), r: 2.5 }));
    return root;
  }

  // ---- Episodes, with the selected one's timeline and root cause.
  let selected = decodeURIComponent((/^#episode=(.+)$/.exec(location.hash) || [])[1] || '') || null;

  function episodeTitle(e) {
    const names = [];
    for (const m of e.members || []) {
      const name = m.signal && m.signal.name;
      if (name && !names.includes(name)) names.push(name);
    }
    const head = names.slice(0, 3).join(', ') + (names.length > 3 ? ` +${names.length - 3}` : '');
    return head || e.id;
  }

  async function refreshEpisodes() {
    const host = $('episodes');
    const r = await api('/episodes?limit=50');
    if (!r.ok || !Array.isArray(r.data)) {
      if (changed('episodes', 'error' + r.status)) {
        replace(host, empty(r.status === 503 ? 'No episode store — call AddAiops() in this host.' : `Episodes unavailable: ${problemText(r)}.`, 'episodes-error'));
      }
      return;
    }
    if (!changed('episodes', r.text)) return;
    if (r.data.length === 0) {
      replace(host, empty('No episodes — nothing has been correlated yet. An episode opens when anomalies or alerts arrive.', 'episodes-empty'));
      return;
    }
    replace(host, h('ul', { class: 'episode-list' }, r.data.map((e) => h('li', null,
      h('button', {
        type: 'button', class: 'episode', 'data-testid': 'episode-item', 'data-episode-id': e.id, 'aria-pressed': String(e.id === selected),
        onclick: () => select(e.id),
      },
      h('span', { class: `badge ${e.state}`, 'data-testid': 'episode-state', text: e.state }),
      h('span', { class: 'title', 'data-testid': 'episode-title', text: episodeTitle(e) }),
      h('span', { class: 'sub', 'data-testid': 'episode-entities', text: `${e.id} · ${(e.entities || []).join(', ') || 'no entity'} · opened ${fmtTime(e.openedAt)} · ${e.signalCount} signal${e.signalCount === 1 ? '' : 's'}` }))))));
  }

  function select(id) {
    selected = id;
    history.replaceState(null, '', '#episode=' + encodeURIComponent(id));
    for (const b of document.querySelectorAll('[data-testid="episode-item"]')) b.setAttribute('aria-pressed', String(b.dataset.episodeId === id));
    refreshDetail().catch(report);
  }

  async function refreshDetail() {
    if (!selected) return;
    const id = selected;
    const path = '/episodes/' + encodeURIComponent(id);
    const [episode, timeline] = await Promise.all([api(path), api(path + '/timeline')]);
    if (id !== selected || !changed('detail', id + episode.text + timeline.text)) return;
    $('detail-id').textContent = id;
    if (!episode.ok || !timeline.ok) {
      const text = episode.status === 404 ? `Episode ${id} is no longer stored.` : `Episode unavailable: ${problemText(episode.ok ? timeline : episode)}.`;
      replace($('timeline'), empty(text, 'timeline-error'));
      replace($('members'));
      replace($('rootcause'));
      return;
    }
    renderTimeline(timeline.data || []);
    renderMembers(episode.data);
    renderRootCause(episode.data);
  }

  // Each member signal's state: active since its onset, or when and why it ended.
  function renderMembers(episode) {
    const members = (episode && episode.members) || [];
    if (members.length === 0) {
      replace($('members'), empty('The episode has no member signals.', 'members-empty'));
      return;
    }
    replace($('members'), h('table', { class: 'members', 'data-testid': 'members' },
      h('thead', null, h('tr', null, ['Signal', 'Service', 'State', 'Since', 'Ended', 'Why'].map((t) => h('th', { text: t })))),
      h('tbody', null, members.map((m) => {
        const state = m.isActive ? 'active' : 'ended';
        return h('tr', { 'data-testid': 'member', 'data-state': state, 'data-name': (m.signal && m.signal.name) || '' },
          h('td', { class: 'mono', text: (m.signal && m.signal.name) || '?' }),
          h('td', { text: m.entity || '—' }),
          h('td', null, h('span', { class: `badge ${state === 'active' ? 'firing' : 'resolved'}`, 'data-testid': 'member-state', text: state })),
          h('td', null, h('time', { datetime: m.signal && m.signal.onset, 'data-testid': 'member-since', text: fmtTime(m.signal && m.signal.onset) })),
          h('td', null, m.endedAt ? h('time', { datetime: m.endedAt, 'data-testid': 'member-ended', text: fmtTime(m.endedAt) }) : '—'),
          h('td', { 'data-testid': 'member-reason', text: m.endReason || '' }));
      }))));
  }

  function renderTimeline(entries) {
    if (entries.length === 0) {
      replace($('timeline'), empty('The episode has no timeline entries.', 'timeline-empty'));
      return;
    }
    replace($('timeline'), h('ol', { class: 'timeline', 'data-testid': 'timeline' }, entries.map((entry) =>
      h('li', { class: `kind-${entry.kind}`, 'data-testid': 'timeline-entry', 'data-kind': entry.kind, 'data-at': entry.at },
        h('time', { datetime: entry.at, 'data-testid': 'timeline-time', text: fmtTime(entry.at) }),
        h('span', { class: `badge ${entry.kind}`, text: entry.kind }),
        h('span', null,
          h('span', { 'data-testid': 'timeline-title', text: entry.title }),
          entry.entity ? h('span', { class: 'entity', text: ` · ${entry.entity}` }) : null)))));
  }

  function renderRootCause(episode) {
    const rca = episode && episode.rootCause;
    if (!rca) {
      replace($('rootcause'), empty('No root-cause analysis yet — it runs as signals arrive.', 'root-cause-empty'));
      return;
    }
    const hypotheses = (rca.hypotheses || []).slice(0, 5);
    replace($('rootcause'), h('div', { class: 'rca', 'data-testid': 'root-cause' },
      h('p', null, 'Category: ', h('span', { class: 'category', 'data-testid': 'rca-category', 'data-category': rca.category, text: words(rca.category) })),
      h('p', { 'data-testid': 'rca-explanation', text: rca.explanation || 'No explanation.' }),
      hypotheses.length === 0 ? empty('No hypotheses.') : h('ol', { class: 'hypotheses' }, hypotheses.map((hyp) => {
        const score = isNum(hyp.score) ? Math.max(0, Math.min(1, hyp.score)) : 0;
        return h('li', { 'data-testid': 'rca-hypothesis', 'data-entity': hyp.entity },
          h('strong', { class: 'mono', text: hyp.entity }), ' ',
          s('svg', { class: 'bar', viewBox: '0 0 80 6', 'aria-hidden': 'true' },
            s('rect', { class: 'track', x: 0, y: 0, width: 80, height: 6, rx: 3 }),
            s('rect', { class: 'fill', x: 0, y: 0, width: (80 * score).toFixed(1), height: 6, rx: 3 })),
          ` ${fmtNum(hyp.score)}`,
          (hyp.evidence || []).length === 0 ? null : h('ul', { class: 'evidence' }, hyp.evidence.map((ev) => h('li',
            { 'data-testid': 'rca-evidence', 'data-kind': ev.kind, class: isNum(ev.weight) && ev.weight < 0 ? 'against' : null },
            // The signed contribution to the score, so "why not this service" (a negative dependency weight) reads at a glance.
            h('span', { class: 'mono weight', 'data-testid': 'rca-evidence-weight', text: fmtWeight(ev.weight) }),
            ` ${words(ev.kind)}: ${ev.description}`))));
      }))));
  }

  // ---- Automation log: decisions from the audit log, each with every gate's verdict, approvals and executions.
  async function refreshAutomation() {
    const host = $('automation');
    const [audit, approvals] = await Promise.all([api('/audit?limit=500'), api('/approvals')]);
    if (!changed('automation', audit.status + audit.text + approvals.text)) return;
    const noEngine = approvals.status === 503;
    if (audit.status === 503 || (noEngine && audit.ok && Array.isArray(audit.data) && audit.data.length === 0)) {
      replace(host, empty('No decisions — gates not configured. Register a DecisionEngine (Aiops.Gates) in this host to see proposals and every gate\'s verdict here.', 'decisions-empty'));
      return;
    }
    if (!audit.ok || !Array.isArray(audit.data)) {
      replace(host, empty(`Automation log unavailable: ${problemText(audit)}.`, 'decisions-error'));
      return;
    }
    const byId = new Map();
    const entry = (id) => {
      if (!byId.has(id)) byId.set(id, { decision: null, approvals: [], executions: [] });
      return byId.get(id);
    };
    for (const e of audit.data) { // newest first
      if (e.type === 'decision' && e.decision) entry(e.decision.decisionId).decision = e.decision;
      else if (e.type === 'approval' && e.approval) entry(e.approval.decisionId).approvals.unshift(e.approval);
      else if (e.type === 'execution' && e.execution) entry(e.execution.decisionId).executions.unshift(e.execution);
    }
    const pending = new Map((approvals.ok && Array.isArray(approvals.data) ? approvals.data : [])
      .filter((p) => p && p.decision).map((p) => [p.decision.decisionId, p.expiresAt]));
    const decisions = [...byId.values()].filter((x) => x.decision);
    if (decisions.length === 0) {
      replace(host, empty('No decisions yet — nothing has been proposed for remediation.', 'decisions-empty'));
      return;
    }
    replace(host, h('div', { class: 'decisions' }, decisions.map((x) => decisionCard(x, pending))));
  }

  function decisionCard({ decision: d, approvals, executions }, pending) {
    const p = d.proposal || {};
    const evaluations = d.evaluations || [];
    const decisive = evaluations.filter((e) => e.verdict === d.verdict && d.verdict !== 'allow');
    let why = null;
    if (d.verdict === 'deny') {
      why = h('p', { class: 'why deny', 'data-testid': 'decision-denied-by' },
        decisive.length === 0 ? 'Denied.' : decisive.map((e, i) => [i ? '; ' : 'Denied by gate ', h('strong', { class: 'mono', text: e.gate }), `: ${e.reason}`]));
    } else if (d.verdict === 'requireApproval') {
      const expires = pending.get(d.decisionId);
      why = h('p', { class: 'why', 'data-testid': 'decision-approval' },
        decisive.map((e, i) => [i ? '; ' : 'Approval required by gate ', h('strong', { class: 'mono', text: e.gate }), `: ${e.reason}`]),
        expires ? ` — waiting, expires ${fmtTime(expires)}` : '');
    }
    return h('article', { class: `decision ${d.verdict}`, 'data-testid': 'decision', 'data-decision-id': d.decisionId, 'data-verdict': d.verdict },
      h('header', null,
        h('span', { class: `badge ${d.verdict}`, 'data-testid': 'decision-verdict', text: verdictText(d.verdict) }),
        h('span', { class: 'action', 'data-testid': 'decision-action', text: p.actionId }),
        h('span', { class: 'targets', 'data-testid': 'decision-targets', text: `on ${(p.targets || []).join(', ')}` }),
        h('span', { class: 'muted', text: `${p.episodeId ? 'episode ' + p.episodeId + ' · ' : ''}risk ${p.risk} · confidence ${fmtNum(p.confidence)}${d.dryRun ? ' · dry run' : ''}` }),
        h('span', { class: 'when', text: `${d.decisionId} · ${fmtTime(d.decidedAt)}` })),
      why,
      evaluations.length === 0 ? empty('No gates evaluated.') : h('table', { class: 'gates', 'data-testid': 'gates' },
        h('thead', null, h('tr', null, h('th', { text: 'Gate' }), h('th', { text: 'Verdict' }), h('th', { text: 'Reason' }), h('th', { text: 'Took' }))),
        h('tbody', null, evaluations.map((e) => h('tr', { 'data-testid': 'gate-row', 'data-gate': e.gate, 'data-verdict': e.verdict },
          h('td', { class: 'gate-name', 'data-testid': 'gate-name', text: e.gate }),
          h('td', null, h('span', { class: `badge ${e.verdict}`, 'data-testid': 'gate-verdict', text: verdictText(e.verdict) })),
          h('td', { 'data-testid': 'gate-reason', text: e.failure ? `${e.reason} (${e.failure})` : e.reason }),
          h('td', { class: 'elapsed', text: fmtElapsed(e.elapsed) }))))),
      approvals.length + executions.length === 0 ? null : h('ul', { class: 'followups' },
        approvals.map((a) => h('li', { 'data-testid': 'approval-entry' },
          h('span', { class: `badge ${a.approved ? 'approved' : 'rejected'}`, text: a.approved ? 'Approved' : 'Rejected' }),
          ` by ${a.by} at ${fmtTime(a.at)}: ${a.why}`)),
        executions.map((e) => h('li', { 'data-testid': 'execution-entry' },
          h('span', { class: `badge ${e.status}`, text: words(e.status) }),
          ` ${e.actionId} at ${fmtTime(e.finishedAt)}: ${e.detail}`))));
  }

  // ---- Refresh loop.
  let running = false;
  let timer = 0;
  function report(error) {
    const label = document.querySelector('[data-testid="last-refresh"]');
    label.dataset.ok = 'false';
    label.textContent = `Refresh failed at ${fmtClock(Date.now())}: ${error && error.message ? error.message : error}`;
  }

  async function refresh() {
    if (running) return;
    running = true;
    clearTimeout(timer);
    try {
      const results = await Promise.allSettled([refreshState(), refreshScores(), refreshEpisodes(), refreshDetail(), refreshAutomation()]);
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) {
        report(failed.reason);
        const state = document.querySelector('[data-testid="pipeline-state"]');
        if (results[0].status === 'rejected') {
          state.dataset.status = 'unreachable';
          state.querySelector('.state-text').textContent = 'Dashboard cannot reach the host';
          shown.delete('state');
        }
      } else {
        const label = document.querySelector('[data-testid="last-refresh"]');
        label.dataset.ok = 'true';
        label.textContent = `Updated ${fmtClock(Date.now())} · every ${Math.round(REFRESH_MS / 1000)} s`;
      }
      body.dataset.loaded = 'true';
    } finally {
      running = false;
      timer = setTimeout(refresh, document.hidden ? REFRESH_MS * 3 : REFRESH_MS);
    }
  }

  document.addEventListener('visibilitychange', () => { if (!document.hidden) refresh(); });
  refresh();
})();
