// openapi.js — what the playground (/) and the docs page (/docs) read from the OpenAPI
// document the daemon serves at /openapi.json (the contract, converted at build time).
//
// Both pages are built from the document, not from code per route: a route added to
// api/openapi.yaml (its request schema and examples) appears in both with no page
// change. So this module only walks schemas generically: follow $ref, collect the
// members of every variant (oneOf/anyOf/allOf), say which JSON types a member accepts,
// and describe a schema in a line of text.

export async function loadSpec() {
  const r = await fetch('/openapi.json', {headers: {Accept: 'application/json'}});
  if (!r.ok) throw new Error(`GET /openapi.json answered ${r.status}`);
  return r.json();
}

// A local reference '#/a/b' (RFC 6901 tokens) resolved in the document.
function lookup(spec, ref) {
  if (!ref.startsWith('#/')) return undefined;
  let node = spec;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = node == null ? undefined : node[key];
  }
  return node;
}

// The schema itself, with $ref followed (a chain of them, but not a cycle).
export function deref(spec, s) {
  for (let hops = 0; s && s.$ref && hops < 32; hops++) s = lookup(spec, s.$ref);
  return s;
}

const VARIANTS = ['oneOf', 'anyOf', 'allOf'];

// Every member any variant of an object schema names, in order of first appearance,
// with its schemas (one per variant that names it, duplicates dropped: `p` is an array
// in one form of /kl and a labelled object in another) and whether some variant
// requires it.
export function members(spec, schema) {
  const out = new Map();
  const seen = new Set();
  const walk = (s0) => {
    const s = deref(spec, s0);
    if (!s || typeof s !== 'object' || seen.has(s)) return;
    seen.add(s);
    for (const [name, sub] of Object.entries(s.properties || {})) {
      if (!out.has(name)) out.set(name, {schema: sub, schemas: [], required: false});
      const m = out.get(name);
      if (!m.schemas.some((x) => deref(spec, x) === deref(spec, sub))) m.schemas.push(sub);
    }
    for (const name of s.required || []) {
      if (out.has(name)) out.get(name).required = true;
    }
    for (const key of VARIANTS) (s[key] || []).forEach(walk);
  };
  walk(schema);
  return out;
}

// The JSON types a schema accepts: a set of 'number', 'string', 'boolean', 'array',
// 'object', 'null' ('integer' counts as 'number').
export function types(spec, schema) {
  const out = new Set();
  const seen = new Set();
  const add = (v) => {
    if (v === null) out.add('null');
    else if (Array.isArray(v)) out.add('array');
    else out.add(typeof v);
  };
  const walk = (s0) => {
    const s = deref(spec, s0);
    if (!s || typeof s !== 'object' || seen.has(s)) return;
    seen.add(s);
    for (const t of [].concat(s.type || [])) out.add(t === 'integer' ? 'number' : t);
    if ('const' in s) add(s.const);
    (s.enum || []).forEach(add);
    if (!s.type && s.properties) out.add('object');
    for (const key of VARIANTS) (s[key] || []).forEach(walk);
  };
  walk(schema);
  return out;
}

// A member's accepted types and its type text over all its schemas.
export function memberTypes(spec, m) {
  const out = new Set();
  for (const s of m.schemas) types(spec, s).forEach((t) => out.add(t));
  return out;
}
export function memberTypeText(spec, m) {
  return [...new Set(m.schemas.map((s) => typeText(spec, s)))].join(' | ');
}
// A member's description: its schema's, or each form's when its forms differ.
export function memberDescription(spec, m) {
  return [...new Set(m.schemas.map((s) => (deref(spec, s) || {}).description).filter(Boolean))].join(' Or: ');
}

// The request schema and the examples ({name: {summary, value}}) of an operation.
export function requestOf(op) {
  const media = ((op.requestBody || {}).content || {})['application/json'] || {};
  const examples = Object.assign({}, media.examples || {});
  if ('example' in media && !Object.keys(examples).length) {
    examples.example = {summary: 'Example', value: media.example};
  }
  return {schema: media.schema, examples};
}

// The compute routes: every path with a POST operation, in document order.
export function computeRoutes(spec) {
  return Object.entries(spec.paths || {})
    .filter(([, item]) => item.post)
    .map(([path, item]) => Object.assign({path, op: item.post}, requestOf(item.post)));
}

// The limits of a schema as short phrases: "≥ 0", "≥ 1 items", "default 1" …
export function limits(spec, schema) {
  const s = deref(spec, schema) || {};
  const out = [];
  const put = (key, text) => {
    if (key in s) out.push(`${text} ${JSON.stringify(s[key])}`);
  };
  put('minimum', '≥');
  put('exclusiveMinimum', '>');
  put('maximum', '≤');
  put('exclusiveMaximum', '<');
  if ('minItems' in s) out.push(`≥ ${s.minItems} items`);
  if ('maxItems' in s) out.push(`≤ ${s.maxItems} items`);
  if ('minProperties' in s) out.push(`≥ ${s.minProperties} members`);
  if (s.not && 'const' in s.not) out.push(`≠ ${JSON.stringify(s.not.const)}`);
  if (s.pattern) out.push(`matches ${s.pattern}`);
  if ('default' in s) out.push(`default ${JSON.stringify(s.default)}`);
  return out;
}

// A one-line description of a schema's type: "array of number (≥ 0)", "number | "e"".
export function typeText(spec, schema, depth = 0) {
  const s = deref(spec, schema);
  if (!s || depth > 4) return 'any';
  const lim = (x) => {
    const l = limits(spec, x).filter((t) => !t.startsWith('default'));
    return l.length ? ` (${l.join(', ')})` : '';
  };
  const alt = s.oneOf || s.anyOf;
  if (alt) return alt.map((v) => typeText(spec, v, depth + 1)).join(' | ');
  if ('const' in s) return JSON.stringify(s.const);
  if (s.enum) return `one of ${s.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  const t = [].concat(s.type || (s.properties ? 'object' : []));
  if (t.includes('array')) return `array of ${typeText(spec, s.items, depth + 1)}${lim(s)}`;
  if (t.includes('object')) {
    if (s.properties) return `object {${Object.keys(s.properties).join(', ')}}`;
    if (s.additionalProperties && typeof s.additionalProperties === 'object') {
      return `object of ${typeText(spec, s.additionalProperties, depth + 1)}${lim(s)}`;
    }
    return 'object';
  }
  return t.length ? t.join(' | ') + lim(s) : 'any';
}

// A value as JSON a person reads and types: on one line, a space after each comma and
// colon. block puts each member of a top-level object on its own line.
export function fmt(v, block = false) {
  if (Array.isArray(v)) return `[${v.map((x) => fmt(x)).join(', ')}]`;
  if (v && typeof v === 'object') {
    const parts = Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${fmt(x)}`);
    return block && parts.length ? `{\n  ${parts.join(',\n  ')}\n}` : `{${parts.join(', ')}}`;
  }
  return JSON.stringify(v);
}

// A DOM element with attributes and children (strings become text, never HTML).
export function el(tag, attrs = {}, ...children) {
  const svg = ['svg', 'g', 'rect', 'line', 'path', 'text', 'title', 'desc'].includes(tag);
  const e = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag)
    : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v == null) continue;
    e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c != null && c !== false) e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return e;
}

// The few Markdown forms the document's descriptions use — paragraphs, "* " lists,
// `code` and **bold** — as DOM nodes.
export function markdown(text) {
  const frag = document.createDocumentFragment();
  const inline = (line) => line.split(/(`[^`]*`|\*\*[^*]+\*\*)/).filter(Boolean).map((part) => {
    if (part.startsWith('`') && part.endsWith('`') && part.length > 1) return el('code', {}, part.slice(1, -1));
    if (part.startsWith('**') && part.endsWith('**')) return el('strong', {}, part.slice(2, -2));
    return part;
  });
  for (const block of String(text || '').split(/\n\s*\n/)) {
    const lines = block.split('\n').filter((l) => l.trim());
    if (!lines.length) continue;
    if (lines.every((l) => /^\s*\* |^\s{2,}\S/.test(l)) && /^\s*\* /.test(lines[0])) {
      const items = [];
      for (const l of lines) {
        if (/^\s*\* /.test(l)) items.push(l.replace(/^\s*\* /, ''));
        else items[items.length - 1] += ' ' + l.trim();
      }
      frag.append(el('ul', {}, items.map((i) => el('li', {}, inline(i)))));
    } else {
      frag.append(el('p', {}, inline(lines.map((l) => l.trim()).join(' '))));
    }
  }
  return frag;
}
