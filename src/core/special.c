/*
 * special.c — digamma, lgamma/log-Bessel/log-sinhc Bregman differences (see special.h).
 *
 * Why it is built this way: a KL inside an exponential family is the Bregman divergence
 * of its log-normaliser, A(θq) − A(θp) − (θq − θp)·A'(θp). Written out, that is three
 * O(h) terms whose sum is O(h²) when θq = θp + h, so for h/θ = 1e-9 the textbook
 * evaluation keeps no digits at all. Each *_bregman function here computes that sum as a
 * sum of terms that are each non-negative (or each O(h²)):
 *  - lgamma: Stirling's series, whose leading part contributes x·[(1+ε)log1p ε − ε] and
 *    −½[log1p ε − ε] (ε = h/x) and whose Binet tail contributes c·x^−m·[(1+ε)^−m − 1 + mε],
 *    each by a short series when ε is small; small arguments are shifted up by the
 *    recurrence, which adds the non-negative terms −[log1p(h/(x+k)) − h/(x+k)].
 *  - log I0 and log(sinh x/x): h²∫₀¹(1 − s)f''(x + sh)ds by 16-point Gauss–Legendre when
 *    |h| is at most half the distance to the nearest singularity scale, with f'' itself
 *    evaluated without cancellation (power series / asymptotic series term by term);
 *    far apart, the direct difference (which then does not cancel badly), with the
 *    leading asymptotic parts split off analytically for large arguments.
 */
#include <assert.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>

#include "special.h"

/* 16-point Gauss–Legendre on [0, 1]: nodes and weights (mpmath, 50 digits, rounded). */
static const double GL16[16][2] = {
    {0x1.5b4f66ca1e083p-8, 0x1.bcddab4b7c211p-7},
    {0x1.c60a99e906503p-6, 0x1.fdfb1a2c1265dp-6},
    {0x1.132ff2bac6df4p-4, 0x1.85c4ee79cc258p-5},
    {0x1.f4ee8896e3653p-4, 0x1.fe7af2bad386ap-5},
    {0x1.874b732542e90p-3, 0x1.325f61bca3cbfp-4},
    {0x1.157ed32de2c47p-2, 0x1.5a6ebbb5a75fcp-4},
    {0x1.6fd1a8cdee642p-2, 0x1.75f8c77e0c00fp-4},
    {0x1.cf5a853312ac1p-2, 0x1.83feae80e4dfcp-4},
    {0x1.1852bd6676aa0p-1, 0x1.83feae80e4dfcp-4},
    {0x1.48172b9908cdfp-1, 0x1.75f8c77e0c00fp-4},
    {0x1.754096690e9ddp-1, 0x1.5a6ebbb5a75fcp-4},
    {0x1.9e2d2336af45cp-1, 0x1.325f61bca3cbfp-4},
    {0x1.c1622eed23936p-1, 0x1.fe7af2bad386ap-5},
    {0x1.dd9a01a8a7241p-1, 0x1.85c4ee79cc258p-5},
    {0x1.f1cfab30b7cd8p-1, 0x1.fdfb1a2c1265dp-6},
    {0x1.fd4961326bc3fp-1, 0x1.bcddab4b7c211p-7},
};

/* ---- elementary differences ------------------------------------------------------------ */

double dv_log1pmx(double e)
{
    if (fabs(e) < 0.25) {
        /* log1p e − e = Σ_{k≥2} (−1)^{k+1} e^k / k; 0.25^30 < 1e-18 of the leading e²/2. */
        double s = 0.0;
        for (int k = 32; k >= 2; k--)
            s = (((k & 1) ? 1.0 : -1.0) / (double)k) + e * s;
        return e * e * s;
    }
    if (isinf(e))
        return -e; /* log1p(inf) − inf: the linear term wins */
    return log1p(e) - e;
}

double dv_ratio_psi(double a, double b)
{
    if (a <= 2.0 * b && b <= 2.0 * a)
        return -dv_log1pmx((a - b) / b); /* a − b exact (Sterbenz) */
    double q = a / b;
    double lq = (q >= DBL_MIN && q <= DBL_MAX) ? log(q) : log(a) - log(b);
    if (isinf(q))
        return q;          /* a/b overflows: q dominates log q */
    return (q - 1.0) - lq; /* q far from 1: the terms differ by ≥ 30% */
}

double dv_xlog1pxmx(double e)
{
    if (fabs(e) < 0.25) {
        /* (1+e)log1p e − e = Σ_{k≥2} (−1)^k e^k / (k(k−1)). */
        double s = 0.0;
        for (int k = 32; k >= 2; k--)
            s = (((k & 1) ? -1.0 : 1.0) / ((double)k * (double)(k - 1))) + e * s;
        return e * e * s;
    }
    if (e <= -1.0)
        return 1.0; /* the limit 0·log 0 + 1 */
    if (isinf(e))
        return e;
    if (e > 0.0 && e <= 4.0)
        /* (1+e)(log1p e − e) + e²: the two parts cancel by at most a factor ~3 here,
           while (1+e)log1p e − e would cancel by up to ~20. */
        return (1.0 + e) * dv_log1pmx(e) + e * e;
    return (1.0 + e) * log1p(e) - e; /* a sum of two non-negative terms for e < 0 */
}

double dv_expm1mx(double y)
{
    if (fabs(y) < 0.25) {
        double s = 0.0, f = 1.0;
        double c[24];
        for (int k = 2; k < 24; k++) {
            f *= (double)k;
            c[k] = 1.0 / f;
        }
        for (int k = 23; k >= 2; k--)
            s = c[k] + y * s;
        return y * y * s;
    }
    if (isinf(y))
        return INFINITY; /* e^y − y → +inf at both ends */
    return expm1(y) - y;
}

/* ---- Stirling pieces ----------------------------------------------------------------- */

/* c_n = B_2n / (2n(2n−1)) (Binet series of lgamma) and d_n = B_2n / (2n) (digamma).
   Nine terms: at x ≥ 10 the first omitted one is below 2e-19. */
static const double BINET_C[9] = {1.0 / 12.0,    -1.0 / 360.0,       1.0 / 1260.0,
                                  -1.0 / 1680.0, 1.0 / 1188.0,       -691.0 / 360360.0,
                                  1.0 / 156.0,   -3617.0 / 122400.0, 43867.0 / 244188.0};
static const double DIGAMMA_D[9] = {1.0 / 12.0,   -1.0 / 120.0,     1.0 / 252.0,
                                    -1.0 / 240.0, 1.0 / 132.0,      -691.0 / 32760.0,
                                    1.0 / 12.0,   -3617.0 / 8160.0, 43867.0 / 14364.0};
#define STIRLING_MIN 10.0

double dv_binet(double x)
{
    assert(x >= STIRLING_MIN);
    double r = 1.0 / x, r2 = r * r, s = 0.0;
    for (int n = 8; n >= 0; n--)
        s = BINET_C[n] + r2 * s;
    return s * r;
}

/* T(x) = Σ d_n x^−2n, so ψ(x) = log x − 1/(2x) − T(x) for x ≥ 10. */
static double digamma_tail(double x)
{
    double r2 = 1.0 / (x * x), s = 0.0;
    for (int n = 8; n >= 0; n--)
        s = DIGAMMA_D[n] + r2 * s;
    return s * r2;
}

double dv_digamma(double x)
{
    assert(x > 0.0);
    if (x >= STIRLING_MIN)
        return log(x) - 0.5 / x - digamma_tail(x);
    /* ψ(x) = ψ(x + N) − Σ_{k<N} 1/(x + k); the reciprocals are summed smallest first. */
    int n = (int)ceil(STIRLING_MIN - x);
    double y = x + (double)n, s = 0.0;
    for (int k = n - 1; k >= 0; k--)
        s += 1.0 / (x + (double)k);
    return (log(y) - 0.5 / y - digamma_tail(y)) - s;
}

double dv_digamma_mlog(double x)
{
    if (x >= STIRLING_MIN)
        return -0.5 / x - digamma_tail(x);
    return dv_digamma(x) - log(x);
}

/* (1 + e)^−m − 1 + m·e for integer m ≥ 1, e > −1. */
static double pow_breg(int m, double e)
{
    if (fabs(e) * (double)(m + 1) < 0.2) {
        /* Σ_{k≥2} C(−m, k) e^k; successive terms shrink by ≥ 5×. */
        double c = (double)m * (double)(m + 1) / 2.0; /* C(−m, 2) */
        double t = c * e * e, s = 0.0;
        for (int k = 2; k < 40 && fabs(t) > 1e-19 * fabs(s); k++) {
            s += t;
            t *= -e * (double)(m + k) / (double)(k + 1);
        }
        return s;
    }
    return expm1(-(double)m * log1p(e)) + (double)m * e;
}

/* The Binet-tail part of the Stirling Bregman term:
   Σ c_n x^{−m} [(1+e)^{−m} − 1 + m·e], m = 2n − 1, e = h/x. Where y = x + h ≤ x/2 it is
   written as Σ c_n [y^{−m} − x^{−m}(1 − m·e)] (y^{−m} itself; (1+e)^{−m} could overflow
   while x^{−m} underflows). */
static double binet_breg_tail(double x, double h, double y)
{
    double e = h / x, tail = 0.0, xp = 1.0 / x, r2 = xp * xp;
    bool far = e <= -0.5;
    double yp = 1.0 / y, ry2 = yp * yp;
    for (int n = 0; n < 9; n++) {
        int m = 2 * n + 1;
        if (far)
            tail += BINET_C[n] * (yp - xp * (1.0 - (double)m * e));
        else
            tail += BINET_C[n] * xp * pow_breg(m, e);
        xp *= r2;
        yp *= ry2;
        if (!far && fpclassify(xp) == FP_ZERO)
            break;
    }
    return tail;
}

/* lgamma(y) − lgamma(x) − hψ(x), h = y − x, for x ≥ 10 and y ≥ ~10 (Stirling). Where
   y ≪ x, e = h/x rounds towards −1 and 1 + e is taken as y/x instead. */
static double stirling_breg(double x, double h, double y)
{
    double e = h / x;
    if (e > -0.5)
        return (x * dv_xlog1pxmx(e) - 0.5 * dv_log1pmx(e)) + binet_breg_tail(x, h, y);
    double r = y / x, lr = log(r);
    /* (1+e)log(1+e) − e and log(1+e) − e with 1 + e = r */
    return (x * (r * lr - e) - 0.5 * (lr - e)) + binet_breg_tail(x, h, y);
}

/* lgamma(x+h) − lgamma(x) − hψ(x), h given exactly; y ≈ x + h is used only where
   h/(x+k) is far from 0 (there its rounding costs only relative error). */
static double lgamma_breg_xh(double x, double h, double y)
{
    assert(x > 0.0 && y > 0.0);
    if (fpclassify(h) == FP_ZERO)
        return 0.0;
    double m = fmin(x, y);
    if (m >= STIRLING_MIN)
        return stirling_breg(x, h, y);
    int n = (int)ceil(STIRLING_MIN - m);
    double s = 0.0;
    for (int k = n - 1; k >= 0; k--) {
        double xk = x + (double)k, ek = h / xk;
        /* −[log((y+k)/(x+k)) − h/(x+k)] ≥ 0 */
        s -= ek > -0.5 ? dv_log1pmx(ek) : log((y + (double)k) / xk) - ek;
    }
    return stirling_breg(x + (double)n, h, y + (double)n) + s;
}

double dv_lgamma_bregman(double x, double y)
{
    return lgamma_breg_xh(x, y - x, y);
}

double dv_lgamma_bregman_h(double x, double h)
{
    return lgamma_breg_xh(x, h, x + h);
}

double dv_lgamma_bregman_lin(double x, double h, double y, double *lin)
{
    if (x >= STIRLING_MIN && y <= 0.5 * x) {
        /* lgamma(y) − lgamma(x) − hψ(x) − x = lgamma(y) − yψ(x) − [lgamma(x) − xψ(x) + x],
           and with Stirling lgamma(x) − xψ(x) + x = −½log x + ½log 2π + ½ + S(x) + xT(x):
           no term of size x is left. */
        static const double HALF_LOG_2PI_P_HALF = 0x1.6b3f8e4325f5ap+0; /* ½(1 + log 2π) */
        double t = digamma_tail(x);
        double psi = log(x) - 0.5 / x - t;
        *lin = x;
        return (lgamma(y) - y * psi) -
               (-0.5 * log(x) + HALF_LOG_2PI_P_HALF + dv_binet(x) + x * t);
    }
    *lin = 0.0;
    return lgamma_breg_xh(x, h, y);
}

/* ---- the Dirichlet log-normaliser near a point ------------------------------------- */

/* hᵀ∇²A(α)h for A = Σ lgamma(α_i) − lgamma(Σα): Σh_i²ψ'(α_i) − H²ψ'(α0). With
   ψ'(x) = 1/x + r(x): Σh_i²/α_i − H²/α0 = Σ α_i(ε_i − E)² (ε_i = h_i/α_i, E = H/α0) is a
   sum of squares, and Σh_i²r(α_i) − H²r(α0) cancels by at most a small factor. */
static double dirichlet_quadform(const double *a, const double *h, size_t k, double s,
                                 double P, double H)
{
    double a0 = P + s * H, E = H / a0, sum = 0.0, rr = 0.0;
    for (size_t i = 0; i < k; i++) {
        double ai = a[i] + s * h[i], d = h[i] / ai - E;
        sum += ai * d * d;
        rr += h[i] * h[i] * dv_trigamma_m1x(ai);
    }
    return sum + (rr - H * H * dv_trigamma_m1x(a0));
}

double dv_dirichlet_bregman_near(const double *a, const double *h, size_t k, double P,
                                 double H)
{
    /* ∫₀¹ (1 − s) hᵀ∇²A(α + s h)h ds; the integrand is analytic in s on a disc of radius
       ≥ 2 around [0, 1] when every |h_i| ≤ α_i/2 (ψ' has its poles at 0, −1, …). */
    double sum = 0.0;
    for (int i = 0; i < 16; i++)
        sum +=
            GL16[i][1] * (1.0 - GL16[i][0]) * dirichlet_quadform(a, h, k, GL16[i][0], P, H);
    return sum;
}

double dv_binet_bregman(double x, double h, double y)
{
    assert(x >= STIRLING_MIN);
    return binet_breg_tail(x, h, y);
}

double dv_trigamma_m1x(double x)
{
    assert(x > 0.0);
    /* B_2k for k = 1..9: ψ'(x) = 1/x + 1/(2x²) + Σ B_2k / x^{2k+1} for x ≥ 10. */
    static const double B2K[9] = {1.0 / 6.0,   -1.0 / 30.0,     1.0 / 42.0,
                                  -1.0 / 30.0, 5.0 / 66.0,      -691.0 / 2730.0,
                                  7.0 / 6.0,   -3617.0 / 510.0, 43867.0 / 798.0};
    int n = x >= STIRLING_MIN ? 0 : (int)ceil(STIRLING_MIN - x);
    double y = x + (double)n, r = 1.0 / y, r2 = r * r, s = 0.0;
    for (int k = 8; k >= 0; k--)
        s = B2K[k] + r2 * s;
    double v = 0.5 * r2 + s * r2 * r;
    if (n == 0)
        return v;
    /* ψ'(x) − 1/x = [ψ'(y) − 1/y] + Σ_{k<n} 1/(x+k)² − n/(x·y) */
    double sq = 0.0;
    for (int k = n - 1; k >= 0; k--) {
        double xk = x + (double)k;
        sq += 1.0 / (xk * xk);
    }
    return (v + sq) - (double)n / (x * y);
}

/* ψ(x + h) − ψ(x) for x > 0, x + h > 0, without cancellation when |h| ≪ x. */
double dv_digamma_diff(double x, double h)
{
    assert(x > 0.0 && x + h > 0.0);
    if (fpclassify(h) == FP_ZERO)
        return 0.0;
    if (fabs(h) > 0.25 * x)
        return dv_digamma(x + h) - dv_digamma(x); /* far apart: no bad cancellation */
    double m = fmin(x, x + h);
    int n = m >= STIRLING_MIN ? 0 : (int)ceil(STIRLING_MIN - m);
    /* ψ(x+h) − ψ(x) = [ψ(y+h) − ψ(y)] + Σ_{k<n} h/((x+k)(x+k+h)), y = x + n. */
    double s = 0.0;
    for (int k = n - 1; k >= 0; k--) {
        double xk = x + (double)k;
        s += (h / xk) / (xk + h);
    }
    double y = x + (double)n, e = h / y;
    /* ψ = log − 1/(2·) − T: log1p e + h/(2y(y+h)) − [T(y+h) − T(y)], T's terms as
       d_n y^−2n [(1+e)^−2n − 1]. */
    double t = 0.0, yp = 1.0 / (y * y), r2 = yp;
    for (int k = 0; k < 9; k++) {
        t += DIGAMMA_D[k] * yp * expm1(-(double)(2 * k + 2) * log1p(e));
        yp *= r2;
    }
    return (log1p(e) + 0.5 * (h / y) / (y + h) - t) + s;
}

double dv_lgamma2p(double u)
{
    assert(u > -2.0);
    if (fabs(u) > 0.5)
        return lgamma(2.0 + u);
    /* lgamma(2+u) = [lgamma(2+u) − lgamma(2) − uψ(2)] + u(1 − γ), ψ(2) = 1 − γ. */
    static const double ONE_M_EULER = 0x1.b0ee6072093cep-2;
    return lgamma_breg_xh(2.0, u, 2.0 + u) + u * ONE_M_EULER;
}

/* ---- modified Bessel functions I0, I1 ------------------------------------------------ */

/* Below this the power series (all terms positive) is used; above it the asymptotic
   series, whose smallest term near k = 2x is ~e^−2x: 2e-22 at x = 25. */
#define BESSEL_ASYM 25.0

/* I0(x) and I1(x)/x by their power series in q = x²/4. */
static double i0_series(double x, double *i0, double *i1x)
{
    double q = 0.25 * x * x, t0 = 1.0, t1 = 0.5, s0 = 0.0, s1 = 0.5;
    for (int k = 1; k < 200; k++) {
        t0 *= q / ((double)k * (double)k);
        t1 *= q / ((double)k * (double)(k + 1));
        s0 += t0;
        s1 += t1;
        if (t0 < 1e-18 * (1.0 + s0) && t1 < 1e-18 * s1)
            break;
    }
    *i0 = 1.0 + s0;
    *i1x = s1;
    return s0; /* I0 − 1, for log1p */
}

/* I0² − I0·I1/x − I1² = ½ Σ_k q^k (2k)!/(k!²(k+1)!²), q = x²/4 (from the Cauchy products
   of the three series; the coefficients combine to (2k)!/(k!²(k+1)!²)·[(k+1)² − (2k+1)/2
   − k(k+1)] = ½·(2k)!/(k!²(k+1)!²) > 0), so (log I0)'' below BESSEL_ASYM has no
   cancellation: the ratio of successive terms is 2(2k−1)q/(k(k+1)²). */
static double i0_d2_num(double x)
{
    double q = 0.25 * x * x, t = 0.5, s = 0.5;
    for (int k = 1; k < 400; k++) {
        double kk = (double)k;
        t *= 2.0 * (2.0 * kk - 1.0) * q / (kk * (kk + 1.0) * (kk + 1.0));
        s += t;
        if (t < 1e-18 * s)
            break;
    }
    return s;
}

/*
 * Asymptotic series for x ≥ BESSEL_ASYM: S0 = I0(x)e^−x√(2πx) = Σ a_k/x^k,
 * S1 = I1(x)e^−x√(2πx) = Σ b_k/x^k. Returns S0, B = 1 − I1/I0 = (S0 − S1)/S0 and
 * C = B − 1/(2x) = (S0 − S1 − S0/(2x))/S0, each numerator summed term by term from its
 * own coefficients (a_k − b_k, a_k − b_k − a_{k−1}/2), which are all positive: B and C
 * are then as accurate as S0, although A = 1 − 1/(2x) − C would lose them.
 */
static void i0_asym(double x, double *s0, double *b, double *c)
{
    double r = 1.0 / x;
    double a = 1.0, bb = 1.0; /* a_0, b_0 */
    double sa = 1.0, sd = 0.0, sc = 0.0, xk = 1.0;
    for (int k = 1; k < 60; k++) {
        double a_prev = a;
        double kk = (double)k, t = 2.0 * kk - 1.0;
        a *= t * t / (8.0 * kk);
        bb *= -(4.0 - t * t) / (8.0 * kk);
        xk *= r;
        double ta = a * xk, td = (a - bb) * xk, tc = (a - bb - 0.5 * a_prev) * xk;
        sa += ta;
        sd += td;
        sc += tc;
        if (ta < 1e-18 * sa && td < 1e-18 * sd && fabs(tc) < 1e-18 * fabs(sc))
            break;
        if ((t + 2.0) * (t + 2.0) / (8.0 * (kk + 1.0)) * r >= 1.0)
            break; /* the series starts to diverge */
    }
    *s0 = sa;
    *b = sd / sa;
    *c = sc / sa;
}

double dv_log_i0e(double x)
{
    if (x < BESSEL_ASYM)
        return dv_log_i0(x) - x;
    double s0, b, c;
    i0_asym(x, &s0, &b, &c);
    return -0.5 * log(2.0 * M_PI * x) + log(s0);
}

double dv_log_i0(double x)
{
    assert(x >= 0.0);
    if (x < BESSEL_ASYM) {
        double i0, i1x;
        return log1p(i0_series(x, &i0, &i1x));
    }
    double s0, b, c;
    i0_asym(x, &s0, &b, &c);
    return x - 0.5 * log(2.0 * M_PI * x) + log(s0);
}

double dv_bessel_ratio(double x)
{
    assert(x >= 0.0);
    if (x < BESSEL_ASYM) {
        double i0, i1x;
        i0_series(x, &i0, &i1x);
        return x * (i1x / i0);
    }
    double s0, b, c;
    i0_asym(x, &s0, &b, &c);
    return 1.0 - b;
}

double dv_bessel_ratio_c(double x)
{
    if (x < BESSEL_ASYM) {
        /* 1 − A = (I0 − I1)/I0 with I0 − I1 = (1/π)∫₀^π e^{x cos θ}(1 − cos θ)dθ: a
           positive integrand, so no cancellation (1 − A by subtraction loses ~6 bits at
           x = 25). The trapezoid rule on this periodic analytic integrand errs by
           ~I_{2N}(x)/I0(x) < 1e-28 for N = 40 and x < 25. Both integrals scaled by e^−x,
           with cos θ − 1 = −2 sin²(θ/2). */
        enum { N = 40 };
        double s0 = 0.0, sb = 0.0;
        for (int j = 0; j <= N; j++) {
            double th = M_PI * (double)j / (double)N, sh = sin(0.5 * th);
            double w = (j == 0 || j == N) ? 0.5 : 1.0, om = 2.0 * sh * sh;
            double e = w * exp(-x * om);
            s0 += e;
            sb += e * om;
        }
        return sb / s0;
    }
    double s0, b, c;
    i0_asym(x, &s0, &b, &c);
    return b;
}

/* (log I0)'' = A' = 1 − A/x − A²: below BESSEL_ASYM from i0_d2_num; above it as 2C − B² + B/x (A = 1 − B,
   B = 1/(2x) + C), whose terms are all O(1/x²) instead of O(1). */
static double log_i0_d2(double x)
{
    if (x < BESSEL_ASYM) {
        double i0, i1x;
        i0_series(x, &i0, &i1x);
        return i0_d2_num(x) / (i0 * i0);
    }
    double s0, b, c;
    i0_asym(x, &s0, &b, &c);
    return 2.0 * c - b * b + b / x;
}

/*
 * f(y) − f(x) − (y − x)f'(x) = ∫_x^y (y − t) f''(t) dt, an integral of a one-signed
 * integrand, so it has no cancellation whatever x and y are. Composite 16-point
 * Gauss–Legendre: each panel [a, b] is at most ½·max(|a|, 1) long, and the f'' used here
 * (log I0, log sinhc) are analytic except at points whose distance from the panel is at
 * least its length (zeros of I0 at ±2.40i…, poles at ±iπ…, or the 1/t² scale of the
 * large-argument asymptotics), which makes the rule exact to ~1e-20. The weight y − t
 * is formed as (y − b) + (b − a)(1 − s): y − x itself is exact when x ≈ y (Sterbenz), and
 * forming y − t from the rounded node t would lose everything when |y − x| ≪ |x|. The
 * end point y is taken as given, not as x + h: far from x, the rounding of x + h would
 * move it by ulp(x), which matters when |y| ≪ |x|.
 */
static double bregman_path(double (*f2)(double), double x, double h, double y)
{
    double total = 0.0, a = x;
    for (int panel = 0; panel < 4000; panel++) {
        double step = 0.5 * fmax(fabs(a), 1.0);
        bool first_last = panel == 0 && fabs(h) <= step; /* then len = h, exact */
        bool last = first_last || fabs(y - a) <= step;
        double b = last ? y : a + copysign(step, y - a);
        double len = first_last ? h : b - a, off = last ? 0.0 : y - b, s = 0.0;
        for (int i = 0; i < 16; i++)
            s += GL16[i][1] * (off + len * (1.0 - GL16[i][0])) * f2(a + GL16[i][0] * len);
        total += len * s;
        if (last)
            return total;
        a = b;
    }
    /* Unreachable: panels grow by 1.5× (or halve towards 0), so any two doubles are
       joined in fewer than 2·1100 + 4 panels. */
    assert(0);
    return total;
}

/* Above this both (log I0)'' ≈ 1/(2x²) and the O(1/x) parts of log I0 are negligible
   next to −½log x, and far above it the quadrature's f'' would underflow (1e154). */
#define I0_HUGE 1e17

/* log I0(y) − log I0(x) − (y − x)A(x) for x ≥ I0_HUGE: with log I0 = x − ½log(2πx) +
   LS(x) and A = 1 − 1/(2x) − C(x) (LS = log S0, LS' = −C), no term of size x remains. */
static double log_i0_breg_from_huge(double x, double y)
{
    double s0x, bx, cx;
    i0_asym(x, &s0x, &bx, &cx);
    double lsx = log(s0x), h = y - x;
    if (y >= BESSEL_ASYM) {
        double s0y, by, cy;
        i0_asym(y, &s0y, &by, &cy);
        return 0.5 * dv_ratio_psi(y, x) + ((log(s0y) - lsx) + h * cx);
    }
    /* y small: log I0(y) − y + ½log(2πx) + y/(2x) − ½ − LS(x) − x·C(x) + y·C(x) */
    return dv_log_i0e(y) + 0.5 * log(2.0 * M_PI * x) + (0.5 * y / x - 0.5) - lsx -
           (x - y) * cx;
}

double dv_log_i0_bregman(double x, double y)
{
    assert(x >= 0.0 && y >= 0.0);
    if (fpclassify(y - x) == FP_ZERO)
        return 0.0;
    if (x >= I0_HUGE)
        return log_i0_breg_from_huge(x, y);
    if (y > I0_HUGE) {
        /* ∫_x^y (y−t)f'' = ∫_x^{t0}(t0−t)f'' + (y − t0)∫_x^{t0}f'' + ∫_{t0}^y(y−t)f'',
           each ≥ 0; ∫_x^{t0} f'' = A(t0) − A(x) = B(x) − B(t0) (B = 1 − A). */
        double t0 = I0_HUGE;
        return bregman_path(log_i0_d2, x, t0 - x, t0) +
               (y - t0) * (dv_bessel_ratio_c(x) - dv_bessel_ratio_c(t0)) +
               log_i0_breg_from_huge(t0, y);
    }
    return bregman_path(log_i0_d2, x, y - x, y);
}

/* ---- log(sinh x / x) --------------------------------------------------------------------- */

/* sinh(x)/x − 1 = Σ_{k≥1} x^{2k}/(2k+1)!, for |x| < 1 (12 terms: 1/25! < 1e-25). */
static double sinhc_m1(double x2)
{
    double s = 0.0, f = 1.0, c[13];
    for (int k = 1; k <= 12; k++) {
        f *= (double)(2 * k) * (double)(2 * k + 1);
        c[k] = 1.0 / f;
    }
    for (int k = 12; k >= 1; k--)
        s = c[k] + x2 * s;
    return x2 * s;
}

double dv_logsinhc(double x)
{
    double a = fabs(x);
    if (a < 1.0)
        return log1p(sinhc_m1(a * a));
    /* log sinh a = a + log(1 − e^−2a) − log 2 */
    return a + log(-expm1(-2.0 * a)) - M_LN2 - log(a);
}

double dv_logsinhc_d1(double x)
{
    double a = fabs(x);
    if (a < 1.0) {
        /* coth x − 1/x = (x cosh x − sinh x)/(x sinh x) = x·P(x²)/(sinh x / x),
           P = Σ_{k≥1} 2k x^{2k−2}/(2k+1)!: positive terms, no cancellation. */
        double x2 = x * x, s = 0.0, f = 1.0, c[13];
        for (int k = 1; k <= 12; k++) {
            f *= (double)(2 * k) * (double)(2 * k + 1);
            c[k] = (double)(2 * k) / f;
        }
        for (int k = 12; k >= 1; k--)
            s = c[k] + x2 * s;
        return x * s / (1.0 + sinhc_m1(x2));
    }
    return 1.0 / tanh(x) - 1.0 / x;
}

double dv_logsinhc_d2(double x)
{
    double a = fabs(x);
    if (a < 1.0) {
        /* 1/x² − 1/sinh² x = (sinh² x − x²)/(x² sinh² x) = Q(x²)/(sinh x/x)²,
           Q = Σ_{k≥2} 2^{2k−1} x^{2k−4}/(2k)! (from sinh² x = (cosh 2x − 1)/2). */
        double x2 = x * x, s = 0.0, f = 24.0, p = 8.0, c[14];
        for (int k = 2; k <= 13; k++) {
            if (k > 2) {
                f *= (double)(2 * k - 1) * (double)(2 * k);
                p *= 4.0;
            }
            c[k] = p / f;
        }
        for (int k = 13; k >= 2; k--)
            s = c[k] + x2 * s;
        double sc = 1.0 + sinhc_m1(x2);
        return s / (sc * sc);
    }
    double sh = sinh(a);
    return 1.0 / (a * a) - 1.0 / (sh * sh); /* at a ≥ 1 the terms differ by ≥ 3.6× */
}

/* Above this log1p(−e^−2|x|) is exactly 0 in double, so f = |x| − log 2 − log|x|; and
   f'' = 1/x² would underflow the quadrature above 1e154. */
#define SINHC_HUGE 1e3

/* f(y) − f(x) − (y − x)f'(x) for |x| ≥ SINHC_HUGE (f even, so x > 0 after a flip): y on
   the same side and large, only −log|x| has a Bregman term; otherwise
   f(y) − y + log 2x + y/x − 1, in which the terms of size x have cancelled. */
static double logsinhc_breg_from_huge(double x, double y)
{
    if (x < 0.0) {
        x = -x;
        y = -y;
    }
    if (y >= SINHC_HUGE)
        return dv_ratio_psi(y, x);
    return dv_logsinhc(y) - y + log(2.0 * x) + (y / x - 1.0);
}

static double logsinhc_breg(double x, double h, double y);

double dv_logsinhc_bregman(double x, double y)
{
    return logsinhc_breg(x, y - x, y);
}

double dv_logsinhc_bregman_h(double x, double h)
{
    return logsinhc_breg(x, h, x + h);
}

/* h = y − x exactly when x ≈ y (then the quadrature uses h), y as given elsewhere. */
static double logsinhc_breg(double x, double h, double y)
{
    if (fpclassify(h) == FP_ZERO)
        return 0.0;
    if (fabs(x) >= SINHC_HUGE)
        return logsinhc_breg_from_huge(x, y);
    if (fabs(y) > SINHC_HUGE) {
        /* split at t0 as in dv_log_i0_bregman: three non-negative parts */
        double t0 = copysign(SINHC_HUGE, y);
        return bregman_path(dv_logsinhc_d2, x, t0 - x, t0) +
               (y - t0) * (dv_logsinhc_d1(t0) - dv_logsinhc_d1(x)) +
               logsinhc_breg_from_huge(t0, y);
    }
    return bregman_path(dv_logsinhc_d2, x, h, y);
}
