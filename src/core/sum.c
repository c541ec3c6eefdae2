/*
 * sum.c — compensated summation (see dv_acc in internal.h for why).
 */
#include "internal.h"

double dv_sum(const double *x, size_t n)
{
    dv_acc a = {0.0, 0.0};
    for (size_t i = 0; i < n; i++)
        dv_acc_add(&a, x[i]);
    return dv_acc_value(&a);
}
