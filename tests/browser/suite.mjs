// suite.mjs BIN ARTIFACTS — the playground (/) and the docs page (/docs) in real
// browsers: Debian's Chromium, headless, driven by playwright-core, then Debian's
// Firefox ESR (when installed) over WebDriver BiDi (both clients pinned in
// package-lock.json). Run by tests/browser/run.sh, which also validates the HTML and
// lints the scripts.
//
// Each scenario starts from a fresh page on a daemon started here on 127.0.0.1 with
// --port 0 (the port is read from its "listening" log line). What the page shows is
// compared with what the API answers to the same body sent from Node, so the page is
// checked against the daemon, not against numbers written into this file. Every
// request any page makes is recorded: one that leaves the daemon's origin fails the
// suite, as does any console error, page error or CSP violation.
// Prints "ok - name" / "FAIL - name: why" per scenario, then "suite: N passed, M failed";
// screenshots, daemon logs and the network log (network.log) go to ARTIFACTS.

import {spawn, execFileSync} from 'node:child_process';
import {mkdirSync, writeFileSync, createWriteStream, readFileSync, existsSync} from 'node:fs';
import {isDeepStrictEqual} from 'node:util';
import {join} from 'node:path';
import {chromium} from 'playwright-core';

const [BIN, ART] = process.argv.slice(2);
if (!BIN || !ART) {
  console.error('usage: suite.mjs BIN ARTIFACTS');
  process.exit(2);
}
mkdirSync(ART, {recursive: true});

// ---- daemons -------------------------------------------------------------------------------

const daemons = [];
function startDaemon(name, args = []) {
  return new Promise((resolve, reject) => {
    const proc = spawn(BIN, ['--bind', '127.0.0.1', '--port', '0', '--log-format', 'json', ...args],
      {stdio: ['ignore', 'pipe', 'pipe']});
    const log = createWriteStream(join(ART, `daemon-${name}.log`));
    proc.stderr.pipe(log);
    let buf = '';
    let done = false;
    const timer = setTimeout(() => { if (!done) reject(new Error(`${name}: no "listening" line in 10 s`)); }, 10000);
    // Keep reading stdout for the daemon's whole life: a full pipe would block its log.
    proc.stdout.on('data', (d) => {
      log.write(d);
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let j;
        try { j = JSON.parse(line); } catch { continue; }
        if (!done && j.msg === 'listening' && j.port) {
          done = true;
          clearTimeout(timer);
          const d0 = {name, proc, base: `http://127.0.0.1:${j.port}`};
          daemons.push(d0);
          resolve(d0);
        }
      }
    });
    proc.on('exit', (code) => { if (!done) { clearTimeout(timer); reject(new Error(`${name} exited ${code}`)); } });
  });
}
async function stopDaemons() {
  await Promise.all(daemons.map((d) => new Promise((res) => {
    if (d.proc.exitCode !== null) return res();
    d.proc.on('exit', res);
    d.proc.kill('SIGTERM');
    setTimeout(() => d.proc.kill('SIGKILL'), 5000).unref();
  })));
}

async function api(base, path, body, headers = {}) {
  const r = await fetch(base + path, {method: 'POST', body: JSON.stringify(body),
    headers: Object.assign({'Content-Type': 'application/json'}, headers)});
  const text = await r.text();
  return {status: r.status, text, json: JSON.parse(text)};
}

// ---- the browser -------------------------------------------------------------------------

const offOrigin = [];
const networkLog = [];  // every request any page made: "engine METHOD url", saved as an artifact
const pageErrors = [];
let browser;
let spec;

async function newPage(d, viewport = {width: 1280, height: 900}, options = {}) {
  const context = await browser.newContext({viewport, ...options});
  const origin = new URL(d.base).origin;
  context.on('request', (req) => {
    networkLog.push(`${engine} ${req.method()} ${req.url()}`);
    const u = new URL(req.url());
    if (u.origin !== origin) offOrigin.push(req.url());
  });
  const page = await context.newPage();
  // Chromium logs every 4xx answer as a console error; the 401 and 422 that scenarios
  // provoke on purpose are not page errors.
  const expected = /^Failed to load resource: the server responded with a status of (401|422)\b/;
  page.on('console', (m) => {
    if (m.type() === 'error' && !expected.test(m.text())) pageErrors.push(`console: ${m.text()} (${page.url()})`);
  });
  page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message} (${page.url()})`));
  // A CSP violation is reported to the page as an event; surface it as a console error.
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation',
      (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  page.close0 = () => context.close();
  return page;
}

async function openPlay(d, query = '', viewport) {
  const page = await newPage(d, viewport);
  await page.goto(`${d.base}/${query}`);
  await page.waitForSelector('body[data-ready]', {timeout: 10000});
  return page;
}

const field = (page, name) => page.locator(`[data-member="${name}"] :is(textarea, input, select)`);
async function setFields(page, values) {
  for (const [k, v] of Object.entries(values)) {
    const f = field(page, k);
    if ((await f.evaluate((e) => e.tagName)) === 'SELECT') await f.selectOption(v);
    else await f.fill(v);
  }
}
// Loading a CSV is asynchronous (File.text()); its status line says when it is done.
async function loadCsv(page, name, text) {
  await page.setInputFiles('#csv', {name, mimeType: 'text/csv', buffer: Buffer.from(text)});
  await page.waitForFunction((n) => document.getElementById('status').textContent.includes(` of ${n} `), name);
}
async function submitAndWait(page) {
  await page.click('#submit');
  await page.waitForFunction(() => /^(Done|\d{3} )/.test(document.getElementById('status').textContent));
}
const shown = async (page, member) => page.locator(`#summary dd[data-member="${member}"]`).textContent();
const pageBody = async (page) => JSON.parse(await page.locator('#curl').getAttribute('data-body'));
const pageResponse = async (page) => JSON.parse(await page.locator('#response').textContent());
// Playwright's screenshot injects a <style> (to hide the caret), which Firefox rightly
// reports as a CSP violation; the Firefox pass therefore takes none.
const shot = (page, name) => (engine === 'chromium' ? page.screenshot({path: join(ART, `${name}.png`), fullPage: true}) : null);

function same(a, b, what) {
  if (!isDeepStrictEqual(a, b)) throw new Error(`${what}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`);
}
function check(cond, what) {
  if (!cond) throw new Error(what);
}

// ---- scenarios ---------------------------------------------------------------------------

const scenarios = [];
// opts.chromium: run in the Chromium pass only (what needs CDP-only features).
const scenario = (name, fn, opts = {}) => scenarios.push({name, fn, ...opts});
let engine = 'chromium';
let D; // the default daemon

scenario('assets: types, CSP, ETag/304, HEAD', async () => {
  const want = {'/': 'text/html', '/docs': 'text/html', '/openapi.json': 'application/json',
    '/assets/style.css': 'text/css', '/assets/openapi.js': 'text/javascript',
    '/assets/playground.js': 'text/javascript', '/assets/docs.js': 'text/javascript',
    '/assets/icon.svg': 'image/svg+xml'};
  for (const [path, type] of Object.entries(want)) {
    const r = await fetch(D.base + path);
    const body = await r.arrayBuffer();
    check(r.status === 200, `${path}: status ${r.status}`);
    check(r.headers.get('content-type').startsWith(type), `${path}: type ${r.headers.get('content-type')}`);
    const csp = r.headers.get('content-security-policy') || '';
    check(/default-src 'self'/.test(csp) && !/unsafe-|\*|https?:/.test(csp), `${path}: CSP ${csp}`);
    const etag = r.headers.get('etag') || '';
    check(/^"[^"]+"$/.test(etag), `${path}: not a strong ETag: ${etag}`);
    check(/no-cache/.test(r.headers.get('cache-control') || ''), `${path}: Cache-Control`);
    const again = await fetch(D.base + path, {headers: {'If-None-Match': etag}});
    check(again.status === 304 && (await again.arrayBuffer()).byteLength === 0, `${path}: If-None-Match → ${again.status}`);
    const stale = await fetch(D.base + path, {headers: {'If-None-Match': '"0-0"'}});
    check(stale.status === 200, `${path}: a stale ETag → ${stale.status}`);
    const head = await fetch(D.base + path, {method: 'HEAD'});
    check(head.status === 200 && head.headers.get('etag') === etag &&
      Number(head.headers.get('content-length')) === body.byteLength, `${path}: HEAD`);
  }
  // /openapi.json is the YAML's document: the same paths, in the same order.
  const yaml = await (await fetch(`${D.base}/openapi.yaml`)).text();
  const yamlPaths = [...yaml.matchAll(/^ {2}(\/[^:\s]*):\s*$/gm)].map((m) => m[1]);
  same(Object.keys(spec.paths), yamlPaths, 'paths of /openapi.json vs /openapi.yaml');
});

scenario('a form for every compute route of the contract', async () => {
  const page = await openPlay(D);
  const options = await page.locator('#route option').evaluateAll((os) => os.map((o) => o.value));
  const post = Object.entries(spec.paths).filter(([, i]) => i.post).map(([p]) => p);
  same(options, post, 'routes offered');
  // A reload revalidates with the ETags (Cache-Control: no-cache) and gets 304s.
  const statuses = [];
  page.on('response', (r) => statuses.push([new URL(r.url()).pathname, r.status()]));
  await page.reload();
  await page.waitForSelector('body[data-ready]');
  const revalidated = statuses.filter(([p, st]) => p.startsWith('/assets/') && st === 304).map(([p]) => p);
  check(revalidated.includes('/assets/playground.js'), `no 304 on reload: ${JSON.stringify(statuses)}`);
  for (const path of post) {
    await page.selectOption('#route', path);
    const members = await page.locator('#members [data-member]').count();
    check(members > 0, `${path}: no members`);
  }
  await page.close0();
});

scenario('KL from arrays equals the API', async () => {
  const page = await openPlay(D, '?route=/kl&example=');
  await setFields(page, {p: '0.1, 0.2, 0.7', q: '0.3 0.3 0.4', base: '2'});
  await submitAndWait(page);
  const body = {p: [0.1, 0.2, 0.7], q: [0.3, 0.3, 0.4], base: 2};
  same(await pageBody(page), body, 'request body');
  const a = await api(D.base, '/kl', body);
  check(a.status === 200, `API ${a.status}`);
  same(Number(await shown(page, 'kl')), a.json.kl, 'kl shown vs API');
  same(await pageResponse(page), a.json, 'response shown vs API');
  await shot(page, 'kl-arrays');
  await page.close0();
});

scenario('labelled input, with a bar per label', async () => {
  const page = await openPlay(D, '?route=/kl&example=');
  await setFields(page, {p: '{"cat": 0.5, "dog": 0.5}', q: '{"cat": 0.25, "dog": 0.25, "fox": 0.5}', base: '2', terms: 'true'});
  await submitAndWait(page);
  const a = await api(D.base, '/kl', await pageBody(page));
  same(Number(await shown(page, 'kl')), a.json.kl, 'kl shown vs API');
  const labels = await page.locator('#chart rect.bar').evaluateAll((rs) => rs.map((r) => r.dataset.label));
  same(labels, Object.keys(a.json.terms), 'bar labels');
  await shot(page, 'kl-labelled');
  // Integer-like labels keep the answer's order (support), not JavaScript's key order.
  await setFields(page, {p: '{"b": 0.5, "10": 0.25, "2": 0.25}', q: '{"b": 0.25, "10": 0.25, "2": 0.5}'});
  await submitAndWait(page);
  const b = await api(D.base, '/kl', await pageBody(page));
  const order = await page.locator('#chart rect.bar').evaluateAll((rs) => rs.map((r) => [r.dataset.label, Number(r.dataset.value)]));
  same(order, b.json.support.map((l) => [l, b.json.terms[l]]), 'bars in support order');
  await page.close0();
});

scenario('samples', async () => {
  const page = await openPlay(D, '?route=/entropy&example=');
  await setFields(page, {samples: 'a b a c', terms: 'true'});
  await submitAndWait(page);
  same(await pageBody(page), {samples: ['a', 'b', 'a', 'c'], terms: true}, 'request body');
  const a = await api(D.base, '/entropy', {samples: ['a', 'b', 'a', 'c'], terms: true});
  same(Number(await shown(page, 'entropy')), a.json.entropy, 'entropy shown vs API');
  const labels = await page.locator('#chart rect.bar').evaluateAll((rs) => rs.map((r) => r.dataset.label));
  same(labels, a.json.support, 'bars in support order');
  await page.close0();
});

scenario('chart: one bar per category, heights proportional to the terms', async () => {
  const page = await openPlay(D, '?route=/kl&example=');
  await setFields(page, {p: '0.1 0.2 0.3 0.4', q: '0.4 0.3 0.2 0.1', terms: 'true'});
  await submitAndWait(page);
  const a = await api(D.base, '/kl', await pageBody(page));
  const terms = a.json.terms;
  const bars = await page.locator('#chart rect.bar').evaluateAll((rs) => rs.map((r) => ({
    h: Number(r.getAttribute('height')), y: Number(r.getAttribute('y')), v: Number(r.dataset.value)})));
  const axis = Number(await page.locator('#chart line.axis').getAttribute('y1'));
  same(bars.length, terms.length, 'bar count');
  same(bars.map((b) => b.v), terms, 'bar values');
  const k = bars[3].h / Math.abs(terms[3]);
  bars.forEach((b, i) => {
    check(Math.abs(b.h - k * Math.abs(terms[i])) <= 1e-9 * k, `bar ${i}: height ${b.h}, want ${k * Math.abs(terms[i])}`);
    check(terms[i] >= 0 ? Math.abs(b.y + b.h - axis) < 1e-9 : Math.abs(b.y - axis) < 1e-9, `bar ${i} not on the axis`);
  });
  await page.close0();
});

scenario('an array result (batch rows) is one bar per row', async () => {
  const page = await openPlay(D, '?route=/batch/categorical-kl&example=');
  await setFields(page, {p: '[[0.5, 0.5], [0.9, 0.1], [0.2, 0.8]]', q: '[[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]]'});
  await submitAndWait(page);
  const a = await api(D.base, '/batch/categorical-kl', await pageBody(page));
  const values = await page.locator('#chart rect.bar').evaluateAll((rs) => rs.map((r) => Number(r.dataset.value)));
  same(values, a.json.kl, 'one bar per row');
  await page.close0();
});

scenario('drift: reference vs current proportions per bin', async () => {
  if (!spec.paths['/drift']) return 'skip: the contract has no /drift yet';
  const page = await openPlay(D, '?route=/drift');
  await submitAndWait(page);
  const a = await api(D.base, '/drift', await pageBody(page));
  const [name, f] = Object.entries(a.json.features)[0];
  const prop = (c) => c.map((x) => x / c.reduce((s, y) => s + y, 0));
  const get = (s) => page.locator(`#chart rect.bar[data-series="${s}"]`).evaluateAll((rs) => rs.map((r) => Number(r.dataset.value)));
  const charts = await page.locator('#chart .chart-title').allTextContents();
  check(charts[0].startsWith(name), `first chart is ${charts[0]}, not ${name}`);
  same((await get('reference')).slice(0, f.reference_counts.length), prop(f.reference_counts), 'reference proportions');
  same((await get('current')).slice(0, f.current_counts.length), prop(f.current_counts), 'current proportions');
  await page.close0();
});

// Reference values from scipy.stats 1.10 (continuous_bernoulli from its formula in
// mpmath): `<family>.pdf/pmf(x, …)` with PyTorch's parameters mapped to scipy's.
const DENSITY_CASES = [
  [{family: 'normal', loc: 0.5, scale: 2}, 1.3, 0.18413507015166167],
  [{family: 'laplace', loc: -1, scale: 0.5}, 0.2, 0.09071795328941253],
  [{family: 'cauchy', loc: 1, scale: 3}, -2, 0.05305164769729845],
  [{family: 'gumbel', loc: 1, scale: 2}, 2.5, 0.14726615762017733],
  [{family: 'half_normal', scale: 1.5}, 0.7, 0.47704457222395863],
  [{family: 'log_normal', loc: 0.3, scale: 0.8}, 1.7, 0.2814001942405941],
  [{family: 'exponential', rate: 2.5}, 0.4, 0.919698602928606],
  [{family: 'gamma', concentration: 2.5, rate: 1.5}, 1.1, 0.4592985564932697],
  [{family: 'chi2', df: 3}, 2.2, 0.1969688168209144],
  [{family: 'weibull', scale: 2, concentration: 1.5}, 1.2, 0.3650018394294273],
  [{family: 'pareto', scale: 1, alpha: 2.5}, 1.8, 0.31951131365737734],
  [{family: 'uniform', low: -1, high: 3}, 0.5, 0.25],
  [{family: 'beta', concentration1: 2, concentration0: 3.5}, 0.3, 1.937077126433018],
  [{family: 'continuous_bernoulli', probs: 0.2}, 0.6, 0.8045595579781075],
  [{family: 'bernoulli', logits: 0.5}, 1, 0.6224593312018546],
  [{family: 'binomial', total_count: 10, probs: 0.3}, 4, 0.2001209489999999],
  [{family: 'geometric', probs: 0.25}, 3, 0.10546875],
  [{family: 'poisson', rate: 3.5}, 2, 0.18495897346170082],
  [{family: 'categorical', probs: [1, 3, 4]}, 1, 0.375],
];

scenario('densities.js (the /distributions/* charts) against scipy', async () => {
  const page = await openPlay(D, '?route=/kl');
  const got = await page.evaluate(async (cases) => {
    const m = await import('/assets/densities.js');
    return {values: cases.map(([d, x]) => m.densityAt(d, x)),
      lgamma: [m.lgamma(10.3), m.lgamma(0.5), m.lgamma(0.01)],
      batch: m.densityData({family: 'normal', loc: [0, 1], scale: 1}),
      mixed: m.densityData({family: 'normal', loc: 0, scale: 1}, {family: 'poisson', rate: 1}),
      pq: m.densityData({family: 'normal', loc: 0, scale: 1}, {family: 'laplace', loc: 1, scale: 2}),
      disc: m.densityData({family: 'poisson', rate: 2}, {family: 'bernoulli', probs: 0.5})};
  }, DENSITY_CASES);
  let worst = 0;
  DENSITY_CASES.forEach(([d, x, want], i) => {
    const rel = Math.abs(got.values[i] - want) / want;
    worst = Math.max(worst, rel);
    check(rel < 1e-12, `${d.family}(${x}): ${got.values[i]}, scipy ${want} (rel ${rel})`);
  });
  [13.482036786138359, 0.5723649429247001, 4.599479878042022].forEach((want, i) =>
    check(Math.abs(got.lgamma[i] - want) < 1e-13 * want, `lgamma ${i}: ${got.lgamma[i]} vs ${want}`));
  check(got.batch === null && got.mixed === null, 'a batch, or a continuous p with a discrete q, is not drawn');
  check(got.pq.kind === 'continuous' && got.pq.series.length === 2 && got.pq.xs[0] === -11 && got.pq.xs.at(-1) === 13, 'normal vs laplace over both ranges');
  check(got.disc.kind === 'discrete' && got.disc.labels[0] === '0' && got.disc.series[1].values[1] === 0.5, 'poisson vs bernoulli');
  await page.close0();
  return `worst relative error ${worst.toExponential(1)}`;
});

scenario('/distributions/*: the two densities or mass functions', async () => {
  const route = ['/distributions/kl', '/distributions/entropy'].find((r) => spec.paths[r]);
  if (!route) return 'skip: the contract has no /distributions/* yet';
  const page = await openPlay(D, `?route=${route}`);
  await submitAndWait(page);
  const body = await pageBody(page);
  const drawn = await page.locator('#chart :is(path.curve, rect.bar)').count();
  check(drawn > 0, `no density drawn for ${JSON.stringify(body)}`);
  await shot(page, 'distributions');
  await page.close0();
});

// Routes the contract does not have yet, with answers of the shapes SPEC §8 and §9
// give: the page is served by the real daemon, but /openapi.json gains the path and the
// POST is answered by the browser's request interception (never reaching the network).
async function openMocked(path, schema, example, answer) {
  const page = await newPage(D);
  const doc = structuredClone(spec);
  doc.paths[path] = {post: {summary: `${path} (mocked)`, requestBody: {content: {'application/json':
    {schema, examples: {mock: {summary: 'mock', value: example}}}}}, responses: {}}};
  await page.route(`${D.base}/openapi.json`, (r) => r.fulfill({json: doc}));
  await page.route(`${D.base}${path}`, (r) => r.fulfill({status: 200, contentType: 'application/json', body: JSON.stringify(answer)}));
  await page.goto(`${D.base}/?route=${encodeURIComponent(path)}&example=mock`);
  await page.waitForSelector('body[data-ready]');
  await submitAndWait(page);
  return page;
}
const objectOf = (...names) => ({type: 'object', properties: Object.fromEntries(names.map((n) => [n, {type: 'object'}]))});
const seriesOf = (page, s) => page.locator(`#chart rect.bar[data-series="${s}"]`).evaluateAll((rs) => rs.map((r) => Number(r.dataset.value)));

scenario('drift chart, on a mocked /drift answer', async () => {
  const answer = {features: {
    age: {kind: 'numeric', n_reference: 10, n_current: 10, edges: [30, 40], reference_counts: [3, 4, 3], current_counts: [1, 2, 7], psi: 0.9, drift: true},
    country: {kind: 'categorical', n_reference: 10, n_current: 10, categories: ['DE', 'FR'], reference_counts: [5, 5, 0], current_counts: [2, 6, 2], psi: 2.1, drift: true}},
  features_total: 2, drifted: 2, drifted_features: ['age', 'country'], drift_share: 1, dataset_drift: true};
  const page = await openMocked('/drift', objectOf('reference', 'current'),
    {reference: {age: [1, 2]}, current: {age: [1, 3]}}, answer);
  same(await page.locator('#chart .chart-title').allTextContents(),
    ['age: reference vs current proportion per bin', 'country: reference vs current proportion per bin'], 'one chart per feature');
  const labels = await page.locator('#chart rect.bar[data-series="reference"]').evaluateAll((rs) => rs.map((r) => r.dataset.label));
  same(labels, ['< 30', '[30, 40)', '≥ 40', 'DE', 'FR', 'unseen'], 'bins');
  same(await seriesOf(page, 'reference'), [0.3, 0.4, 0.3, 0.5, 0.5, 0], 'reference proportions');
  same(await seriesOf(page, 'current'), [0.1, 0.2, 0.7, 0.2, 0.6, 0.2], 'current proportions');
  await shot(page, 'drift-mocked');
  await page.close0();
});

scenario('distribution charts, on mocked /distributions/kl answers', async () => {
  const schema = objectOf('p', 'q');
  let page = await openMocked('/distributions/kl', schema,
    {p: {family: 'normal', loc: 0, scale: 1}, q: {family: 'laplace', loc: 1, scale: 2}}, {kl: 0.25, base: 'e', unit: 'nat'});
  same(await page.locator('#chart path.curve').evaluateAll((ps) => ps.map((p) => p.dataset.series)), ['p', 'q'], 'two densities');
  await shot(page, 'densities-mocked');
  await page.close0();
  page = await openMocked('/distributions/kl', schema,
    {p: {family: 'poisson', rate: 2}, q: {family: 'binomial', total_count: 4, probs: 0.5}}, {kl: 0.5, base: 'e', unit: 'nat'});
  const p = await seriesOf(page, 'p'), q = await seriesOf(page, 'q');
  check(p.length === q.length && p.length >= 5, `mass bars: ${p.length} and ${q.length}`);
  check(Math.abs(q[2] - 0.375) < 1e-14 && q.slice(5).every((x) => x === 0), `binomial(4, 1/2) masses ${q}`);
  await page.close0();
});

scenario('a problem is shown at the field its pointer names', async () => {
  const page = await openPlay(D, '?route=/kl&example=');
  await setFields(page, {p: '0.5 0.5', q: '1.5 -0.5'});
  await submitAndWait(page);
  const a = await api(D.base, '/kl', {p: [0.5, 0.5], q: [1.5, -0.5]});
  check(a.status === 422 && a.json.pointer === '/q/1', `API answered ${a.status} ${a.text}`);
  const qError = page.locator('[data-member="q"] .error');
  check(await qError.isVisible(), 'no error at q');
  const text = await qError.textContent();
  check(text.includes(a.json.detail), `q's error "${text}" lacks "${a.json.detail}"`);
  same(await field(page, 'q').getAttribute('aria-invalid'), 'true', 'aria-invalid on q');
  same(await page.evaluate(() => document.activeElement.closest('[data-member]')?.dataset.member), 'q', 'focus');
  same(await page.locator('.error:visible').count(), 1, 'errors shown');
  await shot(page, 'problem-at-field');
  await page.close0();
});

scenario('the curl command returns the same JSON', async () => {
  const page = await openPlay(D, '?route=/kl&example=labelled');
  await submitAndWait(page);
  const cmd = await page.locator('#curl').textContent();
  const out = execFileSync('bash', ['-c', cmd], {encoding: 'utf8', timeout: 10000});
  same(JSON.parse(out), await pageResponse(page), 'curl output vs page');
  await page.close0();
});

scenario('CSV files of one and two columns', async () => {
  const page = await openPlay(D, '?route=/kl&example=array');
  await loadCsv(page, 'pq.csv', '0.2,0.5\n0.8,0.5\n');
  same(await pageBody(page), {p: [0.2, 0.8], q: [0.5, 0.5], terms: true}, 'two headerless columns → p, q');
  await loadCsv(page, 's.csv', 'p_samples,q_samples\nx,x\ny,x\ny,\n');
  same(await pageBody(page), {p_samples: ['x', 'y', 'y'], q_samples: ['x', 'x'], terms: true}, 'header row → named members');
  await submitAndWait(page);
  const a = await api(D.base, '/kl', await pageBody(page));
  same(await pageResponse(page), a.json, 'response');
  const e = await openPlay(D, '?route=/entropy&example=');
  await loadCsv(e, 'one.csv', '3\n1\n');
  same(await pageBody(e), {p: [3, 1]}, 'one column → the first data member');
  await e.close0();
  await page.close0();
});

scenario('/docs lists every route; each "try it" fills the form', async () => {
  const page = await newPage(D);
  await page.goto(`${D.base}/docs`);
  await page.waitForSelector('body[data-ready]');
  const listed = await page.locator('[data-path]').evaluateAll((s) => s.map((e) => e.dataset.path));
  same(listed, Object.keys(spec.paths), 'routes on /docs');
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const m of Object.keys(item).filter((k) => k !== 'parameters')) {
      const id = `${m}-${path.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'root'}`;
      check(await page.locator(`section[id="${id}"]`).count() === 1, `no section for ${m} ${path}`);
    }
  }
  const links = await page.locator('a.try').evaluateAll((as) => as.map((a) => ({href: a.href, route: a.dataset.route, example: a.dataset.example})));
  const expected = Object.entries(spec.paths).flatMap(([p, i]) => (i.post ? Object.keys(i.post.requestBody.content['application/json'].examples || {}).map((e) => `${p} ${e}`) : []));
  same(links.map((l) => `${l.route} ${l.example}`), expected, 'a try-it link per example');
  // Members with types and limits, and the error codes of each response.
  const kl = page.locator('section[id="post-kl"]');
  const pRow = await kl.locator('tbody tr', {has: page.locator('th code', {hasText: /^p$/})}).first().textContent();
  check(/array of number/.test(pRow) && /object of number/.test(pRow) && /≥ 0/.test(pRow), `/kl member p: ${pRow}`);
  const r422 = await kl.locator('tr', {has: page.locator('th', {hasText: /^422$/})}).textContent();
  check(['negative_value', 'not_normalized', 'shape_mismatch'].every((c) => r422.includes(c)), `/kl 422 codes: ${r422}`);
  check(await page.locator('#codes').count() === 1, 'no table of problem codes');
  await shot(page, 'docs');
  const play = await newPage(D);
  for (const l of links) {
    check(new URL(l.href).origin === new URL(D.base).origin, `${l.href} leaves the origin`);
    await play.goto(l.href);
    await play.waitForSelector('body[data-ready]');
    same(await play.inputValue('#route'), l.route, `${l.href}: route`);
    same(await play.inputValue('#example'), l.example, `${l.href}: example`);
    const value = spec.paths[l.route].post.requestBody.content['application/json'].examples[l.example].value;
    same(await pageBody(play), value, `${l.href}: form body`);
    await submitAndWait(play);
    const status = await play.locator('#status').textContent();
    check(status.startsWith('Done'), `${l.href}: ${status}`);
  }
  await play.close0();
  await page.close0();
});

scenario('keyboard only: choose a route, type, submit', async () => {
  const page = await openPlay(D, '');
  const focused = () => page.evaluate(() => document.activeElement && (document.activeElement.id || document.activeElement.tagName));
  let steps = 0;
  while ((await focused()) !== 'route' && steps++ < 10) await page.keyboard.press('Tab');
  same(await focused(), 'route', 'Tab reaches the route picker');
  await page.keyboard.type('/js');
  same(await page.inputValue('#route'), '/js', 'typing picks /js');
  await page.keyboard.press('Tab'); // the example picker
  await page.keyboard.press('Tab'); // the first member: p
  same(await page.evaluate(() => document.activeElement.closest('[data-member]')?.dataset.member), 'p', 'Tab order: p after the example');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('0.5 0.5');
  await page.keyboard.press('Tab');
  same(await page.evaluate(() => document.activeElement.closest('[data-member]')?.dataset.member), 'q', 'Tab order: q');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('0.25, 0.75');
  steps = 0;
  while ((await focused()) !== 'submit' && steps++ < 40) await page.keyboard.press('Tab');
  same(await focused(), 'submit', 'Tab reaches Compute');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /^(Done|\d{3} )/.test(document.getElementById('status').textContent));
  const body = await pageBody(page);
  same([body.p, body.q], [[0.5, 0.5], [0.25, 0.75]], 'typed values');
  const a = await api(D.base, '/js', body);
  same(Number(await shown(page, 'js')), a.json.js, 'js shown vs API');
  // Ctrl+Enter from a field submits too.
  await field(page, 'q').focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('0.5 0.5');
  await page.keyboard.press('Control+Enter');
  await page.waitForFunction(() => document.querySelector('#summary dd[data-member="js"]')?.textContent === '0');
  await page.close0();
});

scenario('--cors-origin and --api-key-file: same-origin page with a key in memory', async () => {
  const key = 'k3y-' + Math.random().toString(36).slice(2);
  const keyFile = join(ART, 'api-key.txt');
  writeFileSync(keyFile, `${key}\n`, {mode: 0o600});
  const d = await startDaemon(`auth-${engine}`, ['--cors-origin', 'https://dashboard.example', '--api-key-file', keyFile]);
  const page = await openPlay(d, '?route=/kl&example=array');
  await submitAndWait(page);
  check(await page.locator('#api-key-error').isVisible(), '401 not shown at the key field');
  await page.fill('#api-key', key);
  await submitAndWait(page);
  const a = await api(d.base, '/kl', await pageBody(page), {Authorization: `Bearer ${key}`});
  check(a.status === 200, `API with key: ${a.status}`);
  same(await pageResponse(page), a.json, 'response with key');
  const cmd = await page.locator('#curl').textContent();
  check(!cmd.includes(key) && cmd.includes('$DIVERGENCED_API_KEY'), 'the curl command must not hold the key');
  const out = execFileSync('bash', ['-c', cmd], {encoding: 'utf8', env: {...process.env, DIVERGENCED_API_KEY: key}});
  same(JSON.parse(out), a.json, 'curl with the key from the environment');
  const stored = await page.evaluate(() => JSON.stringify([localStorage, sessionStorage, document.cookie, location.href]));
  check(!stored.includes(key), 'the key reached storage, a cookie or the URL');
  await page.close0();
});

// axe-core's WCAG 2.1 A/AA rules on both pages (the playground with a result and a
// problem shown). axe is injected as an inline script, which the pages' CSP rightly
// refuses, so only this context bypasses the CSP.
const AXE = readFileSync(new URL('./node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
scenario('accessibility: axe-core finds no WCAG 2.1 A/AA violation', async () => {
  const page = await newPage(D, undefined, {bypassCSP: true});
  const audit = async (what) => {
    await page.addScriptTag({content: AXE});
    const r = await page.evaluate(async () => {
      const res = await window.axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
      return res.violations.map((v) => `${v.id} (${v.nodes.length}): ${v.nodes[0].target.join(' ')}`);
    });
    check(r.length === 0, `${what}: ${r.join('; ')}`);
  };
  await page.goto(`${D.base}/?route=/kl&example=labelled`);
  await page.waitForSelector('body[data-ready]');
  await submitAndWait(page);
  await audit('/ with a result');
  await setFields(page, {q: '1.5 -0.5'});
  await submitAndWait(page);
  await audit('/ with a problem');
  await page.goto(`${D.base}/docs`);
  await page.waitForSelector('body[data-ready]');
  await audit('/docs');
  await page.close0();
}, {chromium: true});

scenario('README screenshot', async () => {
  const page = await openPlay(D, '?route=/kl&example=labelled', {width: 1280, height: 860});
  await submitAndWait(page);
  await page.evaluate(() => { document.activeElement.blur(); window.scrollTo(0, 0); });
  await page.screenshot({path: join(ART, 'playground.png')});
  await page.close0();
}, {chromium: true});

// ---- run ---------------------------------------------------------------------------------

// Two passes over the scenarios: Debian's Chromium (CDP, playwright-core), then, when
// installed, Debian's Firefox ESR over WebDriver BiDi (playwright-core-firefox: an older
// playwright-core, pinned, whose BiDi commands that Firefox ESR implements).
const ENGINES = [['chromium', async () => chromium.launch({executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox']})]];
const FIREFOX = process.env.FIREFOX || '/usr/bin/firefox-esr';
if (existsSync(FIREFOX) && process.env.DV_NO_FIREFOX !== '1') {
  ENGINES.push(['firefox', async () => {
    const {firefox} = await import('playwright-core-firefox');
    return firefox.launch({channel: 'moz-firefox', executablePath: FIREFOX, headless: true});
  }]);
}

let pass = 0, fail = 0, skip = 0;
if (ENGINES.length === 1) {
  skip++;
  console.log(`skip - the Firefox pass: ${existsSync(FIREFOX) ? 'DV_NO_FIREFOX=1' : `${FIREFOX} is not installed (apt-get install -y firefox-esr)`}`);
}
try {
  D = await startDaemon('main');
  spec = await (await fetch(`${D.base}/openapi.json`)).json();
  for (const [name, launch] of ENGINES) {
    engine = name;
    const tag = name === 'chromium' ? '' : `[${name}] `;
    try {
      browser = await launch();
    } catch (e) {
      fail++;
      console.log(`FAIL - ${tag}launching ${name}: ${e.message.split('\n')[0]}`);
      continue;
    }
    for (const s of scenarios) {
      if (s.chromium && name !== 'chromium') continue;
      const t0 = Date.now();
      try {
        const r = await s.fn();
        if (typeof r === 'string' && r.startsWith('skip')) { skip++; console.log(`skip - ${tag}${s.name}: ${r.slice(6)}`); continue; }
        pass++;
        console.log(`ok - ${tag}${s.name} (${Date.now() - t0} ms)${typeof r === 'string' ? `: ${r}` : ''}`);
      } catch (e) {
        fail++;
        console.log(`FAIL - ${tag}${s.name}: ${e.message.split('\n')[0]}`);
      }
    }
    await browser.close();
    browser = null;
    const global = [['no request leaves the page\'s origin', offOrigin], ['no console error, page error or CSP violation', pageErrors]];
    for (const [what, list] of global) {
      if (list.length) { fail++; console.log(`FAIL - ${tag}${what}: ${[...new Set(list)].slice(0, 5).join('; ')}`); } else { pass++; console.log(`ok - ${tag}${what}`); }
      list.length = 0;
    }
  }
} catch (e) {
  fail++;
  console.log(`FAIL - setup: ${e.message}`);
} finally {
  if (browser) await browser.close();
  await stopDaemons();
  writeFileSync(join(ART, 'network.log'), networkLog.join('\n') + '\n');
}
console.log(`suite: ${pass} passed, ${fail} failed${skip ? `, ${skip} skipped` : ''}`);
process.exit(fail ? 1 : 0);
