/*
 * special.h — special functions for the parametric families (families.c, fam_cont.c).
 *
 * Each function is accurate to a few ulps of its own value in the regimes the families
 * need, and — the point of the module — the "difference" functions evaluate quantities
 * that the textbook formulas get by subtracting nearly equal numbers (lgamma(y) −
 * lgamma(x) − (y − x)ψ(x) for y ≈ x, the same for log I0 and log(sinh x / x)) directly,
 * so a KL between nearly equal distributions keeps its digits. Tested against mpmath in
 * tests/unit/test_special.c. No state; every function is reentrant.
 */
#ifndef DV_SPECIAL_H
#define DV_SPECIAL_H

/* Euler–Mascheroni constant γ. */
#define DV_EULER 0x1.2788cfc6fb619p-1

/* a/b − 1 − log(a/b) ≥ 0 for a, b > 0, accurate near a = b and for a/b near 0. */
double dv_ratio_psi(double a, double b);
/* log1p(e) − e, e > −1, without cancellation for small |e|. */
double dv_log1pmx(double e);
/* (1 + e)·log1p(e) − e ≥ 0, e ≥ −1. */
double dv_xlog1pxmx(double e);
/* e^y − 1 − y ≥ 0. */
double dv_expm1mx(double y);

/* ψ(x) (digamma) for x > 0. */
double dv_digamma(double x);
/* ψ(x) − log x for x > 0 (≈ −1/(2x) for large x, kept to full relative accuracy). */
double dv_digamma_mlog(double x);
/* Binet's function S(x) = lgamma(x) − [(x − ½)log x − x + ½ log 2π], x ≥ 10. */
double dv_binet(double x);

/*
 * The Bregman divergence of lgamma: lgamma(y) − lgamma(x) − (y − x)·ψ(x) ≥ 0 for x, y > 0,
 * computed without cancellation when y ≈ x (Stirling with the leading terms as
 * (1+ε)log1p(ε) − ε, ε = (y − x)/x, and the recurrence for small arguments, every piece
 * non-negative).
 */
double dv_lgamma_bregman(double x, double y);

/* The same with h = y − x given exactly (x + h > 0). */
double dv_lgamma_bregman_h(double x, double h);
/* B_lgamma(x, h) − *lin, where *lin is set to x or 0: for x ≥ 10 and x + h ≤ x/2 the
   Bregman term is ≈ x and is returned with x taken out (computed without terms of size
   x; y = x + h as given, used there instead of x + h), so that sums of such terms whose linear parts cancel analytically (Dirichlet,
   gamma) can cancel them exactly. */
double dv_lgamma_bregman_lin(double x, double h, double y, double *lin);
/* Only the Binet-tail part of dv_lgamma_bregman_h for x, x + h ≥ 10: the whole minus
   x·[(1+ε)log1p ε − ε] − ½[log1p ε − ε], ε = h/x (gamma–gamma combines the leading part
   with its rate term analytically). */
double dv_binet_bregman(double x, double h, double y); /* y = x + h as given */
/* ψ'(x) − 1/x > 0 (trigamma with its leading term taken out), x > 0. */
double dv_trigamma_m1x(double x);
/* The Dirichlet KL Σ B_lgamma(α_i, h_i) − B_lgamma(P, H) (P = Σα_i, H = Σh_i) for
   |h_i| ≤ α_i/2, as the integral of its Hessian quadratic form: no cancellation even
   where the separate Bregman terms nearly cancel (large α, q ≈ p scaled). */
double dv_dirichlet_bregman_near(const double *a, const double *h, size_t k, double P,
                                 double H);
/* ψ(x + h) − ψ(x), x > 0, x + h > 0, accurate when |h| ≪ x. */
double dv_digamma_diff(double x, double h);

/* lgamma(2 + u) for u > −2, accurate near u = 0 (where it is ≈ (1 − γ)u). */
double dv_lgamma2p(double u);

/* log I0(x), x ≥ 0. */
double dv_log_i0(double x);
/* A(x) = I1(x)/I0(x), x ≥ 0 (the mean resultant length of a von Mises). */
double dv_bessel_ratio(double x);
/* 1 − A(x) (exact for large x, where A → 1). */
double dv_bessel_ratio_c(double x);
/* Bregman divergence of log I0: log I0(y) − log I0(x) − (y − x)·A(x) ≥ 0, x, y ≥ 0. */
double dv_log_i0_bregman(double x, double y);

/* log(sinh x / x), its derivative coth x − 1/x and second derivative 1/x² − 1/sinh² x,
 * all accurate at x ≈ 0 and for large |x| (the continuous Bernoulli log-normaliser). */
double dv_logsinhc(double x);
double dv_logsinhc_d1(double x);
double dv_logsinhc_d2(double x);
/* Bregman divergence of log(sinh x / x): f(y) − f(x) − (y − x)f'(x) ≥ 0. */
double dv_logsinhc_bregman(double x, double y);
/* The same with h = y − x given exactly. */
double dv_logsinhc_bregman_h(double x, double h);
/* log I0(x) − x (the exponentially scaled form), x ≥ 0. */
double dv_log_i0e(double x);

#endif /* DV_SPECIAL_H */
