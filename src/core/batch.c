/*
 * batch.c — row-wise categorical KL (distillation, policy updates): one dv_kl per row,
 * then the compensated sum and the mean over rows.
 */
#include "internal.h"

void dv_batch_kl(const dv_dist *p, const dv_dist *q, size_t rows, dv_value *out,
                 double *sum_nats, double *mean_nats)
{
    dv_acc a = {0.0, 0.0};
    bool inf = false;
    for (size_t b = 0; b < rows; b++) {
        out[b] = dv_kl(&p[b], &q[b], NULL);
        if (out[b].inf_index != DV_NO_INDEX)
            inf = true;
        else
            dv_acc_add(&a, out[b].nats);
    }
    /* Row KLs are ≥ 0, so the compensated sum has no cancellation to lose. */
    double sum = inf ? (double)INFINITY : dv_acc_value(&a);
    *sum_nats = sum;
    *mean_nats = rows > 0 ? sum / (double)rows : 0.0;
}
