/*
 * json_parse: a recursive-descent parser for RFC 8259 JSON that reports
 * errors as PostgreSQL's json lexer and parser do ("invalid input syntax
 * for type json" with the same DETAIL lines).
 */
#include <stdio.h>
#include <string.h>

#include "engine/types/json_parse.h"
#include "engine/types/types.h"

typedef struct jp {
    eng_ctx *c;
    const char *s, *e, *p;
    int depth;
    bool jsonb;          /* \u0000 is refused (jsonb holds text) */
    const char *err_end; /* end of the token an error is about, for CONTEXT */
} jp;

static bool is_delim(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '{' || ch == '}' || ch == '[' ||
           ch == ']' || ch == ',' || ch == ':' || ch == '"';
}

static void skip_ws(jp *j)
{
    while (j->p < j->e && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
        j->p++;
}

/* 22P02 with the detail `before` + tok[0..n) + `after`; the CONTEXT line
 * shows the input up to the end of the token (or up to j->p). */
static void *fail_tok(jp *j, const char *before, const char *tok, size_t n, const char *after)
{
    if (pgw_error_is_set(j->c->err))
        return NULL;
    j->err_end = tok ? tok + n : j->p;
    pgw_error_set(j->c->err, SQLSTATE_INVALID_TEXT_REPRESENTATION, "invalid input syntax for type json");
    pgw_error_detail(j->c->err, "%s%.*s%s", before, (int)n, tok ? tok : "", after);
    return NULL;
}

static void *fail(jp *j, const char *detail) { return fail_tok(j, detail, NULL, 0, ""); }

/* The token at p, for "but found ..." messages: one delimiter character or
 * a run of other characters. */
static size_t token_len(const jp *j)
{
    const char *q = j->p;
    if (q < j->e && is_delim(*q))
        return 1;
    while (q < j->e && !is_delim(*q))
        q++;
    return (size_t)(q - j->p);
}

static bool scalar_kind(const char *t, size_t n, jv_kind *k);

static void *expected(jp *j, const char *what)
{
    if (j->p >= j->e)
        return fail(j, "The input string ended unexpectedly.");
    char before[64];
    snprintf(before, sizeof(before), "Expected %s, but found \"", what);
    if (*j->p == '"') {
        const char *q = j->p + 1;
        while (q < j->e && *q != '"')
            q += *q == '\\' && q + 1 < j->e ? 2 : 1;
        return fail_tok(j, before, j->p, (size_t)(q < j->e ? q + 1 - j->p : q - j->p), "\".");
    }
    size_t n = token_len(j);
    /* a run that is not a literal or a number is an invalid token first */
    jv_kind k;
    if (!is_delim(*j->p) && !scalar_kind(j->p, n, &k))
        return fail_tok(j, "Token \"", j->p, n, "\" is invalid.");
    return fail_tok(j, before, j->p, n, "\".");
}

static jv *node(jp *j, jv_kind k, const char *start)
{
    jv *v = arena_alloc(j->c->mem, sizeof(*v));
    if (!v) {
        eng__oom(j->c);
        return NULL;
    }
    memset(v, 0, sizeof(*v));
    v->kind = k;
    v->p = start;
    return v;
}

static int hexval(char ch)
{
    return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

static jv *parse_string(jp *j)
{
    const char *start = j->p++;
    while (j->p < j->e && *j->p != '"') {
        unsigned char ch = (unsigned char)*j->p;
        if (ch < 0x20) {
            char detail[64];
            snprintf(detail, sizeof(detail), "Character with value 0x%02x must be escaped.", ch);
            j->p++;
            return fail(j, detail);
        }
        if (ch != '\\') {
            j->p++;
            continue;
        }
        if (++j->p >= j->e)
            break;
        if (*j->p == 'u') {
            for (int i = 1; i <= 4; i++)
                if (j->p + i >= j->e || hexval(j->p[i]) < 0) {
                    j->p += j->p + i < j->e ? i + 1 : i;
                    return fail(j, "\"\\u\" must be followed by four hexadecimal digits.");
                }
            j->p += 5;
            if (j->jsonb && !strncmp(j->p - 4, "0000", 4)) {
                if (!pgw_error_is_set(j->c->err)) {
                    pgw_error_set(j->c->err, SQLSTATE_UNTRANSLATABLE_CHARACTER, "unsupported Unicode escape sequence");
                    pgw_error_detail(j->c->err, "\\u0000 cannot be converted to text.");
                    j->err_end = j->p;
                }
                return NULL;
            }
            continue;
        }
        if (!strchr("\"\\/bfnrt", *j->p)) {
            const char *q = j->p;
            /* PostgreSQL quotes the whole multibyte character */
            size_t n = 1;
            while (q + n < j->e && ((unsigned char)q[n] & 0xC0) == 0x80)
                n++;
            return fail_tok(j, "Escape sequence \"\\", q, n, "\" is invalid.");
        }
        j->p++;
    }
    if (j->p >= j->e)
        return fail(j, "The input string ended unexpectedly.");
    j->p++;
    jv *v = node(j, JV_STRING, start);
    if (v)
        v->n = (size_t)(j->p - start);
    return v;
}

/* true/false/null or -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? over the whole token. */
static bool scalar_kind(const char *t, size_t n, jv_kind *k)
{
    if (n == 4 && !strncmp(t, "true", 4))
        return *k = JV_TRUE, true;
    if (n == 5 && !strncmp(t, "false", 5))
        return *k = JV_FALSE, true;
    if (n == 4 && !strncmp(t, "null", 4))
        return *k = JV_NULL, true;
    const char *q = t, *e = t + n;
    if (q < e && *q == '-')
        q++;
    if (q >= e || *q < '0' || *q > '9')
        return false;
    if (*q == '0')
        q++;
    else
        while (q < e && *q >= '0' && *q <= '9')
            q++;
    if (q < e && *q == '.') {
        if (++q >= e || *q < '0' || *q > '9')
            return false;
        while (q < e && *q >= '0' && *q <= '9')
            q++;
    }
    if (q < e && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < e && (*q == '+' || *q == '-'))
            q++;
        if (q >= e || *q < '0' || *q > '9')
            return false;
        while (q < e && *q >= '0' && *q <= '9')
            q++;
    }
    *k = JV_NUMBER;
    return q == e;
}

static jv *parse_scalar(jp *j)
{
    size_t n = token_len(j);
    const char *t = j->p;
    jv_kind k;
    if (!scalar_kind(t, n, &k))
        return fail_tok(j, "Token \"", t, n, "\" is invalid.");
    j->p += n;
    jv *v = node(j, k, t);
    if (v)
        v->n = n;
    return v;
}

static jv *parse_value(jp *j);

static bool add_kid(jp *j, jv *parent, jv *kid, int *cap)
{
    if (parent->nkids == *cap) {
        int ncap = *cap ? *cap * 2 : 8;
        jv **k = arena_alloc(j->c->mem, sizeof(*k) * (size_t)ncap);
        if (!k) {
            eng__oom(j->c);
            return false;
        }
        if (parent->nkids)
            memcpy(k, parent->kids, sizeof(*k) * (size_t)parent->nkids);
        parent->kids = k;
        *cap = ncap;
    }
    parent->kids[parent->nkids++] = kid;
    return true;
}

/* Objects and arrays: open, members separated by ',', close. */
static jv *parse_container(jp *j, bool object)
{
    jv *v = node(j, object ? JV_OBJECT : JV_ARRAY, j->p);
    if (!v)
        return NULL;
    if (++j->depth > ENG_MAX_DEPTH) {
        pgw_error_set(j->c->err, SQLSTATE_STATEMENT_TOO_COMPLEX, "stack depth limit exceeded");
        return NULL;
    }
    j->p++;
    int cap = 0;
    char close = object ? '}' : ']';
    skip_ws(j);
    if (j->p < j->e && *j->p == close) {
        j->p++;
    } else {
        for (;;) {
            skip_ws(j);
            if (object) {
                if (j->p >= j->e || *j->p != '"')
                    return expected(j, v->nkids ? "string" : "string or \"}\"");
                jv *k = parse_string(j);
                if (!k || !add_kid(j, v, k, &cap))
                    return NULL;
                skip_ws(j);
                if (j->p >= j->e || *j->p != ':')
                    return expected(j, "\":\"");
                j->p++;
            }
            jv *m = parse_value(j);
            if (!m || !add_kid(j, v, m, &cap))
                return NULL;
            skip_ws(j);
            if (j->p < j->e && *j->p == ',') {
                j->p++;
                continue;
            }
            if (j->p < j->e && *j->p == close) {
                j->p++;
                break;
            }
            return expected(j, object ? "\",\" or \"}\"" : "\",\" or \"]\"");
        }
    }
    j->depth--;
    v->n = (size_t)(j->p - v->p);
    return v;
}

static jv *parse_value(jp *j)
{
    skip_ws(j);
    if (j->p >= j->e)
        return fail(j, "The input string ended unexpectedly.");
    switch (*j->p) {
    case '{': return parse_container(j, true);
    case '[': return parse_container(j, false);
    case '"': return parse_string(j);
    case '}': case ']': case ',': case ':': return expected(j, "JSON value");
    default: return parse_scalar(j);
    }
}

/* report_json_context(): the line of the error up to the end of its
 * token, at most about 50 bytes of it, with "..." where it was cut. */
static void add_context(const jp *j)
{
    const char *end = j->err_end ? j->err_end : j->p, *line = j->s;
    int lineno = 1;
    for (const char *q = j->s; q < end; q++)
        if (*q == '\n')
            lineno++, line = q + 1;
    const char *start = end - line > 50 ? end - 50 : line;
    while (start > line && start < end && ((unsigned char)*start & 0xC0) == 0x80)
        start++;
    bool more = end < j->e && *end != '\n' && *end != '\r';
    pgw_error_context(j->c->err, "JSON data, line %d: %s%.*s%s", lineno, start > line ? "..." : "",
                      (int)(end - start), start, more ? "..." : "");
}

jv *eng__json_parse(eng_ctx *c, const char *s, size_t n, bool jsonb)
{
    jp j = {c, s, s + n, s, 0, jsonb, NULL};
    jv *v = parse_value(&j);
    if (v) {
        skip_ws(&j);
        if (j.p >= j.e)
            return v;
        expected(&j, "end of input");
    }
    if (!strcmp(c->err->sqlstate, SQLSTATE_INVALID_TEXT_REPRESENTATION) ||
        !strcmp(c->err->sqlstate, SQLSTATE_UNTRANSLATABLE_CHARACTER))
        add_context(&j);
    return NULL;
}

static void put_utf8(char *o, size_t *n, uint32_t cp)
{
    if (cp < 0x80)
        o[(*n)++] = (char)cp;
    else if (cp < 0x800) {
        o[(*n)++] = (char)(0xC0 | cp >> 6);
        o[(*n)++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        o[(*n)++] = (char)(0xE0 | cp >> 12);
        o[(*n)++] = (char)(0x80 | (cp >> 6 & 0x3F));
        o[(*n)++] = (char)(0x80 | (cp & 0x3F));
    } else {
        o[(*n)++] = (char)(0xF0 | cp >> 18);
        o[(*n)++] = (char)(0x80 | (cp >> 12 & 0x3F));
        o[(*n)++] = (char)(0x80 | (cp >> 6 & 0x3F));
        o[(*n)++] = (char)(0x80 | (cp & 0x3F));
    }
}

static uint32_t hex4(const char *p)
{
    return (uint32_t)(hexval(p[0]) << 12 | hexval(p[1]) << 8 | hexval(p[2]) << 4 | hexval(p[3]));
}

char *eng__json_unescape(eng_ctx *c, const jv *v, size_t *len)
{
    char *o = arena_alloc(c->mem, v->n + 1);
    if (!o)
        return NULL;
    size_t n = 0;
    for (const char *p = v->p + 1, *e = v->p + v->n - 1; p < e; p++) {
        if (*p != '\\') {
            o[n++] = *p;
            continue;
        }
        p++;
        static const char from[] = "bfnrt", to[] = "\b\f\n\r\t";
        const char *k = strchr(from, *p);
        if (*p == 'u') {
            uint32_t cp = hex4(p + 1);
            p += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && p + 6 < e && p[1] == '\\' && p[2] == 'u') {
                uint32_t lo = hex4(p + 3);
                if (lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    p += 6;
                }
            }
            put_utf8(o, &n, cp);
        } else
            o[n++] = k ? to[k - from] : *p;
    }
    o[n] = '\0';
    *len = n;
    return o;
}
