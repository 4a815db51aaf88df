/* hc_centroid: rules A and B (see hc_centroid.h). */
#include "engine/hypercube/hc_centroid.h"

#include <math.h>

hc_status hc_centroid_sphere_raw(const uint32_t (*pts)[4], size_t n, uint32_t out[4])
{
    if (!pts || n == 0)
        return HC_ERR_EMPTY_INPUT;
    double sum[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        double v[4], nn = 0;
        for (int d = 0; d < 4; d++) {
            v[d] = hc_dequantize_unit(pts[i][d]);
            nn += v[d] * v[d];
        }
        double inv = nn > 1e-12 ? 1.0 / sqrt(nn) : 1.0;
        for (int d = 0; d < 4; d++)
            sum[d] += v[d] * inv;
    }
    double mean[4], nn = 0;
    for (int d = 0; d < 4; d++) {
        mean[d] = sum[d] / (double)n;
        nn += mean[d] * mean[d];
    }
    double inv = nn > 1e-12 ? 1.0 / sqrt(nn) : 1.0;
    for (int d = 0; d < 4; d++)
        out[d] = hc_quantize_unit(mean[d] * inv);
    return HC_OK;
}

/* Mean of n uint32 values held exactly in a 64-bit sum: quotient + remainder/n. */
static double exact_mean(uint64_t sum, size_t n)
{
    return (double)(sum / n) + (double)(sum % n) / (double)n;
}

static double pull_factor(int depth)
{
    return 1.0 - 1.0 / ((double)depth + 2.0);
}

hc_status hc_centroid_text_raw(const uint32_t (*pts)[4], size_t n, int depth, uint32_t out[4])
{
    if (!pts || n == 0)
        return HC_ERR_EMPTY_INPUT;
    if (depth < 0)
        return HC_ERR_INVALID_ARGUMENT;
    uint64_t sum[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < n; i++)
        for (int d = 0; d < 4; d++)
            sum[d] += pts[i][d];
    const double c = 2147483648.0, f = pull_factor(depth);
    for (int d = 0; d < 4; d++) {
        double v = floor(c + (exact_mean(sum[d], n) - c) * f + 0.5);
        out[d] = v <= 0 ? 0 : v >= 4294967295.0 ? 0xFFFFFFFFu : (uint32_t)v;
    }
    return HC_OK;
}

hc_status hc_centroid_text(const hc_point *pts, size_t n, int depth, hc_point *out)
{
    if (!pts || n == 0)
        return HC_ERR_EMPTY_INPUT;
    if (depth < 0)
        return HC_ERR_INVALID_ARGUMENT;
    double sum[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        sum[0] += pts[i].x, sum[1] += pts[i].y;
        sum[2] += pts[i].z, sum[3] += pts[i].m;
    }
    const double f = pull_factor(depth);
    double r[4];
    for (int d = 0; d < 4; d++)
        r[d] = 0.5 + (sum[d] / (double)n - 0.5) * f;
    out->x = r[0], out->y = r[1], out->z = r[2], out->m = r[3];
    return HC_OK;
}
