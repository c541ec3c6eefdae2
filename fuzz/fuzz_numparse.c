/*
 * fuzz_numparse.c — dv_parse_json_number against strtod: the same consumed length as an
 * independent reading of the RFC 8259 number grammar, and the bit-identical double
 * strtod gives for that text. Any difference aborts.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "numparse.h"

static bool digit(const uint8_t *s, size_t n, size_t i)
{
    return i < n && s[i] >= '0' && s[i] <= '9';
}

/* Length of the JSON number at the start of s, 0 when there is none. */
static size_t grammar_length(const uint8_t *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '-')
        i++;
    if (!digit(s, n, i))
        return 0;
    if (s[i] == '0') {
        i++;
    } else {
        while (digit(s, n, i))
            i++;
    }
    if (i < n && s[i] == '.') {
        if (!digit(s, n, ++i))
            return 0;
        while (digit(s, n, i))
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (!digit(s, n, i))
            return 0;
        while (digit(s, n, i))
            i++;
    }
    return i;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy: the parser must not read past n (no NUL is promised). */
    char *s = calloc(1, size ? size : 1);
    if (!s)
        abort();
    if (size)
        memcpy(s, data, size);
    double got = 12345.678;
    size_t used = dv_parse_json_number(s, size, &got);
    size_t want = grammar_length(data, size);
    if (used != want)
        fuzz_fail("consumed %zu bytes, the grammar says %zu: \"%.*s\"", used, want,
                  (int)(size < 200 ? size : 200), s);
    if (used > 0) {
        char *text = malloc(used + 1);
        if (!text)
            abort();
        memcpy(text, data, used);
        text[used] = '\0';
        double ref = strtod(text, NULL);
        uint64_t a, b;
        memcpy(&a, &got, sizeof a);
        memcpy(&b, &ref, sizeof b);
        if (a != b)
            fuzz_fail("\"%s\" → %.17g (0x%016llx), strtod gives %.17g (0x%016llx)", text,
                      got, (unsigned long long)a, ref, (unsigned long long)b);
        free(text);
    }
    free(s);
    return 0;
}
