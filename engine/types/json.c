/*
 * json, jsonb: json keeps its input text as is; jsonb keeps PostgreSQL's
 * normalised text (object keys unique, last one wins, sorted by length then
 * bytes; ", " and ": " separators; numbers as numeric prints them; strings
 * re-escaped), so what a client reads back matches PostgreSQL. Both are
 * parsed again where an operator needs their structure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/func/registry.h"
#include "engine/types/json.h"
#include "engine/types/json_parse.h"
#include "engine/types/numeric.h"
#include "engine/types/text.h"
#include "engine/types/datetime.h"

/* ---- output buffer ------------------------------------------------------ */

typedef struct jbuf {
    eng_ctx *c;
    char *p;
    size_t n, cap;
    bool oom;
} jbuf;

static void put(jbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t ncap = (b->cap ? b->cap * 2 : 64) + n;
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
    b->p[b->n] = '\0';
}

static void puts_(jbuf *b, const char *s) { put(b, s, strlen(s)); }

/* escape_json(): PostgreSQL's escaping of a string value. */
static void put_quoted(jbuf *b, const char *s, size_t n)
{
    puts_(b, "\"");
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        static const char from[] = "\b\f\n\r\t\"\\", *to[] = {"\\b", "\\f", "\\n", "\\r", "\\t", "\\\"", "\\\\"};
        const char *k = ch ? memchr(from, ch, sizeof(from) - 1) : NULL;
        if (k)
            puts_(b, to[k - from]);
        else if (ch < 0x20) {
            char u[8];
            snprintf(u, sizeof(u), "\\u%04x", ch);
            puts_(b, u);
        } else
            put(b, (const char *)&s[i], 1);
    }
    puts_(b, "\"");
}

/* ---- jsonb normalisation -------------------------------------------------- */

static int key_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    if (an != bn)
        return an < bn ? -1 : 1;
    return memcmp(a, b, an);
}

typedef struct jmember {
    const char *k;
    size_t kn;
    const jv *v;
    int pos;
} jmember;

static int member_cmp(const void *x, const void *y)
{
    const jmember *a = x, *b = y;
    int r = key_cmp(a->k, a->kn, b->k, b->kn);
    return r ? r : (a->pos < b->pos ? -1 : a->pos > b->pos);
}

static int put_norm(jbuf *b, const jv *v);

static int put_object(jbuf *b, const jv *v)
{
    int n = v->nkids / 2;
    jmember *m = arena_alloc(b->c->mem, sizeof(*m) * (size_t)(n ? n : 1));
    if (!m)
        return eng__oom(b->c);
    for (int i = 0; i < n; i++) {
        m[i].k = eng__json_unescape(b->c, v->kids[2 * i], &m[i].kn);
        if (!m[i].k)
            return eng__oom(b->c);
        m[i].v = v->kids[2 * i + 1];
        m[i].pos = i;
    }
    qsort(m, (size_t)n, sizeof(*m), member_cmp);
    puts_(b, "{");
    bool first = true;
    for (int i = 0; i < n; i++) {
        if (i + 1 < n && key_cmp(m[i].k, m[i].kn, m[i + 1].k, m[i + 1].kn) == 0)
            continue; /* a later duplicate replaces this one */
        puts_(b, first ? "" : ", ");
        first = false;
        put_quoted(b, m[i].k, m[i].kn);
        puts_(b, ": ");
        if (put_norm(b, m[i].v))
            return -1;
    }
    puts_(b, "}");
    return 0;
}

static int put_norm(jbuf *b, const jv *v)
{
    switch (v->kind) {
    case JV_OBJECT:
        return put_object(b, v);
    case JV_ARRAY:
        puts_(b, "[");
        for (int i = 0; i < v->nkids; i++) {
            puts_(b, i ? ", " : "");
            if (put_norm(b, v->kids[i]))
                return -1;
        }
        puts_(b, "]");
        return 0;
    case JV_STRING: {
        size_t n;
        char *s = eng__json_unescape(b->c, v, &n);
        if (!s)
            return eng__oom(b->c);
        put_quoted(b, s, n);
        return 0;
    }
    case JV_NUMBER: {
        const eng_num *num = eng__num_parse(b->c, v->p, v->n);
        if (!num)
            return -1;
        eng_val nv = {.null = false, .num = num};
        size_t len;
        char *t = eng__type_numeric.out(b->c, &nv, &len);
        if (!t)
            return eng__oom(b->c);
        put(b, t, len);
        return 0;
    }
    default:
        put(b, v->p, v->n);
        return 0;
    }
}

/* ---- types ---------------------------------------------------------------- */

static int text_result(eng_ctx *c, const char *p, size_t n, eng_val *o)
{
    o->null = false;
    o->s.p = p;
    o->s.n = n;
    return 0;
}

static int json_in(eng_ctx *c, const char *s, size_t n, int32_t tm, eng_val *o)
{
    (void)tm;
    if (!eng__json_parse(c, s, n, false))
        return -1;
    char *copy = arena_alloc(c->mem, n + 1);
    if (!copy)
        return eng__oom(c);
    memcpy(copy, s, n);
    return text_result(c, copy, n, o);
}

static int jsonb_normalise(eng_ctx *c, const jv *v, eng_val *o)
{
    jbuf b = {c, NULL, 0, 0, false};
    if (put_norm(&b, v))
        return -1;
    if (b.oom)
        return eng__oom(c);
    return text_result(c, b.p, b.n, o);
}

static int jsonb_in(eng_ctx *c, const char *s, size_t n, int32_t tm, eng_val *o)
{
    (void)tm;
    jv *v = eng__json_parse(c, s, n, true);
    return v ? jsonb_normalise(c, v, o) : -1;
}

static char *json_out(eng_ctx *c, const eng_val *v, size_t *len)
{
    char *s = arena_alloc(c->mem, v->s.n + 1);
    if (!s)
        return NULL;
    memcpy(s, v->s.p, v->s.n);
    s[v->s.n] = '\0';
    *len = v->s.n;
    return s;
}

static uint8_t *json_send(eng_ctx *c, const eng_val *v, size_t *len)
{
    return (uint8_t *)json_out(c, v, len);
}

static int json_recv(eng_ctx *c, const uint8_t *p, size_t n, int32_t tm, eng_val *o)
{
    return json_in(c, (const char *)p, n, tm, o);
}

/* jsonb's binary format: a version byte (1) and the text. */
static uint8_t *jsonb_send(eng_ctx *c, const eng_val *v, size_t *len)
{
    uint8_t *p = arena_alloc(c->mem, v->s.n + 1);
    if (!p)
        return NULL;
    p[0] = 1;
    memcpy(p + 1, v->s.p, v->s.n);
    *len = v->s.n + 1;
    return p;
}

static int jsonb_recv(eng_ctx *c, const uint8_t *p, size_t n, int32_t tm, eng_val *o)
{
    if (n < 1 || p[0] != 1) {
        pgw_error_set(c->err, SQLSTATE_INVALID_BINARY_REPRESENTATION, "unsupported jsonb version number %d",
                      n ? p[0] : 0);
        return -1;
    }
    return jsonb_in(c, (const char *)p + 1, n - 1, tm, o);
}

const eng_type eng__type_json = {OID_JSON, "json", "json", -1, 'U', false, json_in, json_out, json_recv, json_send, NULL};
const eng_type eng__type_jsonb = {OID_JSONB, "jsonb", "jsonb", -1, 'U', false,
                                  jsonb_in, json_out, jsonb_recv, jsonb_send, NULL};

/* ---- operators ------------------------------------------------------------- */

/* Stored values were validated on input; parse them again. */
static const jv *reparse(eng_ctx *c, const eng_val *v)
{
    return eng__json_parse(c, v->s.p, v->s.n, false);
}

static const jv *by_key(eng_ctx *c, const jv *v, const eng_val *key)
{
    if (v->kind != JV_OBJECT)
        return NULL;
    const jv *found = NULL;
    for (int i = 0; i + 1 < v->nkids; i += 2) {
        size_t n;
        char *k = eng__json_unescape(c, v->kids[i], &n);
        if (k && n == key->s.n && memcmp(k, key->s.p, n) == 0)
            found = v->kids[i + 1];
    }
    return found;
}

static const jv *by_index(const jv *v, int64_t i)
{
    if (v->kind != JV_ARRAY)
        return NULL;
    if (i < 0)
        i += v->nkids;
    return i >= 0 && i < v->nkids ? v->kids[i] : NULL;
}

/* -> and ->>: as_text gives the string's text (SQL NULL for a JSON null). */
static int get_common(eng_ctx *c, const eng_val *a, bool by_int, bool as_text, eng_val *o)
{
    const jv *root = reparse(c, &a[0]);
    if (!root)
        return -1;
    const jv *v = by_int ? by_index(root, a[1].i) : by_key(c, root, &a[1]);
    if (!v || (as_text && v->kind == JV_NULL)) {
        o->null = true;
        return 0;
    }
    if (as_text && v->kind == JV_STRING) {
        size_t n;
        char *s = eng__json_unescape(c, v, &n);
        return s ? text_result(c, s, n, o) : eng__oom(c);
    }
    return text_result(c, v->p, v->n, o);
}

#define GET_FN(NAME, BY_INT, AS_TEXT)                                  \
    static int NAME(eng_ctx *c, const eng_val *a, int n, eng_val *o)   \
    {                                                                  \
        (void)n;                                                       \
        return get_common(c, a, BY_INT, AS_TEXT, o);                   \
    }

GET_FN(get_key, false, false)
GET_FN(get_idx, true, false)
GET_FN(get_key_text, false, true)
GET_FN(get_idx_text, true, true)

static int f_typeof(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    static const char *const names[] = {"object", "array", "string", "number", "boolean", "boolean", "null"};
    const jv *v = reparse(c, &a[0]);
    if (!v)
        return -1;
    const char *s = names[v->kind];
    return text_result(c, s, strlen(s), o);
}

/* ---- to_json ---------------------------------------------------------------- */

/* to_json of a value by its type: numbers and booleans bare, json as is,
 * date/time in ISO 8601 with "T", everything else as a JSON string. */
static int to_json_typed(eng_ctx *c, const eng_val *v, uint32_t type, eng_val *o)
{
    const eng_type *t = eng_type_by_oid(type);
    size_t len;
    char *s = t->out(c, v, &len);
    if (!s)
        return eng__oom(c);
    if (type == OID_BOOL)
        return text_result(c, v->i ? "true" : "false", v->i ? 4 : 5, o);
    if (type == OID_JSON || type == OID_JSONB ||
        ((type == OID_INT2 || type == OID_INT4 || type == OID_INT8 || type == OID_NUMERIC || type == OID_FLOAT4 ||
          type == OID_FLOAT8) && eng__json_parse(c, s, len, false)))
        return text_result(c, s, len, o);
    pgw_error_clear(c->err);
    if (type == OID_TIMESTAMP || type == OID_TIMESTAMPTZ) {
        char *sp = strchr(s, ' ');
        if (sp && sp[1] >= '0' && sp[1] <= '9')
            *sp = 'T';
    }
    jbuf b = {c, NULL, 0, 0, false};
    put_quoted(&b, s, len);
    if (type == OID_TIMESTAMPTZ && b.n >= 4 && (b.p[b.n - 4] == '+' || b.p[b.n - 4] == '-')) {
        b.n--; /* "+00" becomes "+00:00" */
        puts_(&b, ":00\"");
    }
    return b.oom ? eng__oom(c) : text_result(c, b.p, b.n, o);
}

static int to_jsonb_typed(eng_ctx *c, const eng_val *v, uint32_t type, eng_val *o)
{
    eng_val j = {.null = true};
    if (to_json_typed(c, v, type, &j))
        return -1;
    const jv *tree = reparse(c, &j);
    return tree ? jsonb_normalise(c, tree, o) : -1;
}

#define TO_JSON_FN(NAME, OID)                                          \
    static int NAME(eng_ctx *c, const eng_val *a, int n, eng_val *o)   \
    {                                                                  \
        (void)n;                                                       \
        return to_json_typed(c, &a[0], OID, o);                        \
    }                                                                  \
    static int NAME##_b(eng_ctx *c, const eng_val *a, int n, eng_val *o) \
    {                                                                  \
        (void)n;                                                       \
        return to_jsonb_typed(c, &a[0], OID, o);                       \
    }

TO_JSON_FN(tj_text, OID_TEXT)
TO_JSON_FN(tj_int4, OID_INT4)
TO_JSON_FN(tj_int8, OID_INT8)
TO_JSON_FN(tj_numeric, OID_NUMERIC)
TO_JSON_FN(tj_float8, OID_FLOAT8)
TO_JSON_FN(tj_bool, OID_BOOL)
TO_JSON_FN(tj_json, OID_JSON)
TO_JSON_FN(tj_jsonb, OID_JSONB)
TO_JSON_FN(tj_date, OID_DATE)
TO_JSON_FN(tj_ts, OID_TIMESTAMP)
TO_JSON_FN(tj_tstz, OID_TIMESTAMPTZ)

static int jsonb_from_json(eng_ctx *c, const eng_val *in, eng_val *o)
{
    const jv *v = reparse(c, in);
    return v ? jsonb_normalise(c, v, o) : -1;
}

static int json_from_text(eng_ctx *c, const eng_val *in, eng_val *o)
{
    return json_in(c, in->s.p, in->s.n, -1, o);
}

static int jsonb_from_text(eng_ctx *c, const eng_val *in, eng_val *o)
{
    return jsonb_in(c, in->s.p, in->s.n, -1, o);
}

void eng__register_json(void)
{
    static const struct {
        eng_fn fn, fnb;
        uint32_t type;
    } tj[] = {{tj_text, tj_text_b, OID_TEXT},          {tj_int4, tj_int4_b, OID_INT4},
              {tj_int8, tj_int8_b, OID_INT8},          {tj_numeric, tj_numeric_b, OID_NUMERIC},
              {tj_float8, tj_float8_b, OID_FLOAT8},    {tj_bool, tj_bool_b, OID_BOOL},
              {tj_json, tj_json_b, OID_JSON},          {tj_jsonb, tj_jsonb_b, OID_JSONB},
              {tj_date, tj_date_b, OID_DATE},          {tj_ts, tj_ts_b, OID_TIMESTAMP},
              {tj_tstz, tj_tstz_b, OID_TIMESTAMPTZ}};
    for (size_t i = 0; i < sizeof(tj) / sizeof(tj[0]); i++) {
        eng__reg("to_json", false, OID_JSON, ENG_F_STRICT, tj[i].fn, 1, tj[i].type);
        eng__reg("to_jsonb", false, OID_JSONB, ENG_F_STRICT, tj[i].fnb, 1, tj[i].type);
    }
    uint32_t types[2] = {OID_JSON, OID_JSONB};
    for (int t = 0; t < 2; t++) {
        eng__reg("->", true, types[t], ENG_F_STRICT, get_key, 2, types[t], OID_TEXT);
        eng__reg("->", true, types[t], ENG_F_STRICT, get_idx, 2, types[t], OID_INT4);
        eng__reg("->>", true, OID_TEXT, ENG_F_STRICT, get_key_text, 2, types[t], OID_TEXT);
        eng__reg("->>", true, OID_TEXT, ENG_F_STRICT, get_idx_text, 2, types[t], OID_INT4);
    }
    eng__reg("json_typeof", false, OID_TEXT, ENG_F_STRICT, f_typeof, 1, OID_JSON);
    eng__reg("jsonb_typeof", false, OID_TEXT, ENG_F_STRICT, f_typeof, 1, OID_JSONB);
    eng__reg_cast(OID_JSON, OID_JSONB, ENG_CAST_ASSIGN, jsonb_from_json);
    eng__reg_cast(OID_JSONB, OID_JSON, ENG_CAST_ASSIGN, NULL);
    eng__reg_cast(OID_TEXT, OID_JSON, ENG_CAST_EXPLICIT, json_from_text);
    eng__reg_cast(OID_TEXT, OID_JSONB, ENG_CAST_EXPLICIT, jsonb_from_text);
}
