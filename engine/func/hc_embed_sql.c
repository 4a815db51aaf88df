/*
 * hc_embed_sql: the embedding_ops functions on pgvector's `vector` --
 * embedding_cosine_similarity (alias embedding_cosine_sim), embedding_l2_dist,
 * embedding_vector_add / _sub and embedding_analogy_vec (c + (a - b)) --
 * over engine/hypercube/hc_embed. Unlike the reference, vectors of
 * different lengths are an error (22000), never a silent 0; a zero norm
 * still gives cosine 0.
 */
#include <math.h>
#include <string.h>

#include "engine/func/registry.h"
#include "engine/hypercube/hc_embed.h"

static const float *floats(eng_ctx *c, const eng_val *v, size_t *n)
{
    *n = v->s.n / sizeof(float);
    float *x = arena_alloc(c->mem, v->s.n ? v->s.n : 1);
    if (x)
        memcpy(x, v->s.p, v->s.n); /* stored rows may be unaligned */
    return x;
}

static int embed_fail(eng_ctx *c, hc_status st, size_t na, size_t nb)
{
    if (st == HC_ERR_NOMEM)
        return eng__oom(c);
    pgw_error_set(c->err, hc_status_sqlstate(st), "embedding lengths differ: %zu and %zu", na, nb);
    return -1;
}

typedef hc_status (*metric_fn)(const float *, size_t, const float *, size_t, double *);

static int metric(eng_ctx *c, const eng_val *a, metric_fn fn, eng_val *o)
{
    size_t na, nb;
    const float *x = floats(c, &a[0], &na), *y = floats(c, &a[1], &nb);
    if (!x || !y)
        return eng__oom(c);
    hc_status st = fn(x, na, y, nb, &o->f);
    if (st != HC_OK)
        return embed_fail(c, st, na, nb);
    o->null = false;
    return 0;
}

static int f_cosine(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return metric(c, a, hc_embed_cosine, o); }
static int f_l2(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return metric(c, a, hc_embed_l2, o); }

enum { E_ADD, E_SUB, E_ANALOGY };

static int combine(eng_ctx *c, const eng_val *a, int op, eng_val *o)
{
    size_t na, nb, nc = 0;
    const float *x = floats(c, &a[0], &na), *y = floats(c, &a[1], &nb);
    const float *z = op == E_ANALOGY ? floats(c, &a[2], &nc) : x;
    float *r = arena_alloc(c->mem, na * sizeof(float) + 1);
    if (!x || !y || !z || !r)
        return eng__oom(c);
    hc_status st = op == E_ADD   ? hc_embed_add(x, na, y, nb, r)
                   : op == E_SUB ? hc_embed_sub(x, na, y, nb, r)
                                 : hc_embed_analogy(x, na, y, nb, z, nc, r);
    if (st != HC_OK)
        return embed_fail(c, st, na, nb != na ? nb : nc);
    for (size_t i = 0; i < na; i++) {
        if (!isfinite(r[i])) { /* a vector holds finite floats only */
            pgw_error_set(c->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: overflow");
            return -1;
        }
    }
    o->null = false;
    o->s.p = (const char *)r;
    o->s.n = na * sizeof(float);
    return 0;
}

static int f_add(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return combine(c, a, E_ADD, o); }
static int f_sub(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return combine(c, a, E_SUB, o); }
static int f_analogy(eng_ctx *c, const eng_val *a, int n, eng_val *o) { return combine(c, a, E_ANALOGY, o); }

void eng__register_hc_embed(void)
{
    const uint32_t V = OID_VECTOR;
    eng__reg("embedding_cosine_similarity", false, OID_FLOAT8, ENG_F_STRICT, f_cosine, 2, V, V);
    eng__reg("embedding_cosine_sim", false, OID_FLOAT8, ENG_F_STRICT, f_cosine, 2, V, V);
    eng__reg("embedding_l2_dist", false, OID_FLOAT8, ENG_F_STRICT, f_l2, 2, V, V);
    eng__reg("embedding_vector_add", false, V, ENG_F_STRICT, f_add, 2, V, V);
    eng__reg("embedding_vector_sub", false, V, ENG_F_STRICT, f_sub, 2, V, V);
    eng__reg("embedding_analogy_vec", false, V, ENG_F_STRICT, f_analogy, 3, V, V, V);
}
