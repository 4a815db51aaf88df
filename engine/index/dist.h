/*
 * dist: float32 distance kernels for vectors (L2, inner product, cosine, L1).
 *
 * Owns the scalar reference kernels (dist_f32.c), the AVX2/FMA and AVX-512
 * kernels (dist_avx2.c, dist_avx512.c, each function compiled with its own
 * target attribute) and the run-time choice between them (dist_dispatch.c,
 * __builtin_cpu_supports). All functions are pure and thread-safe; the
 * dispatch table is resolved once, lazily, and is read-only afterwards.
 * Vectors need no alignment. n may be 0 (distance 0 / dot 0).
 */
#ifndef HCDB_ENGINE_INDEX_DIST_H
#define HCDB_ENGINE_INDEX_DIST_H

#include <stddef.h>

/* The four pgvector operators on `vector`. */
typedef enum dist_metric {
    DIST_L2 = 0,     /* <->  sqrt(sum (a-b)^2); kernels return the square */
    DIST_IP = 1,     /* <#>  -(a . b) */
    DIST_COSINE = 2, /* <=>  1 - a.b / (|a| |b|); NaN if either norm is 0, as pgvector */
    DIST_L1 = 3,     /* <+>  sum |a-b| */
} dist_metric;
#define DIST_METRIC_COUNT 4

typedef float (*dist_fn)(const float *a, const float *b, size_t n);

/* Instruction sets with their own kernels. */
typedef enum dist_isa { DIST_ISA_SCALAR = 0, DIST_ISA_AVX2 = 1, DIST_ISA_AVX512 = 2 } dist_isa;
#define DIST_ISA_COUNT 3

/* One set of kernels. l2sq = sum (a-b)^2, dot = sum a*b, l1 = sum |a-b|. */
typedef struct dist_kernels {
    dist_isa isa;
    const char *name; /* "scalar", "avx2", "avx512" */
    dist_fn l2sq;
    dist_fn dot;
    dist_fn l1;
} dist_kernels;

/* The best kernels this CPU supports (resolved once; HCDB_DIST_ISA=scalar|avx2|avx512 caps it). */
const dist_kernels *dist_best(void);
/* The kernels of one ISA, or NULL if the CPU (or this build) lacks it. For tests and benchmarks. */
const dist_kernels *dist_kernels_for(dist_isa isa);

/* Fast entry points through dist_best(). */
float dist_l2sq(const float *a, const float *b, size_t n);
float dist_dot(const float *a, const float *b, size_t n);
float dist_l1(const float *a, const float *b, size_t n);

/* The SQL-level distance of `metric` (what the operator returns; L2 is the square root). */
double dist_sql(dist_metric metric, const float *a, const float *b, size_t n);

/* Euclidean norm, and in-place scaling to unit length; returns the norm before (0: left as is). */
float dist_norm(const float *a, size_t n);
float dist_normalize(float *a, size_t n);

/* Scalar reference kernels (dist_f32.c); double accumulation is not used, float order is fixed. */
float dist__l2sq_scalar(const float *a, const float *b, size_t n);
float dist__dot_scalar(const float *a, const float *b, size_t n);
float dist__l1_scalar(const float *a, const float *b, size_t n);
/* SIMD kernels; only callable when the CPU supports them. */
float dist__l2sq_avx2(const float *a, const float *b, size_t n);
float dist__dot_avx2(const float *a, const float *b, size_t n);
float dist__l1_avx2(const float *a, const float *b, size_t n);
float dist__l2sq_avx512(const float *a, const float *b, size_t n);
float dist__dot_avx512(const float *a, const float *b, size_t n);
float dist__l1_avx512(const float *a, const float *b, size_t n);

#endif
