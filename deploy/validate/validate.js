#!/usr/bin/env node
'use strict';
// Offline validation of rendered Kubernetes manifests (tests/deploy/run.sh).
//
//   node deploy/validate/validate.js FILE...      (multi-document YAML; "-" = stdin)
//
// Every document is checked against the JSON schema of its apiVersion/kind from the
// pinned npm packages kubernetes-models (the Kubernetes API's OpenAPI schemas) and
// @kubernetes-models/prometheus-operator (the monitoring.coreos.com CRDs, e.g.
// ServiceMonitor). An apiVersion/kind without a schema there is an error.
//
// Unknown fields fail too. The schemas are compiled ajv validators that, like the API
// server's non-strict decoding, ignore members they do not know. So each object is
// handed to the validator behind a Proxy that records which members the validator
// reads: the compiled code reads every member its schema declares (and every key of a
// map-typed member such as labels), so a member present in the document but never read
// is one the schema does not have — a misspelling, or a field at the wrong level —
// and is reported with its JSON pointer, like `kubectl --validate=strict` would.
// Members under a schema that allows arbitrary content would be reported as well;
// none of our manifests uses such a member.

const fs = require('fs');
const YAML = require('yaml');
const { runValidateFunc } = require('@kubernetes-models/validate');

function modelClass(apiVersion, kind) {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return null;
  const candidates = [];
  if (apiVersion.startsWith('monitoring.coreos.com/')) {
    candidates.push(`@kubernetes-models/prometheus-operator/${apiVersion}`);
  } else if (/^[a-z0-9.]*\/?v[0-9]+((alpha|beta)[0-9]+)?$/.test(apiVersion)) {
    candidates.push(`kubernetes-models/${apiVersion}`);
  }
  for (const mod of candidates) {
    let m;
    try { m = require(mod); } catch (e) { continue; }
    const cls = m[kind];
    if (typeof cls === 'function' && cls.kind === kind && cls.apiVersion === apiVersion) return cls;
  }
  return null;
}

const ptr = (s) => String(s).replace(/~/g, '~0').replace(/\//g, '~1');

// Deep copy of `value` in which every object/array is a Proxy recording member reads.
function traced(value, path, records) {
  if (value === null || typeof value !== 'object') return value;
  const isArray = Array.isArray(value);
  const target = isArray
    ? value.map((v, i) => traced(v, `${path}/${i}`, records))
    : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, traced(v, `${path}/${ptr(k)}`, records)]));
  const rec = { path, read: new Set(), target, isArray };
  records.push(rec);
  return new Proxy(target, {
    get(t, key, receiver) {
      if (typeof key === 'string') rec.read.add(key);
      return Reflect.get(t, key, receiver);
    },
  });
}

function check(doc) {
  const problems = [];
  const cls = modelClass(doc.apiVersion, doc.kind);
  if (!cls) return [`no schema for apiVersion ${JSON.stringify(doc.apiVersion)} kind ${JSON.stringify(doc.kind)}`];
  const records = [];
  const data = traced(doc, '', records);
  try {
    // The model's own validate(), called on the traced copy instead of a model instance.
    cls.prototype.validate.call(data);
  } catch (e) {
    if (e && Array.isArray(e.errors)) {
      for (const err of e.errors) {
        problems.push(`${err.instancePath || '/'}: ${err.message}${err.params && Object.keys(err.params).length ? ' ' + JSON.stringify(err.params) : ''}`);
      }
    } else {
      problems.push(String(e && e.message || e));
    }
  }
  if (problems.length === 0) {
    for (const rec of records) {
      if (rec.isArray) continue;
      for (const k of Object.keys(rec.target)) {
        if (!rec.read.has(k)) problems.push(`${rec.path}/${ptr(k)}: unknown field "${k}"`);
      }
    }
  }
  return problems;
}

function main(files) {
  if (files.length === 0) {
    console.error('usage: validate.js FILE... (multi-document YAML, "-" for stdin)');
    return 2;
  }
  // Self-test of the unknown-field detection, so a package upgrade that changes how
  // the validators read objects cannot silently turn it off.
  const probe = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', lables: {} }, data: {} };
  if (!check(probe).some((p) => p.startsWith('/metadata/lables: unknown field'))) {
    console.error('validate.js: self-test failed: a misspelled field was not reported');
    return 1;
  }
  let objects = 0;
  let failed = 0;
  for (const file of files) {
    const text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
    const docs = YAML.parseAllDocuments(text);
    for (const d of docs) {
      if (d.errors.length) {
        failed++;
        console.log(`FAIL ${file}: YAML: ${d.errors.map((e) => e.message).join('; ')}`);
        continue;
      }
      const doc = d.toJS();
      if (doc === null || doc === undefined) continue;
      objects++;
      const name = `${doc.kind}/${doc.metadata && doc.metadata.name} (${doc.apiVersion})`;
      const problems = check(doc);
      if (problems.length) {
        failed++;
        console.log(`FAIL ${file}: ${name}`);
        for (const p of problems) console.log(`     ${p}`);
      } else {
        console.log(`ok   ${file}: ${name}`);
      }
    }
  }
  console.log(`validate.js: ${objects} objects, ${failed} failed`);
  return failed === 0 && objects > 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
