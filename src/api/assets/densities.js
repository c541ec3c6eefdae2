// densities.js — the density (continuous families) or mass function (discrete ones) of
// the SPEC §8 families that have an elementary closed form, so the playground can draw
// the two distributions of a /distributions/kl or /distributions/entropy request.
//
// Only for drawing: these are evaluated at a few hundred points in double precision with
// no care for the last digits (the daemon computes the numbers that matter). Families
// left out (multivariate, low-rank, Dirichlet, von Mises) and batches of distributions
// (a parameter given as an array) get no chart.

const SQRT_2PI = Math.sqrt(2 * Math.PI);

// log Γ(x) for x > 0 by Lanczos' approximation (g = 7, nine terms; about 1e-15 relative,
// ample for a plot), with the reflection formula below 1/2.
const LANCZOS = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7];
export function lgamma(x) {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (z + i);
  return Math.log(SQRT_2PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

const sigmoid = (l) => 1 / (1 + Math.exp(-l));
// probs, or logits turned into probs (as PyTorch's families take either).
const prob = (d) => (typeof d.probs === 'number' ? d.probs : typeof d.logits === 'number' ? sigmoid(d.logits) : NaN);

// Continuous families: [density(x), [lo, hi] that holds nearly all the mass].
const CONTINUOUS = {
  normal: ({loc, scale}) => [(x) => Math.exp(-0.5 * ((x - loc) / scale) ** 2) / (scale * SQRT_2PI), [loc - 4 * scale, loc + 4 * scale]],
  laplace: ({loc, scale}) => [(x) => Math.exp(-Math.abs(x - loc) / scale) / (2 * scale), [loc - 6 * scale, loc + 6 * scale]],
  cauchy: ({loc, scale}) => [(x) => 1 / (Math.PI * scale * (1 + ((x - loc) / scale) ** 2)), [loc - 10 * scale, loc + 10 * scale]],
  gumbel: ({loc, scale}) => [(x) => { const z = (x - loc) / scale; return Math.exp(-(z + Math.exp(-z))) / scale; }, [loc - 3 * scale, loc + 7 * scale]],
  half_normal: ({scale}) => [(x) => (x < 0 ? 0 : 2 * Math.exp(-0.5 * (x / scale) ** 2) / (scale * SQRT_2PI)), [0, 4 * scale]],
  log_normal: ({loc, scale}) => [(x) => (x <= 0 ? 0 : Math.exp(-0.5 * ((Math.log(x) - loc) / scale) ** 2) / (x * scale * SQRT_2PI)), [0, Math.exp(loc + 2.5 * scale)]],
  exponential: ({rate}) => [(x) => (x < 0 ? 0 : rate * Math.exp(-rate * x)), [0, 6 / rate]],
  gamma: ({concentration: k, rate: r}) => [(x) => (x <= 0 ? 0 : Math.exp(k * Math.log(r) + (k - 1) * Math.log(x) - r * x - lgamma(k))),
    [0, (k + 5 * Math.sqrt(k) + 1) / r]],
  chi2: ({df}) => CONTINUOUS.gamma({concentration: df / 2, rate: 0.5}),
  weibull: ({scale: l, concentration: k}) => [(x) => (x < 0 ? 0 : (k / l) * (x / l) ** (k - 1) * Math.exp(-((x / l) ** k))), [0, l * 6 ** (1 / k)]],
  pareto: ({scale: m, alpha: a}) => [(x) => (x < m ? 0 : (a * m ** a) / x ** (a + 1)), [m, m * 20 ** (1 / a)]],
  uniform: ({low, high}) => [(x) => (x < low || x > high ? 0 : 1 / (high - low)), [low - 0.1 * (high - low), high + 0.1 * (high - low)]],
  beta: ({concentration1: a, concentration0: b}) => [(x) => (x <= 0 || x >= 1 ? 0
    : Math.exp((a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x) - lgamma(a) - lgamma(b) + lgamma(a + b))), [0, 1]],
  continuous_bernoulli: (d) => {
    const l = prob(d);
    // C(λ) = 2 artanh(1 − 2λ)/(1 − 2λ), whose limit at λ = 1/2 is 2.
    const c = Math.abs(l - 0.5) < 1e-6 ? 2 : (2 * Math.atanh(1 - 2 * l)) / (1 - 2 * l);
    return [(x) => (x < 0 || x > 1 ? 0 : c * l ** x * (1 - l) ** (1 - x)), [0, 1]];
  },
};

// Discrete families: [mass(k), [first k, last k]].
const DISCRETE = {
  bernoulli: (d) => { const p = prob(d); return [(k) => (k === 0 ? 1 - p : k === 1 ? p : 0), [0, 1]]; },
  binomial: (d) => {
    const p = prob(d), n = d.total_count;
    const mass = (k) => (k < 0 || k > n ? 0 : p === 0 ? +(k === 0) : p === 1 ? +(k === n)
      : Math.exp(lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p)));
    const m = n * p, s = Math.sqrt(n * p * (1 - p));
    return [mass, [Math.max(0, Math.floor(m - 5 * s)), Math.min(n, Math.ceil(m + 5 * s))]];
  },
  geometric: (d) => { const p = prob(d); return [(k) => (1 - p) ** k * p, [0, p >= 1 ? 0 : Math.min(60, Math.ceil(Math.log(1e-3) / Math.log1p(-p)))]]; },
  poisson: ({rate: r}) => [(k) => Math.exp(k * Math.log(r) - r - lgamma(k + 1)),
    [Math.max(0, Math.floor(r - 5 * Math.sqrt(r) - 1)), Math.ceil(r + 5 * Math.sqrt(r) + 3)]],
  categorical: (d) => {
    let w = Array.isArray(d.probs) ? d.probs : Array.isArray(d.logits) ? d.logits.map(Math.exp) : null;
    if (!w || !w.every(Number.isFinite)) return null;
    const t = w.reduce((a, b) => a + b, 0);
    w = w.map((x) => x / t);
    return [(k) => w[k] ?? 0, [0, w.length - 1]];
  },
};

// One distribution's functions, or null when it is not drawable (unknown family, a batch,
// a bad parameter).
function make(d) {
  if (!d || typeof d !== 'object' || typeof d.family !== 'string') return null;
  const params = Object.entries(d).filter(([k]) => k !== 'family');
  if (d.family !== 'categorical' && params.some(([, v]) => typeof v !== 'number')) return null;
  const kind = CONTINUOUS[d.family] ? 'continuous' : DISCRETE[d.family] ? 'discrete' : null;
  const made = kind && (kind === 'continuous' ? CONTINUOUS : DISCRETE)[d.family](d);
  if (!made || !made[1].every(Number.isFinite) || !(made[1][1] >= made[1][0])) return null;
  return {kind, f: made[0], range: made[1]};
}

// One distribution's density or mass at x, or NaN when it cannot be drawn.
export function densityAt(d, x) {
  const m = make(d);
  return m ? m.f(x) : NaN;
}

// What the chart of a request's p (and q) shows: for discrete families the mass of each
// k over both ranges ({kind: 'discrete', labels, series}); for continuous ones both
// densities at `points` x values over both ranges ({kind: 'continuous', xs, series}).
// null when either distribution cannot be drawn or their kinds differ.
export function densityData(p, q, points = 241) {
  const ds = [['p', make(p)], ...(q === undefined ? [] : [['q', make(q)]])];
  if (ds.some(([, d]) => !d) || new Set(ds.map(([, d]) => d.kind)).size !== 1) return null;
  const lo = Math.min(...ds.map(([, d]) => d.range[0]));
  const hi = Math.max(...ds.map(([, d]) => d.range[1]));
  if (ds[0][1].kind === 'discrete') {
    if (hi - lo > 400) return null;
    const ks = Array.from({length: hi - lo + 1}, (_, i) => lo + i);
    return {kind: 'discrete', labels: ks.map(String), series: ds.map(([name, d]) => ({name, values: ks.map((k) => d.f(k))}))};
  }
  const xs = Array.from({length: points}, (_, i) => lo + ((hi - lo) * i) / (points - 1));
  return {kind: 'continuous', xs, series: ds.map(([name, d]) => ({name, values: xs.map((x) => d.f(x))}))};
}
