/*
 * hnsw: an in-memory HNSW graph index over float32 vectors (Malkov &
 * Yashunin, "Efficient and robust approximate nearest neighbor search using
 * Hierarchical Navigable Small World graphs", 2016/2018), pgvector-compatible
 * parameters. The index owns copies of the vectors; callers give each vector a
 * 64-bit label (the row id) and get labels back. Thread safety: any number of
 * threads may call hnsw_insert, hnsw_delete and the search functions on the
 * same index at once (per-element spinlocks, an entry-point lock, a
 * reader/writer lock that is taken exclusively only to grow the arrays);
 * hnsw_free, hnsw_save and hnsw_set_* need the caller to exclude writers.
 * Errors: negative HNSW_E* status, with a pgw_error (SQLSTATE + pgvector's
 * wording) filled when the out-parameter is not NULL.
 */
#ifndef HCDB_ENGINE_INDEX_HNSW_H
#define HCDB_ENGINE_INDEX_HNSW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/index/dist.h"
#include "protocol/pgw_error.h"

/* pgvector's ranges and defaults (hnsw.h of pgvector 0.8). */
#define HNSW_DEFAULT_M 16
#define HNSW_MIN_M 2
#define HNSW_MAX_M 100
#define HNSW_DEFAULT_EF_CONSTRUCTION 64
#define HNSW_MIN_EF_CONSTRUCTION 4
#define HNSW_MAX_EF_CONSTRUCTION 1000
#define HNSW_DEFAULT_EF_SEARCH 40
#define HNSW_MIN_EF_SEARCH 1
#define HNSW_MAX_EF_SEARCH 1000
/* The `vector` type's limit; pgvector caps HNSW at 2,000 only because of its 8 KB pages. */
#define HNSW_MIN_DIM 1
#define HNSW_MAX_DIM 16000
/* Internal ids are uint32 with one value reserved as "none". */
#define HNSW_MAX_ELEMENTS 0xFFFFFFF0u

/* Status codes. Non-negative = success. */
#define HNSW_OK 0
#define HNSW_SKIPPED 1     /* cosine: a zero vector is not indexed (as pgvector) */
#define HNSW_EINVAL (-1)   /* bad parameter or vector (22023) */
#define HNSW_ENOMEM (-2)   /* allocation failed (53200) */
#define HNSW_ECORRUPT (-3) /* serialized index fails its checks (XX001) */
#define HNSW_EIO (-4)      /* read/write callback failed (58030) */
#define HNSW_EEXIST (-5)   /* label already present and not deleted (23505) */
#define HNSW_ENOTFOUND (-6)
#define HNSW_ECANCELED (-7) /* progress callback asked to stop (57014) */


typedef struct hnsw_index hnsw_index;

typedef struct hnsw_params {
    dist_metric metric;  /* graph metric; cosine stores unit vectors */
    int dim;             /* 1..HNSW_MAX_DIM */
    int m;               /* links per node on upper levels; 2*m on level 0 */
    int ef_construction; /* candidate list size while inserting, >= 2*m */
    uint64_t seed;       /* level draws are a hash of (seed, internal id) */
    size_t capacity;     /* elements to allocate up front (0 = small default); grows as needed */
} hnsw_params;

typedef struct hnsw_result {
    int64_t label;  /* caller's row id */
    float distance; /* SQL-level: L2 (not squared), -dot, 1-cos, L1 */
} hnsw_result;

/* Returns true if the row with this label may be returned. Called from the searching thread. */
typedef bool (*hnsw_filter_fn)(void *ctx, int64_t label);
/* Called with done/total at ~every 10 %; return non-zero to cancel the build. Serialized. */
typedef int (*hnsw_progress_fn)(void *ctx, size_t done, size_t total);
/* Byte stream callbacks for persistence: return 0 on success (read: all n bytes). */
typedef int (*hnsw_write_fn)(void *ctx, const void *buf, size_t n);
typedef int (*hnsw_read_fn)(void *ctx, void *buf, size_t n);

/* Defaults: m 16, ef_construction 64, seed 100. */
void hnsw_params_init(hnsw_params *p, dist_metric metric, int dim);
/* pgvector's checks and messages ("value 1 out of bounds for option \"m\"", ...), SQLSTATE 22023. */
int hnsw_params_check(const hnsw_params *p, pgw_error *err) __attribute__((warn_unused_result));
int hnsw_check_ef_search(int ef_search, pgw_error *err) __attribute__((warn_unused_result));

int hnsw_create(const hnsw_params *p, hnsw_index **out, pgw_error *err)
    __attribute__((warn_unused_result));
void hnsw_free(hnsw_index *idx);

/* Algorithm 1. Copies vec (dim floats; NaN/Inf rejected). Cosine zero vectors: HNSW_SKIPPED. */
int hnsw_insert(hnsw_index *idx, int64_t label, const float *vec, pgw_error *err)
    __attribute__((warn_unused_result));
/*
 * Bulk build: inserts n row-major vectors (labels NULL = 0..n-1) with nthreads threads
 * (the caller's thread is one of them). Works on a non-empty index too.
 */
int hnsw_build(hnsw_index *idx, const float *vecs, const int64_t *labels, size_t n, int nthreads,
               hnsw_progress_fn progress, void *progress_ctx, pgw_error *err)
    __attribute__((warn_unused_result));

/* Marks a label deleted: never returned again, still used for navigation. */
int hnsw_delete(hnsw_index *idx, int64_t label) __attribute__((warn_unused_result));
/* VACUUM-style bulk delete: marks every live element whose label matches; returns how many. */
size_t hnsw_delete_where(hnsw_index *idx, hnsw_filter_fn match, void *ctx);

/*
 * k nearest live neighbours by HNSW search (Algorithm 5) with ef = max(ef_search, k).
 * Returns the number written to out (<= k), closest first, or a negative status.
 * Cosine with a zero query returns 0 rows (its distance to everything is NaN).
 */
int hnsw_search(hnsw_index *idx, const float *query, size_t k, int ef_search, hnsw_result *out);
/*
 * Filtered, iterative search: only labels the filter accepts count toward k and ef; the
 * rest are still traversed. The search goes on past ef candidates until ef accepted rows
 * are found or every reachable element was visited, so k rows come back whenever k
 * matching rows exist (unlike pgvector's ef-bounded scan).
 */
int hnsw_search_filtered(hnsw_index *idx, const float *query, size_t k, int ef_search,
                         hnsw_filter_fn filter, void *ctx, hnsw_result *out);
/* Exact brute force over the index's live elements (filter may be NULL); ties by smaller label. */
int hnsw_search_exact(hnsw_index *idx, const float *query, size_t k, hnsw_filter_fn filter,
                      void *ctx, hnsw_result *out);
/* Exact brute force over a raw row-major array; labels are row numbers; ties by smaller row. */
int hnsw_exact_knn(dist_metric metric, size_t dim, const float *base, size_t n, const float *query,
                   size_t k, hnsw_result *out);

size_t hnsw_count(const hnsw_index *idx); /* elements stored, deleted ones included */
size_t hnsw_live_count(const hnsw_index *idx);
int hnsw_dim(const hnsw_index *idx);
dist_metric hnsw_metric(const hnsw_index *idx);
/* Bytes this index holds (graph, vectors, labels, locks, label map, search scratch). */
size_t hnsw_memory_bytes(const hnsw_index *idx);

/* Persistence: the byte format is specified in hnsw_persist.c. No concurrent writers. */
int hnsw_save(hnsw_index *idx, hnsw_write_fn write, void *ctx, pgw_error *err)
    __attribute__((warn_unused_result));
int hnsw_load(hnsw_read_fn read, void *ctx, hnsw_index **out, pgw_error *err)
    __attribute__((warn_unused_result));
/* The same from a stream known to hold exactly `bytes` bytes: a size that disagrees with
 * the header is HNSW_ECORRUPT, and the arrays are allocated once instead of grown. */
int hnsw_load_sized(hnsw_read_fn read, void *ctx, size_t bytes, hnsw_index **out, pgw_error *err)
    __attribute__((warn_unused_result));
int hnsw_save_file(hnsw_index *idx, const char *path, pgw_error *err)
    __attribute__((warn_unused_result));
int hnsw_load_file(const char *path, hnsw_index **out, pgw_error *err)
    __attribute__((warn_unused_result));
size_t hnsw_serialized_size(const hnsw_index *idx);

#endif
