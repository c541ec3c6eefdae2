#!/usr/bin/env node
'use strict';
// What our deployment promises, checked on one rendered kustomization
// (tests/deploy/run.sh; the schema check is validate.js):
//
//   node deploy/validate/policy.js RENDERED.yaml
//
// Deployment divergenced: ≥ 2 replicas; startup, readiness (/readyz) and liveness
// (/healthz) probes on the named port; CPU and memory requests and limits; non-root,
// read-only root filesystem, no privilege escalation, all capabilities dropped, seccomp
// RuntimeDefault; terminationGracePeriodSeconds > preStop sleep + shutdown grace;
// topology spread; the API key file inside a mounted Secret volume; Prometheus scrape
// annotations. Service, HPA (autoscaling/v2, CPU), PDB (policy/v1) and ServiceMonitor
// (when present) select those pods and that port.

const fs = require('fs');
const YAML = require('yaml');

const file = process.argv[2];
if (!file) { console.error('usage: policy.js RENDERED.yaml'); process.exit(2); }
const docs = YAML.parseAllDocuments(fs.readFileSync(file === '-' ? 0 : file, 'utf8'))
  .map((d) => d.toJS()).filter((d) => d && typeof d === 'object');

const failures = [];
const expect = (cond, msg) => { if (!cond) failures.push(msg); };
const find = (kind) => docs.filter((d) => d.kind === kind);
const selects = (sel, labels) => sel && Object.keys(sel).length > 0 &&
  Object.entries(sel).every(([k, v]) => labels[k] === v);
const seconds = (v) => (typeof v === 'number' ? v : Number(String(v).replace(/s$/, '')));

const deps = find('Deployment');
expect(deps.length === 1, `exactly one Deployment (found ${deps.length})`);
const dep = deps[0] || { spec: { template: { metadata: {}, spec: { containers: [{}] } } } };
const podMeta = dep.spec.template.metadata || {};
const pod = dep.spec.template.spec || {};
const podLabels = podMeta.labels || {};
const c = (pod.containers || []).find((x) => x.name === 'divergenced') || {};
const env = Object.fromEntries((c.env || []).map((e) => [e.name, e.value]));
const portNames = (c.ports || []).map((p) => p.name);

expect(dep.apiVersion === 'apps/v1', 'Deployment is apps/v1');
expect(Number.isInteger(dep.spec.replicas) && dep.spec.replicas >= 2, 'Deployment replicas >= 2');
expect(selects(dep.spec.selector && dep.spec.selector.matchLabels, podLabels), 'Deployment selector matches its pod labels');

const probe = (name, path) => {
  const p = c[name];
  expect(p && p.httpGet && p.httpGet.path === path, `${name} is an httpGet on ${path}`);
  expect(p && p.httpGet && (p.httpGet.port === 'http' || p.httpGet.port === 8080), `${name} uses the http port`);
};
probe('startupProbe', '/healthz');
probe('readinessProbe', '/readyz');
probe('livenessProbe', '/healthz');

const r = c.resources || {};
for (const kind of ['requests', 'limits']) {
  for (const res of ['cpu', 'memory']) expect(r[kind] && r[kind][res] !== undefined, `resources.${kind}.${res} is set`);
}

const psc = pod.securityContext || {};
const csc = c.securityContext || {};
expect(psc.runAsNonRoot === true || csc.runAsNonRoot === true, 'runAsNonRoot: true');
expect((csc.runAsUser ?? psc.runAsUser) > 0, 'runAsUser is a non-zero uid');
expect(csc.readOnlyRootFilesystem === true, 'readOnlyRootFilesystem: true');
expect(csc.allowPrivilegeEscalation === false, 'allowPrivilegeEscalation: false');
expect(csc.privileged !== true, 'not privileged');
expect(csc.capabilities && Array.isArray(csc.capabilities.drop) && csc.capabilities.drop.includes('ALL') &&
  !(csc.capabilities.add || []).length, 'capabilities: drop ALL, add none');
const seccomp = (csc.seccompProfile || psc.seccompProfile || {}).type;
expect(seccomp === 'RuntimeDefault', 'seccompProfile RuntimeDefault');

const grace = Number(env.DIVERGENCED_SHUTDOWN_GRACE ?? 10);
const pre = c.lifecycle && c.lifecycle.preStop;
let preSleep = 0;
if (pre && pre.exec && Array.isArray(pre.exec.command) && /sleep$/.test(pre.exec.command[0])) preSleep = seconds(pre.exec.command[1]);
if (pre && pre.sleep) preSleep = seconds(pre.sleep.seconds);
expect(preSleep > 0, 'a preStop pause lets endpoints drain before SIGTERM');
expect(pod.terminationGracePeriodSeconds > preSleep + grace,
  `terminationGracePeriodSeconds (${pod.terminationGracePeriodSeconds}) > preStop ${preSleep} s + shutdown grace ${grace} s`);

const tsc = pod.topologySpreadConstraints || [];
expect(tsc.some((t) => t.topologyKey === 'kubernetes.io/hostname' && selects(t.labelSelector && t.labelSelector.matchLabels, podLabels)),
  'topologySpreadConstraints across kubernetes.io/hostname select the pods');

const keyFile = env.DIVERGENCED_API_KEY_FILE;
expect(typeof keyFile === 'string' && keyFile.startsWith('/'), 'DIVERGENCED_API_KEY_FILE is an absolute path');
const mount = (c.volumeMounts || []).find((m) => keyFile && keyFile.startsWith(m.mountPath.replace(/\/?$/, '/')));
const vol = mount && (pod.volumes || []).find((v) => v.name === mount.name);
expect(vol && vol.secret && vol.secret.secretName, 'the API key file lies in a mounted Secret volume');
const secretName = vol && vol.secret && vol.secret.secretName;

const ann = podMeta.annotations || {};
expect(ann['prometheus.io/scrape'] !== undefined && ann['prometheus.io/path'] === '/metrics' &&
  String(ann['prometheus.io/port']) === '8080', 'prometheus.io scrape annotations on the pods');
expect(portNames.includes('http'), 'container port named http');

const svcs = find('Service');
expect(svcs.length >= 1 && svcs.every((s) => selects(s.spec.selector, podLabels)), 'Service selects the pods');
const svcPortNames = svcs.flatMap((s) => (s.spec.ports || []).map((p) => p.name));

const hpas = find('HorizontalPodAutoscaler');
expect(hpas.length === 1 && hpas[0].apiVersion === 'autoscaling/v2', 'one autoscaling/v2 HorizontalPodAutoscaler');
for (const h of hpas) {
  expect(h.spec.scaleTargetRef.kind === 'Deployment' && h.spec.scaleTargetRef.name === dep.metadata.name, 'HPA targets the Deployment');
  expect(h.spec.minReplicas >= 2 && h.spec.maxReplicas > h.spec.minReplicas, 'HPA minReplicas >= 2 < maxReplicas');
  expect((h.spec.metrics || []).some((m) => m.type === 'Resource' && m.resource.name === 'cpu'), 'HPA scales on CPU');
}

const pdbs = find('PodDisruptionBudget');
expect(pdbs.length === 1 && pdbs[0].apiVersion === 'policy/v1', 'one policy/v1 PodDisruptionBudget');
for (const p of pdbs) expect(selects(p.spec.selector.matchLabels, podLabels), 'PDB selects the pods');

for (const sm of find('ServiceMonitor')) {
  expect(svcs.some((s) => selects(sm.spec.selector.matchLabels, s.metadata.labels || {})), 'ServiceMonitor selects the Service');
  for (const ep of sm.spec.endpoints || []) {
    expect(svcPortNames.includes(ep.port), `ServiceMonitor endpoint port ${ep.port} is a Service port`);
    expect(ep.path === '/metrics', 'ServiceMonitor scrapes /metrics');
    const cred = ep.authorization && ep.authorization.credentials;
    expect(cred && cred.name === secretName, 'ServiceMonitor authenticates with the API-key Secret');
  }
}

if (failures.length) {
  for (const f of failures) console.log(`FAIL policy: ${f}`);
  process.exitCode = 1;
} else {
  console.log(`policy: ok (${docs.length} objects; replicas ${dep.spec.replicas}, grace ${pod.terminationGracePeriodSeconds} s > ${preSleep} + ${grace} s)`);
}
