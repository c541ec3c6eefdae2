/*
 * fam_mvn.c — multivariate_normal (covariance_matrix | scale_tril | precision_matrix) and
 * lowrank_multivariate_normal (Σ = W Wᵀ + diag(D)) of SPEC §8: checks, entropies and the
 * four KL pairs among them. See fam_disc.h for the parameter slots.
 *
 * Why it is built this way:
 *  - covariance_matrix ‖ covariance_matrix is handed to dv_gaussian_kl (gaussian.c)
 *    unchanged, so the same Gaussians give the same bits as /gaussian-kl with "cov".
 *    The check here applies the same symmetry rule (1e-12 relative, judged against
 *    √(Σii Σjj) too) and a Cholesky test, so dv_gaussian_kl never rejects what passed.
 *  - Every other dense pair works, like gaussian.c, with lower factors Σ = L Lᵀ:
 *    M = L2⁻¹ L1 is lower triangular and
 *        D = ½ [ Σ_i ψ(M_ii²) + Σ_{i>j} M_ij² + Δμᵀ Σ2⁻¹ Δμ ],  ψ(r) = r − 1 − log r,
 *    a sum of non-negative terms with no log-determinant difference. scale_tril is L
 *    itself. A precision Λ is factored "upside down", Λ = V Vᵀ with V upper triangular
 *    (Cholesky from the last row), so that L = V⁻ᵀ is lower triangular without inverting
 *    Λ; the Mahalanobis term against a precision is ‖Vᵀ Δμ‖² (no inverse at all).
 *  - Nearly equal distributions: M ≈ I carries absolute errors ~cond·ε that swamp a KL
 *    of 1e-15. For scale_tril ‖ scale_tril, M − I = L2⁻¹ (L1 − L2) with L1 − L2 exact
 *    (Sterbenz), so that form is used throughout. Otherwise, when the covariance part is
 *    small, it is recomputed as Σ ψ(1 + β_i) over the eigenvalues β of
 *    B = L2⁻¹ (Σ1 − Σ2) L2⁻ᵀ (series in tr Bᵏ), with Σ1 − Σ2 formed from double-double
 *    Σ's (exact for covariance_matrix, error-free products for scale_tril and W Wᵀ + D);
 *    for precision ‖ precision B = V1⁻¹ (Λ2 − Λ1) V1⁻ᵀ; for a precision against a Σ,
 *    the eigenvalues come from F = Σ·Λ − I formed in double-double (trace series).
 *  - lowrank ‖ lowrank uses the Woodbury identity and the matrix determinant lemma with
 *    the r×r capacitance C = I + Wᵀ D⁻¹ W: O(d r² + r³) time, O(d r + r²) memory. The
 *    diagonal parts are grouped as Σ ψ(D1_i/D2_i); the low-rank corrections are plain
 *    sums that cancel when the two are close, so a small result is recomputed from
 *    W1 − W2 and D1 − D2 (lowrank_near), still in O(d r² + r³).
 *  - A full matrix against a low-rank one is O(d³) anyway (the full side's Cholesky), so
 *    the low-rank side is made dense (W Wᵀ + D, also as a double-double) and goes the
 *    dense way.
 * Work space is one malloc per call (DV_NO_MEMORY, DV_TOO_LARGE on size overflow).
 */
#include <assert.h>
#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fam_disc.h"
#include "dd.h"
#include "internal.h"
#include "numfmt.h"

#define LN_SQRT_2PI 0.9189385332046727417803297 /* ½ log(2π) */
#define SYM_TOL 1e-12                           /* SPEC §1, the rule gaussian.c applies */
/* ψ(1+u) by series below this |u|; B-series when ‖B‖_F is below it (as in gaussian.c). */

enum { K_NONE = 0, K_COV = 1, K_TRIL = 2, K_PREC = 3 }; /* = slot in v[] */

static const char *const MEMBER[4] = {NULL, "covariance_matrix", "scale_tril",
                                      "precision_matrix"};

static const char *side(int arg)
{
    return arg == DV_ARG_Q ? "q" : "p";
}

/* ---- ψ ---------------------------------------------------------------------------------- */

/* ψ(1+u) = u − log1p(u) = u² Σ_{j≥0} (−u)^j/(j+2); 18 terms for |u| < 1/16 (< 3e-21). */

/* ψ(r) from u = r − 1 and lr = log r (both accurate). */

/* ---- double-double pieces for Σ1 − Σ2 ------------------------------------------------------ */

typedef struct ddacc {
    double s, c; /* value s + c: s the running sum, c the accumulated exact errors */
} ddacc;

/* Adds x·y exactly-ish: the product error from fma, the sum error from TwoSum. */
static void dd_addprod(ddacc *a, double x, double y)
{
    double p = x * y;
    double pe = fma(x, y, -p);
    double t = a->s + p;
    double bb = t - a->s;
    a->c += ((a->s - (t - bb)) + (p - bb)) + pe;
    a->s = t;
}

static void dd_split(const ddacc *a, double *hi, double *lo)
{
    *hi = a->s + a->c;
    *lo = a->c - (*hi - a->s);
}

/* ---- checks ----------------------------------------------------------------------------- */

/* Sizes: d ≥ 1 and d·d·k doubles fit (k small). */
static bool dd_fits(size_t d, size_t k)
{
    return d <= SIZE_MAX / d && d * d <= SIZE_MAX / sizeof(double) / k;
}

static dv_status check_loc(const dv_fdist *x, int arg, dv_error *err)
{
    const char *s = side(arg);
    if (!x->v[0])
        return dv_fail_at(err, DV_BAD_PARAMETER, dv_at(arg, "loc"), "%s needs loc", s);
    if (x->d == 0)
        return dv_fail_at(err, DV_EMPTY, dv_at(arg, "loc"),
                          "%s.loc is empty; a multivariate normal needs at least one "
                          "dimension",
                          s);
    char num[40];
    for (size_t i = 0; i < x->d; i++)
        if (!isfinite(x->v[0][i])) {
            numfmt_msg(num, sizeof num, x->v[0][i]);
            return dv_fail_at(err, DV_NOT_FINITE, dv_at1(arg, "loc", i),
                              "%s.loc[%zu] is %s; it must be a finite number", s, i, num);
        }
    return DV_OK;
}

/* Λ = V Vᵀ with V upper triangular (Cholesky from the bottom-right corner); reads the
 * lower triangle of a. Returns d on success, else the failing pivot. */
static size_t chol_upper(const double *a, size_t d, double *v)
{
    memset(v, 0, d * d * sizeof *v);
    for (size_t jj = d; jj-- > 0;) {
        double s = a[jj * d + jj];
        for (size_t k = jj + 1; k < d; k++)
            s = fma(-v[jj * d + k], v[jj * d + k], s);
        if (!(s > 0.0) || !isfinite(s))
            return jj;
        double vjj = sqrt(s);
        v[jj * d + jj] = vjj;
        for (size_t i = 0; i < jj; i++) {
            double t = a[jj * d + i]; /* Λ_i,jj from the lower triangle (row jj > i) */
            for (size_t k = jj + 1; k < d; k++)
                t = fma(-v[i * d + k], v[jj * d + k], t);
            v[i * d + jj] = t / vjj;
        }
    }
    return d;
}

static dv_status not_pd(dv_error *err, int arg, int kind, size_t j)
{
    return dv_fail_at(err, DV_NOT_POSITIVE_DEFINITE, dv_at2(arg, MEMBER[kind], j, j),
                      "%s.%s is not positive definite (Cholesky fails at pivot %zu, entry "
                      "[%zu][%zu], counting from 0)",
                      side(arg), MEMBER[kind], j, j, j);
}

static dv_status no_memory(dv_error *err, size_t d)
{
    return dv_fail_at(err, DV_NO_MEMORY, dv_at(DV_ARG_NONE, NULL),
                      "out of memory for the work space of a %zu-dimensional normal", d);
}

static dv_status too_large(dv_error *err, int arg, size_t d)
{
    return dv_fail_at(err, DV_TOO_LARGE, dv_at(arg, "loc"),
                      "a %zu-dimensional normal needs too much work space", d);
}

static int mvn_kind(const dv_fdist *x)
{
    return x->v[K_COV] ? K_COV : x->v[K_TRIL] ? K_TRIL : x->v[K_PREC] ? K_PREC : K_NONE;
}

dv_status dv_fam_multivariate_normal_check(const dv_fdist *x, int arg, dv_error *err)
{
    const char *s = side(arg);
    dv_status st = check_loc(x, arg, err);
    if (st != DV_OK)
        return st;
    int given = (x->v[K_COV] != NULL) + (x->v[K_TRIL] != NULL) + (x->v[K_PREC] != NULL);
    if (given != 1)
        return dv_fail_at(err, DV_BAD_PARAMETER,
                          dv_at(arg, given ? MEMBER[x->v[K_PREC] ? K_PREC : K_TRIL] : NULL),
                          "%s needs exactly one of covariance_matrix, scale_tril and "
                          "precision_matrix (%d given)",
                          s, given);
    size_t d = x->d;
    if (!dd_fits(d, 1))
        return too_large(err, arg, d);
    int kind = mvn_kind(x);
    const char *m = MEMBER[kind];
    const double *a = x->v[kind];
    char num[40], num2[40];
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++)
            if (!isfinite(a[i * d + j])) {
                numfmt_msg(num, sizeof num, a[i * d + j]);
                return dv_fail_at(err, DV_NOT_FINITE, dv_at2(arg, m, i, j),
                                  "%s.%s[%zu][%zu] is %s; it must be a finite number", s, m,
                                  i, j, num);
            }
    if (kind == K_TRIL) {
        for (size_t i = 0; i < d; i++) {
            for (size_t j = i + 1; j < d; j++)
                if (fabs(a[i * d + j]) > 0.0) {
                    numfmt_msg(num, sizeof num, a[i * d + j]);
                    return dv_fail_at(err, DV_BAD_PARAMETER, dv_at2(arg, m, i, j),
                                      "%s.scale_tril[%zu][%zu] is %s; scale_tril must be "
                                      "lower triangular (every entry above the diagonal 0)",
                                      s, i, j, num);
                }
            if (!(a[i * d + i] > 0.0)) {
                numfmt_msg(num, sizeof num, a[i * d + i]);
                return dv_fail_at(err, DV_NOT_POSITIVE, dv_at2(arg, m, i, i),
                                  "%s.scale_tril[%zu][%zu] is %s; the diagonal of "
                                  "scale_tril must be > 0",
                                  s, i, i, num);
            }
        }
        return DV_OK;
    }
    for (size_t i = 1; i < d; i++)
        for (size_t j = 0; j < i; j++) {
            double lo = a[i * d + j], up = a[j * d + i];
            /* the rule of gaussian.c: judged against the entries and √(a_ii a_jj) */
            double scale = fmax(fmax(fabs(lo), fabs(up)),
                                sqrt(fabs(a[i * d + i])) * sqrt(fabs(a[j * d + j])));
            if (fabs(lo - up) > SYM_TOL * scale) {
                numfmt_msg(num, sizeof num, lo);
                numfmt_msg(num2, sizeof num2, up);
                return dv_fail_at(err, DV_NOT_SYMMETRIC, dv_at2(arg, m, i, j),
                                  "%s.%s is not symmetric: [%zu][%zu] is %s but [%zu][%zu] "
                                  "is %s (they must agree within 1e-12 relative)",
                                  s, m, i, j, num, j, i, num2);
            }
        }
    double *l = malloc(d * d * sizeof *l);
    if (!l)
        return no_memory(err, d);
    size_t piv = dv_chol_lower(a, d, l);
    free(l);
    return piv < d ? not_pd(err, arg, kind, piv) : DV_OK;
}

dv_status dv_fam_lowrank_multivariate_normal_check(const dv_fdist *x, int arg,
                                                   dv_error *err)
{
    const char *s = side(arg);
    dv_status st = check_loc(x, arg, err);
    if (st != DV_OK)
        return st;
    size_t d = x->d, r = x->r;
    if (r > 0 && !x->v[1])
        return dv_fail_at(err, DV_BAD_PARAMETER, dv_at(arg, "cov_factor"),
                          "%s needs cov_factor", s);
    if (!x->v[2])
        return dv_fail_at(err, DV_BAD_PARAMETER, dv_at(arg, "cov_diag"),
                          "%s needs cov_diag", s);
    /* d·r (the factor, and the O(d·r) work of the KL) and (r+1)² (capacitances) fit */
    if (r >= SIZE_MAX / 16 || r > SIZE_MAX / d || d * r > SIZE_MAX / sizeof(double) / 4 ||
        !dd_fits(r + 1, 2))
        return too_large(err, arg, d);
    char num[40];
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < r; j++)
            if (!isfinite(x->v[1][i * r + j])) {
                numfmt_msg(num, sizeof num, x->v[1][i * r + j]);
                return dv_fail_at(
                    err, DV_NOT_FINITE, dv_at2(arg, "cov_factor", i, j),
                    "%s.cov_factor[%zu][%zu] is %s; it must be a finite number", s, i, j,
                    num);
            }
    for (size_t i = 0; i < d; i++) {
        double v = x->v[2][i];
        if (!isfinite(v) || !(v > 0.0)) {
            numfmt_msg(num, sizeof num, v);
            return dv_fail_at(err, isfinite(v) ? DV_NOT_POSITIVE : DV_NOT_FINITE,
                              dv_at1(arg, "cov_diag", i),
                              "%s.cov_diag[%zu] is %s; it must be a finite number > 0", s,
                              i, num);
        }
    }
    return DV_OK;
}

/* ---- entropies ---------------------------------------------------------------------------- */

dv_status dv_fam_multivariate_normal_entropy(const dv_fdist *x, dv_fresult *out,
                                             dv_error *err)
{
    dv_status st = dv_fam_multivariate_normal_check(x, DV_ARG_P, err);
    if (st != DV_OK)
        return st;
    size_t d = x->d;
    int kind = mvn_kind(x);
    dv_acc acc = {0.0, 0.0};
    dv_acc_add(&acc, (double)d * (0.5 + LN_SQRT_2PI));
    if (kind == K_TRIL) {
        for (size_t i = 0; i < d; i++)
            dv_acc_add(&acc, log(x->v[K_TRIL][i * d + i]));
        return dv_fam_finite(out, dv_acc_value(&acc));
    }
    double *l = malloc(d * d * sizeof *l);
    if (!l)
        return no_memory(err, d);
    size_t piv = dv_chol_lower(x->v[kind], d, l);
    if (piv < d) {
        free(l);
        return not_pd(err, DV_ARG_P, kind, piv);
    }
    /* ½ log det Σ = Σ log L_ii, or −Σ log U_ii for a precision Λ = U Uᵀ */
    for (size_t i = 0; i < d; i++)
        dv_acc_add(&acc, kind == K_PREC ? -log(l[i * d + i]) : log(l[i * d + i]));
    free(l);
    return dv_fam_finite(out, dv_acc_value(&acc));
}

/* Lower Cholesky factor of the r×r capacitance C = I + Wᵀ D⁻¹ W into lc. */
static void capacitance(const double *w, const double *diag, size_t d, size_t r, double *c,
                        double *lc)
{
    for (size_t a = 0; a < r; a++)
        for (size_t b = 0; b <= a; b++) {
            dv_acc s = {a == b ? 1.0 : 0.0, 0.0};
            for (size_t i = 0; i < d; i++)
                dv_acc_add(&s, w[i * r + a] * (w[i * r + b] / diag[i]));
            c[a * r + b] = c[b * r + a] = dv_acc_value(&s);
        }
    size_t piv = dv_chol_lower(c, r, lc);
    (void)piv;
    assert(piv == r); /* C ≥ I is positive definite */
}

dv_status dv_fam_lowrank_multivariate_normal_entropy(const dv_fdist *x, dv_fresult *out,
                                                     dv_error *err)
{
    dv_status st = dv_fam_lowrank_multivariate_normal_check(x, DV_ARG_P, err);
    if (st != DV_OK)
        return st;
    size_t d = x->d, r = x->r;
    dv_acc acc = {0.0, 0.0};
    dv_acc_add(&acc, (double)d * (0.5 + LN_SQRT_2PI));
    for (size_t i = 0; i < d; i++)
        dv_acc_add(&acc, 0.5 * log(x->v[2][i]));
    if (r > 0) {
        double *c = malloc(2 * r * r * sizeof *c);
        if (!c)
            return no_memory(err, d);
        capacitance(x->v[1], x->v[2], d, r, c, c + r * r);
        /* matrix determinant lemma: det Σ = det C · Π D_i */
        for (size_t a = 0; a < r; a++)
            dv_acc_add(&acc, log(c[r * r + a * r + a]));
        free(c);
    }
    return dv_fam_finite(out, dv_acc_value(&acc));
}

/* ---- dense KL ------------------------------------------------------------------------------ */

/* A normal made dense: its kind, the given matrix, and room for factors. */
typedef struct dense {
    size_t d;
    const double *loc;
    int kind;        /* K_COV (also a low-rank made dense), K_TRIL, K_PREC */
    const double *a; /* Σ, L or Λ as given (or the dense W Wᵀ + D)          */
    bool have_dd;    /* sig_hi/sig_lo hold Σ as a double-double              */
    double *sig_hi, *sig_lo;
    double *l; /* lower factor of Σ                                         */
    double *v; /* K_PREC: upper factor of Λ                                 */
} dense;

/* Fills g->l (and g->v for a precision); failing pivot or d. */
static size_t factor(dense *g)
{
    size_t d = g->d;
    if (g->kind == K_TRIL) {
        for (size_t i = 0; i < d; i++)
            for (size_t j = 0; j < d; j++)
                g->l[i * d + j] = j <= i ? g->a[i * d + j] : 0.0;
        return d;
    }
    if (g->kind == K_COV)
        return dv_chol_lower(g->a, d, g->l);
    size_t piv = chol_upper(g->a, d, g->v);
    if (piv < d)
        return piv;
    /* L = V⁻ᵀ: column j of V⁻¹ solves V x = e_j (back substitution); row j of L is it. */
    double *l = g->l, *v = g->v;
    memset(l, 0, d * d * sizeof *l);
    for (size_t j = 0; j < d; j++) {
        for (size_t ii = j + 1; ii-- > 0;) { /* x_i for i = j … 0; x_i = 0 for i > j */
            double t = ii == j ? 1.0 : 0.0;
            for (size_t k = ii + 1; k <= j; k++)
                t = fma(-v[ii * d + k], l[j * d + k], t);
            l[j * d + ii] = t / v[ii * d + ii]; /* (V⁻¹)_{ii,j} = L_{j,ii} */
        }
    }
    return d;
}

/* Σ as a double-double from a scale_tril (L Lᵀ with error-free products). */
static void tril_dd(const double *lt, size_t d, double *hi, double *lo)
{
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j <= i; j++) {
            ddacc s = {0.0, 0.0};
            for (size_t k = 0; k <= j; k++)
                dd_addprod(&s, lt[i * d + k], lt[j * d + k]);
            dd_split(&s, &hi[i * d + j], &lo[i * d + j]);
            hi[j * d + i] = hi[i * d + j];
            lo[j * d + i] = lo[i * d + j];
        }
}

/* Σ = W Wᵀ + diag(D) as a double-double. */
static void lowrank_dd(const double *w, const double *diag, size_t d, size_t r, double *hi,
                       double *lo)
{
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j <= i; j++) {
            ddacc s = {i == j ? diag[i] : 0.0, 0.0};
            for (size_t k = 0; k < r; k++)
                dd_addprod(&s, w[i * r + k], w[j * r + k]);
            dd_split(&s, &hi[i * d + j], &lo[i * d + j]);
            hi[j * d + i] = hi[i * d + j];
            lo[j * d + i] = lo[i * d + j];
        }
}

/* A ← T⁻¹ A for lower-triangular T (every column; d×d). */
static void lower_solve(const double *t, double *a, size_t d)
{
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++) {
            double s = a[i * d + j];
            for (size_t k = 0; k < i; k++)
                s = fma(-t[i * d + k], a[k * d + j], s);
            a[i * d + j] = s / t[i * d + i];
        }
}

/* A ← T⁻¹ A for upper-triangular T. */
static void upper_solve(const double *t, double *a, size_t d)
{
    for (size_t ii = d; ii-- > 0;)
        for (size_t j = 0; j < d; j++) {
            double s = a[ii * d + j];
            for (size_t k = ii + 1; k < d; k++)
                s = fma(-t[ii * d + k], a[k * d + j], s);
            a[ii * d + j] = s / t[ii * d + ii];
        }
}

/*
 * For a (not necessarily symmetric) m×m F with real eigenvalues γ near 0:
 *   variant 0: Σ ψ(1 + γ_i)   = Σ_{k≥2} (−1)^k tr(F^k)/k,
 *   variant 1: Σ ψ(1/(1 + γ_i)) = Σ_{k≥2} (−1)^k (k−1)/k · tr(F^k)
 * (ψ(1/x) = 1/x − 1 + log x; the k = 1 terms cancel exactly in both). Each tr(F^k) is
 * formed from F's entries, which the callers compute accurately relative to themselves,
 * so nothing cancels when γ → 0. Returns −1 unless the terms shrink geometrically and
 * converge to 1e-20 of the sum within 60 terms (then the caller keeps its plain value).
 * w needs 2m² doubles.
 */
static double trace_series(const double *f, size_t m, double *w, int variant)
{
    double *pw = w, *pn = w + m * m;
    memcpy(pw, f, m * m * sizeof *pw); /* F^(k−1) at the top of the loop */
    dv_acc sum = {0.0, 0.0};
    double prev = INFINITY;
    for (int k = 2; k <= 60; k++) {
        double tk = 0.0; /* tr(F^k) = Σ_ij (F^(k−1))_ij F_ji */
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < m; j++)
                tk = fma(pw[i * m + j], f[j * m + i], tk);
        double c = variant ? (double)(k - 1) / (double)k : 1.0 / (double)k;
        double term = ((k % 2) ? -tk : tk) * c;
        dv_acc_add(&sum, term);
        double s = dv_acc_value(&sum);
        if (k >= 4 && fabs(term) > 0.5 * prev)
            return -1.0; /* not converging fast: the spectrum is not small */
        prev = fabs(term);
        if (fabs(term) <= 1e-20 * s)
            return s >= 0.0 ? s : -1.0;
        dv_mat_mul(pw, f, m, pn); /* pn = pw · F */
        double *sw = pw;
        pw = pn;
        pn = sw;
    }
    return -1.0;
}

/* F = Σ·Λ − I (d×d) with Σ a double-double and Λ exact doubles: every product
 * error-free, the sum compensated, the identity subtracted before rounding. Read Λ from
 * its lower triangle. */
static void sigma_times_prec_minus_i(const double *hi, const double *lo, const double *lam,
                                     size_t d, double *f)
{
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++) {
            ddacc s = {i == j ? -1.0 : 0.0, 0.0};
            for (size_t k = 0; k < d; k++) {
                double l = k >= j ? lam[k * d + j] : lam[j * d + k];
                dd_addprod(&s, hi[i * d + k], l);
                dd_addprod(&s, lo[i * d + k], l);
            }
            f[i * d + j] = s.s + s.c;
        }
}

/* Doubles of work space dense_kl needs for dimension d (checked by the caller). */
#define DENSE_WORK 12

/*
 * D(p ‖ q) for two dense normals of dimension d; work has DENSE_WORK·d² + 2d doubles.
 * p->l, q->l, p->v, q->v, sig_* point into work already (set by the caller).
 */
static dv_status dense_kl(dense *p, dense *q, double *work, double *nats, dv_error *err,
                          int parg_kind, int qarg_kind)
{
    size_t d = p->d;
    size_t piv = factor(p);
    if (piv < d)
        return not_pd(err, DV_ARG_P, parg_kind, piv);
    piv = factor(q);
    if (piv < d)
        return not_pd(err, DV_ARG_Q, qarg_kind, piv);
    double *m = work, *b = m + d * d, *w2 = b + d * d, *z = w2 + 2 * d * d;
    /* M = L2⁻¹ L1, or L2⁻¹ (L1 − L2) = M − I for scale_tril ‖ scale_tril */
    bool tt = p->kind == K_TRIL && q->kind == K_TRIL;
    for (size_t i = 0; i < d * d; i++)
        m[i] = tt ? p->l[i] - q->l[i] : p->l[i];
    lower_solve(q->l, m, d);
    dv_acc cov = {0.0, 0.0};
    for (size_t i = 0; i < d; i++) {
        double mii = m[i * d + i];
        if (tt) {
            /* M_ii = 1 + δ: M_ii² − 1 = δ(2 + δ) without rounding through 1 */
            double u = mii * (2.0 + mii);
            dv_acc_add(&cov, dv_psi_from(u, 2.0 * log1p(mii)));
        } else {
            dv_acc_add(&cov, dv_psi_from(fma(mii, mii, -1.0), 2.0 * log(fabs(mii))));
        }
        for (size_t j = 0; j < i; j++)
            dv_acc_add(&cov, m[i * d + j] * m[i * d + j]);
    }
    double covv = dv_acc_value(&cov);
    if (!tt && covv < 0.5 * DV_PSI_SERIES_LIMIT * DV_PSI_SERIES_LIMIT) {
        double near = -1.0;
        if (p->kind == K_PREC && q->kind == K_PREC) {
            /* B = V1⁻¹ (Λ2 − Λ1) V1⁻ᵀ; its eigenvalues are those of Σ2⁻¹Σ1 − I */
            for (size_t i = 0; i < d; i++)
                for (size_t j = 0; j < d; j++) {
                    size_t ij = i >= j ? i * d + j : j * d + i; /* lower triangles */
                    b[i * d + j] = q->a[ij] - p->a[ij];
                }
            upper_solve(p->v, b, d);
            for (size_t i = 0; i < d; i++) /* (V1⁻¹E)ᵀ = E V1⁻ᵀ, then V1⁻¹ again */
                for (size_t j = 0; j < d; j++)
                    m[i * d + j] = b[j * d + i];
            upper_solve(p->v, m, d);
            near = dv_psi_eig_series(m, d, w2);
        } else if (p->have_dd && q->have_dd) {
            /* B = L2⁻¹ (Σ1 − Σ2) L2⁻ᵀ with Σ1 − Σ2 from the double-doubles */
            for (size_t i = 0; i < d * d; i++)
                b[i] = (p->sig_hi[i] - q->sig_hi[i]) + (p->sig_lo[i] - q->sig_lo[i]);
            lower_solve(q->l, b, d);
            for (size_t i = 0; i < d; i++)
                for (size_t j = 0; j < d; j++)
                    m[i * d + j] = b[j * d + i];
            lower_solve(q->l, m, d);
            near = dv_psi_eig_series(m, d, w2);
        } else if (p->have_dd && q->kind == K_PREC) {
            /* Σ2⁻¹Σ1 = Λ2Σ1, whose eigenvalues are those of F = Σ1Λ2 (transposed): with
             * F − I formed without rounding through I, variant 0 of the series. */
            sigma_times_prec_minus_i(p->sig_hi, p->sig_lo, q->a, d, m);
            near = trace_series(m, d, w2, 0);
        } else if (p->kind == K_PREC && q->have_dd) {
            /* Σ2⁻¹Σ1 = (Σ2Λ1)⁻¹: eigenvalues 1/(1 + γ) for γ those of Σ2Λ1 − I. */
            sigma_times_prec_minus_i(q->sig_hi, q->sig_lo, p->a, d, m);
            near = trace_series(m, d, w2, 1);
        }
        if (near >= 0.0)
            covv = near;
    }
    /* Mahalanobis: ‖Vᵀ Δμ‖² against a precision, ‖L2⁻¹ Δμ‖² otherwise; halved inputs
     * (exact) when a difference overflows, ×4 at the end. */
    double sc = 1.0;
    for (size_t i = 0; i < d; i++)
        if (!isfinite(q->loc[i] - p->loc[i]))
            sc = 0.5;
    for (size_t i = 0; i < d; i++)
        z[i] = sc * q->loc[i] - sc * p->loc[i];
    dv_acc mean = {0.0, 0.0};
    if (q->kind == K_PREC) {
        for (size_t j = 0; j < d; j++) {
            double t = 0.0;
            for (size_t i = 0; i <= j; i++)
                t = fma(q->v[i * d + j], z[i], t);
            dv_acc_add(&mean, t * t);
        }
    } else {
        for (size_t i = 0; i < d; i++) {
            double t = z[i];
            for (size_t k = 0; k < i; k++)
                t = fma(-q->l[i * d + k], z[k], t);
            z[i] = t / q->l[i * d + i];
            dv_acc_add(&mean, z[i] * z[i]);
        }
    }
    double v = 0.5 * (covv + dv_acc_value(&mean) / (sc * sc));
    if (!isfinite(v))
        return dv_fam_kl_overflow(err, "normals");
    *nats = v;
    return DV_OK;
}

static dv_status check_dims(const dv_fdist *p, const dv_fdist *q, dv_error *err)
{
    if (p->d != q->d)
        return dv_fail_at(err, DV_SHAPE_MISMATCH, dv_at(DV_ARG_Q, "loc"),
                          "p has dimension %zu but q has dimension %zu; they must be equal",
                          p->d, q->d);
    return DV_OK;
}

/* Sets up a dense view of an MVN row (no dd for a precision). */
static void dense_mvn(const dv_fdist *x, double *mem, dense *g)
{
    size_t d = x->d;
    g->d = d;
    g->loc = x->v[0];
    g->kind = mvn_kind(x);
    g->a = x->v[g->kind];
    g->l = mem;
    g->v = mem + d * d;
    g->sig_hi = mem + 2 * d * d;
    g->sig_lo = mem + 3 * d * d;
    g->have_dd = g->kind != K_PREC;
    if (g->kind == K_COV) {
        memcpy(g->sig_hi, g->a, d * d * sizeof(double));
        for (size_t i = 0; i < d; i++) /* the lower triangle is what is read */
            for (size_t j = 0; j < i; j++)
                g->sig_hi[j * d + i] = g->sig_hi[i * d + j];
        memset(g->sig_lo, 0, d * d * sizeof(double));
    } else if (g->kind == K_TRIL) {
        tril_dd(g->a, d, g->sig_hi, g->sig_lo);
    }
}

/* A low-rank row made dense: Σ = W Wᵀ + D as a double-double; a = its rounded value. */
static void dense_lowrank(const dv_fdist *x, double *mem, dense *g)
{
    size_t d = x->d;
    g->d = d;
    g->loc = x->v[0];
    g->kind = K_COV;
    g->l = mem;
    g->v = mem + d * d;
    g->sig_hi = mem + 2 * d * d;
    g->sig_lo = mem + 3 * d * d;
    g->have_dd = true;
    lowrank_dd(x->v[1], x->v[2], d, x->r, g->sig_hi, g->sig_lo);
    g->a = g->sig_hi;
}

/* One block: p (4d²), q (4d²), dense_kl work (4d² + d) — DENSE_WORK·d² + 2d doubles. */
static double *dense_alloc(size_t d, int arg, dv_error *err, dv_status *st)
{
    if (!dd_fits(d, DENSE_WORK + 1)) {
        *st = too_large(err, arg, d);
        return NULL;
    }
    double *mem = malloc((DENSE_WORK * d * d + 2 * d) * sizeof *mem);
    *st = mem ? DV_OK : no_memory(err, d);
    return mem;
}

dv_status dv_fam_multivariate_normal_multivariate_normal_kl(const dv_fdist *p,
                                                            const dv_fdist *q,
                                                            dv_fresult *out, dv_error *err)
{
    dv_status st = dv_fam_multivariate_normal_check(p, DV_ARG_P, err);
    if (st == DV_OK)
        st = dv_fam_multivariate_normal_check(q, DV_ARG_Q, err);
    if (st == DV_OK)
        st = check_dims(p, q, err);
    if (st != DV_OK)
        return st;
    size_t d = p->d;
    int kp = mvn_kind(p), kq = mvn_kind(q);
    double v;
    if (kp == K_COV && kq == K_COV) {
        /* Exactly /gaussian-kl's computation (same bits). */
        dv_gauss gp = {0, d, p->v[0], DV_SCALE_COV, p->v[K_COV]};
        dv_gauss gq = {0, d, q->v[0], DV_SCALE_COV, q->v[K_COV]};
        st = dv_gaussian_kl(&gp, &gq, &v, err);
        if (st != DV_OK) {
            if (err)
                err->at =
                    dv_at(st == DV_NOT_POSITIVE_DEFINITE ? err->at.arg : DV_ARG_NONE,
                          st == DV_NOT_POSITIVE_DEFINITE ? "covariance_matrix" : NULL);
            return st;
        }
        return dv_fam_finite(out, v);
    }
    double *mem = dense_alloc(d, DV_ARG_P, err, &st);
    if (!mem)
        return st;
    dense gp, gq;
    dense_mvn(p, mem, &gp);
    dense_mvn(q, mem + 4 * d * d, &gq);
    st = dense_kl(&gp, &gq, mem + 8 * d * d, &v, err, kp, kq);
    free(mem);
    return st == DV_OK ? dv_fam_finite(out, v) : st;
}

/*
 * A full covariance against a low-rank one (either way round): the low-rank side is made
 * dense, since the full side costs O(d³) anyway. W Wᵀ + D is positive definite in exact
 * arithmetic; a failing pivot there would be a rounding artefact of an extreme D and is
 * reported against its cov_diag.
 */
static dv_status mixed_kl(const dv_fdist *p, const dv_fdist *q, bool p_lowrank,
                          dv_fresult *out, dv_error *err)
{
    const dv_fdist *full = p_lowrank ? q : p, *low = p_lowrank ? p : q;
    int full_arg = p_lowrank ? DV_ARG_Q : DV_ARG_P,
        low_arg = p_lowrank ? DV_ARG_P : DV_ARG_Q;
    dv_status st = dv_fam_multivariate_normal_check(full, full_arg, err);
    if (st == DV_OK)
        st = dv_fam_lowrank_multivariate_normal_check(low, low_arg, err);
    if (st == DV_OK)
        st = check_dims(p, q, err);
    if (st != DV_OK)
        return st;
    size_t d = p->d;
    double *mem = dense_alloc(d, DV_ARG_P, err, &st);
    if (!mem)
        return st;
    dense gp, gq;
    if (p_lowrank) {
        dense_lowrank(p, mem, &gp);
        dense_mvn(q, mem + 4 * d * d, &gq);
    } else {
        dense_mvn(p, mem, &gp);
        dense_lowrank(q, mem + 4 * d * d, &gq);
    }
    double v;
    st = dense_kl(&gp, &gq, mem + 8 * d * d, &v, err, p_lowrank ? K_COV : mvn_kind(p),
                  p_lowrank ? mvn_kind(q) : K_COV);
    free(mem);
    if (st == DV_NOT_POSITIVE_DEFINITE && err && err->at.arg == low_arg)
        err->at = dv_at(low_arg, "cov_diag");
    return st == DV_OK ? dv_fam_finite(out, v) : st;
}

dv_status dv_fam_multivariate_normal_lowrank_multivariate_normal_kl(const dv_fdist *p,
                                                                    const dv_fdist *q,
                                                                    dv_fresult *out,
                                                                    dv_error *err)
{
    return mixed_kl(p, q, false, out, err);
}

dv_status dv_fam_lowrank_multivariate_normal_multivariate_normal_kl(const dv_fdist *p,
                                                                    const dv_fdist *q,
                                                                    dv_fresult *out,
                                                                    dv_error *err)
{
    return mixed_kl(p, q, true, out, err);
}

/* ---- low-rank ‖ low-rank (Woodbury) --------------------------------------------------------- */

/* ‖Lc⁻¹ X‖²_F for an r×n matrix X (row-major, overwritten by Lc⁻¹ X). */
static double solved_fro2(const double *lc, size_t r, double *x, size_t n)
{
    dv_acc s = {0.0, 0.0};
    for (size_t a = 0; a < r; a++)
        for (size_t j = 0; j < n; j++) {
            double t = x[a * n + j];
            for (size_t k = 0; k < a; k++)
                t = fma(-lc[a * r + k], x[k * n + j], t);
            t /= lc[a * r + a];
            x[a * n + j] = t;
            dv_acc_add(&s, t * t);
        }
    return dv_acc_value(&s);
}

static bool mul_ok(size_t a, size_t b, size_t *out)
{
    if (b != 0 && a > SIZE_MAX / b)
        return false;
    *out = a * b;
    return true;
}

static bool add_ok(size_t a, size_t b, size_t *out)
{
    if (a > SIZE_MAX - b)
        return false;
    *out = a + b;
    return true;
}

/* Entry (i, a) of a d×r factor padded with zero columns up to any a. */
static double wpad(const double *w, size_t r, size_t i, size_t a)
{
    return a < r ? w[i * r + a] : 0.0;
}

/* x ← C⁻¹ x for C = Lc Lcᵀ (r×r), x of length r. */
static void chol_solve(const double *lc, size_t r, double *x)
{
    for (size_t a = 0; a < r; a++) {
        double t = x[a];
        for (size_t k = 0; k < a; k++)
            t = fma(-lc[a * r + k], x[k], t);
        x[a] = t / lc[a * r + a];
    }
    for (size_t a = r; a-- > 0;) {
        double t = x[a];
        for (size_t k = a + 1; k < r; k++)
            t = fma(-lc[k * r + a], x[k], t);
        x[a] = t / lc[a * r + a];
    }
}

/*
 * The covariance part Σ ψ(1 + β) of a low-rank pair that is nearly equal, in O(d r²).
 * With ΔW = W1 − W2 and ΔD = D1 − D2 (exact when close; the narrower factor is padded
 * with zero columns), Σ1 − Σ2 = ΔD + ΔW W1ᵀ + W2 ΔWᵀ and
 *     X = Σ2⁻¹(Σ1 − Σ2) = diag(g) + A Bᵀ,   g = ΔD/D2,
 *     A = [−U C⁻¹, Σ2⁻¹ΔW, U C⁻¹],  B = [ΔD∘U, W1, ΔW],  U = D2⁻¹W2,
 * (Σ2⁻¹W2 = U C⁻¹), every column pair a small product of accurate factors. Then, by the
 * determinant lemma on I + X = (I + G)(I + (I+G)⁻¹ A Bᵀ),
 *     tr X − log det(I + X) = Σ ψ(1 + g_i) + [tr K − log det(I + K)] + Σ_i g_i/(1+g_i)·(A Bᵀ)_ii
 * with K = Bᵀ (I+G)⁻¹ A (3r × 3r), whose bracket is the trace series of variant 0. No term
 * is a difference of O(1) quantities. Returns −1 when the series does not converge (the
 * caller keeps its plain value) and −2 when out of memory (likewise).
 */
static double lowrank_near(const dv_fdist *p, const dv_fdist *q)
{
    size_t d = p->d, r1 = p->r, r2 = q->r, r = r1 > r2 ? r1 : r2, m = 3 * r;
    const double *w1 = p->v[1], *d1 = p->v[2], *w2 = q->v[1], *d2 = q->v[2];
    /* 2·d·m + 3m² + 3r² + r doubles */
    size_t a1, a2, a3, n;
    if (!mul_ok(d, m, &a1) || !mul_ok(a1, 2, &a1) || !mul_ok(m, m, &a2) ||
        !mul_ok(a2, 3, &a2) || !mul_ok(r, r, &a3) || !mul_ok(a3, 3, &a3) ||
        !add_ok(a1, a2, &n) || !add_ok(n, a3, &n) || !add_ok(n, r, &n) ||
        !mul_ok(n, sizeof(double), &a1))
        return -2.0;
    double *mem = malloc(n * sizeof *mem);
    if (!mem)
        return -2.0;
    double *A = mem, *B = A + d * m, *K = B + d * m, *work = K + m * m,
           *c = work + 2 * m * m, *lc = c + r * r, *t = lc + r * r, *x = t + r * r;
    for (size_t a = 0; a < r; a++) /* C = I + W2ᵀ D2⁻¹ W2 (padded) */
        for (size_t b = 0; b <= a; b++) {
            dv_acc s = {a == b ? 1.0 : 0.0, 0.0};
            for (size_t i = 0; i < d; i++)
                dv_acc_add(&s, wpad(w2, r2, i, a) * (wpad(w2, r2, i, b) / d2[i]));
            c[a * r + b] = c[b * r + a] = dv_acc_value(&s);
        }
    size_t piv = dv_chol_lower(c, r, lc);
    (void)piv;
    assert(piv == r);
    for (size_t i = 0; i < d; i++) {
        double *ar = A + i * m, *br = B + i * m;
        double diff = d1[i] - d2[i];
        for (size_t a = 0; a < r; a++) {
            double u = wpad(w2, r2, i, a) / d2[i];
            x[a] = u;
            br[a] = diff * u;
            br[r + a] = wpad(w1, r1, i, a);
            br[2 * r + a] = wpad(w1, r1, i, a) - wpad(w2, r2, i, a);
        }
        chol_solve(lc, r, x); /* row i of U C⁻¹ */
        for (size_t a = 0; a < r; a++) {
            ar[a] = -x[a];
            ar[2 * r + a] = x[a];
        }
    }
    for (size_t a = 0; a < r; a++) /* T = Uᵀ ΔW (r×r) */
        for (size_t b = 0; b < r; b++) {
            dv_acc s = {0.0, 0.0};
            for (size_t i = 0; i < d; i++)
                dv_acc_add(&s, (wpad(w2, r2, i, a) / d2[i]) * B[i * m + 2 * r + b]);
            t[a * r + b] = dv_acc_value(&s);
        }
    for (size_t i = 0; i < d; i++) /* Σ2⁻¹ΔW = D2⁻¹ΔW − (U C⁻¹) T */
        for (size_t b = 0; b < r; b++) {
            dv_acc s = {B[i * m + 2 * r + b] / d2[i], 0.0};
            for (size_t a = 0; a < r; a++)
                dv_acc_add(&s, -A[i * m + 2 * r + a] * t[a * r + b]);
            A[i * m + r + b] = dv_acc_value(&s);
        }
    dv_acc f = {0.0, 0.0};
    for (size_t i = 0; i < d; i++) {
        double g = (d1[i] - d2[i]) / d2[i];
        dv_acc_add(&f, dv_psi_from(g, fabs(g) < 0.5 ? log1p(g) : log(d1[i]) - log(d2[i])));
        dv_acc diag = {0.0, 0.0};
        for (size_t a = 0; a < m; a++)
            dv_acc_add(&diag, A[i * m + a] * B[i * m + a]);
        dv_acc_add(&f, g / (1.0 + g) * dv_acc_value(&diag));
    }
    /* K = Bᵀ (I+G)⁻¹ A, (I+G)⁻¹ = D2/D1: row by row into m² compensated accumulators
     * (kept in work, 2m² doubles, before the series needs it) so that A and B are read
     * once, in order. */
    _Static_assert(sizeof(dv_acc) == 2 * sizeof(double), "dv_acc is two doubles");
    dv_acc *kacc = (dv_acc *)(void *)work;
    for (size_t e = 0; e < m * m; e++)
        kacc[e] = (dv_acc){0.0, 0.0};
    for (size_t i = 0; i < d; i++) {
        double sc = d2[i] / d1[i];
        const double *ar = A + i * m, *br = B + i * m;
        for (size_t a = 0; a < m; a++) {
            double ba = br[a] * sc;
            for (size_t b = 0; b < m; b++)
                dv_acc_add(&kacc[a * m + b], ba * ar[b]);
        }
    }
    for (size_t e = 0; e < m * m; e++)
        K[e] = dv_acc_value(&kacc[e]);
    double ks = trace_series(K, m, work, 0);
    free(mem);
    if (ks < 0.0)
        return -1.0;
    dv_acc_add(&f, ks);
    double v = dv_acc_value(&f);
    return v >= 0.0 ? v : -1.0;
}

/*
 * With Σ2⁻¹ = D2⁻¹ − U C2⁻¹ Uᵀ (U = D2⁻¹ W2) and det Σ = det C · Π D:
 *   tr(Σ2⁻¹ Σ1) − d − log det(Σ2⁻¹Σ1) =
 *       Σ_i ψ(D1_i/D2_i) − ‖Lc2⁻¹ W2ᵀ D2⁻¹ D1^½‖² + ‖D2^-½ W1‖² − ‖Lc2⁻¹ W2ᵀ D2⁻¹ W1‖²
 *       + log det C2 − log det C1,
 *   Δμᵀ Σ2⁻¹ Δμ = ‖D2^-½ Δμ‖² − ‖Lc2⁻¹ W2ᵀ D2⁻¹ Δμ‖².
 */
dv_status dv_fam_lowrank_multivariate_normal_lowrank_multivariate_normal_kl(
    const dv_fdist *p, const dv_fdist *q, dv_fresult *out, dv_error *err)
{
    dv_status st = dv_fam_lowrank_multivariate_normal_check(p, DV_ARG_P, err);
    if (st == DV_OK)
        st = dv_fam_lowrank_multivariate_normal_check(q, DV_ARG_Q, err);
    if (st == DV_OK)
        st = check_dims(p, q, err);
    if (st != DV_OK)
        return st;
    size_t d = p->d, r1 = p->r, r2 = q->r;
    const double *w1 = p->v[1], *d1 = p->v[2], *w2 = q->v[1], *d2 = q->v[2];
    /* work: C1, Lc1 (2 r1²), C2, Lc2 (2 r2²), X (r2 × (max(d, r1) + 1)) */
    size_t ncol = d > r1 ? d : r1, a1, a2, a3, n;
    if (!mul_ok(r1, r1, &a1) || !mul_ok(r2, r2, &a2) || !mul_ok(r2, ncol + 1, &a3) ||
        !add_ok(a1, a2, &n) || !mul_ok(n, 2, &n) || !add_ok(n, a3, &n) ||
        !mul_ok(n + 1, sizeof(double), &a1))
        return too_large(err, DV_ARG_P, d);
    double *mem = malloc((n ? n : 1) * sizeof *mem);
    if (!mem)
        return no_memory(err, d);
    double *c1 = mem, *lc1 = c1 + r1 * r1, *c2 = lc1 + r1 * r1, *lc2 = c2 + r2 * r2,
           *x = lc2 + r2 * r2;
    dv_acc acc = {0.0, 0.0}; /* tr − d − log det(Σ2⁻¹Σ1) + Mahalanobis */
    for (size_t i = 0; i < d; i++) {
        double u = (d1[i] - d2[i]) / d2[i]; /* exact difference when close */
        double lr = fabs(u) < 0.5 ? log1p(u) : log(d1[i]) - log(d2[i]);
        dv_acc_add(&acc, dv_psi_from(u, lr));
    }
    if (r1 > 0) {
        capacitance(w1, d1, d, r1, c1, lc1);
        for (size_t a = 0; a < r1; a++)
            dv_acc_add(&acc, -2.0 * log(lc1[a * r1 + a]));
        /* ‖D2^-½ W1‖² */
        for (size_t i = 0; i < d; i++)
            for (size_t a = 0; a < r1; a++) {
                double t = w1[i * r1 + a] / sqrt(d2[i]);
                dv_acc_add(&acc, t * t);
            }
    }
    /* Mahalanobis, diagonal part (halved differences if one overflows, ×4 back) */
    double sc = 1.0;
    for (size_t i = 0; i < d; i++)
        if (!isfinite(q->v[0][i] - p->v[0][i]))
            sc = 0.5;
    dv_acc mean = {0.0, 0.0};
    for (size_t i = 0; i < d; i++) {
        double t = (sc * q->v[0][i] - sc * p->v[0][i]) / sqrt(d2[i]);
        dv_acc_add(&mean, t * t);
    }
    if (r2 > 0) {
        capacitance(w2, d2, d, r2, c2, lc2);
        for (size_t a = 0; a < r2; a++)
            dv_acc_add(&acc, 2.0 * log(lc2[a * r2 + a]));
        /* −‖Lc2⁻¹ W2ᵀ D2⁻¹ D1^½‖² (r2 × d) */
        for (size_t a = 0; a < r2; a++)
            for (size_t i = 0; i < d; i++)
                x[a * d + i] = w2[i * r2 + a] / d2[i] * sqrt(d1[i]);
        dv_acc_add(&acc, -solved_fro2(lc2, r2, x, d));
        if (r1 > 0) {
            /* −‖Lc2⁻¹ W2ᵀ D2⁻¹ W1‖² (r2 × r1) */
            for (size_t a = 0; a < r2; a++)
                for (size_t b = 0; b < r1; b++) {
                    dv_acc s = {0.0, 0.0};
                    for (size_t i = 0; i < d; i++)
                        dv_acc_add(&s, w2[i * r2 + a] / d2[i] * w1[i * r1 + b]);
                    x[a * r1 + b] = dv_acc_value(&s);
                }
            dv_acc_add(&acc, -solved_fro2(lc2, r2, x, r1));
        }
        /* −‖Lc2⁻¹ W2ᵀ D2⁻¹ Δμ‖² (r2 × 1) */
        for (size_t a = 0; a < r2; a++) {
            dv_acc s = {0.0, 0.0};
            for (size_t i = 0; i < d; i++)
                dv_acc_add(&s,
                           w2[i * r2 + a] / d2[i] * (sc * q->v[0][i] - sc * p->v[0][i]));
            x[a] = dv_acc_value(&s);
        }
        dv_acc_add(&mean, -solved_fro2(lc2, r2, x, 1));
    }
    free(mem);
    double covv = dv_acc_value(&acc), meanv = dv_acc_value(&mean) / (sc * sc);
    /* Nearly equal: the plain sum above is a difference of O(tr W ᵀD⁻¹W) terms. */
    if (covv < 0.5 * DV_PSI_SERIES_LIMIT * DV_PSI_SERIES_LIMIT && (r1 > 0 || r2 > 0)) {
        double near = lowrank_near(p, q);
        if (near >= 0.0)
            covv = near;
    }
    /* Both parts are ≥ 0 in exact arithmetic; rounding can leave a tiny negative. */
    double v = 0.5 * (fmax(covv, 0.0) + fmax(meanv, 0.0));
    if (!isfinite(v))
        return dv_fam_kl_overflow(err, "normals");
    return dv_fam_finite(out, v);
}
