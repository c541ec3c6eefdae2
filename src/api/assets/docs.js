// docs.js — the page at /docs: the OpenAPI document (/openapi.json) rendered as a
// reference: every route and method, its members with their types and limits, its
// examples (each with a "Try it" link that opens the playground pre-filled with it), its
// responses with their error codes, and the table of problem codes.
// Like the playground it is driven by the document alone, so it never lists a route the
// contract lacks or misses one it has.

import {loadSpec, members, memberTypeText, memberDescription, limits, deref, requestOf, el, markdown, fmt} from './openapi.js';

const METHODS = ['get', 'head', 'post', 'put', 'patch', 'delete', 'options'];
const slug = (method, path) => `${method}-${path.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'root'}`;
const code = (t) => el('code', {}, t);

// The problem codes a response schema allows (code: const or enum, through allOf …).
function problemCodes(spec, schema, out = new Set(), depth = 0) {
  const s = deref(spec, schema);
  if (!s || depth > 8) return out;
  const c = s.properties && deref(spec, s.properties.code);
  if (c && 'const' in c) out.add(c.const);
  if (c && c.enum) c.enum.forEach((x) => out.add(x));
  // A base schema that lists every code in a oneOf is not narrowed by it: skip those.
  for (const key of ['allOf', 'anyOf']) (s[key] || []).forEach((v) => problemCodes(spec, v, out, depth + 1));
  return out;
}

function memberTable(spec, schema) {
  const rows = [...members(spec, schema)].map(([name, m]) => el('tr', {},
    el('th', {scope: 'row'}, code(name)),
    el('td', {}, memberTypeText(spec, m)),
    el('td', {}, [...new Set(m.schemas.flatMap((s) => limits(spec, s)))].join(', ')),
    el('td', {}, markdown(memberDescription(spec, m)))));
  if (!rows.length) return null;
  return el('table', {},
    el('thead', {}, el('tr', {}, el('th', {scope: 'col'}, 'member'), el('th', {scope: 'col'}, 'type'),
      el('th', {scope: 'col'}, 'limits'), el('th', {scope: 'col'}, 'description'))),
    el('tbody', {}, rows));
}

// The accepted forms of a oneOf request: each variant's description and required members.
function forms(spec, schema) {
  const s = deref(spec, schema);
  if (!s || !s.oneOf) return null;
  return el('ul', {}, s.oneOf.map((v) => {
    const d = deref(spec, v) || {};
    const req = (d.required || []).flatMap((r, i) => [i ? ', ' : '', code(r)]);
    return el('li', {}, d.description || '', req.length ? [' Requires ', ...req, '.'] : '');
  }));
}

function responseTable(spec, responses) {
  const rows = Object.entries(responses || {}).map(([status, r0]) => {
    const r = deref(spec, r0) || {};
    const types = Object.keys(r.content || {});
    const codes = new Set();
    for (const media of Object.values(r.content || {})) problemCodes(spec, media.schema, codes);
    return el('tr', {},
      el('th', {scope: 'row'}, status),
      el('td', {}, markdown(r.description || '')),
      el('td', {}, [...codes].map((c) => [code(c), ' ']).flat()),
      el('td', {}, types.map((t) => [code(t), ' ']).flat()));
  });
  return el('table', {},
    el('thead', {}, el('tr', {}, el('th', {scope: 'col'}, 'status'), el('th', {scope: 'col'}, 'meaning'),
      el('th', {scope: 'col'}, 'codes'), el('th', {scope: 'col'}, 'content'))),
    el('tbody', {}, rows));
}

function examples(path, op) {
  const {examples: ex} = requestOf(op);
  const ok = (((op.responses || {})['200'] || {}).content || {})['application/json'] || {};
  const answers = ok.examples || {};
  const out = Object.entries(ex).map(([name, e]) => el('div', {class: 'example'},
    el('h4', {}, e.summary || name),
    el('pre', {tabindex: 0}, fmt(e.value, true)),
    answers[name] ? el('details', {}, el('summary', {}, 'Response'), el('pre', {tabindex: 0}, fmt(answers[name].value, true))) : null,
    el('p', {}, el('a', {class: 'try', href: `/?${new URLSearchParams({route: path, example: name})}`,
      'data-route': path, 'data-example': name}, `Try “${name}” in the playground`))));
  return out.length ? [el('h3', {}, 'Examples'), ...out] : [];
}

function operation(spec, path, method, op) {
  const id = slug(method, path);
  const needsKey = (op.security || []).some((s) => s && Object.keys(s).length);
  const body = op.requestBody ? requestOf(op).schema : null;
  return el('section', {class: 'op', id, 'aria-labelledby': `${id}-h`},
    el('h2', {id: `${id}-h`}, el('span', {class: 'method'}, method.toUpperCase()), code(path)),
    op.summary ? el('p', {}, el('strong', {}, op.summary)) : null,
    markdown(op.description || ''),
    needsKey ? el('p', {class: 'hint'}, 'When the server runs with ', code('--api-key-file'),
      ', send ', code('Authorization: Bearer <key>'), '.') : null,
    body ? [el('h3', {}, 'Request members (JSON body)'), memberTable(spec, body), forms(spec, body)] : null,
    method === 'post' ? examples(path, op) : null,
    el('h3', {}, 'Responses'), responseTable(spec, op.responses));
}

// The table of problem codes, from the Problem schema's per-code variants when it has them.
function codeTable(spec) {
  const p = deref(spec, {$ref: '#/components/schemas/Problem'});
  const rows = ((p && p.oneOf) || []).map((v) => (deref(spec, v) || {}).properties || {})
    .filter((pr) => pr.code && 'const' in pr.code)
    .map((pr) => el('tr', {}, el('th', {scope: 'row'}, code(pr.code.const)),
      el('td', {}, pr.status && 'const' in pr.status ? String(pr.status.const) : ''),
      el('td', {}, pr.title && 'const' in pr.title ? pr.title.const : '')));
  if (!rows.length) return [];
  return [el('h2', {id: 'codes'}, 'Problem codes'),
    el('table', {}, el('thead', {}, el('tr', {}, el('th', {scope: 'col'}, 'code'), el('th', {scope: 'col'}, 'status'),
      el('th', {scope: 'col'}, 'title'))), el('tbody', {}, rows))];
}

async function start() {
  const main = document.getElementById('doc');
  let spec;
  try {
    spec = await loadSpec();
  } catch (e) {
    document.getElementById('status').textContent = `Could not read /openapi.json: ${e.message}`;
    return;
  }
  const info = spec.info || {};
  const toc = [];
  const sections = [];
  for (const [path, item] of Object.entries(spec.paths || {})) {
    const ops = METHODS.filter((m) => item[m]);
    toc.push(el('li', {}, ops.map((m) => [el('a', {href: `#${slug(m, path)}`}, `${m.toUpperCase()} ${path}`), ' '])));
    sections.push(el('div', {class: 'route', 'data-path': path},
      ops.map((m) => operation(spec, path, m, item[m]))));
  }
  main.replaceChildren(
    el('p', {}, `${info.title || 'API'} ${info.version || ''} — ${info.summary || ''}`),
    markdown(info.description || ''),
    el('nav', {'aria-label': 'Routes'}, el('h2', {}, 'Routes'), el('ul', {class: 'toc'}, toc)),
    ...sections, ...codeTable(spec));
  document.body.dataset.ready = 'true';
}

start();
