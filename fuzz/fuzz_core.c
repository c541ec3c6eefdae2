/*
 * fuzz_core.c — the numeric core on random finite inputs, asserting what must hold for
 * every input: H ≥ 0 and H ≤ ln n, D(P‖Q) ≥ 0, 0 ≤ JS ≤ ln 2 and symmetric,
 * H(P,Q) = H(P) + D(P‖Q), D(P‖P) = JS(P,P) = 0, batch rows equal single calls, Gaussian
 * KL ≥ 0 with diagonal and full-covariance forms agreeing, empirical counts summing to
 * the sample count — and no NaN anywhere, ever.
 *
 * Input layout: byte 0 = flags, byte 1 = n, then values. Flag bit 0/1: P/Q are logits
 * (else weights); bit 2: values are raw 8-byte doubles (any exponent), else 2-byte
 * fixed point (the ordinary range, with exact zeros); bits 3-5: temperature choice.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "divergence.h"
#include "fuzz_common.h"

#define MAXN 48
#define LN2 0.6931471805599453

typedef struct reader {
    const uint8_t *d;
    size_t n, i;
} reader;

static double next_value(reader *rd, bool raw)
{
    if (raw) {
        uint8_t b[8] = {0};
        for (int k = 0; k < 8 && rd->i < rd->n; k++)
            b[k] = rd->d[rd->i++];
        double x;
        memcpy(&x, b, sizeof x);
        return x;
    }
    unsigned v = 0;
    for (int k = 0; k < 2 && rd->i < rd->n; k++)
        v = v << 8 | rd->d[rd->i++];
    /* 0 … 65535 / 256, with many exact zeros and ties. */
    return (double)(v & 0x7fff) / 256.0 * ((v & 0x8000) ? -1.0 : 1.0);
}

static void no_nan(const char *what, double x)
{
    if (isnan(x))
        fuzz_fail("%s is NaN", what);
}

static void no_nan_n(const char *what, const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (isnan(x[i]))
            fuzz_fail("%s[%zu] is NaN", what, i);
}

/* |a − b| within rel of the larger magnitude (plus a floor for values near 0). */
static bool close_to(double a, double b, double rel, double abs_floor)
{
    if (isinf(a) || isinf(b))
        return isinf(a) && isinf(b) && signbit(a) == signbit(b);
    return fabs(a - b) <= rel * fmax(fabs(a), fabs(b)) + abs_floor;
}

static bool prepare(double *v, size_t n, bool logits, double temp, const char *name,
                    dv_dist *d)
{
    dv_error err;
    if (logits)
        return dv_prepare_logits(v, n, temp, DV_NAME(name[0] == 'q' ? DV_ARG_Q : DV_ARG_P, name), d, &err) == DV_OK;
    for (size_t i = 0; i < n; i++)
        v[i] = fabs(v[i]);
    return dv_prepare_weights(v, n, true, DV_NAME(name[0] == 'q' ? DV_ARG_Q : DV_ARG_P, name), d, &err) == DV_OK;
}

/* Logits with one past ±DBL_MAX/2 once scaled by the temperature. */
static bool huge_logits(const dv_dist *d)
{
    if (d->kind != DV_LOGITS)
        return false;
    for (size_t i = 0; i < d->n; i++)
        if (fabs(d->v[i] / d->temperature) >= 0x1p1022)
            return true;
    return false;
}

static void check_discrete(const dv_dist *p, const dv_dist *q, size_t n)
{
    double tp[MAXN], tq[MAXN];
    double h = dv_entropy(p, tp);
    no_nan("H(P)", h);
    no_nan_n("entropy terms", tp, n);
    if (!(h >= 0 && h <= log((double)n) * (1 + 1e-12) + 1e-300))
        fuzz_fail("H(P) = %.17g outside [0, ln %zu]", h, n);

    dv_value kl = dv_kl(p, q, tp);
    no_nan("D(P||Q)", kl.nats);
    no_nan_n("kl terms", tp, n);
    if (!(kl.nats >= 0))
        fuzz_fail("D(P||Q) = %.17g < 0", kl.nats);
    /* Infinite with an index: a P_i > 0 = Q_i. Without one only past the doubles, which
     * needs two logit vectors with a logit past ±DBL_MAX/2. */
    if ((kl.inf_index != DV_NO_INDEX && !isinf(kl.nats)) ||
        (isinf(kl.nats) && kl.inf_index == DV_NO_INDEX && !(huge_logits(p) && huge_logits(q))))
        fuzz_fail("D(P||Q) = %g with inf_index %zu", kl.nats, kl.inf_index);
    /* Log probabilities: a P_i too small for a double is still > 0. */
    if (isinf(kl.nats) && !(!isinf(dv_log_prob(p, kl.inf_index)) &&
                            isinf(dv_log_prob(q, kl.inf_index))))
        fuzz_fail("inf_index %zu: log P = %g, log Q = %g", kl.inf_index,
                  dv_log_prob(p, kl.inf_index), dv_log_prob(q, kl.inf_index));

    dv_value ce = dv_cross_entropy(p, q, tq);
    no_nan("H(P,Q)", ce.nats);
    no_nan_n("cross-entropy terms", tq, n);
    if (isinf(ce.nats) != isinf(kl.nats))
        fuzz_fail("H(P,Q) = %g but D(P||Q) = %g", ce.nats, kl.nats);
    if (!isinf(ce.nats) && !close_to(ce.nats, h + kl.nats, 1e-10, 1e-300))
        fuzz_fail("H(P,Q) = %.17g but H(P) + D(P||Q) = %.17g + %.17g = %.17g", ce.nats, h,
                  kl.nats, h + kl.nats);

    double js = dv_js(p, q, tp), js2 = dv_js(q, p, tq);
    no_nan("JS(P,Q)", js);
    no_nan_n("js terms", tp, n);
    if (!(js >= 0 && js <= LN2 * (1 + 1e-12)))
        fuzz_fail("JS(P,Q) = %.17g outside [0, ln 2]", js);
    if (!close_to(js, js2, 1e-10, 1e-300))
        fuzz_fail("JS(P,Q) = %.17g but JS(Q,P) = %.17g", js, js2);

    dv_value self = dv_kl(p, p, NULL);
    if (!(self.nats >= 0 && self.nats <= 1e-12))
        fuzz_fail("D(P||P) = %.17g", self.nats);
    double jself = dv_js(p, p, NULL);
    if (!(jself >= 0 && jself <= 1e-12))
        fuzz_fail("JS(P,P) = %.17g", jself);

    /* Batch rows: (P,Q) and (Q,P) must equal the single calls. */
    dv_dist bp[2] = {*p, *q}, bq[2] = {*q, *p};
    dv_value out[2];
    double sum, mean;
    dv_batch_kl(bp, bq, 2, out, &sum, &mean);
    dv_value rev = dv_kl(q, p, NULL);
    no_nan("batch sum", sum);
    no_nan("batch mean", mean);
    if (!close_to(out[0].nats, kl.nats, 1e-12, 1e-300) ||
        !close_to(out[1].nats, rev.nats, 1e-12, 1e-300))
        fuzz_fail("batch rows %.17g, %.17g differ from single %.17g, %.17g", out[0].nats,
                  out[1].nats, kl.nats, rev.nats);
    if (!(sum >= 0 && mean >= 0))
        fuzz_fail("batch sum %.17g mean %.17g", sum, mean);
}

static void check_smooth(const dv_dist *p, size_t n, uint8_t a)
{
    double w[MAXN];
    dv_dist s;
    dv_error err;
    double alpha = (double)a / 256.0;
    if (dv_smooth(p, alpha, w, &s, &err) != DV_OK)
        fuzz_fail("dv_smooth(alpha = %g) failed: %s", alpha, err.msg);
    no_nan_n("smoothed weights", w, n);
    double h = dv_entropy(&s, NULL);
    no_nan("H(smoothed)", h);
}

/* Diagonal Gaussians from the input, compared with the same ones as full covariances. */
static void check_gauss(reader *rd, bool raw)
{
    size_t d = 1 + (rd->i < rd->n ? rd->d[rd->i++] % 4 : 0);
    double m[2][4], s[2][4], cov[2][16];
    for (int g = 0; g < 2; g++) {
        for (size_t i = 0; i < d; i++) {
            m[g][i] = next_value(rd, raw);
            s[g][i] = fabs(next_value(rd, raw));
            if (!isfinite(m[g][i]) || !isfinite(s[g][i]) || s[g][i] <= 0)
                return;
        }
        memset(cov[g], 0, sizeof cov[g]);
        for (size_t i = 0; i < d; i++)
            cov[g][i * d + i] = s[g][i];
    }
    dv_gauss p = {0, d, m[0], DV_SCALE_VAR, s[0]}, q = {0, d, m[1], DV_SCALE_VAR, s[1]};
    dv_gauss pc = {0, d, m[0], DV_SCALE_COV, cov[0]}, qc = {0, d, m[1], DV_SCALE_COV, cov[1]};
    dv_error err;
    double kl, klc, self;
    dv_status st = dv_gaussian_kl(&p, &q, &kl, &err);
    if (st == DV_NOT_FINITE)
        return;
    if (st != DV_OK)
        fuzz_fail("Gaussian KL (diagonal, %zu-d) failed: %s", d, err.msg);
    no_nan("Gaussian KL", kl);
    if (!(kl >= 0 && isfinite(kl)))
        fuzz_fail("Gaussian KL = %.17g", kl);
    if (dv_gaussian_kl(&p, &p, &self, &err) != DV_OK || !(self >= 0 && self <= 1e-12))
        fuzz_fail("Gaussian KL(p, p) = %.17g (%s)", self, err.msg);
    st = dv_gaussian_kl(&pc, &qc, &klc, &err);
    if (st == DV_NOT_FINITE || st == DV_NOT_POSITIVE_DEFINITE)
        return; /* extreme ranges: the Cholesky path may give up where the diagonal one does not */
    if (st != DV_OK)
        fuzz_fail("Gaussian KL (covariance, %zu-d) failed: %s", d, err.msg);
    no_nan("Gaussian KL (covariance)", klc);
    if (!(klc >= 0))
        fuzz_fail("Gaussian KL (covariance) = %.17g", klc);
    if (!close_to(kl, klc, 1e-9, 1e-300))
        fuzz_fail("Gaussian KL diagonal %.17g vs covariance %.17g (%zu-d)", kl, klc, d);
    double rows[1], sum, mean;
    dv_gauss pb = {1, d, m[0], DV_SCALE_VAR, s[0]};
    if (dv_gaussian_kl_rows(&pb, &q, rows, &sum, &mean, &err) == DV_OK &&
        !close_to(rows[0], kl, 1e-12, 1e-300))
        fuzz_fail("Gaussian KL batch row %.17g vs single %.17g", rows[0], kl);
}

/* Samples as small integers and one-byte strings: counts sum to the sample counts. */
static void check_empirical(const uint8_t *d, size_t n)
{
    size_t np = n / 2, nq = n - np;
    if (np == 0 || nq == 0)
        return;
    dv_key *keys = calloc(n, sizeof *keys);
    if (!keys)
        abort();
    for (size_t i = 0; i < n; i++) {
        uint8_t b = d[i];
        if (b & 0x80) {
            keys[i].kind = DV_KEY_STRING;
            keys[i].str = (const char *)&d[i];
            keys[i].len = b & 1;
        } else if (b & 0x40) {
            keys[i].kind = DV_KEY_BOOL;
            keys[i].boolean = b & 1;
        } else {
            keys[i].kind = DV_KEY_NUMBER;
            keys[i].num = (b & 0x20) ? -(double)(b & 7) : (double)(b & 7) / 2.0;
        }
    }
    dv_support *sup;
    double *pc, *qc;
    dv_error err;
    if (dv_empirical(keys, np, keys + np, nq, &sup, &pc, &qc, &err) != DV_OK)
        fuzz_fail("dv_empirical failed: %s", err.msg);
    size_t k = dv_support_size(sup);
    double sp = 0, sq = 0;
    for (size_t i = 0; i < k; i++) {
        sp += pc[i];
        sq += qc[i];
    }
    if ((size_t)sp != np || (size_t)sq != nq || k == 0 || k > n)
        fuzz_fail("empirical counts %g/%zu, %g/%zu over %zu keys", sp, np, sq, nq, k);
    for (size_t i = 0; i < n; i++) {
        size_t at = dv_support_find(sup, &keys[i]);
        if (at == DV_NO_INDEX || at >= k)
            fuzz_fail("sample %zu is not in the support", i);
    }
    dv_support_free(sup);
    free(pc);
    free(qc);
    free(keys);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    uint8_t flags = data[0];
    size_t n = 1 + data[1] % MAXN;
    bool raw = flags & 4;
    static const double temps[8] = {1.0, 0.5, 2.0, 1e-3, 1e3, 0.1, 7.25, 1e-300};
    double temp = temps[(flags >> 3) & 7];
    reader rd = {data, size, 2};
    double pv[MAXN], qv[MAXN];
    for (size_t i = 0; i < n; i++)
        pv[i] = next_value(&rd, raw);
    for (size_t i = 0; i < n; i++)
        qv[i] = next_value(&rd, raw);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(pv[i]) || !isfinite(qv[i]))
            return 0; /* finite inputs only: the validation tests cover the rest */
    dv_dist p, q;
    if (prepare(pv, n, flags & 1, temp, "p", &p) && prepare(qv, n, flags & 2, temp, "q", &q)) {
        check_discrete(&p, &q, n);
        check_smooth(&p, n, flags);
    }
    check_gauss(&rd, raw);
    check_empirical(data + 2, size - 2 < 64 ? size - 2 : 64);
    return 0;
}
