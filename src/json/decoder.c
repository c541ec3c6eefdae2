/*
 * decoder.c — streaming JSON decoder (see decoder.h).
 *
 * Structure: a container-level state machine over bytes, an explicit stack of open
 * containers (no recursion), and scalar tokens that are read in place when a chunk holds
 * them whole and copied into a side buffer only when a chunk boundary splits one. Number
 * arrays grow as double[] (in the arena while small, then in bigblock.c storage, where
 * big blocks grow by mremap, so growth copies nothing).
 */
#include <assert.h>
#include "decoder.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bigblock.h"
#include "numparse.h"
#include "pointer.h"

enum state {
    ST_VALUE,     /* a value must come (after ':' or ',' in an array, or at the top) */
    ST_ARR_FIRST, /* after '[': a value or ']' */
    ST_OBJ_FIRST, /* after '{': a name or '}' */
    ST_KEY,       /* after ',' in an object: a name */
    ST_COLON,     /* after a name */
    ST_AFTER,     /* after a value in a container: ',' or the closing bracket */
    ST_END,       /* after the top-level value: only whitespace */
    ST_SCAN,      /* after a problem: only depth and number counting (see header) */
    ST_STOP       /* the outcome is fixed (too deep): ignore the rest */
};

enum token { TK_NONE, TK_NUM, TK_STR, TK_LIT };

/* Arena storage up to this size; beyond it, bigblock.c blocks (grown without copying). */
#define ARENA_LIMIT 65536

typedef struct frame {
    bool obj;
    bool numeric; /* array elements so far are all numbers (in nums) */
    bool heap;    /* the storage below is a bigblock */
    size_t n, cap;
    double *nums;
    jv *items;
    jv_member *mem;
    const char *key; /* objects: the name whose value is being read */
    size_t key_len;
    uint32_t *hash; /* objects with many members: index+1 per slot, for duplicates */
    size_t hcap;
} frame;

typedef struct heap_block {
    struct heap_block *next;
    void *ptr;
} heap_block;

struct jparser {
    arena *mem;
    size_t max_elements;
    enum state state;
    int depth;
    frame st[DV_MAX_DEPTH];
    jv root;

    /* a scalar split across chunks */
    enum token tok;
    bool tok_esc;
    char *tbuf;
    size_t tlen, tcap;
    size_t tok_start; /* body offset where it began */

    size_t base;       /* body offset of the current chunk */
    size_t line;       /* 1-based */
    size_t line_start; /* body offset of the current line */
    size_t numbers;
    bool over_limit;

    /* first problem */
    bool failed;
    json_error err;
    bool too_deep;
    size_t deep_line, deep_col;

    /* ST_SCAN: the "count and measure depth" scan of the rest of the body */
    int sdepth;
    bool s_in_str, s_esc, s_in_num;
    size_t s_col;
    bool s_col_set;

    heap_block *heap; /* bigblock blocks of closed containers */
};

/* ---- tree accessors --------------------------------------------------------------------- */

const jv *jv_get(const jv *obj, const char *name)
{
    if (!jv_is_object(obj))
        return NULL;
    size_t len = strlen(name);
    for (size_t i = 0; i < obj->n; i++) {
        const jv_member *m = &obj->u.members[i];
        if (m->key_len == len && memcmp(m->key, name, len) == 0)
            return &m->val;
    }
    return NULL;
}

const jv *jv_at(const jv *arr, size_t i, jv *tmp)
{
    if (arr->numeric) {
        *tmp = (jv){.kind = JV_NUMBER, .u.num = arr->u.nums[i]};
        return tmp;
    }
    return &arr->u.items[i];
}

const char *jv_kind_name(const jv *v)
{
    switch (v->kind) {
    case JV_OBJECT: return "an object";
    case JV_ARRAY: return "an array";
    case JV_STRING: return "a string";
    case JV_NUMBER: return "a number";
    case JV_TRUE:
    case JV_FALSE: return "a boolean";
    case JV_NULL: return "null";
    }
    return "a value";
}

/* ---- life cycle ------------------------------------------------------------------------- */

static void release(void *arg)
{
    jparser *p = arg;
    for (int d = 0; d < p->depth; d++) {
        frame *f = &p->st[d];
        if (f->heap) {
            bigblock_free(f->nums);
            bigblock_free(f->items);
            bigblock_free(f->mem);
        }
    }
    p->depth = 0;
    for (heap_block *b = p->heap; b; b = b->next)
        bigblock_free(b->ptr);
    p->heap = NULL;
    free(p->tbuf);
    p->tbuf = NULL;
}

jparser *jp_new(arena *mem, size_t max_elements)
{
    jparser *p = arena_alloc(mem, sizeof *p);
    if (!p)
        return NULL;
    memset(p, 0, offsetof(jparser, st));
    memset(&p->root, 0, sizeof *p - offsetof(jparser, root));
    p->mem = mem;
    p->max_elements = max_elements;
    p->line = 1;
    /* The arena owns the parser's big blocks from here on (released with it). */
    if (!arena_adopt(mem, p, release))
        return NULL;
    return p;
}

/* ---- problems ----------------------------------------------------------------------------- */

static void enter_scan(jparser *p, bool in_str)
{
    p->state = ST_SCAN;
    p->sdepth = p->depth;
    p->s_in_str = in_str;
    p->s_esc = false;
    p->s_in_num = false;
    p->s_col_set = false;
}

static size_t column_of(const jparser *p, size_t offset)
{
    return offset >= p->line_start ? offset - p->line_start + 1 : 1;
}

/* A syntax error at body offset `at`; scanning resumes after it. */
static void syntax(jparser *p, size_t at, const char *what)
{
    if (!p->failed) {
        p->failed = true;
        p->err.kind = JSON_SYNTAX;
        p->err.offset = at;
        snprintf(p->err.text, sizeof p->err.text,
                 "the body is not valid JSON: %s at line %zu, column %zu", what, p->line,
                 column_of(p, at));
    }
    enter_scan(p, false);
}

static void out_of_memory(jparser *p)
{
    if (!p->failed) {
        p->failed = true;
        p->err.kind = JSON_NO_MEMORY;
        p->err.offset = p->base;
        snprintf(p->err.text, sizeof p->err.text, "out of memory while parsing JSON");
    }
    enter_scan(p, false);
}

/* The JSON Pointer of the value being read now. */
static void current_pointer(const jparser *p, char *out, size_t size)
{
    size_t o = 0;
    out[0] = '\0';
    for (int d = 0; d < p->depth && o + 1 < size; d++) {
        const frame *f = &p->st[d];
        char seg[256];
        if (f->obj)
            ptr_member(seg, sizeof seg, "", f->key ? f->key : "", f->key ? f->key_len : 0);
        else
            ptr_index(seg, sizeof seg, "", f->n);
        size_t l = strlen(seg);
        if (l >= size - o)
            break;
        memcpy(out + o, seg, l + 1);
        o += l;
    }
}

static void overflow(jparser *p, size_t at)
{
    if (!p->failed) {
        p->failed = true;
        p->err.kind = JSON_NOT_FINITE;
        p->err.offset = at;
        current_pointer(p, p->err.pointer, sizeof p->err.pointer);
        snprintf(p->err.text, sizeof p->err.text,
                 "the number at line %zu, column %zu does not fit in a double (its "
                 "magnitude is above 1.8e308); send a finite value",
                 p->line, column_of(p, at));
    }
    enter_scan(p, false);
}

static void too_deep(jparser *p, size_t line, size_t col)
{
    p->too_deep = true;
    p->deep_line = line;
    p->deep_col = col;
    p->state = ST_STOP;
}

/* ---- storage ------------------------------------------------------------------------------ */

/* Room for one more element of size `elem` in *buf (capacity f->cap). */
static bool grow(jparser *p, frame *f, void **buf, size_t elem)
{
    if (f->n < f->cap)
        return true;
    size_t cap = f->cap ? f->cap * 2 : 8;
    if (cap > SIZE_MAX / elem / 2)
        return false;
    void *nb;
    if (cap * elem <= ARENA_LIMIT && f->cap &&
        arena_extend(p->mem, *buf, f->cap * elem, cap * elem)) {
        nb = *buf;
    } else if (cap * elem <= ARENA_LIMIT) {
        nb = arena_alloc(p->mem, cap * elem);
        if (nb && f->n)
            memcpy(nb, *buf, f->n * elem);
    } else if (f->heap) {
        nb = bigblock_grow(*buf, cap * elem);
    } else {
        nb = bigblock_alloc(cap * elem);
        if (nb && f->n)
            memcpy(nb, *buf, f->n * elem);
        if (nb)
            f->heap = true;
    }
    if (!nb)
        return false;
    *buf = nb;
    f->cap = cap;
    return true;
}

/* A closed container's heap block is freed when the request ends. */
static bool keep_block(jparser *p, void *ptr)
{
    heap_block *b = arena_alloc(p->mem, sizeof *b);
    if (!b) {
        bigblock_free(ptr);
        return false;
    }
    b->ptr = ptr;
    b->next = p->heap;
    p->heap = b;
    return true;
}

static uint32_t hash_name(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static bool hash_insert(frame *f, size_t idx)
{
    const jv_member *m = &f->mem[idx];
    size_t mask = f->hcap - 1, h = hash_name(m->key, m->key_len) & mask;
    while (f->hash[h])
        h = (h + 1) & mask;
    f->hash[h] = (uint32_t)(idx + 1);
    return true;
}

/* Whether object frame f already has member `key`. */
static bool has_member(jparser *p, frame *f, const char *key, size_t len, bool *oom)
{
    if (f->n < 16) {
        for (size_t i = 0; i < f->n; i++)
            if (f->mem[i].key_len == len && memcmp(f->mem[i].key, key, len) == 0)
                return true;
        return false;
    }
    if (f->hcap < 2 * (f->n + 1) || f->n >= UINT32_MAX) {
        size_t cap = 64;
        while (cap < 4 * (f->n + 1))
            cap *= 2;
        f->hash = arena_calloc(p->mem, cap, sizeof *f->hash);
        if (!f->hash || f->n >= UINT32_MAX) {
            *oom = true;
            return false;
        }
        f->hcap = cap;
        for (size_t i = 0; i < f->n; i++)
            hash_insert(f, i);
    }
    size_t mask = f->hcap - 1, h = hash_name(key, len) & mask;
    for (; f->hash[h]; h = (h + 1) & mask) {
        const jv_member *m = &f->mem[f->hash[h] - 1];
        if (m->key_len == len && memcmp(m->key, key, len) == 0)
            return true;
    }
    return false;
}

/* ---- building ------------------------------------------------------------------------------ */

/* A complete value for the innermost open container (or the top level). */
static void emit(jparser *p, jv v)
{
    if (p->depth == 0) {
        p->root = v;
        p->state = ST_END;
        return;
    }
    frame *f = &p->st[p->depth - 1];
    p->state = ST_AFTER;
    if (f->obj) {
        if (!grow(p, f, (void **)&f->mem, sizeof *f->mem))
            return out_of_memory(p);
        f->mem[f->n] = (jv_member){f->key, f->key_len, v};
        if (f->hash)
            hash_insert(f, f->n);
        f->n++;
        f->key = NULL;
        return;
    }
    if (f->numeric && v.kind == JV_NUMBER) {
        if (!grow(p, f, (void **)&f->nums, sizeof *f->nums))
            return out_of_memory(p);
        f->nums[f->n++] = v.u.num;
        return;
    }
    if (f->numeric) {
        /* the first non-number: switch this array to general nodes */
        size_t cap = f->n < 8 ? 8 : f->n * 2;
        jv *items = cap * sizeof(jv) <= ARENA_LIMIT ? arena_alloc(p->mem, cap * sizeof(jv))
                                                    : bigblock_alloc(cap * sizeof(jv));
        if (!items)
            return out_of_memory(p);
        for (size_t i = 0; i < f->n; i++)
            items[i] = (jv){.kind = JV_NUMBER, .u.num = f->nums[i]};
        if (f->heap)
            bigblock_free(f->nums);
        f->nums = NULL;
        f->heap = cap * sizeof(jv) > ARENA_LIMIT;
        f->items = items;
        f->cap = cap;
        f->numeric = false;
    }
    if (!grow(p, f, (void **)&f->items, sizeof *f->items))
        return out_of_memory(p);
    f->items[f->n++] = v;
}

static void open_container(jparser *p, bool obj, size_t at)
{
    if (p->depth >= DV_MAX_DEPTH)
        return too_deep(p, p->line, column_of(p, at));
    frame *f = &p->st[p->depth++];
    assert(p->depth <= DV_MAX_DEPTH);
    memset(f, 0, sizeof *f);
    f->obj = obj;
    f->numeric = !obj;
    p->state = obj ? ST_OBJ_FIRST : ST_ARR_FIRST;
}

static void close_container(jparser *p)
{
    frame *f = &p->st[p->depth - 1];
    jv v = {.kind = f->obj ? JV_OBJECT : JV_ARRAY, .numeric = f->numeric, .n = f->n};
    void *block = f->obj ? (void *)f->mem : f->numeric ? (void *)f->nums : (void *)f->items;
    if (f->obj)
        v.u.members = f->mem;
    else if (f->numeric)
        v.u.nums = f->nums;
    else
        v.u.items = f->items;
    bool heap = f->heap;
    f->heap = false;
    p->depth--;
    if (heap && !keep_block(p, block))
        return out_of_memory(p);
    emit(p, v);
}

/* ---- scalars ------------------------------------------------------------------------------- */

static inline bool is_numch(char c)
{
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' ||
           c == 'E';
}

static inline bool is_letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Length of a valid UTF-8 sequence at s[i] (lead byte ≥ 0x80), or 0. With `prefix`, a
 * sequence cut short by n counts as valid (its end is in the next chunk). */
static size_t utf8_check(const unsigned char *s, size_t n, size_t i, bool prefix)
{
    unsigned c = s[i];
    size_t len;
    unsigned lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2;
    else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f; /* no UTF-16 surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f; /* ≤ U+10FFFF */
    } else
        return 0;
    if (i + len > n && !prefix)
        return 0;
    if (i + 1 < n && (s[i + 1] < lo || s[i + 1] > hi))
        return 0;
    for (size_t k = 2; k < len && i + k < n; k++)
        if (s[i + k] < 0x80 || s[i + k] > 0xbf)
            return 0;
    return len;
}

static size_t utf8_seq(const unsigned char *s, size_t n, size_t i)
{
    return utf8_check(s, n, i, false);
}

/*
 * A run t[0..n) of number characters starting at body offset `at`, followed by the bytes
 * after[0..after_n) (as many as are known). Counted even when malformed, as the
 * whole-body scan counts number-like runs. The order of errors is that of a lexer that
 * reads the longest valid number, converts it, then looks at what follows: "1e999x" is an
 * overflow, "1e5e5" a valid number followed by a syntax error, while a byte right after
 * the number that cannot start UTF-8 is seen before the number is converted (only that
 * byte is looked at, so the outcome does not depend on where the chunks end).
 */
static void number_token(jparser *p, const char *t, size_t n, size_t at, const char *after,
                         size_t after_n)
{
    double x;
    p->numbers++;
    size_t k = dv_parse_json_number(t, n, &x);
    if (k == 0 || (k < n && t[k] >= '0' && t[k] <= '9'))
        return syntax(p, at, "invalid number");
    if (k == n && after_n > 0 && (unsigned char)after[0] >= 0x80 &&
        !utf8_check((const unsigned char *)after, 1, 0, true))
        return syntax(p, at + n, "invalid UTF-8");
    if (p->numbers > p->max_elements) {
        p->over_limit = true;
        return enter_scan(p, false);
    }
    if (isinf(x))
        return overflow(p, at);
    emit(p, (jv){.kind = JV_NUMBER, .u.num = x});
    if (k < n && p->state != ST_SCAN) {
        syntax(p, at + k, "unexpected character after a number");
        p->s_in_num = true;
    }
}

static void literal_token(jparser *p, const char *t, size_t n, size_t at)
{
    if (n == 4 && memcmp(t, "true", 4) == 0)
        emit(p, (jv){.kind = JV_TRUE});
    else if (n == 5 && memcmp(t, "false", 5) == 0)
        emit(p, (jv){.kind = JV_FALSE});
    else if (n == 4 && memcmp(t, "null", 4) == 0)
        emit(p, (jv){.kind = JV_NULL});
    else
        syntax(p, at, "invalid literal (only true, false and null are JSON)");
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static long hex4(const char *s, size_t n, size_t i)
{
    if (i + 4 > n)
        return -1;
    long v = 0;
    for (size_t k = 0; k < 4; k++) {
        int h = hexval(s[i + k]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

static size_t put_utf8(char *o, unsigned long cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xc0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xe0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (char)(0xf0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    o[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* Decodes the string body s[0..n) (between the quotes) into the arena. Returns an error
 * text, or NULL with *out / *out_len set. Escapes only shrink, so n + 1 bytes suffice. */
static const char *decode_string(jparser *p, const char *s, size_t n, char **out,
                                 size_t *out_len)
{
    char *o = arena_alloc(p->mem, n + 1);
    if (!o)
        return "out of memory";
    size_t k = 0, i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && (unsigned char)s[j] >= 0x20 && s[j] != '\\' &&
               (unsigned char)s[j] < 0x80)
            j++;
        memcpy(o + k, s + i, j - i);
        k += j - i;
        i = j;
        if (i >= n)
            break;
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20)
            return "control character in a string (escape it)";
        if (c >= 0x80) {
            size_t len = utf8_seq((const unsigned char *)s, n, i);
            if (!len)
                return "invalid UTF-8 in a string";
            memcpy(o + k, s + i, len);
            k += len;
            i += len;
            continue;
        }
        /* an escape */
        if (i + 1 >= n)
            return "invalid escape in a string";
        char e = s[i + 1];
        i += 2;
        switch (e) {
        case '"': o[k++] = '"'; break;
        case '\\': o[k++] = '\\'; break;
        case '/': o[k++] = '/'; break;
        case 'b': o[k++] = '\b'; break;
        case 'f': o[k++] = '\f'; break;
        case 'n': o[k++] = '\n'; break;
        case 'r': o[k++] = '\r'; break;
        case 't': o[k++] = '\t'; break;
        case 'u': {
            long cp = hex4(s, n, i);
            if (cp < 0)
                return "invalid \\u escape in a string";
            i += 4;
            if (cp >= 0xdc00 && cp <= 0xdfff)
                return "invalid Unicode escape (a lone low surrogate)";
            if (cp >= 0xd800 && cp <= 0xdbff) {
                long lo =
                    i + 1 < n && s[i] == '\\' && s[i + 1] == 'u' ? hex4(s, n, i + 2) : -1;
                if (lo < 0xdc00 || lo > 0xdfff)
                    return "invalid Unicode escape (a high surrogate without its low half)";
                i += 6;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            }
            k += put_utf8(o + k, (unsigned long)cp);
            break;
        }
        default: return "invalid escape in a string";
        }
    }
    o[k] = '\0';
    *out = o;
    *out_len = k;
    return NULL;
}

/* A whole string token t[0..n) including both quotes, starting at body offset `at`. */
static void string_token(jparser *p, const char *t, size_t n, size_t at)
{
    char *s;
    size_t len;
    const char *err = decode_string(p, t + 1, n - 2, &s, &len);
    if (err)
        return strcmp(err, "out of memory") == 0 ? out_of_memory(p) : syntax(p, at, err);
    if (p->state == ST_OBJ_FIRST || p->state == ST_KEY) {
        frame *f = &p->st[p->depth - 1];
        if (memchr(s, '\0', len))
            return syntax(p, at, "NUL byte in a member name");
        bool oom = false;
        if (has_member(p, f, s, len, &oom))
            return syntax(p, at, "duplicate member name");
        if (oom)
            return out_of_memory(p);
        f->key = s;
        f->key_len = len;
        p->state = ST_COLON;
        return;
    }
    emit(p, (jv){.kind = JV_STRING, .n = len, .u.str = s});
}

static void token_done(jparser *p, enum token k, const char *t, size_t n, size_t at,
                       const char *after, size_t after_n)
{
    switch (k) {
    case TK_NUM: number_token(p, t, n, at, after, after_n); break;
    case TK_LIT: literal_token(p, t, n, at); break;
    case TK_STR: string_token(p, t, n, at); break;
    case TK_NONE: break;
    }
}

static bool tok_append(jparser *p, const char *s, size_t n)
{
    if (p->tcap - p->tlen < n) {
        size_t cap = p->tcap ? p->tcap : 64;
        while (cap - p->tlen < n)
            cap *= 2;
        char *nb = realloc(p->tbuf, cap);
        if (!nb)
            return false;
        p->tbuf = nb;
        p->tcap = cap;
    }
    memcpy(p->tbuf + p->tlen, s, n);
    p->tlen += n;
    return true;
}

#define NOT_ENDED ((size_t)-1)

/* End of a string whose body continues at s[i] (*esc: the previous byte was an unpaired
 * backslash): the index after the closing quote, or NOT_ENDED when the chunk ends first. */
static size_t string_end(const char *s, size_t n, size_t i, bool *esc)
{
    if (*esc && i < n) {
        *esc = false;
        i++;
    }
    for (; i < n; i++) {
        if (s[i] == '\\') {
            if (i + 1 >= n) {
                *esc = true;
                return NOT_ENDED;
            }
            i++;
        } else if (s[i] == '"') {
            return i + 1;
        }
    }
    return NOT_ENDED;
}

/* Starts a scalar token at s[i]; reads it in place when the chunk holds it whole. */
static size_t scalar(jparser *p, const char *s, size_t n, size_t i)
{
    char c = s[i];
    size_t j;
    enum token k;
    if (c == '"') {
        bool esc = false;
        j = string_end(s, n, i + 1, &esc);
        k = TK_STR;
        if (j == NOT_ENDED) {
            p->tok_esc = esc;
            goto partial;
        }
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        j = i + 1;
        while (j < n && is_numch(s[j]))
            j++;
        k = TK_NUM;
        if (j == n)
            goto partial;
    } else if (is_letter(c)) {
        j = i + 1;
        while (j < n && is_letter(s[j]))
            j++;
        k = TK_LIT;
        if (j == n)
            goto partial;
    } else {
        syntax(p, p->base + i, "unexpected character where a value should start");
        return i;
    }
    token_done(p, k, s + i, j - i, p->base + i, s + j, n - j);
    return j;
partial:
    p->tok = k;
    p->tlen = 0;
    p->tok_start = p->base + i;
    if (!tok_append(p, s + i, n - i))
        out_of_memory(p);
    return n;
}

/* Continues a split token with the next chunk; returns where the rest of s starts. */
static size_t resume_token(jparser *p, const char *s, size_t n)
{
    size_t j;
    bool done;
    if (p->tok == TK_STR) {
        j = string_end(s, n, 0, &p->tok_esc);
        done = j != NOT_ENDED;
        if (!done)
            j = n;
    } else {
        j = 0;
        bool (*in)(char) = p->tok == TK_NUM ? is_numch : is_letter;
        while (j < n && in(s[j]))
            j++;
        done = j < n;
    }
    if (!tok_append(p, s, j)) {
        p->tok = TK_NONE;
        out_of_memory(p);
        return n;
    }
    if (!done)
        return n;
    enum token k = p->tok;
    p->tok = TK_NONE;
    token_done(p, k, p->tbuf, p->tlen, p->tok_start, s + j, n - j);
    return j;
}

/* ---- the scan after a problem ------------------------------------------------------------- */

/* Depth and number-token counting over the rest of the body, byte for byte what a
 * whole-body pre-scan would do: the first crossing of the depth limit wins over
 * everything, a number count over --max-elements over any later syntax error. */
static void scan(jparser *p, const char *b, size_t n)
{
    size_t max = p->max_elements;
    for (size_t i = 0; i < n; i++) {
        char c = b[i];
        p->s_col++;
        if (c == '\n') {
            p->line++;
            p->s_col = 0;
        }
        if (p->s_in_str) {
            if (p->s_esc)
                p->s_esc = false;
            else if (c == '\\')
                p->s_esc = true;
            else if (c == '"')
                p->s_in_str = false;
            continue;
        }
        if (!p->s_in_num && ((c >= '0' && c <= '9') || c == '-')) {
            p->numbers++;
            p->s_in_num = true;
        } else if (!is_numch(c)) {
            p->s_in_num = false;
        }
        if (c == '"') {
            p->s_in_str = true;
        } else if (c == '[' || c == '{') {
            if (++p->sdepth > DV_MAX_DEPTH)
                return too_deep(p, p->line, p->s_col);
        } else if (c == ']' || c == '}') {
            p->sdepth--;
        }
    }
    if (p->numbers > max)
        p->over_limit = true;
}

/* ---- the main loop ------------------------------------------------------------------------- */

/* The hot path: consecutive numbers of a numeric array, "1.5, 2.5,3" and so on, read
 * without going through the state machine. Returns where it stopped (anything unusual is
 * left to the general loop). */
static size_t number_run(jparser *p, const char *s, size_t n, size_t i)
{
    frame *f = &p->st[p->depth - 1];
    size_t max = p->max_elements;
    for (;;) {
        double x;
        size_t k = dv_parse_json_number(s + i, n - i, &x);
        if (k == 0 || i + k >= n || is_numch(s[i + k]) || (unsigned char)s[i + k] >= 0x80 ||
            isinf(x) || p->numbers >= max)
            return i;
        if (f->n == f->cap && !grow(p, f, (void **)&f->nums, sizeof *f->nums))
            return i;
        p->numbers++;
        f->nums[f->n++] = x;
        i += k;
        p->state = ST_AFTER;
        while (i < n && s[i] == ' ')
            i++;
        if (i + 1 >= n || s[i] != ',')
            return i;
        i++;
        p->state = ST_VALUE;
        while (i < n && s[i] == ' ')
            i++;
        if (i >= n || !((s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return i;
    }
}

void jp_feed(jparser *p, const char *s, size_t n)
{
    size_t i = 0;
    if (p->tok != TK_NONE && p->state != ST_SCAN && p->state != ST_STOP)
        i = resume_token(p, s, n);
    while (i < n) {
        if (p->state == ST_SCAN) {
            if (!p->s_col_set)
                p->s_col = column_of(p, p->base + i) - 1;
            p->s_col_set = true;
            scan(p, s + i, n - i);
            break;
        }
        if (p->state == ST_STOP)
            break;
        char c = s[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            if (c == '\n') {
                p->line++;
                p->line_start = p->base + i + 1;
            }
            i++;
            continue;
        }
        size_t at = p->base + i;
        switch (p->state) {
        case ST_ARR_FIRST:
            if (c == ']') {
                close_container(p);
                i++;
                break;
            }
            /* fall through */
        case ST_VALUE:
            if (c == '[' || c == '{') {
                open_container(p, c == '{', at);
                i++;
            } else {
                if (p->depth > 0 && p->st[p->depth - 1].numeric &&
                    ((c >= '0' && c <= '9') || c == '-')) {
                    size_t j = number_run(p, s, n, i);
                    if (j != i) {
                        i = j;
                        break;
                    }
                }
                i = scalar(p, s, n, i);
            }
            break;
        case ST_OBJ_FIRST:
            if (c == '}') {
                close_container(p);
                i++;
                break;
            }
            /* fall through */
        case ST_KEY:
            if (c != '"') {
                syntax(p, at, "a member name (a string in double quotes) should come");
                break;
            }
            i = scalar(p, s, n, i);
            break;
        case ST_COLON:
            if (c != ':') {
                syntax(p, at, "':' should follow a member name");
                break;
            }
            p->state = ST_VALUE;
            i++;
            break;
        case ST_AFTER:
            if (c == ',') {
                p->state = p->st[p->depth - 1].obj ? ST_KEY : ST_VALUE;
            } else if ((c == ']' || c == '}') && p->st[p->depth - 1].obj == (c == '}')) {
                close_container(p);
            } else {
                syntax(p, at,
                       c == ']' || c == '}' ? "mismatched closing bracket"
                                            : "',' or a closing bracket should come");
                break;
            }
            i++;
            break;
        case ST_END:
            syntax(p, at, "end of input expected after the top-level value");
            break;
        case ST_SCAN:
        case ST_STOP: break;
        }
    }
    p->base += n;
}

/* Records the outcome in *err and returns false. */
static bool finish_fail(json_error *err, json_err_kind kind, size_t offset, const char *fmt,
                        ...) __attribute__((format(printf, 4, 5)));
static bool finish_fail(json_error *err, json_err_kind kind, size_t offset, const char *fmt,
                        ...)
{
    err->kind = kind;
    err->offset = offset;
    err->pointer[0] = '\0';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->text, sizeof err->text, fmt, ap);
    va_end(ap);
    return false;
}

bool jp_finish_value(jparser *p, const jv **root, json_error *err)
{
    err->numbers = p->numbers;
    if (p->tok != TK_NONE && p->state != ST_SCAN && p->state != ST_STOP) {
        enum token k = p->tok;
        p->tok = TK_NONE;
        if (k == TK_STR)
            syntax(p, p->base, "unterminated string");
        else
            token_done(p, k, p->tbuf, p->tlen, p->tok_start, NULL, 0);
    }
    if (!p->failed && !p->over_limit && !p->too_deep && p->state != ST_END)
        syntax(p, p->base, p->base == 0 ? "the body is empty" : "unexpected end of input");
    if (p->too_deep)
        return finish_fail(err, JSON_TOO_DEEP, p->base,
                           "the body nests arrays/objects deeper than %d levels (line %zu, "
                           "column %zu); flatten the input",
                           DV_MAX_DEPTH, p->deep_line, p->deep_col);
    if (p->over_limit)
        return finish_fail(err, JSON_TOO_MANY_NUMBERS, p->base,
                           "the body holds %zu numbers", p->numbers);
    if (p->failed) {
        size_t n = err->numbers;
        *err = p->err;
        err->numbers = n;
        return false;
    }
    *root = &p->root;
    err->kind = JSON_OK;
    return true;
}

bool jp_finish(jparser *p, const jv **root, json_error *err)
{
    if (!jp_finish_value(p, root, err))
        return false;
    if ((*root)->kind != JV_OBJECT)
        return finish_fail(err, JSON_NOT_OBJECT, 0,
                           "the body is %s; it must be a JSON object like {\"p\": [...]}",
                           jv_kind_name(*root));
    return true;
}
