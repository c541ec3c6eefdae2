/*
 * bpipe.c — a bounded byte pipe drained by its own thread (see bpipe.h).
 *
 * Blocks form a ring. The producer fills block `put % BPIPE_BLOCKS` and submits it; the
 * thread takes blocks in order and releases each after the sink returns. Counters only
 * grow: submitted − released blocks are in use, submitted − taken are waiting.
 */
#include "bpipe.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

struct bpipe {
    bpipe_sink sink;
    void *ctx;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t ready; /* a block was submitted, or done */
    pthread_cond_t space; /* a block was released */
    size_t submitted, taken, released;
    bool done;
    size_t fill;              /* bytes in the block being filled */
    size_t len[BPIPE_BLOCKS]; /* bytes in each submitted block */
    char *blocks;             /* BPIPE_BLOCKS × BPIPE_BLOCK */
};

static atomic_int g_running;

static void *drain(void *arg)
{
    bpipe *p = arg;
    /* Below the event threads, as the offload workers are: a small request is not kept
     * waiting by a large body's decoding (best effort). */
    if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 5) != 0)
        (void)0;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->taken == p->submitted && !p->done)
            pthread_cond_wait(&p->ready, &p->mu);
        if (p->taken == p->submitted)
            break;
        size_t b = p->taken++ % BPIPE_BLOCKS;
        pthread_mutex_unlock(&p->mu);
        p->sink(p->ctx, p->blocks + b * BPIPE_BLOCK, p->len[b]);
        pthread_mutex_lock(&p->mu);
        p->released++;
        pthread_cond_signal(&p->space);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static int max_pipes(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 1 ? (int)(n - 1) : 0;
}

bpipe *bpipe_start(bpipe_sink sink, void *ctx)
{
    if (atomic_fetch_add(&g_running, 1) >= max_pipes()) {
        atomic_fetch_sub(&g_running, 1);
        return NULL;
    }
    bpipe *p = calloc(1, sizeof *p);
    char *blocks = p ? malloc((size_t)BPIPE_BLOCKS * BPIPE_BLOCK) : NULL;
    if (!blocks) {
        free(p);
        atomic_fetch_sub(&g_running, 1);
        return NULL;
    }
    p->sink = sink;
    p->ctx = ctx;
    p->blocks = blocks;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->ready, NULL);
    pthread_cond_init(&p->space, NULL);
    if (pthread_create(&p->thread, NULL, drain, p) != 0) {
        pthread_cond_destroy(&p->space);
        pthread_cond_destroy(&p->ready);
        pthread_mutex_destroy(&p->mu);
        free(blocks);
        free(p);
        atomic_fetch_sub(&g_running, 1);
        return NULL;
    }
    return p;
}

/* Submits the block being filled and waits until the next one is free. */
static void submit(bpipe *p)
{
    pthread_mutex_lock(&p->mu);
    p->len[p->submitted % BPIPE_BLOCKS] = p->fill;
    p->submitted++;
    pthread_cond_signal(&p->ready);
    while (p->submitted - p->released == BPIPE_BLOCKS)
        pthread_cond_wait(&p->space, &p->mu);
    pthread_mutex_unlock(&p->mu);
    p->fill = 0;
}

void bpipe_put(bpipe *p, const char *data, size_t n)
{
    while (n > 0) {
        size_t k = BPIPE_BLOCK - p->fill;
        if (k > n)
            k = n;
        memcpy(p->blocks + (p->submitted % BPIPE_BLOCKS) * BPIPE_BLOCK + p->fill, data, k);
        p->fill += k;
        data += k;
        n -= k;
        if (p->fill == BPIPE_BLOCK)
            submit(p);
    }
}

void bpipe_finish(bpipe *p)
{
    if (p->fill > 0)
        submit(p);
    pthread_mutex_lock(&p->mu);
    p->done = true;
    pthread_cond_signal(&p->ready);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
    pthread_cond_destroy(&p->space);
    pthread_cond_destroy(&p->ready);
    pthread_mutex_destroy(&p->mu);
    free(p->blocks);
    free(p);
    atomic_fetch_sub(&g_running, 1);
}
