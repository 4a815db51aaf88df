/*
 * dist_dispatch: picks the kernels once per process from what the CPU
 * supports (__builtin_cpu_supports), optionally capped by the environment
 * variable HCDB_DIST_ISA (scalar, avx2, avx512) for benchmarks and tests.
 * The choice is published through an atomic pointer: racing first callers
 * compute the same answer, so no lock is needed.
 */
#include "engine/index/dist.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static const dist_kernels table[DIST_ISA_COUNT] = {
    {DIST_ISA_SCALAR, "scalar", dist__l2sq_scalar, dist__dot_scalar, dist__l1_scalar},
    {DIST_ISA_AVX2, "avx2", dist__l2sq_avx2, dist__dot_avx2, dist__l1_avx2},
    {DIST_ISA_AVX512, "avx512", dist__l2sq_avx512, dist__dot_avx512, dist__l1_avx512},
};

static _Atomic(const dist_kernels *) best;

static int cpu_has(dist_isa isa)
{
#if defined(__x86_64__)
    __builtin_cpu_init();
    switch (isa) {
    case DIST_ISA_SCALAR:
        return 1;
    case DIST_ISA_AVX2:
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case DIST_ISA_AVX512:
        return __builtin_cpu_supports("avx512f");
    }
    return 0;
#else
    return isa == DIST_ISA_SCALAR;
#endif
}

const dist_kernels *dist_kernels_for(dist_isa isa)
{
    if ((unsigned)isa >= DIST_ISA_COUNT || !cpu_has(isa))
        return NULL;
    return &table[isa];
}

static dist_isa env_cap(void)
{
    const char *s = getenv("HCDB_DIST_ISA");
    if (!s)
        return DIST_ISA_AVX512;
    for (int i = 0; i < DIST_ISA_COUNT; i++)
        if (strcmp(s, table[i].name) == 0)
            return (dist_isa)i;
    return DIST_ISA_AVX512;
}

const dist_kernels *dist_best(void)
{
    const dist_kernels *k = atomic_load_explicit(&best, memory_order_acquire);
    if (k)
        return k;
    dist_isa cap = env_cap();
    k = &table[DIST_ISA_SCALAR];
    for (int i = DIST_ISA_SCALAR + 1; i <= (int)cap; i++)
        if (cpu_has((dist_isa)i))
            k = &table[i];
    atomic_store_explicit(&best, k, memory_order_release);
    return k;
}

float dist_l2sq(const float *a, const float *b, size_t n)
{
    return dist_best()->l2sq(a, b, n);
}

float dist_dot(const float *a, const float *b, size_t n)
{
    return dist_best()->dot(a, b, n);
}

float dist_l1(const float *a, const float *b, size_t n)
{
    return dist_best()->l1(a, b, n);
}
