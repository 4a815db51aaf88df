/*
 * array: see array.h. Text form as PostgreSQL's array_in/array_out (one
 * dimension): elements separated by commas, double quotes around an
 * element that is empty, is NULL spelled out, or holds a brace, comma,
 * quote, backslash or white space; backslash escapes inside quotes.
 * Binary form as array_send/array_recv: ndim, has-null flag, element type,
 * then per dimension length and lower bound (1), then per element a length
 * (-1 for NULL) and the element's binary form.
 */
#include "engine/types/array.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "engine/func/registry.h"
#include "util/buf.h"

typedef struct arrtype {
    uint32_t oid, elem;
} arrtype;

static const arrtype arrtypes[] = {
    {1000, OID_BOOL}, {1001, OID_BYTEA}, {1002, OID_CHAR}, {1003, OID_NAME}, {1005, OID_INT2}, {1007, OID_INT4},
    {1009, OID_TEXT}, {1014, OID_BPCHAR}, {1015, OID_VARCHAR}, {1016, OID_INT8}, {1021, OID_FLOAT4},
    {1022, OID_FLOAT8}, {1028, OID_OID}, {1115, OID_TIMESTAMP}, {1182, OID_DATE}, {1185, OID_TIMESTAMPTZ},
    {1231, OID_NUMERIC},
};
#define NARR (sizeof(arrtypes) / sizeof(arrtypes[0]))

static const arrtype *by_oid(uint32_t oid)
{
    for (size_t i = 0; i < NARR; i++)
        if (arrtypes[i].oid == oid)
            return &arrtypes[i];
    return NULL;
}

uint32_t eng_array_of(uint32_t elem)
{
    for (size_t i = 0; i < NARR; i++)
        if (arrtypes[i].elem == elem)
            return arrtypes[i].oid;
    return 0;
}

uint32_t eng_array_elem(uint32_t array)
{
    const arrtype *a = by_oid(array);
    return a ? a->elem : 0;
}

/* ---- text form ------------------------------------------------------------ */

static int malformed(eng_ctx *c, const char *s, size_t n, const char *detail)
{
    pgw_error_set(c->err, SQLSTATE_INVALID_TEXT_REPRESENTATION, "malformed array literal: \"%.*s\"", (int)n, s);
    pgw_error_detail(c->err, "%s", detail);
    return -1;
}

/* Split s into element texts; quoted[i] tells a quoted (never NULL) element. */

static int push_token(eng_ctx *c, eng_array_tokens *t, char *p, size_t len, bool isnull)
{
    if (t->n == t->cap) {
        int cap = t->cap ? t->cap * 2 : 16;
        char **nt = arena_alloc(c->mem, (size_t)cap * sizeof(char *));
        size_t *nl = arena_alloc(c->mem, (size_t)cap * sizeof(size_t));
        bool *nn = arena_alloc(c->mem, (size_t)cap * sizeof(bool));
        if (!nt || !nl || !nn)
            return eng__oom(c);
        if (t->n) {
            memcpy(nt, t->text, (size_t)t->n * sizeof(char *));
            memcpy(nl, t->len, (size_t)t->n * sizeof(size_t));
            memcpy(nn, t->isnull, (size_t)t->n * sizeof(bool));
        }
        t->text = nt;
        t->len = nl;
        t->isnull = nn;
        t->cap = cap;
    }
    t->text[t->n] = p;
    t->len[t->n] = len;
    t->isnull[t->n++] = isnull;
    return 0;
}

/* One element starting at s[*i]; leaves *i after it. */
static int scan_element(eng_ctx *c, const char *s, size_t n, size_t *i, eng_array_tokens *t)
{
    char *out = arena_alloc(c->mem, n + 1);
    if (!out)
        return eng__oom(c);
    size_t k = 0, last_kept = 0;
    bool quoted = false, any_quote = false;
    for (; *i < n; (*i)++) {
        char ch = s[*i];
        if (ch == '\\') {
            if (++*i >= n)
                return malformed(c, s, n, "Unexpected end of input.");
            out[k++] = s[*i];
            last_kept = k;
            continue;
        }
        if (ch == '"') {
            quoted = !quoted;
            any_quote = true;
            last_kept = k;
            continue;
        }
        if (!quoted && (ch == ',' || ch == '}'))
            break;
        if (!quoted && (ch == '{'))
            return malformed(c, s, n, "Unexpected \"{\" character.");
        if (!quoted && isspace((unsigned char)ch) && k == 0)
            continue;
        out[k++] = ch;
        if (quoted || !isspace((unsigned char)ch))
            last_kept = k;
    }
    if (quoted)
        return malformed(c, s, n, "Unexpected end of input.");
    k = last_kept; /* trailing white space of an unquoted element is not part of it */
    out[k] = '\0';
    bool isnull = !any_quote && k == 4 && strncasecmp(out, "NULL", 4) == 0;
    if (!any_quote && k == 0)
        return malformed(c, s, n, "Unexpected \",\" character.");
    return push_token(c, t, out, k, isnull);
}

static int tokenize(eng_ctx *c, const char *s, size_t n, eng_array_tokens *t)
{
    size_t i = 0;
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    if (i >= n || s[i] != '{')
        return malformed(c, s, n, "Array value must start with \"{\" or dimension information.");
    i++;
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    if (i < n && s[i] == '{') {
        pgw_error_set(c->err, SQLSTATE_FEATURE_NOT_SUPPORTED, "multidimensional arrays are not supported yet");
        return -1;
    }
    if (i < n && s[i] == '}') {
        i++;
    } else {
        for (;;) {
            if (scan_element(c, s, n, &i, t))
                return -1;
            if (i >= n)
                return malformed(c, s, n, "Unexpected end of input.");
            if (s[i++] == '}')
                break;
        }
    }
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    if (i != n)
        return malformed(c, s, n, "Junk after closing right brace.");
    return 0;
}

int eng__array_tokens(eng_ctx *c, const eng_val *v, eng_array_tokens *out)
{
    memset(out, 0, sizeof(*out));
    return tokenize(c, v->s.p, v->s.n, out);
}

char *eng_array_elem_text(eng_ctx *c, uint32_t elem, const eng_val *v, size_t *len)
{
    if (v->null) {
        *len = 4;
        return arena_strdup(c->mem, "NULL");
    }
    const eng_type *t = eng_type_by_oid(elem);
    size_t n;
    char *s = t && t->out ? t->out(c, v, &n) : NULL;
    if (!s)
        return NULL;
    bool quote = n == 0 || (n == 4 && strncasecmp(s, "NULL", 4) == 0);
    for (size_t i = 0; i < n && !quote; i++)
        quote = strchr("{},\"\\", s[i]) != NULL || isspace((unsigned char)s[i]);
    if (!quote) {
        *len = n;
        return s;
    }
    char *q = arena_alloc(c->mem, 2 * n + 3);
    if (!q)
        return NULL;
    size_t k = 0;
    q[k++] = '"';
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"' || s[i] == '\\')
            q[k++] = '\\';
        q[k++] = s[i];
    }
    q[k++] = '"';
    q[k] = '\0';
    *len = k;
    return q;
}

int eng_array_pack(eng_ctx *c, uint32_t array_type, const eng_val *elems, int n, eng_val *out)
{
    uint32_t elem = eng_array_elem(array_type);
    buf b;
    buf_init(&b);
    buf_put_u8(&b, '{');
    for (int i = 0; i < n; i++) {
        size_t len;
        char *s = eng_array_elem_text(c, elem, &elems[i], &len);
        if (!s) {
            buf_free(&b);
            return pgw_error_is_set(c->err) ? -1 : eng__oom(c);
        }
        if (i)
            buf_put_u8(&b, ',');
        buf_append(&b, s, len);
    }
    buf_put_u8(&b, '}');
    char *p = b.failed ? NULL : arena_strndup(c->mem, (const char *)b.data, b.len);
    size_t len = b.len;
    buf_free(&b);
    if (!p)
        return eng__oom(c);
    out->null = false;
    out->s.p = p;
    out->s.n = len;
    return 0;
}

int eng_array_unpack(eng_ctx *c, uint32_t array_type, const eng_val *in, eng_array *out)
{
    uint32_t elem = eng_array_elem(array_type);
    const eng_type *et = eng_type_by_oid(elem);
    eng_array_tokens t = {0};
    if (!et || !et->in || tokenize(c, in->s.p, in->s.n, &t))
        return pgw_error_is_set(c->err) ? -1 : eng__oom(c);
    out->n = t.n;
    out->v = arena_calloc(c->mem, (size_t)t.n + 1, sizeof(eng_val));
    if (!out->v)
        return eng__oom(c);
    for (int i = 0; i < t.n; i++) {
        if (t.isnull[i])
            out->v[i].null = true;
        else if (et->in(c, t.text[i], t.len[i], -1, &out->v[i]))
            return -1;
    }
    return 0;
}

/* array_in: parse, check every element, keep the canonical text. */
static int arr_in(eng_ctx *c, uint32_t type, const char *s, size_t n, eng_val *out)
{
    eng_val raw = {.s = {s, n}};
    eng_array a;
    if (eng_array_unpack(c, type, &raw, &a))
        return -1;
    return eng_array_pack(c, type, a.v, a.n, out);
}

static char *arr_out(eng_ctx *c, const eng_val *v, size_t *len)
{
    char *s = arena_strndup(c->mem, v->s.p, v->s.n);
    *len = v->s.n;
    return s;
}

static uint8_t *arr_send(eng_ctx *c, uint32_t type, const eng_val *v, size_t *len)
{
    uint32_t elem = eng_array_elem(type);
    const eng_type *et = eng_type_by_oid(elem);
    eng_array a;
    if (!et || !et->send || eng_array_unpack(c, type, v, &a))
        return NULL;
    bool hasnull = false;
    for (int i = 0; i < a.n; i++)
        hasnull |= a.v[i].null;
    buf b;
    buf_init(&b);
    buf_put_u32be(&b, a.n ? 1 : 0);
    buf_put_u32be(&b, hasnull);
    buf_put_u32be(&b, elem);
    if (a.n) {
        buf_put_u32be(&b, (uint32_t)a.n);
        buf_put_u32be(&b, 1);
    }
    for (int i = 0; i < a.n; i++) {
        if (a.v[i].null) {
            buf_put_u32be(&b, 0xffffffffu);
            continue;
        }
        size_t n;
        uint8_t *p = et->send(c, &a.v[i], &n);
        if (!p) {
            buf_free(&b);
            return NULL;
        }
        buf_put_u32be(&b, (uint32_t)n);
        buf_append(&b, p, n);
    }
    uint8_t *out = b.failed ? NULL : arena_alloc(c->mem, b.len + 1);
    if (out) {
        memcpy(out, b.data, b.len);
        *len = b.len;
    }
    buf_free(&b);
    return out;
}

static int arr_recv(eng_ctx *c, uint32_t type, const uint8_t *p, size_t n, eng_val *out)
{
    uint32_t elem = eng_array_elem(type);
    const eng_type *et = eng_type_by_oid(elem);
    if (n < 12)
        return eng__recv_len(c, n, 12);
    uint32_t ndim = buf_get_u32be(p), etype = buf_get_u32be(p + 8);
    if (ndim > 1) {
        pgw_error_set(c->err, SQLSTATE_FEATURE_NOT_SUPPORTED, "multidimensional arrays are not supported yet");
        return -1;
    }
    if (etype != elem || !et || !et->recv) {
        pgw_error_set(c->err, SQLSTATE_DATATYPE_MISMATCH, "wrong element type");
        return -1;
    }
    size_t pos = 12;
    uint32_t cnt = 0;
    if (ndim == 1) {
        if (n < 20)
            return eng__recv_len(c, n, 20);
        cnt = buf_get_u32be(p + 12);
        pos = 20;
    }
    eng_val *v = arena_calloc(c->mem, (size_t)cnt + 1, sizeof(eng_val));
    if (!v || cnt > n)
        return v ? eng__recv_len(c, n, cnt) : eng__oom(c);
    for (uint32_t i = 0; i < cnt; i++) {
        if (n - pos < 4)
            return eng__recv_len(c, n - pos, 4);
        uint32_t len = buf_get_u32be(p + pos);
        pos += 4;
        if (len == 0xffffffffu) {
            v[i].null = true;
            continue;
        }
        if (len > n - pos)
            return eng__recv_len(c, n - pos, len);
        if (et->recv(c, p + pos, len, -1, &v[i]))
            return -1;
        pos += len;
    }
    if (pos != n)
        return eng__recv_len(c, n, pos);
    return eng_array_pack(c, type, v, (int)cnt, out);
}

/* One set of I/O entry points per array type: the type table's functions
 * do not receive the type, so each array type has its own thin wrappers. */
#define ARR_IO(NAME, OID)                                                                          \
    static int NAME##_in(eng_ctx *c, const char *s, size_t n, int32_t tm, eng_val *out)            \
    {                                                                                              \
        (void)tm;                                                                                  \
        return arr_in(c, OID, s, n, out);                                                          \
    }                                                                                              \
    static int NAME##_recv(eng_ctx *c, const uint8_t *p, size_t n, int32_t tm, eng_val *out)       \
    {                                                                                              \
        (void)tm;                                                                                  \
        return arr_recv(c, OID, p, n, out);                                                        \
    }                                                                                              \
    static uint8_t *NAME##_send(eng_ctx *c, const eng_val *v, size_t *len)                         \
    {                                                                                              \
        return arr_send(c, OID, v, len);                                                           \
    }

ARR_IO(a_bool, 1000) ARR_IO(a_bytea, 1001) ARR_IO(a_char, 1002) ARR_IO(a_name, 1003) ARR_IO(a_int2, 1005)
ARR_IO(a_int4, 1007) ARR_IO(a_text, 1009) ARR_IO(a_bpchar, 1014) ARR_IO(a_varchar, 1015) ARR_IO(a_int8, 1016)
ARR_IO(a_float4, 1021) ARR_IO(a_float8, 1022) ARR_IO(a_oid, 1028) ARR_IO(a_timestamp, 1115) ARR_IO(a_date, 1182)
ARR_IO(a_timestamptz, 1185) ARR_IO(a_numeric, 1231)

static const eng_type types[NARR] = {
    {1000, "_bool", "boolean[]", -1, 'A', false, a_bool_in, arr_out, a_bool_recv, a_bool_send, NULL},
    {1001, "_bytea", "bytea[]", -1, 'A', false, a_bytea_in, arr_out, a_bytea_recv, a_bytea_send, NULL},
    {1002, "_char", "\"char\"[]", -1, 'A', false, a_char_in, arr_out, a_char_recv, a_char_send, NULL},
    {1003, "_name", "name[]", -1, 'A', false, a_name_in, arr_out, a_name_recv, a_name_send, NULL},
    {1005, "_int2", "smallint[]", -1, 'A', false, a_int2_in, arr_out, a_int2_recv, a_int2_send, NULL},
    {1007, "_int4", "integer[]", -1, 'A', false, a_int4_in, arr_out, a_int4_recv, a_int4_send, NULL},
    {1009, "_text", "text[]", -1, 'A', false, a_text_in, arr_out, a_text_recv, a_text_send, NULL},
    {1014, "_bpchar", "character[]", -1, 'A', false, a_bpchar_in, arr_out, a_bpchar_recv, a_bpchar_send, NULL},
    {1015, "_varchar", "character varying[]", -1, 'A', false, a_varchar_in, arr_out, a_varchar_recv,
     a_varchar_send, NULL},
    {1016, "_int8", "bigint[]", -1, 'A', false, a_int8_in, arr_out, a_int8_recv, a_int8_send, NULL},
    {1021, "_float4", "real[]", -1, 'A', false, a_float4_in, arr_out, a_float4_recv, a_float4_send, NULL},
    {1022, "_float8", "double precision[]", -1, 'A', false, a_float8_in, arr_out, a_float8_recv, a_float8_send,
     NULL},
    {1028, "_oid", "oid[]", -1, 'A', false, a_oid_in, arr_out, a_oid_recv, a_oid_send, NULL},
    {1115, "_timestamp", "timestamp without time zone[]", -1, 'A', false, a_timestamp_in, arr_out,
     a_timestamp_recv, a_timestamp_send, NULL},
    {1182, "_date", "date[]", -1, 'A', false, a_date_in, arr_out, a_date_recv, a_date_send, NULL},
    {1185, "_timestamptz", "timestamp with time zone[]", -1, 'A', false, a_timestamptz_in, arr_out,
     a_timestamptz_recv, a_timestamptz_send, NULL},
    {1231, "_numeric", "numeric[]", -1, 'A', false, a_numeric_in, arr_out, a_numeric_recv, a_numeric_send, NULL},
};

const eng_type *eng__array_type(uint32_t oid)
{
    for (size_t i = 0; i < NARR; i++)
        if (types[i].oid == oid)
            return &types[i];
    return NULL;
}
