/*
 * halfvec: pgvector's halfvec type (see halfvec.h): the binary16 element
 * kind over the shared body of vec_common.c, and the casts to and from
 * vector (vector -> halfvec implicit, halfvec -> vector by assignment, as
 * pgvector declares them).
 */
#include "engine/types/halfvec.h"

#include <string.h>

#include "engine/types/half.h"
#include "engine/types/vec_common.h"

static float h_get(const char *p)
{
    uint16_t h;
    memcpy(&h, p, sizeof(h));
    return eng_half_to_float(h);
}

static void h_set(char *p, float v)
{
    uint16_t h = eng_float_to_half(v);
    memcpy(p, &h, sizeof(h));
}

static float h_round(float v)
{
    return eng_half_to_float(eng_float_to_half(v));
}

static const eng_veckind kind = {"halfvec", OID_HALFVEC, sizeof(uint16_t), h_get, h_set, h_round};
#define K (&kind)

const eng_veckind *eng__halfvec_kind(void)
{
    return K;
}

int eng__halfvec_typmod(const int32_t *mods, int nmods, int32_t *out, pgw_error *err)
{
    return eng__veck_typmod(K, mods, nmods, out, err);
}

static int halfvec_in(eng_ctx *c, const char *s, size_t n, int32_t typmod, eng_val *out)
{
    return eng__veck_in(c, K, s, n, typmod, out);
}

static char *halfvec_out(eng_ctx *c, const eng_val *v, size_t *len)
{
    return eng__veck_out(c, K, v, len);
}

static int halfvec_recv(eng_ctx *c, const uint8_t *p, size_t n, int32_t typmod, eng_val *out)
{
    return eng__veck_recv(c, K, p, n, typmod, out);
}

static uint8_t *halfvec_send(eng_ctx *c, const eng_val *v, size_t *len)
{
    return eng__veck_send(c, K, v, len);
}

static int halfvec_apply_typmod(eng_ctx *c, eng_val *v, int32_t typmod, bool explicit_cast)
{
    (void)explicit_cast;
    return eng__veck_check_expected(c, typmod, eng__veck_dim(K, v));
}

const eng_type eng__type_halfvec = {OID_HALFVEC, "halfvec", "halfvec", -1, 'U', false,
                                    halfvec_in, halfvec_out, halfvec_recv, halfvec_send, halfvec_apply_typmod};

static int from_vector(eng_ctx *c, const eng_val *in, eng_val *out)
{
    return eng__veck_convert(c, eng__vector_kind(), K, in, out);
}

static int to_vector(eng_ctx *c, const eng_val *in, eng_val *out)
{
    return eng__veck_convert(c, K, eng__vector_kind(), in, out);
}

ENG_VECK_FNS(hv, K)

void eng__register_halfvec(void)
{
    eng__veck_register(K, "l2_norm", &hv_fns);
    eng__reg_cast(OID_VECTOR, OID_HALFVEC, ENG_CAST_IMPLICIT, from_vector);
    eng__reg_cast(OID_HALFVEC, OID_VECTOR, ENG_CAST_ASSIGN, to_vector);
}
