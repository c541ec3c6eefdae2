/*
 * helper.c — the second thread of the parallel paths (see dv_helper in internal.h).
 */
#include "internal.h"

/* Set on helper threads: a parallel path there runs in one pass (no thread starts
 * another; two cores are busy already). */
static _Thread_local bool on_helper;

static void *trampoline(void *arg)
{
    dv_helper *h = arg;
    on_helper = true;
    return h->fn(h->arg);
}

bool dv_helper_start(dv_helper *h, size_t work, void *(*fn)(void *), void *arg)
{
    h->fn = fn;
    h->arg = arg;
    h->running = work >= DV_PARALLEL_MIN && !on_helper &&
                 pthread_create(&h->thread, NULL, trampoline, h) == 0;
    return h->running;
}

void dv_helper_join(dv_helper *h)
{
    if (h->running)
        pthread_join(h->thread, NULL);
    h->running = false;
}

void dv_run_two(void *(*fn)(void *), void *first, void *second, size_t work)
{
    dv_helper h;
    bool threaded = dv_helper_start(&h, work, fn, second);
    fn(first);
    if (threaded)
        dv_helper_join(&h);
    else
        fn(second);
}
