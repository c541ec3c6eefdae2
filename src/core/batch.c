/*
 * batch.c — row-wise categorical KL (distillation, policy updates): one dv_kl per row,
 * then the compensated sum and the mean over rows; and the rows' preparation. From
 * DV_PARALLEL_MIN numbers on, the second half of the rows is done on a second thread:
 * each row is computed the same either way, the sum is taken afterwards in row order, and
 * an error is the first failing row's, as a plain loop would find it.
 */
#include "internal.h"

typedef struct prep_job {
    double *x;
    size_t from, to, cols;
    bool logits, normalize;
    double temperature;
    int arg;
    const char *member;
    dv_dist *out;
    dv_status st;
    dv_error err;
} prep_job;

/* Rows from..to, stopping at the first that fails (st, err). */
static void *prep_run(void *arg)
{
    prep_job *j = arg;
    j->st = DV_OK;
    for (size_t b = j->from; b < j->to && j->st == DV_OK; b++) {
        const dv_name nm = {j->arg, j->member, b, NULL};
        double *row = j->x + b * j->cols;
        j->st =
            j->logits
                ? dv_prepare_logits(row, j->cols, j->temperature, &nm, &j->out[b], &j->err)
                : dv_prepare_weights(row, j->cols, j->normalize, &nm, &j->out[b], &j->err);
    }
    return NULL;
}

dv_status dv_prepare_rows(double *x, size_t rows, size_t cols, bool logits,
                          double temperature, bool normalize, int arg, const char *member,
                          dv_dist *out, dv_error *err)
{
    size_t half = rows / 2;
    prep_job j[2];
    for (int k = 0; k < 2; k++)
        j[k] = (prep_job){.x = x,
                          .from = k ? half : 0,
                          .to = k ? rows : half,
                          .cols = cols,
                          .logits = logits,
                          .normalize = normalize,
                          .temperature = temperature,
                          .arg = arg,
                          .member = member,
                          .out = out};
    dv_run_two(prep_run, &j[0], &j[1], rows >= 2 ? rows * cols : 0);
    /* The first failing row either way: the first half's, else the second's. */
    const prep_job *bad = j[0].st != DV_OK ? &j[0] : j[1].st != DV_OK ? &j[1] : NULL;
    if (bad && err)
        *err = bad->err;
    return bad ? bad->st : DV_OK;
}

typedef struct rows_job {
    const dv_dist *p, *q;
    size_t from, to;
    dv_value *out;
} rows_job;

static void *rows_run(void *arg)
{
    const rows_job *j = arg;
    for (size_t b = j->from; b < j->to; b++)
        j->out[b] = dv_kl(&j->p[b], &j->q[b], NULL);
    return NULL;
}

void dv_batch_kl(const dv_dist *p, const dv_dist *q, size_t rows, dv_value *out,
                 double *sum_nats, double *mean_nats)
{
    size_t half = rows / 2;
    rows_job first = {p, q, 0, half, out}, second = {p, q, half, rows, out};
    dv_run_two(rows_run, &first, &second, rows >= 2 ? rows * p[0].n : 0);
    dv_acc a = {0.0, 0.0};
    bool inf = false;
    for (size_t b = 0; b < rows; b++) {
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
