/*
 * bpipe.h — a bounded byte pipe drained by its own thread: the producer puts bytes, a
 * second thread hands them, in order and in large blocks, to a sink.
 *
 * Why: a large request body is decoded as it arrives, on the thread that also reads the
 * socket, so reading (a recv and its TCP acknowledgement every 16 KB) and decoding took
 * turns on one core. With the decoding on a second thread the two overlap. Memory stays
 * bounded: BPIPE_BLOCKS blocks of BPIPE_BLOCK bytes; a producer that gets ahead waits.
 * The thread runs at nice +5, below the threads that serve small requests.
 */
#ifndef DV_BPIPE_H
#define DV_BPIPE_H

#include <stddef.h>

enum { BPIPE_BLOCK = 256 * 1024, BPIPE_BLOCKS = 4 };

typedef struct bpipe bpipe;
typedef void (*bpipe_sink)(void *ctx, const char *data, size_t n);

/* A pipe whose thread calls sink(ctx, …) on every byte put, in order; NULL when no
 * thread or memory can be had, or when as many pipes run as there are other CPUs (then
 * the caller feeds its sink itself). */
bpipe *bpipe_start(bpipe_sink sink, void *ctx);
/* Copies n bytes into the pipe; waits while every block is full. */
void bpipe_put(bpipe *p, const char *data, size_t n);
/* Passes what is left to the sink and waits until the sink has had every byte; then ends
 * the thread and frees p. After it returns, what the sink wrote is visible to the caller. */
void bpipe_finish(bpipe *p);

#endif
