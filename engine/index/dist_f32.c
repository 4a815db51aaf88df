/*
 * dist_f32: the portable scalar kernels, the reference every SIMD kernel is
 * tested against, and the metric helpers built on the dispatched kernels.
 */
#include "engine/index/dist.h"

#include <math.h>

float dist__l2sq_scalar(const float *a, const float *b, size_t n)
{
    float s = 0.0f;
    for (size_t i = 0; i < n; i++) {
        float d = a[i] - b[i];
        s += d * d;
    }
    return s;
}

float dist__dot_scalar(const float *a, const float *b, size_t n)
{
    float s = 0.0f;
    for (size_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

float dist__l1_scalar(const float *a, const float *b, size_t n)
{
    float s = 0.0f;
    for (size_t i = 0; i < n; i++)
        s += fabsf(a[i] - b[i]);
    return s;
}

float dist_norm(const float *a, size_t n)
{
    return sqrtf(dist_dot(a, a, n));
}

float dist_normalize(float *a, size_t n)
{
    float norm = dist_norm(a, n);
    if (norm > 0.0f && isfinite(norm)) {
        float inv = 1.0f / norm;
        for (size_t i = 0; i < n; i++)
            a[i] *= inv;
    }
    return norm;
}

/* pgvector computes cosine in double from float sums and clamps to [-1, 1]. */
static double cosine_distance(const float *a, const float *b, size_t n)
{
    double ab = dist_dot(a, b, n), aa = dist_dot(a, a, n), bb = dist_dot(b, b, n);
    double sim = ab / sqrt(aa * bb);
    if (isnan(sim))
        return NAN; /* a zero vector: pgvector returns NaN too */
    if (sim > 1.0)
        sim = 1.0;
    else if (sim < -1.0)
        sim = -1.0;
    return 1.0 - sim;
}

double dist_sql(dist_metric metric, const float *a, const float *b, size_t n)
{
    switch (metric) {
    case DIST_L2:
        return sqrt((double)dist_l2sq(a, b, n));
    case DIST_IP:
        return -(double)dist_dot(a, b, n);
    case DIST_COSINE:
        return cosine_distance(a, b, n);
    case DIST_L1:
        return (double)dist_l1(a, b, n);
    }
    return NAN;
}
