/*
 * string_more: chr, ascii, to_hex, translate, starts_with, quote_literal,
 * quote_nullable and string_to_array, following PostgreSQL 15 (UTF-8
 * server encoding).
 */
#include <stdio.h>
#include <string.h>

#include "engine/func/registry.h"
#include "engine/types/array.h"
#include "engine/types/text.h"

/* Length of the UTF-8 sequence that starts with byte b (1 for stray bytes). */
static size_t seq_len(unsigned char b)
{
    return b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
}

static uint32_t decode(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    if (n == 1)
        return u[0];
    uint32_t cp = u[0] & (0x7F >> n);
    for (size_t i = 1; i < n; i++)
        cp = (cp << 6) | (u[i] & 0x3F);
    return cp;
}

static size_t encode(uint32_t cp, char *out)
{
    if (cp < 0x80)
        return out[0] = (char)cp, 1;
    if (cp < 0x800)
        return out[0] = (char)(0xC0 | cp >> 6), out[1] = (char)(0x80 | (cp & 0x3F)), 2;
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* 54000 with msg, followed by ": v" when with_value. */
static int limit(eng_ctx *c, const char *msg, bool with_value, int64_t v)
{
    if (with_value)
        pgw_error_set(c->err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "%s: %lld", msg, (long long)v);
    else
        pgw_error_set(c->err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "%s", msg);
    return -1;
}

static int f_chr(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    int64_t v = a[0].i;
    if (v == 0)
        return limit(c, "null character not permitted", false, v);
    if (v < 0)
        return limit(c, "character number must be positive", false, v);
    if (v > 0x10FFFF)
        return limit(c, "requested character too large for encoding", true, v);
    if (v >= 0xD800 && v <= 0xDFFF)
        return limit(c, "requested character not valid for encoding", true, v);
    char buf[4];
    return eng__text_val(c, buf, encode((uint32_t)v, buf), o);
}

static int f_ascii(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)c, (void)n;
    size_t len = a[0].s.n ? seq_len((unsigned char)a[0].s.p[0]) : 0;
    o->null = false;
    o->i = len && len <= a[0].s.n ? decode(a[0].s.p, len) : 0;
    return 0;
}

static int f_to_hex4(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    char buf[16];
    int len = snprintf(buf, sizeof(buf), "%x", (uint32_t)(int32_t)a[0].i);
    return eng__text_val(c, buf, (size_t)len, o);
}

static int f_to_hex8(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    char buf[24];
    int len = snprintf(buf, sizeof(buf), "%llx", (unsigned long long)a[0].i);
    return eng__text_val(c, buf, (size_t)len, o);
}

/* Offset of the k-th (0-based) character of s[0..n), n when past the end. */
static size_t char_at(const char *s, size_t n, size_t k)
{
    size_t i = 0;
    while (k-- > 0 && i < n)
        i += seq_len((unsigned char)s[i]);
    return i < n ? i : n;
}

/* translate(s, from, to): each character of s found in `from` (first
 * occurrence) becomes the character of `to` at that position, or goes when
 * `to` is shorter. */
static int f_translate(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    const char *s = a[0].s.p, *f = a[1].s.p, *t = a[2].s.p;
    size_t sn = a[0].s.n, fn = a[1].s.n, tn = a[2].s.n;
    char *out = arena_alloc(c->mem, sn * 4 + 1);
    if (!out)
        return eng__oom(c);
    size_t on = 0;
    for (size_t i = 0; i < sn;) {
        size_t cl = seq_len((unsigned char)s[i]), k = 0, j = 0;
        if (i + cl > sn)
            cl = sn - i;
        while (j < fn) {
            size_t fl = seq_len((unsigned char)f[j]);
            if (fl == cl && j + fl <= fn && memcmp(f + j, s + i, cl) == 0)
                break;
            j += fl;
            k++;
        }
        if (j >= fn) {
            memcpy(out + on, s + i, cl);
            on += cl;
        } else {
            size_t at = char_at(t, tn, k);
            if (at < tn) {
                size_t tl = seq_len((unsigned char)t[at]);
                memcpy(out + on, t + at, tl);
                on += tl;
            }
        }
        i += cl;
    }
    return eng__text_val(c, out, on, o);
}

static int f_starts_with(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)c, (void)n;
    o->null = false;
    o->i = a[1].s.n <= a[0].s.n && memcmp(a[0].s.p, a[1].s.p, a[1].s.n) == 0;
    return 0;
}

/* quote_literal: 'text' with quotes doubled; with a backslash, E'...' with
 * backslashes doubled too. */
static int f_quote_literal(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    const char *s = a[0].s.p;
    size_t len = a[0].s.n, on = 0;
    char *out = arena_alloc(c->mem, len * 2 + 4);
    if (!out)
        return eng__oom(c);
    if (memchr(s, '\\', len))
        out[on++] = 'E';
    out[on++] = '\'';
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\'' || s[i] == '\\')
            out[on++] = s[i];
        out[on++] = s[i];
    }
    out[on++] = '\'';
    return eng__text_val(c, out, on, o);
}

static int f_quote_nullable(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    if (a[0].null)
        return eng__text_val(c, "NULL", 4, o);
    return f_quote_literal(c, a, n, o);
}

/* One element of string_to_array: NULL when it equals the null string. */
static void element(const eng_val *a, int n, const char *p, size_t len, eng_val *e)
{
    bool is_null = n > 2 && !a[2].null && a[2].s.n == len && memcmp(a[2].s.p, p, len) == 0;
    e->null = is_null;
    e->s.p = p;
    e->s.n = len;
}

/* string_to_array(s, delimiter [, null_string]): a NULL delimiter splits
 * into characters, an empty one keeps s whole; an empty s gives {}. */
static int f_string_to_array(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    if (a[0].null) {
        o->null = true;
        return 0;
    }
    const char *s = a[0].s.p;
    size_t sn = a[0].s.n, dn = a[1].null ? 0 : a[1].s.n;
    eng_val *v = arena_calloc(c->mem, sn + 1, sizeof(eng_val));
    if (!v)
        return eng__oom(c);
    int k = 0;
    for (size_t i = 0; sn > 0;) {
        size_t end = i;
        if (a[1].null) {
            end = i + seq_len((unsigned char)s[i]);
            end = end > sn ? sn : end;
        } else if (dn == 0) {
            end = sn;
        } else {
            while (end < sn && !(end + dn <= sn && memcmp(s + end, a[1].s.p, dn) == 0))
                end++;
        }
        element(a, n, s + i, end - i, &v[k++]);
        if (end >= sn)
            break;
        i = a[1].null || dn == 0 ? end : end + dn;
        if (i == sn && !a[1].null) { /* a trailing delimiter leaves an empty last element */
            element(a, n, s + sn, 0, &v[k++]);
            break;
        }
    }
    return eng_array_pack(c, eng_array_of(OID_TEXT), v, k, o);
}

void eng__register_string_more(void)
{
    const uint32_t T = OID_TEXT;
    eng__reg("chr", false, T, ENG_F_STRICT, f_chr, 1, OID_INT4);
    eng__reg("ascii", false, OID_INT4, ENG_F_STRICT, f_ascii, 1, T);
    eng__reg("to_hex", false, T, ENG_F_STRICT, f_to_hex4, 1, OID_INT4);
    eng__reg("to_hex", false, T, ENG_F_STRICT, f_to_hex8, 1, OID_INT8);
    eng__reg("translate", false, T, ENG_F_STRICT, f_translate, 3, T, T, T);
    eng__reg("starts_with", false, OID_BOOL, ENG_F_STRICT, f_starts_with, 2, T, T);
    eng__reg("quote_literal", false, T, ENG_F_STRICT, f_quote_literal, 1, T);
    eng__reg("quote_nullable", false, T, 0, f_quote_nullable, 1, T);
    eng__reg("string_to_array", false, eng_array_of(T), 0, f_string_to_array, 2, T, T);
    eng__reg("string_to_array", false, eng_array_of(T), 0, f_string_to_array, 3, T, T, T);
}
