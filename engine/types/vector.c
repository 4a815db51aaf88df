/*
 * vector: pgvector's vector type (see vector.h): the float4 element kind
 * over the shared body of vec_common.c, plus avg(vector) / sum(vector).
 */
#include "engine/types/vector.h"

#include <math.h>
#include <string.h>

#include "engine/types/float.h"
#include "engine/types/vec_common.h"

static float f4_get(const char *p)
{
    float f;
    memcpy(&f, p, sizeof(f));
    return f;
}

static void f4_set(char *p, float v)
{
    memcpy(p, &v, sizeof(v));
}

static float f4_round(float v)
{
    return v;
}

static const eng_veckind kind = {"vector", OID_VECTOR, sizeof(float), f4_get, f4_set, f4_round};
#define K (&kind)

int eng__vector_typmod(const int32_t *mods, int nmods, int32_t *out, pgw_error *err)
{
    return eng__veck_typmod(K, mods, nmods, out, err);
}

static int vector_in(eng_ctx *c, const char *s, size_t n, int32_t typmod, eng_val *out)
{
    return eng__veck_in(c, K, s, n, typmod, out);
}

static char *vector_out(eng_ctx *c, const eng_val *v, size_t *len)
{
    return eng__veck_out(c, K, v, len);
}

static int vector_recv(eng_ctx *c, const uint8_t *p, size_t n, int32_t typmod, eng_val *out)
{
    return eng__veck_recv(c, K, p, n, typmod, out);
}

static uint8_t *vector_send(eng_ctx *c, const eng_val *v, size_t *len)
{
    return eng__veck_send(c, K, v, len);
}

/* The vector(vector, typmod) length-coercion function. */
static int vector_apply_typmod(eng_ctx *c, eng_val *v, int32_t typmod, bool explicit_cast)
{
    (void)explicit_cast;
    return eng__veck_check_expected(c, typmod, eng__veck_dim(K, v));
}

const eng_type eng__type_vector = {OID_VECTOR, "vector", "vector", -1, 'U', false,
                                   vector_in, vector_out, vector_recv, vector_send, vector_apply_typmod};

const eng_veckind *eng__vector_kind(void)
{
    return K;
}

/* ---- avg(vector), avg(halfvec) ------------------------------------------- */

static const eng_veckind *kind_of(uint32_t type)
{
    return type == OID_HALFVEC ? eng__halfvec_kind() : K;
}

int eng__vector_accum(eng_ctx *c, uint32_t type, arena *a, eng_val *acc, const eng_val *x)
{
    const eng_veckind *k = kind_of(type);
    int dim = eng__veck_dim(k, x);
    if (acc->null) {
        double *z = arena_calloc(a, (size_t)dim + 1, sizeof(double));
        if (!z)
            return eng__oom(c);
        acc->null = false;
        acc->s.p = (const char *)z;
        acc->s.n = (size_t)dim * sizeof(double);
    }
    if (eng__veck_check_expected(c, (int32_t)(acc->s.n / sizeof(double)), dim))
        return -1;
    double *sum = (double *)(void *)acc->s.p; /* allocated above as doubles */
    for (int i = 0; i < dim; i++) {
        sum[i] += k->get(x->s.p + (size_t)i * k->esize);
        if (isinf(sum[i]))
            return eng__float_overflow(c);
    }
    return 0;
}

int eng__vector_avg(eng_ctx *c, uint32_t type, const eng_val *acc, int64_t n, eng_val *out)
{
    const eng_veckind *k = kind_of(type);
    int dim = (int)(acc->s.n / sizeof(double));
    const double *sum = (const double *)(const void *)acc->s.p;
    char *r = eng__veck_new(c, k, dim, out);
    if (!r)
        return -1;
    for (int i = 0; i < dim; i++) {
        float v = k->round((float)(sum[i] / (double)n));
        if (isinf(v))
            return eng__float_overflow(c);
        k->set(r + (size_t)i * k->esize, v);
    }
    return 0;
}

ENG_VECK_FNS(vec, K)

void eng__register_vector(void)
{
    eng__veck_register(K, "vector_norm", &vec_fns);
}
