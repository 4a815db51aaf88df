/* hc_embed: embedding arithmetic with length checks (see hc_embed.h). */
#include "engine/hypercube/hc_embed.h"

#include <math.h>

static hc_status check2(const float *a, size_t na, const float *b, size_t nb)
{
    if (na != nb)
        return HC_ERR_LENGTH_MISMATCH;
    if (na > 0 && (!a || !b))
        return HC_ERR_INVALID_ARGUMENT;
    return HC_OK;
}

hc_status hc_embed_cosine(const float *a, size_t na, const float *b, size_t nb, double *out)
{
    hc_status st = check2(a, na, b, nb);
    if (st != HC_OK)
        return st;
    double dot = 0, aa = 0, bb = 0;
    for (size_t i = 0; i < na; i++) {
        dot += (double)a[i] * b[i];
        aa += (double)a[i] * a[i];
        bb += (double)b[i] * b[i];
    }
    *out = (aa == 0 || bb == 0) ? 0.0 : dot / (sqrt(aa) * sqrt(bb));
    return HC_OK;
}

hc_status hc_embed_l2(const float *a, size_t na, const float *b, size_t nb, double *out)
{
    hc_status st = check2(a, na, b, nb);
    if (st != HC_OK)
        return st;
    double s = 0;
    for (size_t i = 0; i < na; i++) {
        double d = (double)a[i] - b[i];
        s += d * d;
    }
    *out = sqrt(s);
    return HC_OK;
}

hc_status hc_embed_add(const float *a, size_t na, const float *b, size_t nb, float *out)
{
    hc_status st = check2(a, na, b, nb);
    if (st != HC_OK)
        return st;
    for (size_t i = 0; i < na; i++)
        out[i] = a[i] + b[i];
    return HC_OK;
}

hc_status hc_embed_sub(const float *a, size_t na, const float *b, size_t nb, float *out)
{
    hc_status st = check2(a, na, b, nb);
    if (st != HC_OK)
        return st;
    for (size_t i = 0; i < na; i++)
        out[i] = a[i] - b[i];
    return HC_OK;
}

hc_status hc_embed_analogy(const float *a, size_t na, const float *b, size_t nb, const float *c, size_t nc,
                           float *out)
{
    hc_status st = check2(a, na, b, nb);
    if (st == HC_OK)
        st = check2(a, na, c, nc);
    if (st != HC_OK)
        return st;
    for (size_t i = 0; i < na; i++)
        out[i] = c[i] + (a[i] - b[i]);
    return HC_OK;
}
