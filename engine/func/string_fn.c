/*
 * string_fn: PostgreSQL's string functions over UTF-8 text (positions and
 * lengths count characters): substr, strpos/position, replace, split_part,
 * concat[_ws], [lr|b]trim, left, right, repeat, lpad/rpad, reverse,
 * initcap, format, md5, encode/decode (hex, base64, escape).
 */
#include <ctype.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "engine/func/registry.h"
#include "engine/types/text.h"

/* Byte offset of character k (0-based) in s[0..n), n when past the end. */
static size_t char_off(const char *s, size_t n, int64_t k)
{
    size_t i = 0;
    while (k > 0 && i < n) {
        i++;
        while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        k--;
    }
    return i;
}

static int text_out(eng_ctx *c, const char *p, size_t n, eng_val *o) { return eng__text_val(c, p, n, o); }

/* text_substring(): characters start .. start+len-1, 1-based, clipped. */
static int substr_common(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    int64_t start = a[1].i, len = n > 2 ? a[2].i : INT32_MAX;
    if (n > 2 && len < 0) {
        pgw_error_set(c->err, SQLSTATE_SUBSTRING_ERROR, "negative substring length not allowed");
        return -1;
    }
    int64_t end = start + len; /* exclusive, 1-based */
    if (start < 1)
        start = 1;
    if (end <= start)
        return text_out(c, "", 0, o);
    size_t b = char_off(a[0].s.p, a[0].s.n, start - 1);
    size_t e = b + char_off(a[0].s.p + b, a[0].s.n - b, end - start);
    return text_out(c, a[0].s.p + b, e - b, o);
}

static int f_substr(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return substr_common(c, a, n, o); }

/* Byte offset of needle in hay, or -1. */
static int64_t find(const eng_val *hay, const char *needle, size_t nn, size_t from)
{
    if (nn == 0)
        return (int64_t)from;
    for (size_t i = from; i + nn <= hay->s.n; i++)
        if (memcmp(hay->s.p + i, needle, nn) == 0)
            return (int64_t)i;
    return -1;
}

static int f_strpos(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)c, (void)n;
    int64_t at = find(&a[0], a[1].s.p, a[1].s.n, 0);
    o->null = false;
    o->i = at < 0 ? 0 : (int64_t)eng_utf8_len(a[0].s.p, (size_t)at) + 1;
    return 0;
}

/* A growing result in c->mem. */
typedef struct sbuf {
    eng_ctx *c;
    char *p;
    size_t n, cap;
    bool oom;
} sbuf;

static void sput(sbuf *b, const char *s, size_t n)
{
    if (b->oom || n == 0)
        return;
    if (b->n + n > b->cap) {
        size_t ncap = (b->cap ? b->cap * 2 : 32) + n;
        char *q = arena_alloc(b->c->mem, ncap);
        if (!q) {
            b->oom = true;
            return;
        }
        if (b->n)
            memcpy(q, b->p, b->n);
        b->p = q, b->cap = ncap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

static int sdone(sbuf *b, eng_val *o)
{
    return b->oom ? eng__oom(b->c) : text_out(b->c, b->p ? b->p : "", b->n, o);
}

static int f_replace(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    if (a[1].s.n == 0)
        return text_out(c, a[0].s.p, a[0].s.n, o);
    sbuf b = {c, NULL, 0, 0, false};
    size_t at = 0;
    int64_t hit;
    while ((hit = find(&a[0], a[1].s.p, a[1].s.n, at)) >= 0) {
        sput(&b, a[0].s.p + at, (size_t)hit - at);
        sput(&b, a[2].s.p, a[2].s.n);
        at = (size_t)hit + a[1].s.n;
    }
    sput(&b, a[0].s.p + at, a[0].s.n - at);
    return sdone(&b, o);
}

/* split_part(): field k (1-based; negative counts from the end). */
static int f_split_part(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    int64_t k = a[2].i;
    if (k == 0) {
        pgw_error_set(c->err, SQLSTATE_INVALID_PARAMETER_VALUE, "field position must not be zero");
        return -1;
    }
    int64_t nfields = 1;
    if (a[1].s.n)
        for (int64_t at = 0; (at = find(&a[0], a[1].s.p, a[1].s.n, (size_t)at)) >= 0; at += (int64_t)a[1].s.n)
            nfields++;
    if (a[0].s.n == 0)
        return text_out(c, "", 0, o);
    if (k < 0)
        k += nfields + 1;
    if (k < 1 || k > nfields)
        return text_out(c, "", 0, o);
    size_t at = 0;
    for (int64_t i = 1; i < k; i++)
        at = (size_t)find(&a[0], a[1].s.p, a[1].s.n, at) + a[1].s.n;
    int64_t end = a[1].s.n ? find(&a[0], a[1].s.p, a[1].s.n, at) : -1;
    return text_out(c, a[0].s.p + at, (end < 0 ? a[0].s.n : (size_t)end) - at, o);
}

static int f_concat(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    sbuf b = {c, NULL, 0, 0, false};
    for (int i = 0; i < n; i++)
        if (!a[i].null)
            sput(&b, a[i].s.p, a[i].s.n);
    return sdone(&b, o);
}

static int f_concat_ws(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    if (a[0].null) {
        o->null = true;
        return 0;
    }
    sbuf b = {c, NULL, 0, 0, false};
    bool first = true;
    for (int i = 1; i < n; i++)
        if (!a[i].null) {
            if (!first)
                sput(&b, a[0].s.p, a[0].s.n);
            sput(&b, a[i].s.p, a[i].s.n);
            first = false;
        }
    return sdone(&b, o);
}

/* Is the character at s (len bytes) one of set's characters? */
static bool in_set(const char *s, size_t len, const eng_val *set)
{
    for (size_t i = 0; i < set->s.n;) {
        size_t l = char_off(set->s.p + i, set->s.n - i, 1);
        if (l == len && memcmp(set->s.p + i, s, len) == 0)
            return true;
        i += l;
    }
    return false;
}

static int trim_common(eng_ctx *c, const eng_val *a, int n, bool left, bool right, eng_val *o)
{
    eng_val space = {.null = false, .s = {" ", 1}};
    const eng_val *set = n > 1 ? &a[1] : &space;
    const char *s = a[0].s.p;
    size_t b = 0, e = a[0].s.n;
    while (left && b < e) {
        size_t l = char_off(s + b, e - b, 1);
        if (!in_set(s + b, l, set))
            break;
        b += l;
    }
    while (right && e > b) {
        size_t k = e - 1;
        while (k > b && ((unsigned char)s[k] & 0xC0) == 0x80)
            k--;
        if (!in_set(s + k, e - k, set))
            break;
        e = k;
    }
    return text_out(c, s + b, e - b, o);
}

static int f_btrim(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return trim_common(c, a, n, true, true, o); }
static int f_ltrim(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return trim_common(c, a, n, true, false, o); }
static int f_rtrim(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return trim_common(c, a, n, false, true, o); }

/* left(s, k) / right(s, k): negative k drops |k| characters. */
static int side(eng_ctx *c, const eng_val *a, bool from_left, eng_val *o)
{
    int64_t len = (int64_t)eng_utf8_len(a[0].s.p, a[0].s.n), k = a[1].i;
    int64_t keep = k >= 0 ? (k < len ? k : len) : (len + k > 0 ? len + k : 0);
    size_t cut = char_off(a[0].s.p, a[0].s.n, from_left ? keep : len - keep);
    return from_left ? text_out(c, a[0].s.p, cut, o) : text_out(c, a[0].s.p + cut, a[0].s.n - cut, o);
}

static int f_left(eng_ctx *c, const eng_val *a, int n, eng_val *o) { (void)n; return side(c, a, true, o); }
static int f_right(eng_ctx *c, const eng_val *a, int n, eng_val *o) { (void)n; return side(c, a, false, o); }

#define MAX_RESULT ((size_t)1 << 30)

static int too_long(eng_ctx *c)
{
    pgw_error_set(c->err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "requested length too large");
    return -1;
}

static int f_repeat(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    int64_t k = a[1].i < 0 ? 0 : a[1].i;
    if (a[0].s.n && (uint64_t)k > MAX_RESULT / a[0].s.n)
        return too_long(c);
    sbuf b = {c, NULL, 0, 0, false};
    for (int64_t i = 0; i < k; i++)
        sput(&b, a[0].s.p, a[0].s.n);
    return sdone(&b, o);
}

/* lpad/rpad(s, len[, fill]): cut to len characters or filled with fill. */
static int pad(eng_ctx *c, const eng_val *a, int n, bool left, eng_val *o)
{
    eng_val space = {.null = false, .s = {" ", 1}};
    const eng_val *fill = n > 2 ? &a[2] : &space;
    int64_t want = a[1].i < 0 ? 0 : a[1].i, have = (int64_t)eng_utf8_len(a[0].s.p, a[0].s.n);
    if ((uint64_t)want > MAX_RESULT / 4)
        return too_long(c);
    if (have >= want || fill->s.n == 0)
        return text_out(c, a[0].s.p, char_off(a[0].s.p, a[0].s.n, want), o);
    sbuf b = {c, NULL, 0, 0, false};
    if (!left)
        sput(&b, a[0].s.p, a[0].s.n);
    for (int64_t i = 0, f = 0; i < want - have; i++) {
        size_t at = char_off(fill->s.p, fill->s.n, f), l = char_off(fill->s.p + at, fill->s.n - at, 1);
        sput(&b, fill->s.p + at, l);
        f = at + l >= fill->s.n ? 0 : f + 1;
    }
    if (left)
        sput(&b, a[0].s.p, a[0].s.n);
    return sdone(&b, o);
}

static int f_lpad(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return pad(c, a, n, true, o); }
static int f_rpad(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return pad(c, a, n, false, o); }

static int f_reverse(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    char *p = arena_alloc(c->mem, a[0].s.n + 1);
    if (!p)
        return eng__oom(c);
    size_t len = a[0].s.n;
    for (size_t i = 0; i < len;) {
        size_t l = char_off(a[0].s.p + i, len - i, 1);
        memcpy(p + len - i - l, a[0].s.p + i, l);
        i += l;
    }
    return text_out(c, p, len, o);
}

/* initcap(): upper-case the first letter of each alphanumeric run (ASCII). */
static int f_initcap(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    char *p = arena_alloc(c->mem, a[0].s.n + 1);
    if (!p)
        return eng__oom(c);
    bool in_word = false;
    for (size_t i = 0; i < a[0].s.n; i++) {
        unsigned char ch = (unsigned char)a[0].s.p[i];
        p[i] = (char)(in_word ? tolower(ch) : toupper(ch));
        in_word = isalnum(ch) || ch >= 0x80;
    }
    return text_out(c, p, a[0].s.n, o);
}

static int f_md5(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int dl = 0;
    if (!EVP_Digest(a[0].s.p, a[0].s.n, d, &dl, EVP_md5(), NULL))
        return eng__oom(c);
    char hex[33];
    for (unsigned i = 0; i < dl && i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    return text_out(c, hex, 32, o);
}

/* ---- format() --------------------------------------------------------------- */

static void quote_literal(sbuf *b, const eng_val *v)
{
    if (v->null) {
        sput(b, "NULL", 4);
        return;
    }
    bool bs = memchr(v->s.p, '\\', v->s.n) != NULL;
    sput(b, bs ? "E'" : "'", bs ? 2 : 1);
    for (size_t i = 0; i < v->s.n; i++) {
        char ch = v->s.p[i];
        if (ch == '\'' || ch == '\\')
            sput(b, &ch, 1);
        sput(b, &ch, 1);
    }
    sput(b, "'", 1);
}

/* quote_ident(): bare when lower-case letters, digits and _ only. */
static void quote_ident(sbuf *b, const eng_val *v)
{
    bool plain = v->s.n > 0 && (islower((unsigned char)v->s.p[0]) || v->s.p[0] == '_');
    for (size_t i = 0; plain && i < v->s.n; i++)
        plain = islower((unsigned char)v->s.p[i]) || isdigit((unsigned char)v->s.p[i]) || v->s.p[i] == '_';
    if (plain) {
        sput(b, v->s.p, v->s.n);
        return;
    }
    sput(b, "\"", 1);
    for (size_t i = 0; i < v->s.n; i++) {
        if (v->s.p[i] == '"')
            sput(b, "\"", 1);
        sput(b, v->s.p + i, 1);
    }
    sput(b, "\"", 1);
}

static int f_format(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    if (a[0].null) {
        o->null = true;
        return 0;
    }
    sbuf b = {c, NULL, 0, 0, false};
    const char *f = a[0].s.p, *e = f + a[0].s.n;
    int next = 1;
    for (; f < e; f++) {
        if (*f != '%') {
            sput(&b, f, 1);
            continue;
        }
        if (++f >= e) {
            pgw_error_set(c->err, SQLSTATE_INVALID_PARAMETER_VALUE, "unterminated format() type specifier");
            pgw_error_hint(c->err, "For a single \"%%\" use \"%%%%\".");
            return -1;
        }
        if (*f == '%') {
            sput(&b, "%", 1);
            continue;
        }
        if (*f != 's' && *f != 'I' && *f != 'L') {
            pgw_error_set(c->err, SQLSTATE_INVALID_PARAMETER_VALUE, "unrecognized format() type specifier \"%c\"", *f);
            pgw_error_hint(c->err, "For a single \"%%\" use \"%%%%\".");
            return -1;
        }
        if (next >= n) {
            pgw_error_set(c->err, SQLSTATE_INVALID_PARAMETER_VALUE, "too few arguments for format()");
            return -1;
        }
        const eng_val *v = &a[next++];
        if (*f == 'L')
            quote_literal(&b, v);
        else if (v->null && *f == 'I') {
            pgw_error_set(c->err, SQLSTATE_NULL_VALUE_NOT_ALLOWED, "null values cannot be formatted as an SQL identifier");
            return -1;
        } else if (*f == 'I')
            quote_ident(&b, v);
        else if (!v->null)
            sput(&b, v->s.p, v->s.n);
    }
    return sdone(&b, o);
}

/* ---- encode / decode -------------------------------------------------------- */

static int bad_encoding(eng_ctx *c, const eng_val *name)
{
    pgw_error_set(c->err, SQLSTATE_INVALID_PARAMETER_VALUE, "unrecognized encoding: \"%.*s\"", (int)name->s.n,
                  name->s.p);
    return -1;
}

static bool is(const eng_val *v, const char *w) { return v->s.n == strlen(w) && strncasecmp(v->s.p, w, v->s.n) == 0; }

static int f_encode(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    const unsigned char *s = (const unsigned char *)a[0].s.p;
    size_t len = a[0].s.n;
    sbuf b = {c, NULL, 0, 0, false};
    if (is(&a[1], "hex")) {
        for (size_t i = 0; i < len; i++) {
            char h[3];
            snprintf(h, sizeof(h), "%02x", s[i]);
            sput(&b, h, 2);
        }
    } else if (is(&a[1], "base64")) {
        /* PostgreSQL breaks base64 lines every 76 characters */
        for (size_t i = 0; i < len; i += 57) {
            unsigned char out[80];
            int k = EVP_EncodeBlock(out, s + i, (int)(len - i < 57 ? len - i : 57));
            if (i)
                sput(&b, "\n", 1);
            sput(&b, (const char *)out, (size_t)k);
        }
    } else if (is(&a[1], "escape")) {
        for (size_t i = 0; i < len; i++) {
            char e[5];
            if (s[i] == '\\')
                sput(&b, "\\\\", 2);
            else if (s[i] == 0 || s[i] >= 0x80) {
                snprintf(e, sizeof(e), "\\%03o", s[i]);
                sput(&b, e, 4);
            } else
                sput(&b, (const char *)&s[i], 1);
        }
    } else
        return bad_encoding(c, &a[1]);
    return sdone(&b, o);
}

static int hexdig(char ch)
{
    return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

static int decode_hex(eng_ctx *c, const eng_val *in, sbuf *b)
{
    for (size_t i = 0; i < in->s.n;) {
        if (isspace((unsigned char)in->s.p[i])) {
            i++;
            continue;
        }
        int hi = hexdig(in->s.p[i]);
        if (hi < 0) {
            pgw_error_set(c->err, SQLSTATE_INVALID_PARAMETER_VALUE, "invalid hexadecimal digit: \"%c\"", in->s.p[i]);
            return -1;
        }
        if (i + 1 >= in->s.n || hexdig(in->s.p[i + 1]) < 0) {
            if (i + 1 >= in->s.n)
                pgw_error_set(c->err, SQLSTATE_INVALID_PARAMETER_VALUE, "invalid hexadecimal data: odd number of digits");
            else
                pgw_error_set(c->err, SQLSTATE_INVALID_PARAMETER_VALUE, "invalid hexadecimal digit: \"%c\"", in->s.p[i + 1]);
            return -1;
        }
        char byte = (char)(hi << 4 | hexdig(in->s.p[i + 1]));
        sput(b, &byte, 1);
        i += 2;
    }
    return 0;
}

static int decode_base64(eng_ctx *c, const eng_val *in, sbuf *b)
{
    char *clean = arena_alloc(c->mem, in->s.n + 1);
    unsigned char *out = arena_alloc(c->mem, in->s.n + 3);
    if (!clean || !out)
        return eng__oom(c);
    size_t k = 0;
    for (size_t i = 0; i < in->s.n; i++)
        if (!isspace((unsigned char)in->s.p[i]))
            clean[k++] = in->s.p[i];
    int got = k % 4 ? -1 : EVP_DecodeBlock(out, (const unsigned char *)clean, (int)k);
    if (got < 0) {
        pgw_error_set(c->err, SQLSTATE_INVALID_PARAMETER_VALUE, "invalid base64 end sequence");
        pgw_error_hint(c->err, "Input data is missing padding, is truncated, or is otherwise corrupted.");
        return -1;
    }
    /* EVP_DecodeBlock counts the padding bytes as data */
    for (size_t p = k; p > 0 && clean[p - 1] == '='; p--)
        got--;
    sput(b, (const char *)out, (size_t)got);
    return 0;
}

static int f_decode(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    sbuf b = {c, NULL, 0, 0, false};
    int rc;
    if (is(&a[1], "hex"))
        rc = decode_hex(c, &a[0], &b);
    else if (is(&a[1], "base64"))
        rc = decode_base64(c, &a[0], &b);
    else if (is(&a[1], "escape")) {
        eng_val v;
        if (eng__type_bytea.in(c, a[0].s.p, a[0].s.n, -1, &v))
            return -1;
        sput(&b, v.s.p, v.s.n);
        rc = 0;
    } else
        return bad_encoding(c, &a[1]);
    return rc ? -1 : sdone(&b, o);
}

void eng__register_string_fn(void)
{
    const uint32_t T = OID_TEXT, I = OID_INT4, A = OID_ANYNONARRAY;
    static const char *const substr_names[2] = {"substr", "substring"};
    for (int k = 0; k < 2; k++) {
        eng__reg(substr_names[k], false, T, ENG_F_STRICT, f_substr, 2, T, I);
        eng__reg(substr_names[k], false, T, ENG_F_STRICT, f_substr, 3, T, I, I);
    }
    eng__reg("strpos", false, I, ENG_F_STRICT, f_strpos, 2, T, T);
    eng__reg("position", false, I, ENG_F_STRICT, f_strpos, 2, T, T);
    eng__reg("replace", false, T, ENG_F_STRICT, f_replace, 3, T, T, T);
    eng__reg("split_part", false, T, ENG_F_STRICT, f_split_part, 3, T, T, I);
    eng__reg("concat", false, T, 0, f_concat, 1, A);
    eng__reg("concat", false, T, 0, f_concat, 2, A, A);
    eng__reg("concat", false, T, 0, f_concat, 3, A, A, A);
    eng__reg("concat", false, T, 0, f_concat, 4, A, A, A, A);
    eng__reg("concat_ws", false, T, 0, f_concat_ws, 2, T, A);
    eng__reg("concat_ws", false, T, 0, f_concat_ws, 3, T, A, A);
    eng__reg("concat_ws", false, T, 0, f_concat_ws, 4, T, A, A, A);
    eng__reg("format", false, T, 0, f_format, 1, T);
    eng__reg("format", false, T, 0, f_format, 2, T, A);
    eng__reg("format", false, T, 0, f_format, 3, T, A, A);
    eng__reg("format", false, T, 0, f_format, 4, T, A, A, A);
    static const char *const trims[3] = {"btrim", "ltrim", "rtrim"};
    static const eng_fn trim_fns[3] = {f_btrim, f_ltrim, f_rtrim};
    for (int k = 0; k < 3; k++) {
        eng__reg(trims[k], false, T, ENG_F_STRICT, trim_fns[k], 1, T);
        eng__reg(trims[k], false, T, ENG_F_STRICT, trim_fns[k], 2, T, T);
    }
    eng__reg("left", false, T, ENG_F_STRICT, f_left, 2, T, I);
    eng__reg("right", false, T, ENG_F_STRICT, f_right, 2, T, I);
    eng__reg("repeat", false, T, ENG_F_STRICT, f_repeat, 2, T, I);
    eng__reg("lpad", false, T, ENG_F_STRICT, f_lpad, 2, T, I);
    eng__reg("lpad", false, T, ENG_F_STRICT, f_lpad, 3, T, I, T);
    eng__reg("rpad", false, T, ENG_F_STRICT, f_rpad, 2, T, I);
    eng__reg("rpad", false, T, ENG_F_STRICT, f_rpad, 3, T, I, T);
    eng__reg("reverse", false, T, ENG_F_STRICT, f_reverse, 1, T);
    eng__reg("initcap", false, T, ENG_F_STRICT, f_initcap, 1, T);
    eng__reg("md5", false, T, ENG_F_STRICT, f_md5, 1, T);
    eng__reg("md5", false, T, ENG_F_STRICT, f_md5, 1, OID_BYTEA);
    eng__reg("encode", false, T, ENG_F_STRICT, f_encode, 2, OID_BYTEA, T);
    eng__reg("decode", false, OID_BYTEA, ENG_F_STRICT, f_decode, 2, T, T);
}
