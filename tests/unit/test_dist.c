/* Unit tests for engine/index/dist*: every SIMD kernel equals the scalar one; metric helpers. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "engine/index/dist.h"
#include "util/mem.h"

static const size_t extra_dims[] = {384, 768, 1998, 16000};

/* Deterministic values in [-1, 1) (xorshift), so runs are reproducible. */
static void fill(float *v, size_t n, uint32_t seed)
{
    uint32_t s = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        v[i] = (float)((double)s / 2147483648.0 - 1.0);
    }
}

/* Float sums in a different order differ by rounding only: bound it by n * eps * sum |terms|. */
static void check_close(float got, float want, float scale, size_t n, const char *what, const char *isa)
{
    float tol = 4.0f * (float)n * 1.2e-7f * scale + 1e-6f;
    cr_assert(fabsf(got - want) <= tol, "%s %s n=%zu: %g vs scalar %g (tol %g)", isa, what, n,
              (double)got, (double)want, (double)tol);
}

static void check_dim(const dist_kernels *k, size_t n)
{
    float *a = mem_alloc(n * sizeof(float)), *b = mem_alloc(n * sizeof(float));
    fill(a, n, (uint32_t)n);
    fill(b, n, (uint32_t)n + 7777);
    float abs_dot = 0.0f;
    for (size_t i = 0; i < n; i++)
        abs_dot += fabsf(a[i] * b[i]);
    float l2 = dist__l2sq_scalar(a, b, n), l1 = dist__l1_scalar(a, b, n);
    check_close(k->l2sq(a, b, n), l2, l2, n, "l2sq", k->name);
    check_close(k->dot(a, b, n), dist__dot_scalar(a, b, n), abs_dot, n, "dot", k->name);
    check_close(k->l1(a, b, n), l1, l1, n, "l1", k->name);
    /* Unaligned starting addresses too. */
    if (n > 1) {
        float l2u = dist__l2sq_scalar(a + 1, b + 1, n - 1);
        check_close(k->l2sq(a + 1, b + 1, n - 1), l2u, l2u, n - 1, "l2sq unaligned", k->name);
    }
    mem_free(a);
    mem_free(b);
}

Test(dist, every_kernel_equals_scalar)
{
    int tested = 0;
    for (int isa = 0; isa < DIST_ISA_COUNT; isa++) {
        const dist_kernels *k = dist_kernels_for((dist_isa)isa);
        if (!k)
            continue;
        tested++;
        for (size_t n = 1; n <= 67; n++)
            check_dim(k, n);
        for (size_t i = 0; i < sizeof(extra_dims) / sizeof(extra_dims[0]); i++)
            check_dim(k, extra_dims[i]);
    }
    cr_assert_geq(tested, 1);
}

Test(dist, best_is_supported_and_at_least_avx2_on_x86)
{
    const dist_kernels *k = dist_best();
    cr_assert_not_null(k);
    cr_assert_eq(dist_kernels_for(k->isa), k);
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && !getenv("HCDB_DIST_ISA"))
        cr_assert_geq(k->isa, DIST_ISA_AVX2);
#endif
}

Test(dist, zero_length_is_zero)
{
    float a[1] = {1}, b[1] = {2};
    for (int isa = 0; isa < DIST_ISA_COUNT; isa++) {
        const dist_kernels *k = dist_kernels_for((dist_isa)isa);
        if (!k)
            continue;
        cr_assert_eq(k->l2sq(a, b, 0), 0.0f);
        cr_assert_eq(k->dot(a, b, 0), 0.0f);
        cr_assert_eq(k->l1(a, b, 0), 0.0f);
    }
}

Test(dist, sql_level_distances_match_pgvector)
{
    float a[3] = {1, 2, 3}, b[3] = {4, 6, 3}, z[3] = {0, 0, 0};
    cr_assert_float_eq(dist_sql(DIST_L2, a, b, 3), 5.0, 1e-9);
    cr_assert_float_eq(dist_sql(DIST_IP, a, b, 3), -25.0, 1e-9);
    cr_assert_float_eq(dist_sql(DIST_L1, a, b, 3), 7.0, 1e-9);
    double cos = 25.0 / (sqrt(14.0) * sqrt(61.0));
    cr_assert_float_eq(dist_sql(DIST_COSINE, a, b, 3), 1.0 - cos, 1e-6);
    cr_assert_float_eq(dist_sql(DIST_COSINE, a, a, 3), 0.0, 1e-6);
    /* pgvector: cosine distance with a zero vector is NaN. */
    cr_assert(isnan(dist_sql(DIST_COSINE, a, z, 3)));
}

Test(dist, normalize_leaves_zero_vectors_alone)
{
    float v[4] = {3, 0, 4, 0}, z[4] = {0};
    cr_assert_float_eq(dist_normalize(v, 4), 5.0f, 1e-6);
    cr_assert_float_eq(dist_norm(v, 4), 1.0f, 1e-6);
    cr_assert_eq(dist_normalize(z, 4), 0.0f);
    for (int i = 0; i < 4; i++)
        cr_assert_eq(z[i], 0.0f);
}
