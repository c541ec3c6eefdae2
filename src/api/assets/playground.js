// playground.js — the page at / : one form per compute route, built from /openapi.json.
//
// Why it is built this way: the route list, each form's members, their types and the
// examples all come from the contract (api/openapi.yaml, served as JSON), so a route the
// contract gains appears here with no change to this file. What is keyed by code is only
// how a member is typed (by the JSON types its schema accepts) and how an answer is drawn
// (by its shape: `terms` → one bar per category, `features` → reference vs current
// proportions per bin, an array result → one bar per row) and, for requests whose p is
// a `{family, …}` distribution, the two densities or mass functions (densities.js).
// Everything stays on this origin: the page fetches /openapi.json and the route itself,
// and the API key lives in its input field only (never in storage or in the URL).

import {loadSpec, computeRoutes, members, memberTypes, memberTypeText, memberDescription, limits, el, fmt} from './openapi.js';
import {densityData} from './densities.js';

const $ = (id) => document.getElementById(id);
const NUM = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const DATA_KINDS = new Set(['array', 'object']);

let routes = [];
let spec = null;
let current = null;            // the selected route: {path, op, schema, examples}
const fields = new Map();      // member name → {kind, types, input, error}

// ---- reading what was typed ------------------------------------------------------------

// One word of a list ("0.5", "cat", "true") as the JSON value it reads as.
function token(t) {
  if (NUM.test(t)) return Number(t);
  if (t === 'true' || t === 'false') return t === 'true';
  if (t === 'null') return null;
  return t.replace(/^"(.*)"$/, '$1');
}

function scalar(t, ts) {
  if (ts.has('number') && NUM.test(t)) return Number(t);
  if (ts.has('boolean') && (t === 'true' || t === 'false')) return t === 'true';
  if (ts.has('string')) return t.replace(/^"(.*)"$/, '$1');
  if (ts.has('number')) throw new Error(`"${t}" is not a number`);
  return JSON.parse(t);
}

// A member's text as JSON: JSON itself, or for arrays a plain list of words separated by
// spaces, commas, semicolons or lines (what a column pasted from a spreadsheet looks like).
function parseField(f, text) {
  const t = text.trim();
  if (f.kind === 'boolean') return t === 'true';
  if (f.kind === 'scalar') return scalar(t, f.types);
  if (/^[[{"]/.test(t)) return JSON.parse(t);
  const words = t.split(/[\s,;]+/).filter(Boolean);
  if (words.length === 1 && [...f.types].some((x) => !DATA_KINDS.has(x))) return scalar(words[0], f.types);
  if (f.types.has('array')) return words.map(token);
  return JSON.parse(t);
}

// The request body from the form; with show, a member that does not parse is marked.
function readBody(show) {
  const body = {};
  let ok = true;
  for (const [name, f] of fields) {
    if (!f.input.value.trim()) continue;
    try {
      body[name] = parseField(f, f.input.value);
    } catch (e) {
      ok = false;
      if (show) fieldError(name, `${name}: ${e.message}`);
    }
  }
  return {body, ok};
}

// ---- the form --------------------------------------------------------------------------

function kindOf(ts) {
  if (ts.size === 1 && ts.has('boolean')) return 'boolean';
  return [...ts].some((t) => DATA_KINDS.has(t)) ? 'structured' : 'scalar';
}

function buildFields() {
  const box = $('members');
  box.replaceChildren(el('legend', {}, `Request members of POST ${current.path}`));
  fields.clear();
  const data = el('div', {class: 'data'});
  const opts = el('div', {class: 'row options'});
  let i = 0;
  for (const [name, m] of members(spec, current.schema)) {
    const id = `m${i++}`;
    const ts = memberTypes(spec, m);
    const kind = kindOf(ts);
    const hint = [memberTypeText(spec, m), ...limits(spec, m.schema).filter((l) => l.startsWith('default'))].join('; ');
    const described = `${id}-hint ${id}-error`;
    let input;
    if (kind === 'boolean') {
      input = el('select', {id, name, 'aria-describedby': described},
        el('option', {value: ''}, '(not sent)'), el('option', {value: 'true'}, 'true'),
        el('option', {value: 'false'}, 'false'));
    } else if (kind === 'scalar') {
      input = el('input', {id, name, type: 'text', spellcheck: 'false', 'aria-describedby': described});
    } else {
      input = el('textarea', {id, name, rows: 1, spellcheck: 'false', 'aria-describedby': described});
    }
    const error = el('p', {id: `${id}-error`, class: 'error', hidden: true});
    // The first sentence of the description; none when the forms differ (the type says).
    const title = m.schemas.length > 1 ? '' : memberDescription(spec, m).split(/(?<=\.)\s/)[0];
    const wrap = el('div', {class: 'field', 'data-member': name},
      el('label', {for: id}, name), input,
      el('p', {id: `${id}-hint`, class: 'hint'}, hint, title ? ` — ${title.replace(/`/g, '')}` : ''), error);
    (kind === 'structured' ? data : opts).append(wrap);
    fields.set(name, {kind, types: ts, input, error});
  }
  box.append(data, opts);
}

function fillExample(name) {
  $('example').value = name;
  const value = name && current.examples[name] ? current.examples[name].value : {};
  for (const [member, f] of fields) {
    const v = value[member];
    if (v === undefined) f.input.value = '';
    else if (f.kind === 'boolean') f.input.value = String(v);
    else if (f.kind === 'scalar' && typeof v === 'string') f.input.value = v;
    else f.input.value = fmt(v);
  }
  clearErrors();
  updateCurl();
  const q = new URLSearchParams({route: current.path});
  if (name) q.set('example', name);
  history.replaceState(null, '', `?${q}`);
}

function selectRoute(path, example) {
  current = routes.find((r) => r.path === path) || routes[0];
  $('route').value = current.path;
  $('route-summary').textContent = current.op.summary || '';
  const names = Object.keys(current.examples);
  $('example').replaceChildren(el('option', {value: ''}, '(empty form)'),
    ...names.map((n) => el('option', {value: n}, `${n}: ${current.examples[n].summary || ''}`)));
  buildFields();
  fillExample(names.includes(example) ? example : (example === '' ? '' : names[0] || ''));
}

// ---- problems --------------------------------------------------------------------------

function clearErrors() {
  for (const e of document.querySelectorAll('.error')) {
    e.hidden = true;
    e.textContent = '';
  }
  for (const e of document.querySelectorAll('[aria-invalid]')) e.removeAttribute('aria-invalid');
}

function showError(errorEl, input, text) {
  errorEl.textContent = text;
  errorEl.hidden = false;
  if (input) input.setAttribute('aria-invalid', 'true');
}

function fieldError(name, text) {
  const f = fields.get(name);
  showError(f.error, f.input, text);
}

// The member a JSON Pointer starts with ("/q/2" → "q").
function pointerMember(pointer) {
  if (typeof pointer !== 'string' || !pointer.startsWith('/')) return null;
  return pointer.slice(1).split('/')[0].replace(/~1/g, '/').replace(/~0/g, '~');
}

function showProblem(p, status) {
  const detail = p && p.detail ? p.detail : `the server answered ${status}`;
  $('status').textContent = `${status} ${p && p.title ? p.title : ''}: ${detail}`;
  const member = pointerMember(p && p.pointer);
  const where = p && p.code ? ` (${p.code}${p.pointer ? ` at ${p.pointer}` : ''})` : '';
  let input;
  if (status === 401) {
    input = $('api-key');
    showError($('api-key-error'), input, detail);
  } else if (member && fields.has(member)) {
    input = fields.get(member).input;
    fieldError(member, detail + where);
  } else {
    showError($('form-error'), null, detail + where);
  }
  if (input) input.focus();
}

// ---- the answer ------------------------------------------------------------------------

const num = (v) => (v === 'Infinity' ? Infinity : typeof v === 'number' ? v : NaN);

function showSummary(data) {
  const dl = $('summary');
  dl.replaceChildren();
  for (const [k, v] of Object.entries(data)) {
    const short = Array.isArray(v) && v.length <= 12 && v.every((x) => typeof x !== 'object');
    if (v === null || (typeof v === 'object' && !short)) continue;
    dl.append(el('dt', {}, k), el('dd', {'data-member': k}, short ? v.join(', ') : String(v)));
  }
}

let chartId = 0;
// An SVG bar chart: one group of bars per label, one bar per series, heights proportional
// to the values about a zero line (KL terms may be negative); +∞ reaches the top.
function barChart(caption, labels, series, note = '') {
  const W = 640, H = 250, L = 64, R = 12, T = 22, B = labels.length > 10 ? 70 : 34;
  const plotH = H - T - B, plotW = W - L - R;
  const finite = series.flatMap((s) => s.values.map(num)).filter(Number.isFinite);
  const hi = Math.max(0, ...finite), lo = Math.min(0, ...finite);
  const k = plotH / (hi - lo || 1);
  const y0 = T + hi * k;
  const slot = plotW / Math.max(1, labels.length), bw = (slot * 0.8) / series.length;
  const id = `chart${chartId++}`;
  const svg = el('svg', {viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-labelledby': `${id}-t`},
    el('title', {id: `${id}-t`}, caption));
  svg.append(el('text', {x: L - 6, y: T + 4, class: 'tick', 'text-anchor': 'end'}, hi.toPrecision(3)),
    el('text', {x: L - 6, y: T + plotH, class: 'tick', 'text-anchor': 'end'}, lo.toPrecision(3)),
    el('line', {x1: L, x2: W - R, y1: y0, y2: y0, class: 'axis'}));
  labels.forEach((label, i) => {
    series.forEach((s, j) => {
      const v = num(s.values[i]);
      if (Number.isNaN(v)) return;
      const inf = !Number.isFinite(v);
      const h = inf ? y0 - T : Math.abs(v) * k;
      svg.append(el('rect', {x: L + i * slot + slot * 0.1 + j * bw, y: v >= 0 ? y0 - h : y0, width: bw, height: h,
        class: `bar s${j}${inf ? ' inf' : ''}`, 'data-label': label, 'data-value': String(s.values[i]),
        'data-series': s.name}, el('title', {}, `${s.name ? `${s.name} ` : ''}${label}: ${s.values[i]}`)));
    });
    if (labels.length <= 40) {
      const x = L + (i + 0.5) * slot, y = H - B + 14;
      const text = String(label).length > 14 ? `${String(label).slice(0, 13)}…` : String(label);
      svg.append(el('text', {x, y, class: 'label', 'text-anchor': labels.length > 10 ? 'end' : 'middle',
        transform: labels.length > 10 ? `rotate(-40 ${x} ${y})` : null}, text));
    }
  });
  series.forEach((s, j) => {
    if (series.length > 1) {
      svg.append(el('rect', {x: W - R - 150 + j * 78, y: 4, width: 10, height: 10, class: `key s${j}`}),
        el('text', {x: W - R - 136 + j * 78, y: 13, class: 'tick'}, s.name));
    }
  });
  return el('div', {class: 'chart-wrap'}, el('p', {class: 'chart-title'}, caption), svg,
    note ? el('p', {class: 'hint'}, note) : null);
}

// An SVG line chart of densities sampled at xs. A density that is unbounded at an edge
// of its support (gamma or beta with a shape below 1) would flatten everything else, so
// the y range stops at 1.25 × the 98th percentile when the maximum is far above it.
function lineChart(caption, xs, series) {
  const W = 640, H = 250, L = 64, R = 12, T = 22, B = 34;
  const plotH = H - T - B, plotW = W - L - R;
  const ys = series.flatMap((s) => s.values).filter((v) => Number.isFinite(v) && v > 0).sort((a, b) => a - b);
  const top = ys.length ? ys[ys.length - 1] : 1;
  const p98 = ys.length ? ys[Math.floor(0.98 * (ys.length - 1))] : 1;
  const cap = top > 3 * p98 ? 1.25 * p98 : top;
  const x0 = xs[0], x1 = xs[xs.length - 1];
  const px = (x) => L + ((x - x0) / (x1 - x0 || 1)) * plotW;
  const py = (v) => T + plotH - (Math.min(Number.isFinite(v) ? v : cap, cap) / cap) * plotH;
  const id = `chart${chartId++}`;
  const svg = el('svg', {viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-labelledby': `${id}-t`},
    el('title', {id: `${id}-t`}, caption),
    el('text', {x: L - 6, y: T + 4, class: 'tick', 'text-anchor': 'end'}, cap.toPrecision(3)),
    el('text', {x: L - 6, y: T + plotH, class: 'tick', 'text-anchor': 'end'}, '0'),
    el('text', {x: L, y: H - B + 14, class: 'tick', 'text-anchor': 'middle'}, x0.toPrecision(3)),
    el('text', {x: W - R, y: H - B + 14, class: 'tick', 'text-anchor': 'end'}, x1.toPrecision(3)),
    el('line', {x1: L, x2: W - R, y1: T + plotH, y2: T + plotH, class: 'axis'}));
  series.forEach((s, j) => {
    const d = xs.map((x, i) => `${i ? 'L' : 'M'}${px(x).toFixed(2)} ${py(s.values[i]).toFixed(2)}`).join(' ');
    svg.append(el('path', {d, class: `curve s${j}`, 'data-series': s.name}, el('title', {}, `density of ${s.name}`)));
    svg.append(el('rect', {x: W - R - 150 + j * 78, y: 4, width: 10, height: 10, class: `key s${j}`}),
      el('text', {x: W - R - 136 + j * 78, y: 13, class: 'tick'}, s.name));
  });
  return el('div', {class: 'chart-wrap'}, el('p', {class: 'chart-title'}, caption), svg);
}

// Bin labels from frozen interior edges: (−∞, e1), [e1, e2), …, [e_last, +∞).
function edgeLabels(edges, n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    if (i === 0) out.push(`< ${edges[0]}`);
    else if (i < edges.length) out.push(`[${edges[i - 1]}, ${edges[i]})`);
    else if (i === edges.length) out.push(`≥ ${edges[edges.length - 1]}`);
    else out.push(i === n - 1 ? 'missing' : `bin ${i}`);
  }
  return out;
}

function charts(data, body) {
  const out = [];
  if (body.p && typeof body.p === 'object' && typeof body.p.family === 'string') {
    const dd = densityData(body.p, body.q);
    const what = body.q ? 'p and q' : 'p';
    if (dd && dd.kind === 'discrete') out.push(barChart(`Mass functions of ${what}`, dd.labels, dd.series));
    if (dd && dd.kind === 'continuous') out.push(lineChart(`Densities of ${what}`, dd.xs, dd.series));
  }
  if (data.features && typeof data.features === 'object') {
    for (const [name, f] of Object.entries(data.features)) {
      if (!Array.isArray(f.reference_counts) || !Array.isArray(f.current_counts)) continue;
      const n = f.reference_counts.length;
      const prop = (c) => { const t = c.reduce((a, b) => a + b, 0) || 1; return c.map((x) => x / t); };
      const labels = Array.isArray(f.categories)
        ? Array.from({length: n}, (_, i) => (i < f.categories.length ? f.categories[i] : (i === n - 1 && n - f.categories.length === 2 ? 'missing' : 'unseen')))
        : Array.isArray(f.edges) && f.edges.length ? edgeLabels(f.edges, n) : Array.from({length: n}, (_, i) => `bin ${i}`);
      // The feature's own figures (kind, each measure, drift) under its chart.
      const note = Object.entries(f).filter(([, v]) => v !== null && typeof v !== 'object').map(([k, v]) => `${k} ${v}`).join(' · ');
      out.push(barChart(`${name}: reference vs current proportion per bin`, labels.map(String),
        [{name: 'reference', values: prop(f.reference_counts)}, {name: 'current', values: prop(f.current_counts)}], note));
    }
    return out;
  }
  const labelsFor = (n) => (Array.isArray(data.support) && data.support.length === n ? data.support
    : Array.from({length: n}, (_, i) => String(i)));
  const termCharts = (terms, what) => {
    if (Array.isArray(terms)) return [barChart(`Per-category terms of ${what}`, labelsFor(terms.length).map(String), [{name: '', values: terms}])];
    const entries = Object.entries(terms);
    if (entries.length && entries.every(([, v]) => Array.isArray(v))) return entries.flatMap(([m, v]) => termCharts(v, m));
    // Labels in `support` order: JSON.parse puts integer-like keys ("2", "10") first,
    // so the object's own order is not the answer's.
    const order = Array.isArray(data.support) && data.support.length === entries.length &&
      data.support.every((l) => String(l) in terms) ? data.support.map(String) : entries.map(([l]) => l);
    return [barChart(`Per-category terms of ${what}`, order, [{name: '', values: order.map((l) => terms[l])}])];
  };
  if (data.terms && typeof data.terms === 'object') {
    const main = Object.keys(data).find((k) => typeof data[k] === 'number' || data[k] === 'Infinity') || 'the result';
    return termCharts(data.terms, main);
  }
  for (const [k, v] of Object.entries(data)) {
    if (Array.isArray(v) && v.length > 1 && v.every((x) => typeof x === 'number' || x === 'Infinity')) {
      return [barChart(`${k} per row`, v.map((_, i) => `row ${i}`), [{name: '', values: v}])];
    }
  }
  return out;
}

function showResult(data, body) {
  $('status').textContent = 'Done: 200 OK.';
  showSummary(data);
  const list = charts(data, body);
  $('chart-body').replaceChildren(...list);
  $('chart-caption').textContent = list.length ? 'Chart of the answer (hover over a bar or a curve for its value)' : '';
  $('chart').hidden = list.length === 0;
}

async function compute() {
  clearErrors();
  const {ok} = readBody(true);
  if (!ok) {
    $('status').textContent = 'Some members are not valid JSON or lists; see the marked fields.';
    const bad = [...fields.values()].find((f) => !f.error.hidden);
    if (bad) bad.input.focus();
    return;
  }
  const text = updateCurl();
  const headers = {'Content-Type': 'application/json', Accept: 'application/json'};
  const key = $('api-key').value;
  if (key) headers.Authorization = `Bearer ${key}`;
  $('status').textContent = `POST ${current.path} …`;
  $('submit').disabled = true;
  try {
    const r = await fetch(current.path, {method: 'POST', headers, body: text});
    const raw = await r.text();
    let data = null;
    try { data = JSON.parse(raw); } catch { data = null; }
    $('response').textContent = data ? JSON.stringify(data, null, 2) : raw;
    $('summary').replaceChildren();
    $('chart').hidden = true;
    if (r.ok && data) showResult(data, JSON.parse(text));
    else showProblem(data, r.status);
  } catch (e) {
    $('status').textContent = `The request failed: ${e.message}`;
  } finally {
    $('submit').disabled = false;
  }
}

// ---- the request as curl -----------------------------------------------------------------

const shq = (s) => `'${s.replace(/'/g, "'\\''")}'`;

function updateCurl() {
  const {body} = readBody(false);
  const text = JSON.stringify(body);
  const url = new URL(current.path, location.origin).href;
  let cmd = `curl -sS -X POST ${shq(url)} -H 'Content-Type: application/json'`;
  // The key itself never goes into the command (it may end up in a shell history or a
  // screenshot): the command reads it from the environment.
  if ($('api-key').value) cmd += ' -H "Authorization: Bearer $DIVERGENCED_API_KEY"';
  cmd += ` --data-binary ${shq(text)}`;
  $('curl').textContent = cmd;
  $('curl').dataset.body = text;
  return text;
}

// ---- CSV -------------------------------------------------------------------------------

// One or two columns (comma, semicolon or tab separated); a first row that names members
// sends the columns there, else they fill the first data members in use (then the rest).
async function loadCsv(file) {
  clearErrors();
  const rows = (await file.text()).split(/\r?\n/).filter((l) => l.trim())
    .map((l) => l.split(/[,;\t]/).map((c) => c.trim().replace(/^"(.*)"$/, '$1')));
  const width = Math.max(0, ...rows.map((r) => r.length));
  if (!rows.length || width > 2) {
    showError($('form-error'), $('csv'), `${file.name}: a CSV of one or two columns is expected, not ${width}`);
    return;
  }
  const data = [...fields].filter(([, f]) => f.kind === 'structured').map(([n]) => n);
  let targets;
  if (rows[0].every((h) => fields.has(h))) {
    targets = rows.shift();
    for (const n of data) if (!targets.includes(n)) fields.get(n).input.value = '';
  } else {
    const used = data.filter((n) => fields.get(n).input.value.trim());
    targets = used.concat(data.filter((n) => !used.includes(n))).slice(0, width);
  }
  targets.forEach((name, c) => {
    const col = rows.map((r) => r[c]).filter((x) => x !== undefined && x !== '').map(token);
    fields.get(name).input.value = fmt(col);
  });
  updateCurl();
  $('status').textContent = `Loaded ${rows.length} rows of ${file.name} into ${targets.join(', ')}.`;
}

// ---- start -----------------------------------------------------------------------------

async function start() {
  try {
    spec = await loadSpec();
  } catch (e) {
    $('status').textContent = `Could not read the API description: ${e.message}`;
    return;
  }
  routes = computeRoutes(spec);
  $('route').replaceChildren(...routes.map((r) => el('option', {value: r.path}, `${r.path} — ${r.op.summary || ''}`)));
  const q = new URLSearchParams(location.search);
  const want = q.get('route');
  const fallback = routes.some((r) => r.path === '/kl') ? '/kl' : routes[0].path;
  selectRoute(routes.some((r) => r.path === want) ? want : fallback, q.get('example'));

  $('route').addEventListener('change', () => selectRoute($('route').value, null));
  $('example').addEventListener('change', () => fillExample($('example').value));
  $('form').addEventListener('submit', (e) => { e.preventDefault(); compute(); });
  $('form').addEventListener('input', (e) => { if (e.target.id !== 'csv') updateCurl(); });
  $('form').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); $('form').requestSubmit(); }
  });
  $('csv').addEventListener('change', () => { const f = $('csv').files[0]; if (f) loadCsv(f); });
  $('copy').addEventListener('click', () => {
    const text = $('curl').textContent;
    navigator.clipboard.writeText(text).then(() => { $('copied').textContent = 'Copied.'; }, () => {
      getSelection().selectAllChildren($('curl'));
      $('copied').textContent = 'Selected: press Ctrl+C to copy.';
    });
  });
  document.body.dataset.ready = 'true';
}

start();
