/*
 * array_fn: functions and operators over arrays — = and <> (equal canonical
 * text forms), || (concatenation), array_append / array_prepend, array_to_string, array_length / array_upper / array_lower /
 * cardinality, and unnest — registered once per array type.
 */
#include <string.h>

#include "engine/func/registry.h"
#include "engine/types/array.h"

static int count(eng_ctx *c, const eng_val *v, int *n)
{
    eng_array_tokens t;
    if (eng__array_tokens(c, v, &t))
        return -1;
    *n = t.n;
    return 0;
}

static int f_eq(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)c;
    (void)n;
    o->null = false;
    o->i = a[0].s.n == a[1].s.n && memcmp(a[0].s.p, a[1].s.p, a[0].s.n) == 0;
    return 0;
}

static int f_ne(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    if (f_eq(c, a, n, o))
        return -1;
    o->i = !o->i;
    return 0;
}

/* array_length / array_upper (dimension 1 only; others NULL), array_lower, cardinality. */
static int dim_fn(eng_ctx *c, const eng_val *a, int nargs, eng_val *o, int which)
{
    int n;
    if (count(c, &a[0], &n))
        return -1;
    o->null = (nargs > 1 && a[1].i != 1) || (which != 3 && n == 0);
    o->i = which == 2 ? 1 : n;
    return 0;
}

static int f_length(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return dim_fn(c, a, n, o, 0); }
static int f_upper(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return dim_fn(c, a, n, o, 1); }
static int f_lower(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return dim_fn(c, a, n, o, 2); }
static int f_cardinality(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return dim_fn(c, a, n, o, 3); }

/* array_to_string(arr, delim[, null_text]): NULL elements skipped unless null_text is given. */
static int f_to_string(eng_ctx *c, const eng_val *a, int nargs, eng_val *o)
{
    eng_array_tokens t;
    if (eng__array_tokens(c, &a[0], &t))
        return -1;
    bool use_null = nargs > 2 && !a[2].null;
    size_t total = 0;
    for (int i = 0; i < t.n; i++)
        total += (t.isnull[i] ? (use_null ? a[2].s.n : 0) : t.len[i]) + a[1].s.n;
    char *p = arena_alloc(c->mem, total + 1);
    if (!p)
        return eng__oom(c);
    size_t k = 0;
    bool first = true;
    for (int i = 0; i < t.n; i++) {
        if (t.isnull[i] && !use_null)
            continue;
        if (!first) {
            memcpy(p + k, a[1].s.p, a[1].s.n);
            k += a[1].s.n;
        }
        first = false;
        const char *s = t.isnull[i] ? a[2].s.p : t.text[i];
        size_t len = t.isnull[i] ? a[2].s.n : t.len[i];
        memcpy(p + k, s, len);
        k += len;
    }
    o->null = false;
    o->s.p = p;
    o->s.n = k;
    return 0;
}

/* array || array: the elements of both (the text forms spliced). */
static int f_cat(eng_ctx *c, const eng_val *a, int n, eng_val *o)
{
    (void)n;
    bool le = a[0].s.n <= 2, re = a[1].s.n <= 2; /* "{}" */
    if (le || re) {
        *o = le ? a[1] : a[0];
        return 0;
    }
    char *p = arena_alloc(c->mem, a[0].s.n + a[1].s.n);
    if (!p)
        return eng__oom(c);
    memcpy(p, a[0].s.p, a[0].s.n - 1);
    p[a[0].s.n - 1] = ',';
    memcpy(p + a[0].s.n, a[1].s.p + 1, a[1].s.n - 1);
    o->null = false;
    o->s.p = p;
    o->s.n = a[0].s.n + a[1].s.n - 1;
    return 0;
}

/* unnest(arr): state word 0 is the next element's index. */
static int unnest_of(eng_ctx *c, uint32_t type, const eng_val *a, int64_t *st, bool *done, eng_val *o)
{
    eng_array arr;
    if (eng_array_unpack(c, type, &a[0], &arr))
        return -1;
    if (st[0] >= arr.n) {
        *done = true;
        return 0;
    }
    *o = arr.v[st[0]++];
    return 0;
}

/* array_append(arr, elem) / array_prepend(elem, arr): not strict, as in PostgreSQL (a NULL array is empty,
 * a NULL element is added as NULL). */
static int add_elem(eng_ctx *c, uint32_t type, const eng_val *arr, const eng_val *elem, bool front, eng_val *o)
{
    size_t el = 4;
    const char *et = elem->null ? "NULL" : eng_array_elem_text(c, eng_array_elem(type), elem, &el);
    if (!et)
        return -1;
    const char *ap = arr->null ? "{}" : arr->s.p;
    size_t an = arr->null ? 2 : arr->s.n, inner = an - 2; /* between the braces */
    char *p = arena_alloc(c->mem, an + el + 1);
    if (!p)
        return eng__oom(c);
    size_t n = 0;
    p[n++] = '{';
    if (front) {
        memcpy(p + n, et, el), n += el;
        if (inner)
            p[n++] = ',';
    }
    memcpy(p + n, ap + 1, inner), n += inner;
    if (!front) {
        if (inner)
            p[n++] = ',';
        memcpy(p + n, et, el), n += el;
    }
    p[n++] = '}';
    o->null = false;
    o->s.p = p;
    o->s.n = n;
    return 0;
}

#define PER_TYPE(NAME, OID)                                                                       \
    static int u_##NAME(eng_ctx *c, const eng_val *a, int n, int64_t *st, bool *done, eng_val *o) \
    {                                                                                             \
        (void)n;                                                                                  \
        return unnest_of(c, OID, a, st, done, o);                                                 \
    }                                                                                             \
    static int app_##NAME(eng_ctx *c, const eng_val *a, int n, eng_val *o)                        \
    {                                                                                             \
        (void)n;                                                                                  \
        return add_elem(c, OID, &a[0], &a[1], false, o);                                          \
    }                                                                                             \
    static int pre_##NAME(eng_ctx *c, const eng_val *a, int n, eng_val *o)                        \
    {                                                                                             \
        (void)n;                                                                                  \
        return add_elem(c, OID, &a[1], &a[0], true, o);                                           \
    }
PER_TYPE(bool, 1000) PER_TYPE(bytea, 1001) PER_TYPE(char, 1002) PER_TYPE(name, 1003) PER_TYPE(int2, 1005)
PER_TYPE(int4, 1007) PER_TYPE(text, 1009) PER_TYPE(bpchar, 1014) PER_TYPE(varchar, 1015) PER_TYPE(int8, 1016)
PER_TYPE(float4, 1021) PER_TYPE(float8, 1022) PER_TYPE(oid, 1028) PER_TYPE(timestamp, 1115) PER_TYPE(date, 1182)
PER_TYPE(timestamptz, 1185) PER_TYPE(numeric, 1231)

void eng__register_array(void)
{
#define T(NAME, OID) {OID, u_##NAME, app_##NAME, pre_##NAME}
    static const struct { uint32_t oid; eng_srf_fn unnest; eng_fn append, prepend; } arrs[] = {
        T(bool, 1000), T(bytea, 1001), T(char, 1002), T(name, 1003), T(int2, 1005), T(int4, 1007),
        T(text, 1009), T(bpchar, 1014), T(varchar, 1015), T(int8, 1016), T(float4, 1021), T(float8, 1022),
        T(oid, 1028), T(timestamp, 1115), T(date, 1182), T(timestamptz, 1185), T(numeric, 1231),
    };
#undef T
    for (size_t i = 0; i < sizeof(arrs) / sizeof(arrs[0]); i++) {
        uint32_t t = arrs[i].oid;
        eng__reg("=", true, OID_BOOL, ENG_F_STRICT, f_eq, 2, t, t);
        eng__reg("<>", true, OID_BOOL, ENG_F_STRICT, f_ne, 2, t, t);
        eng__reg("||", true, t, ENG_F_STRICT, f_cat, 2, t, t);
        uint32_t e = eng_array_elem(t);
        /* no array || element nor element || array: registered per type (not as PostgreSQL's
         * polymorphic operators) they would out-rank text || text for 'x' || 1 and bpchar || 'x' */
        eng__reg("array_append", false, t, 0, arrs[i].append, 2, t, e);
        eng__reg("array_prepend", false, t, 0, arrs[i].prepend, 2, e, t);
        eng__reg("array_length", false, OID_INT4, ENG_F_STRICT, f_length, 2, t, OID_INT4);
        eng__reg("array_upper", false, OID_INT4, ENG_F_STRICT, f_upper, 2, t, OID_INT4);
        eng__reg("array_lower", false, OID_INT4, ENG_F_STRICT, f_lower, 2, t, OID_INT4);
        eng__reg("cardinality", false, OID_INT4, ENG_F_STRICT, f_cardinality, 1, t);
        eng__reg("array_to_string", false, OID_TEXT, ENG_F_STRICT, f_to_string, 2, t, OID_TEXT);
        eng__reg("array_to_string", false, OID_TEXT, 0, f_to_string, 3, t, OID_TEXT, OID_TEXT);
        eng__reg_srf("unnest", eng_array_elem(t), ENG_F_STRICT, arrs[i].unnest, 1, t);
    }
}
