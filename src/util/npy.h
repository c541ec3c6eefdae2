/*
 * npy.h — an incremental decoder of NumPy .npy files (format 1.0, 2.0, 3.0) into
 * contiguous row-major doubles, and of raw little-endian float64 bytes.
 *
 * Built for a request body that arrives in chunks of any size: the decoder keeps only the
 * file's header (at most DV_NPY_MAX_HEADER bytes) and the bytes of one element cut by a
 * chunk boundary. It stops after the header so that the caller can look at the declared
 * shape and element count (the products are overflow-checked here), apply its own
 * element limit, and only then allocate the output: a huge declared shape costs nothing.
 * Each element is converted straight from the caller's chunk into the output (copied
 * once). When the data are already what the output would hold (little-endian float64 in
 * row-major order, info.in_place) and the caller has the whole part in one aligned
 * buffer, it may alias the bytes at info.data_offset instead and pass out = NULL to have
 * the length checked only.
 *
 * Use:
 *     dv_npy d; dv_npy_init(&d);
 *     size_t used;
 *     st = dv_npy_feed(&d, chunk, len, &used);   // DV_NPY_HEADER_READY after `used`
 *     info = dv_npy_info_of(&d);                 // shape, count, type: check limits
 *     dv_npy_set_output(&d, out, info->count);   // then feed chunk + used, … as usual
 *     st = dv_npy_finish(&d);                    // DV_NPY_OK, or TRUNCATED
 * Every split of the bytes into chunks gives the same doubles and the same error.
 *
 * Supported dtypes: float64, float32, int8/16/32/64, uint8/16/32/64, bool; either byte
 * order ('<', '>', '|' for one-byte types, '=' for the host's); C or Fortran order;
 * 0-D (one element), 1-D, 2-D (rows × columns; a Fortran-order array is transposed into
 * row-major order). Integers are converted to the nearest double (info.inexact says one
 * was not exactly representable, beyond ±2^53); bool bytes must be 0 or 1.
 */
#ifndef DV_NPY_H
#define DV_NPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Statuses; never renumbered. Values ≥ DV_NPY_BAD_MAGIC are errors (sticky). */
typedef enum dv_npy_status {
    DV_NPY_OK = 0,
    DV_NPY_HEADER_READY, /* the header is parsed: read the info, then dv_npy_set_output */
    DV_NPY_BAD_MAGIC,    /* does not start with "\x93NUMPY" */
    DV_NPY_BAD_VERSION,  /* a version other than 1.0, 2.0, 3.0 */
    DV_NPY_BAD_HEADER,   /* the header dict is malformed, too long, or lacks a key */
    DV_NPY_BAD_DTYPE,    /* a dtype other than those above (complex, string, struct…) */
    DV_NPY_BAD_SHAPE,    /* more than 2 dimensions */
    DV_NPY_TOO_LARGE,    /* the element count or a byte size overflows size_t */
    DV_NPY_TRUNCATED,    /* fewer bytes than the header declares */
    DV_NPY_TRAILING,     /* bytes after the declared data */
    DV_NPY_BAD_VALUE,    /* a bool element that is not 0 or 1 */
    DV_NPY_BAD_LENGTH    /* raw float64: a length that is not a multiple of 8 */
} dv_npy_status;

typedef enum dv_npy_type { DV_NPY_FLOAT, DV_NPY_INT, DV_NPY_UINT, DV_NPY_BOOL } dv_npy_type;

/* The first error: what (kind), where (byte offset in the part) and a sentence. */
typedef struct dv_npy_error {
    dv_npy_status kind;
    uint64_t offset;
    char text[160];
} dv_npy_error;

/* What the header declares; valid from DV_NPY_HEADER_READY on. */
typedef struct dv_npy_info {
    unsigned major, minor;   /* format version */
    char descr[16];          /* the dtype as written, e.g. "<f8" */
    dv_npy_type type;
    size_t itemsize;         /* bytes per element: 1, 2, 4 or 8 */
    bool big_endian;         /* multi-byte elements stored most significant byte first */
    bool fortran_order;      /* as declared */
    size_t ndim;             /* 0, 1 or 2 */
    size_t shape[2];         /* shape[0..ndim); a 2-D array is shape[0] rows × shape[1] */
    size_t count;            /* elements: the product of shape (1 for 0-D) */
    size_t data_offset;      /* bytes before the data (magic + lengths + header) */
    size_t data_bytes;       /* count × itemsize */
    bool in_place;           /* the data bytes already are the row-major host doubles */
    bool inexact;            /* set while decoding: an integer was rounded to a double */
} dv_npy_info;

#define DV_NPY_MAX_HEADER 4096 /* header dict bytes; numpy writes ~120 for our dtypes */

/* The decoder. Its members are private; it lives wherever the caller puts it (stack,
 * arena) and owns no other memory, so there is nothing to free. */
typedef struct dv_npy {
    int state;
    size_t got;             /* bytes of the prefix or header collected */
    size_t hlen;            /* header dict length from the prefix */
    uint64_t data_got;      /* data bytes consumed */
    double *out;
    size_t k;               /* elements completed */
    size_t row, col;        /* destination of the next element (Fortran order) */
    unsigned char part[8];  /* bytes of an element cut by a chunk boundary */
    size_t plen;
    int code;               /* the element converter */
    bool transpose;         /* Fortran-order 2-D with > 1 row and > 1 column */
    dv_npy_info info;
    dv_npy_error err;
    char buf[12 + DV_NPY_MAX_HEADER + 1];
} dv_npy;

void dv_npy_init(dv_npy *d);

/* Feeds the next len bytes. Returns DV_NPY_OK with *used = len; or DV_NPY_HEADER_READY
 * with *used = the bytes up to the end of the header (the rest is not consumed: feed it
 * after dv_npy_set_output); or an error (*used = bytes up to it). */
dv_npy_status dv_npy_feed(dv_npy *d, const void *data, size_t len, size_t *used);

/* Where the doubles go: out[0..count) (cap ≥ info.count), or NULL to check the data
 * length only (for a caller that aliases in-place data). Call once, after
 * DV_NPY_HEADER_READY. */
void dv_npy_set_output(dv_npy *d, double *out, size_t cap);

/* The part has ended: DV_NPY_OK when every declared byte came, else TRUNCATED (or the
 * earlier error). */
dv_npy_status dv_npy_finish(dv_npy *d);

const dv_npy_info *dv_npy_info_of(const dv_npy *d);
const dv_npy_error *dv_npy_error_of(const dv_npy *d);

/* "ok", "header_ready", "bad_magic", … for logs and tests. */
const char *dv_npy_status_name(dv_npy_status s);

/* ---- raw little-endian float64 (application/octet-stream) --------------------------- */

typedef struct dv_raw_f64 {
    unsigned char part[8];  /* bytes of a double cut by a chunk boundary */
    size_t plen;
    uint64_t bytes;         /* bytes fed */
    dv_npy_error err;
} dv_raw_f64;

void dv_raw_f64_init(dv_raw_f64 *r);

/* The doubles the next dv_raw_f64_feed of len bytes writes (so the caller can grow its
 * output and check its element limit before). */
size_t dv_raw_f64_pending(const dv_raw_f64 *r, size_t len);

/* Converts len more bytes, writing exactly dv_raw_f64_pending(r, len) doubles to out
 * (which may be NULL if that is 0); returns that number. */
size_t dv_raw_f64_feed(dv_raw_f64 *r, const void *data, size_t len, double *out);

/* Total doubles so far. */
uint64_t dv_raw_f64_count(const dv_raw_f64 *r);

/* DV_NPY_OK, or DV_NPY_BAD_LENGTH when the byte count is not a multiple of 8. */
dv_npy_status dv_raw_f64_finish(dv_raw_f64 *r);

#endif /* DV_NPY_H */
