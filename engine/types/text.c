/*
 * text: text, varchar, bpchar, name, "char", unknown, bytea and void —
 * I/O, typmods (varchar(n) / char(n) length rules), comparison, ||, LIKE.
 *
 * Strings compare bytewise, which is PostgreSQL's "C" collation; hcdb has
 * no other collation yet. lower()/upper() fold ASCII only, for the same
 * reason.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "engine/func/registry.h"
#include "engine/types/text.h"

/* ---- UTF-8 ----------------------------------------------------------- */

static int utf8_seq_len(unsigned char c)
{
    return c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 1;
}

/* pg_utf8_islegal: one valid sequence of length l at s? */
static bool utf8_legal(const unsigned char *s, int l)
{
    unsigned char a;
    switch (l) {
    case 4:
        a = s[3];
        if (a < 0x80 || a > 0xBF)
            return false;
        /* fallthrough */
    case 3:
        a = s[2];
        if (a < 0x80 || a > 0xBF)
            return false;
        /* fallthrough */
    case 2:
        a = s[1];
        switch (*s) {
        case 0xE0: if (a < 0xA0 || a > 0xBF) return false; break;
        case 0xED: if (a < 0x80 || a > 0x9F) return false; break;
        case 0xF0: if (a < 0x90 || a > 0xBF) return false; break;
        case 0xF4: if (a < 0x80 || a > 0x8F) return false; break;
        default: if (a < 0x80 || a > 0xBF) return false; break;
        }
        /* fallthrough */
    case 1:
        a = *s;
        if (a >= 0x80 && a < 0xC2)
            return false;
        if (a > 0xF4)
            return false;
        return true;
    default:
        return false;
    }
}

size_t eng_utf8_valid_prefix(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        if (p[i] < 0x80) {
            if (p[i] == 0)
                return i;
            i++;
            continue;
        }
        int l = utf8_seq_len(p[i]);
        if (i + (size_t)l > n || !utf8_legal(p + i, l))
            return i;
        i += (size_t)l;
    }
    return n;
}

void eng_utf8_error(pgw_error *err, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    int l = utf8_seq_len(p[0]);
    char bytes[64] = "", *o = bytes;
    for (int j = 0; j < l && (size_t)j < n; j++)
        o += sprintf(o, j ? " 0x%02x" : "0x%02x", p[j]);
    pgw_error_set(err, SQLSTATE_CHARACTER_NOT_IN_REPERTOIRE, "invalid byte sequence for encoding \"UTF8\": %s", bytes);
}

size_t eng_utf8_len(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ((unsigned char)s[i] & 0xc0) != 0x80;
    return k;
}

/* Byte length of the first `chars` characters of s[0..n). */
static size_t utf8_prefix_bytes(const char *s, size_t n, size_t chars)
{
    size_t i = 0;
    while (i < n && chars > 0) {
        i += (size_t)utf8_seq_len((unsigned char)s[i]);
        chars--;
    }
    return i > n ? n : i;
}

int eng__text_val(eng_ctx *c, const char *s, size_t n, eng_val *out)
{
    char *p = arena_strndup(c->mem, s, n);
    if (!p)
        return eng__oom(c);
    out->null = false;
    out->s.p = p;
    out->s.n = n;
    return 0;
}

/* ---- text-like I/O --------------------------------------------------- */

static int text_in(eng_ctx *c, const char *s, size_t n, int32_t tm, eng_val *o)
{
    return eng__text_val(c, s, n, o);
}

static char *text_out(eng_ctx *c, const eng_val *v, size_t *len)
{
    *len = v->s.n;
    return arena_strndup(c->mem, v->s.p, v->s.n);
}

static uint8_t *text_send(eng_ctx *c, const eng_val *v, size_t *len)
{
    *len = v->s.n;
    uint8_t *p = arena_alloc(c->mem, v->s.n);
    if (p)
        memcpy(p, v->s.p, v->s.n);
    return p;
}

static int text_recv(eng_ctx *c, const uint8_t *p, size_t n, int32_t tm, eng_val *o)
{
    size_t ok = eng_utf8_valid_prefix((const char *)p, n);
    if (ok != n) {
        eng_utf8_error(c->err, (const char *)p + ok, n - ok);
        return -1;
    }
    return eng__text_val(c, (const char *)p, n, o);
}

/* varchar(n) / char(n): typmod = n + 4. Too long fails unless the excess
 * is spaces, or the cast is explicit (then it truncates) — SQL's rule. */
static int fit_length(eng_ctx *c, eng_val *v, int32_t typmod, bool explicit_cast, bool pad)
{
    if (typmod < 4)
        return 0;
    size_t maxlen = (size_t)(typmod - 4);
    size_t chars = eng_utf8_len(v->s.p, v->s.n);
    if (chars > maxlen) {
        size_t cut = utf8_prefix_bytes(v->s.p, v->s.n, maxlen);
        if (!explicit_cast) {
            for (size_t i = cut; i < v->s.n; i++) {
                if (v->s.p[i] != ' ') {
                    pgw_error_set(c->err, SQLSTATE_STRING_DATA_RIGHT_TRUNCATION, "value too long for type %s(%zu)",
                                  pad ? "character" : "character varying", maxlen);
                    return -1;
                }
            }
        }
        v->s.n = cut;
        return 0;
    }
    if (pad && chars < maxlen) {
        size_t extra = maxlen - chars;
        char *p = arena_alloc(c->mem, v->s.n + extra + 1);
        if (!p)
            return eng__oom(c);
        memcpy(p, v->s.p, v->s.n);
        memset(p + v->s.n, ' ', extra);
        p[v->s.n + extra] = '\0';
        v->s.p = p;
        v->s.n += extra;
    }
    return 0;
}

static int varchar_typmod(eng_ctx *c, eng_val *v, int32_t tm, bool ex) { return fit_length(c, v, tm, ex, false); }
static int bpchar_typmod(eng_ctx *c, eng_val *v, int32_t tm, bool ex) { return fit_length(c, v, tm, ex, true); }

static int varchar_in(eng_ctx *c, const char *s, size_t n, int32_t tm, eng_val *o)
{
    return eng__text_val(c, s, n, o) || varchar_typmod(c, o, tm, false);
}

static int bpchar_in(eng_ctx *c, const char *s, size_t n, int32_t tm, eng_val *o)
{
    return eng__text_val(c, s, n, o) || bpchar_typmod(c, o, tm, false);
}

/* name: at most NAMEDATALEN-1 = 63 bytes, cut on a character boundary. */
static int name_in(eng_ctx *c, const char *s, size_t n, int32_t tm, eng_val *o)
{
    size_t cut = n;
    if (cut > 63) {
        cut = 63;
        while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
            cut--;
    }
    return eng__text_val(c, s, cut, o);
}

static int char_in(eng_ctx *c, const char *s, size_t n, int32_t tm, eng_val *o)
{
    return eng__text_val(c, s, n ? 1 : 0, o);
}

/* ---- bytea ----------------------------------------------------------- */

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

static int bytea_hex_in(eng_ctx *c, const char *s, size_t n, eng_val *o)
{
    uint8_t *out = arena_alloc(c->mem, n / 2 + 1);
    size_t k = 0;
    if (!out)
        return eng__oom(c);
    for (size_t i = 2; i < n;) {
        if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
            i++;
            continue;
        }
        int hi = hexval(s[i]);
        if (hi < 0) {
            pgw_error_set(c->err, SQLSTATE_INVALID_TEXT_REPRESENTATION, "invalid hexadecimal digit: \"%.*s\"",
                          utf8_seq_len((unsigned char)s[i]), s + i);
            return -1;
        }
        if (i + 1 >= n) {
            pgw_error_set(c->err, SQLSTATE_INVALID_TEXT_REPRESENTATION, "invalid hexadecimal data: odd number of digits");
            return -1;
        }
        int lo = hexval(s[i + 1]);
        if (lo < 0) {
            pgw_error_set(c->err, SQLSTATE_INVALID_TEXT_REPRESENTATION, "invalid hexadecimal digit: \"%.*s\"",
                          utf8_seq_len((unsigned char)s[i + 1]), s + i + 1);
            return -1;
        }
        out[k++] = (uint8_t)(hi << 4 | lo);
        i += 2;
    }
    o->null = false;
    o->s.p = (const char *)out;
    o->s.n = k;
    return 0;
}

static bool is_oct(char ch, char lo, char hi)
{
    return ch >= lo && ch <= hi;
}

/* byteain's escape format: \\ for a backslash, \ooo octal, other bytes as is. */
static int bytea_in(eng_ctx *c, const char *s, size_t n, int32_t tm, eng_val *o)
{
    if (n >= 2 && s[0] == '\\' && s[1] == 'x')
        return bytea_hex_in(c, s, n, o);
    uint8_t *out = arena_alloc(c->mem, n + 1);
    size_t k = 0;
    if (!out)
        return eng__oom(c);
    for (size_t i = 0; i < n;) {
        if (s[i] != '\\') {
            out[k++] = (uint8_t)s[i++];
        } else if (i + 1 < n && s[i + 1] == '\\') {
            out[k++] = '\\';
            i += 2;
        } else if (i + 3 < n && is_oct(s[i + 1], '0', '3') && is_oct(s[i + 2], '0', '7') && is_oct(s[i + 3], '0', '7')) {
            out[k++] = (uint8_t)((s[i + 1] - '0') << 6 | (s[i + 2] - '0') << 3 | (s[i + 3] - '0'));
            i += 4;
        } else {
            pgw_error_set(c->err, SQLSTATE_INVALID_TEXT_REPRESENTATION, "invalid input syntax for type bytea");
            return -1;
        }
    }
    o->null = false;
    o->s.p = (const char *)out;
    o->s.n = k;
    return 0;
}

static char *bytea_out(eng_ctx *c, const eng_val *v, size_t *len)
{
    static const char hex[] = "0123456789abcdef";
    char *s = arena_alloc(c->mem, 2 * v->s.n + 3);
    if (!s)
        return NULL;
    s[0] = '\\';
    s[1] = 'x';
    for (size_t i = 0; i < v->s.n; i++) {
        s[2 + 2 * i] = hex[(unsigned char)v->s.p[i] >> 4];
        s[3 + 2 * i] = hex[(unsigned char)v->s.p[i] & 15];
    }
    *len = 2 * v->s.n + 2;
    s[*len] = '\0';
    return s;
}

static int bytea_recv(eng_ctx *c, const uint8_t *p, size_t n, int32_t tm, eng_val *o)
{
    uint8_t *d = arena_alloc(c->mem, n);
    if (!d)
        return eng__oom(c);
    memcpy(d, p, n);
    o->null = false;
    o->s.p = (const char *)d;
    o->s.n = n;
    return 0;
}

static char *void_out(eng_ctx *c, const eng_val *v, size_t *len)
{
    *len = 0;
    return arena_strdup(c->mem, "");
}

static uint8_t *void_send(eng_ctx *c, const eng_val *v, size_t *len)
{
    *len = 0;
    return arena_alloc(c->mem, 1);
}

const eng_type eng__type_text = {OID_TEXT, "text", "text", -1, 'S', true,
                                 text_in, text_out, text_recv, text_send, NULL};
const eng_type eng__type_varchar = {OID_VARCHAR, "varchar", "character varying", -1, 'S', false,
                                    varchar_in, text_out, text_recv, text_send, varchar_typmod};
const eng_type eng__type_bpchar = {OID_BPCHAR, "bpchar", "character", -1, 'S', false,
                                   bpchar_in, text_out, text_recv, text_send, bpchar_typmod};
const eng_type eng__type_name = {OID_NAME, "name", "name", 64, 'S', false,
                                 name_in, text_out, text_recv, text_send, NULL};
const eng_type eng__type_char = {OID_CHAR, "char", "\"char\"", 1, 'Z', false,
                                 char_in, text_out, text_recv, text_send, NULL};
const eng_type eng__type_unknown = {OID_UNKNOWN, "unknown", "unknown", -2, 'X', false,
                                    text_in, text_out, text_recv, text_send, NULL};
const eng_type eng__type_bytea = {OID_BYTEA, "bytea", "bytea", -1, 'U', false,
                                  bytea_in, bytea_out, bytea_recv, text_send, NULL};
const eng_type eng__type_void = {OID_VOID, "void", "void", 4, 'P', false,
                                 NULL, void_out, NULL, void_send, NULL};

/* ---- operators and functions ---------------------------------------- */

static int bytes_cmp(const char *a, size_t na, const char *b, size_t nb)
{
    int r = memcmp(a, b, na < nb ? na : nb);
    if (r)
        return r < 0 ? -1 : 1;
    return na < nb ? -1 : na > nb;
}

static size_t rtrim_len(const char *s, size_t n)
{
    while (n > 0 && s[n - 1] == ' ')
        n--;
    return n;
}

#define STR_CMP(NAME, OP, TRIM)                                                                  \
    static int NAME(eng_ctx *c, const eng_val *a, int n, eng_val *o)                             \
    {                                                                                            \
        size_t na = a[0].s.n, nb = a[1].s.n;                                                     \
        if (TRIM) {                                                                              \
            na = rtrim_len(a[0].s.p, na);                                                        \
            nb = rtrim_len(a[1].s.p, nb);                                                        \
        }                                                                                        \
        o->null = false;                                                                         \
        o->i = bytes_cmp(a[0].s.p, na, a[1].s.p, nb) OP 0;                                       \
        return 0;                                                                                \
    }

STR_CMP(t_eq, ==, false)
STR_CMP(t_ne, !=, false)
STR_CMP(t_lt, <, false)
STR_CMP(t_gt, >, false)
STR_CMP(t_le, <=, false)
STR_CMP(t_ge, >=, false)
STR_CMP(b_eq, ==, true)
STR_CMP(b_ne, !=, true)
STR_CMP(b_lt, <, true)
STR_CMP(b_gt, >, true)
STR_CMP(b_le, <=, true)
STR_CMP(b_ge, >=, true)

static int concat2(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    char *p = arena_alloc(c->mem, a[0].s.n + a[1].s.n + 1);
    if (!p)
        return eng__oom(c);
    memcpy(p, a[0].s.p, a[0].s.n);
    memcpy(p + a[0].s.n, a[1].s.p, a[1].s.n);
    p[a[0].s.n + a[1].s.n] = '\0';
    o->null = false;
    o->s.p = p;
    o->s.n = a[0].s.n + a[1].s.n;
    return 0;
}

static char fold(char ch, bool ci)
{
    return ci ? (char)tolower((unsigned char)ch) : ch;
}

/* MatchText from PostgreSQL's like_match.c, on UTF-8 characters:
 * % any run, _ one character, \ escapes the next character. */
static int like_match(eng_ctx *c, const char *t, size_t tn, const char *p, size_t pn, bool ci, int depth)
{
    if (depth > ENG_MAX_DEPTH) {
        eng_err_depth(c->err);
        return -1;
    }
    while (tn > 0 && pn > 0) {
        if (*p == '\\') {
            if (pn < 2) {
                pgw_error_set(c->err, SQLSTATE_INVALID_ESCAPE_SEQUENCE, "LIKE pattern must not end with escape character");
                return -1;
            }
            p++, pn--;
            if (fold(*p, ci) != fold(*t, ci))
                return 0;
        } else if (*p == '%') {
            while (pn > 0 && (*p == '%' || *p == '_')) {
                if (*p == '_') {
                    if (tn == 0)
                        return 0;
                    size_t l = (size_t)utf8_seq_len((unsigned char)*t);
                    t += l, tn -= l;
                }
                p++, pn--;
            }
            if (pn == 0)
                return 1;
            while (tn > 0) {
                int r = like_match(c, t, tn, p, pn, ci, depth + 1);
                if (r != 0)
                    return r;
                size_t l = (size_t)utf8_seq_len((unsigned char)*t);
                t += l, tn -= l;
            }
            return 0;
        } else if (*p == '_') {
            size_t l = (size_t)utf8_seq_len((unsigned char)*t);
            t += l, tn -= l;
            p++, pn--;
            continue;
        } else if (fold(*p, ci) != fold(*t, ci)) {
            return 0;
        }
        t++, tn--;
        p++, pn--;
    }
    if (tn > 0)
        return 0;
    while (pn > 0 && *p == '%')
        p++, pn--;
    if (pn == 1 && *p == '\\') {
        pgw_error_set(c->err, SQLSTATE_INVALID_ESCAPE_SEQUENCE, "LIKE pattern must not end with escape character");
        return -1;
    }
    return pn == 0;
}

#define LIKE_FN(NAME, CI, NEG)                                                        \
    static int NAME(eng_ctx *c, const eng_val *a, int n, eng_val *o)                  \
    {                                                                                 \
        int r = like_match(c, a[0].s.p, a[0].s.n, a[1].s.p, a[1].s.n, CI, 0);         \
        if (r < 0)                                                                    \
            return -1;                                                                \
        o->null = false;                                                              \
        o->i = NEG ? !r : r;                                                          \
        return 0;                                                                     \
    }

LIKE_FN(t_like, false, false)
LIKE_FN(t_nlike, false, true)
LIKE_FN(t_ilike, true, false)
LIKE_FN(t_nilike, true, true)

static int f_length(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    o->null = false;
    o->i = (int64_t)eng_utf8_len(a[0].s.p, a[0].s.n);
    return 0;
}

static int f_bpchar_length(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    o->null = false;
    o->i = (int64_t)eng_utf8_len(a[0].s.p, rtrim_len(a[0].s.p, a[0].s.n));
    return 0;
}

static int f_octet_length(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    o->null = false;
    o->i = (int64_t)a[0].s.n;
    return 0;
}

static int case_map(eng_ctx *c, const eng_val *a, eng_val *o, bool up)
{
    char *p = arena_alloc(c->mem, a[0].s.n + 1);
    if (!p)
        return eng__oom(c);
    for (size_t i = 0; i < a[0].s.n; i++) {
        unsigned char ch = (unsigned char)a[0].s.p[i];
        p[i] = (char)(ch < 0x80 ? (up ? toupper(ch) : tolower(ch)) : ch);
    }
    p[a[0].s.n] = '\0';
    o->null = false;
    o->s.p = p;
    o->s.n = a[0].s.n;
    return 0;
}

static int f_lower(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return case_map(c, a, o, false); }
static int f_upper(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return case_map(c, a, o, true); }

static int cast_rtrim(eng_ctx *c, const eng_val *in, eng_val *o)
{
    *o = *in;
    o->s.n = rtrim_len(in->s.p, in->s.n);
    return 0;
}

static int cast_to_name(eng_ctx *c, const eng_val *in, eng_val *o)
{
    return name_in(c, in->s.p, in->s.n, -1, o);
}

static int cast_to_char(eng_ctx *c, const eng_val *in, eng_val *o)
{
    return char_in(c, in->s.p, in->s.n, -1, o);
}

static void reg_cmp(const char *const names[6], const eng_fn fns[6], uint32_t l, uint32_t r)
{
    for (int k = 0; k < 6; k++)
        eng__reg(names[k], true, OID_BOOL, ENG_F_STRICT, fns[k], 2, l, r);
}

void eng__register_text(void)
{
    static const char *const names[6] = {"=", "<>", "<", ">", "<=", ">="};
    static const eng_fn tf[6] = {t_eq, t_ne, t_lt, t_gt, t_le, t_ge};
    static const eng_fn bf[6] = {b_eq, b_ne, b_lt, b_gt, b_le, b_ge};
    reg_cmp(names, tf, OID_TEXT, OID_TEXT);
    reg_cmp(names, tf, OID_NAME, OID_NAME);
    reg_cmp(names, tf, OID_NAME, OID_TEXT);   /* nameeqtext and friends (PostgreSQL 12+) */
    reg_cmp(names, tf, OID_TEXT, OID_NAME);
    reg_cmp(names, bf, OID_BPCHAR, OID_BPCHAR);
    reg_cmp(names, tf, OID_BYTEA, OID_BYTEA);
    reg_cmp(names, tf, OID_CHAR, OID_CHAR);
    eng__reg("||", true, OID_TEXT, ENG_F_STRICT, concat2, 2, OID_TEXT, OID_TEXT);
    /* anytextcat / textanycat: the non-text side goes through its output function */
    eng__reg("||", true, OID_TEXT, ENG_F_STRICT, concat2, 2, OID_TEXT, OID_ANYNONARRAY);
    eng__reg("||", true, OID_TEXT, ENG_F_STRICT, concat2, 2, OID_ANYNONARRAY, OID_TEXT);
    eng__reg("||", true, OID_BYTEA, ENG_F_STRICT, concat2, 2, OID_BYTEA, OID_BYTEA);
    uint32_t liketypes[3] = {OID_TEXT, OID_NAME, OID_BPCHAR};
    for (int i = 0; i < 3; i++) {
        uint32_t t = liketypes[i], pt = OID_TEXT;
        eng__reg("~~", true, OID_BOOL, ENG_F_STRICT, t_like, 2, t, pt);
        eng__reg("!~~", true, OID_BOOL, ENG_F_STRICT, t_nlike, 2, t, pt);
        eng__reg("~~*", true, OID_BOOL, ENG_F_STRICT, t_ilike, 2, t, pt);
        eng__reg("!~~*", true, OID_BOOL, ENG_F_STRICT, t_nilike, 2, t, pt);
    }
    eng__reg("~~", true, OID_BOOL, ENG_F_STRICT, t_like, 2, OID_BYTEA, OID_BYTEA);
    eng__reg("!~~", true, OID_BOOL, ENG_F_STRICT, t_nlike, 2, OID_BYTEA, OID_BYTEA);
    eng__reg("length", false, OID_INT4, ENG_F_STRICT, f_length, 1, OID_TEXT);
    eng__reg("length", false, OID_INT4, ENG_F_STRICT, f_bpchar_length, 1, OID_BPCHAR);
    eng__reg("length", false, OID_INT4, ENG_F_STRICT, f_octet_length, 1, OID_BYTEA);
    eng__reg("char_length", false, OID_INT4, ENG_F_STRICT, f_length, 1, OID_TEXT);
    eng__reg("character_length", false, OID_INT4, ENG_F_STRICT, f_length, 1, OID_TEXT);
    eng__reg("octet_length", false, OID_INT4, ENG_F_STRICT, f_octet_length, 1, OID_TEXT);
    eng__reg("octet_length", false, OID_INT4, ENG_F_STRICT, f_octet_length, 1, OID_BYTEA);
    eng__reg("octet_length", false, OID_INT4, ENG_F_STRICT, f_octet_length, 1, OID_BPCHAR); /* padding counts */
    eng__reg("lower", false, OID_TEXT, ENG_F_STRICT, f_lower, 1, OID_TEXT);
    eng__reg("upper", false, OID_TEXT, ENG_F_STRICT, f_upper, 1, OID_TEXT);
    /* pg_cast: binary-compatible and conversion casts among string types */
    eng__reg_cast(OID_VARCHAR, OID_TEXT, ENG_CAST_IMPLICIT, NULL);
    eng__reg_cast(OID_TEXT, OID_VARCHAR, ENG_CAST_IMPLICIT, NULL);
    eng__reg_cast(OID_BPCHAR, OID_TEXT, ENG_CAST_IMPLICIT, cast_rtrim);
    eng__reg_cast(OID_BPCHAR, OID_VARCHAR, ENG_CAST_IMPLICIT, cast_rtrim);
    eng__reg_cast(OID_TEXT, OID_BPCHAR, ENG_CAST_IMPLICIT, NULL);
    eng__reg_cast(OID_VARCHAR, OID_BPCHAR, ENG_CAST_IMPLICIT, NULL);
    eng__reg_cast(OID_NAME, OID_TEXT, ENG_CAST_IMPLICIT, NULL);
    eng__reg_cast(OID_TEXT, OID_NAME, ENG_CAST_IMPLICIT, cast_to_name);
    eng__reg_cast(OID_VARCHAR, OID_NAME, ENG_CAST_IMPLICIT, cast_to_name);
    eng__reg_cast(OID_BPCHAR, OID_NAME, ENG_CAST_IMPLICIT, cast_to_name);
    eng__reg_cast(OID_NAME, OID_VARCHAR, ENG_CAST_ASSIGN, NULL);
    eng__reg_cast(OID_NAME, OID_BPCHAR, ENG_CAST_ASSIGN, NULL);
    eng__reg_cast(OID_CHAR, OID_TEXT, ENG_CAST_IMPLICIT, NULL);
    eng__reg_cast(OID_TEXT, OID_CHAR, ENG_CAST_ASSIGN, cast_to_char);
}
