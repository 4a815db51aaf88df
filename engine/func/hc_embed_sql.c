/*
 * hc_embed_sql: the embedding_ops functions on pgvector's `vector` --
 * embedding_cosine_similarity (alias embedding_cosine_sim), embedding_l2_dist,
 * embedding_vector_add / _sub and embedding_analogy_vec (c + (a - b)) --
 * on `vector` and on float4[] (the original's type; NULL elements are
 * refused, 22004), over engine/hypercube/hc_embed. Unlike the reference, vectors of
 * different lengths are an error (22000), never a silent 0; a zero norm
 * still gives cosine 0.
 */
#include <math.h>
#include <string.h>

#include "engine/func/registry.h"
#include "engine/hypercube/hc_embed.h"
#include "engine/types/array.h"

/* The elements of a vector or float4[] value as floats in c->mem (NULL with err set). */
static const float *floats(eng_ctx *c, uint32_t type, const eng_val *v, size_t *n)
{
    if (type == OID_VECTOR) {
        *n = v->s.n / sizeof(float);
        float *x = arena_alloc(c->mem, v->s.n ? v->s.n : 1);
        if (x)
            memcpy(x, v->s.p, v->s.n); /* stored rows may be unaligned */
        return x ? x : (eng__oom(c), NULL);
    }
    eng_array arr;
    if (eng_array_unpack(c, type, v, &arr))
        return NULL;
    float *x = arena_alloc(c->mem, (size_t)arr.n * sizeof(float) + 1);
    if (!x)
        return eng__oom(c), NULL;
    for (int i = 0; i < arr.n; i++) {
        if (arr.v[i].null) {
            pgw_error_set(c->err, SQLSTATE_NULL_VALUE_NOT_ALLOWED, "embedding arrays must not contain nulls");
            return NULL;
        }
        x[i] = (float)arr.v[i].f;
    }
    *n = (size_t)arr.n;
    return x;
}

/* r[0..n) as a value of type (vector or float4[]). */
static int result(eng_ctx *c, uint32_t type, float *r, size_t n, eng_val *o)
{
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(r[i])) { /* a vector holds finite floats only; float4 overflow is an error too */
            pgw_error_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: overflow");
            return -1;
        }
    }
    if (type == OID_VECTOR) {
        o->null = false;
        o->s.p = (const char *)r;
        o->s.n = n * sizeof(float);
        return 0;
    }
    eng_val *e = arena_alloc(c->mem, (n + 1) * sizeof(eng_val));
    if (!e)
        return eng__oom(c);
    for (size_t i = 0; i < n; i++)
        e[i] = (eng_val){.null = false, .f = r[i]};
    return eng_array_pack(c, type, e, (int)n, o);
}

static int embed_fail(eng_ctx *c, hc_status st, size_t na, size_t nb)
{
    if (st == HC_ERR_NOMEM)
        return eng__oom(c);
    pgw_error_set(c->err, hc_status_sqlstate(st), "embedding lengths differ: %zu and %zu", na, nb);
    return -1;
}

typedef hc_status (*metric_fn)(const float *, size_t, const float *, size_t, double *);

static int metric(eng_ctx *c, uint32_t type, const eng_val *a, metric_fn fn, eng_val *o)
{
    size_t na = 0, nb = 0;
    const float *x = floats(c, type, &a[0], &na), *y = x ? floats(c, type, &a[1], &nb) : NULL;
    if (!x || !y)
        return -1;
    hc_status st = fn(x, na, y, nb, &o->f);
    if (st != HC_OK)
        return embed_fail(c, st, na, nb);
    o->null = false;
    return 0;
}

enum { E_ADD, E_SUB, E_ANALOGY };

static int combine(eng_ctx *c, uint32_t type, const eng_val *a, int op, eng_val *o)
{
    size_t na = 0, nb = 0, nc = 0;
    const float *x = floats(c, type, &a[0], &na), *y = x ? floats(c, type, &a[1], &nb) : NULL;
    const float *z = op == E_ANALOGY && y ? floats(c, type, &a[2], &nc) : x;
    if (!x || !y || !z)
        return -1;
    float *r = arena_alloc(c->mem, na * sizeof(float) + 1);
    if (!r)
        return eng__oom(c);
    hc_status st = op == E_ADD   ? hc_embed_add(x, na, y, nb, r)
                   : op == E_SUB ? hc_embed_sub(x, na, y, nb, r)
                                 : hc_embed_analogy(x, na, y, nb, z, nc, r);
    if (st != HC_OK)
        return embed_fail(c, st, na, nb != na ? nb : nc);
    return result(c, type, r, na, o);
}

#define FLOAT4_ARRAY 1021u /* float4[] (PostgreSQL's _float4) */

#define EMBED_FNS(SUFFIX, TYPE)                                                                              \
    static int f_cosine##SUFFIX(eng_ctx *c, const eng_val *a, int n, eng_val *o)                            \
    {                                                                                                        \
        return metric(c, TYPE, a, hc_embed_cosine, o);                                                       \
    }                                                                                                        \
    static int f_l2##SUFFIX(eng_ctx *c, const eng_val *a, int n, eng_val *o)                                \
    {                                                                                                        \
        return metric(c, TYPE, a, hc_embed_l2, o);                                                           \
    }                                                                                                        \
    static int f_add##SUFFIX(eng_ctx *c, const eng_val *a, int n, eng_val *o)                               \
    {                                                                                                        \
        return combine(c, TYPE, a, E_ADD, o);                                                                \
    }                                                                                                        \
    static int f_sub##SUFFIX(eng_ctx *c, const eng_val *a, int n, eng_val *o)                               \
    {                                                                                                        \
        return combine(c, TYPE, a, E_SUB, o);                                                                \
    }                                                                                                        \
    static int f_analogy##SUFFIX(eng_ctx *c, const eng_val *a, int n, eng_val *o)                           \
    {                                                                                                        \
        return combine(c, TYPE, a, E_ANALOGY, o);                                                            \
    }                                                                                                        \
    static void register##SUFFIX(void)                                                                       \
    {                                                                                                        \
        const uint32_t T = TYPE;                                                                             \
        eng__reg("embedding_cosine_similarity", false, OID_FLOAT8, ENG_F_STRICT, f_cosine##SUFFIX, 2, T, T); \
        eng__reg("embedding_cosine_sim", false, OID_FLOAT8, ENG_F_STRICT, f_cosine##SUFFIX, 2, T, T);        \
        eng__reg("embedding_l2_dist", false, OID_FLOAT8, ENG_F_STRICT, f_l2##SUFFIX, 2, T, T);               \
        eng__reg("embedding_vector_add", false, T, ENG_F_STRICT, f_add##SUFFIX, 2, T, T);                    \
        eng__reg("embedding_vector_sub", false, T, ENG_F_STRICT, f_sub##SUFFIX, 2, T, T);                    \
        eng__reg("embedding_analogy_vec", false, T, ENG_F_STRICT, f_analogy##SUFFIX, 3, T, T, T);            \
    }

EMBED_FNS(_vector, OID_VECTOR)
EMBED_FNS(_float4, FLOAT4_ARRAY)

void eng__register_hc_embed(void)
{
    register_vector();
    register_float4();
}
