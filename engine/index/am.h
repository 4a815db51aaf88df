/*
 * am: index access methods that answer "the rows nearest to a value" — the
 * interface between the catalog / planner / executor and an ordered index
 * (HNSW over vectors in am_hnsw.c; a spatial index can plug in the same way).
 *
 * Two layers:
 *   eng_am      what an access method implements (a vtable, registered by
 *               name: `CREATE INDEX ... USING <name>`). It sees labels, never
 *               rows: insert(label, value), build(labels, values) and
 *               knn(query, k) with an accept(label) callback.
 *   eng_amidx   one index instance (catalog-owned). It maps labels to
 *               (row id, hash of the indexed value) and keeps MVCC out of the
 *               access method: every row version that changes the indexed
 *               value gets a new label, nothing is removed, and a search hit
 *               counts only if the version the statement sees still holds
 *               that value (the executor checks through eng_amidx_entry).
 *
 * To add an access method: fill an eng_am (opclasses with their ordering
 * operator, option parsing, the four graph calls), add it to the table in
 * am.c, and the planner (engine/exec_indexscan.h) uses it for
 * `ORDER BY col <op> value LIMIT k` whenever <op> is the opclass's operator.
 *
 * Values: the indexed column and the value ordered by are variable-length
 * types (eng_val.s: vector, hypercube); versions are told apart by an
 * XXH3 hash of those bytes.
 *
 * Threads: eng_amidx_insert and eng_amidx_knn may run concurrently on one
 * index (the access method must allow it); build and free need exclusion
 * (the catalog's write lock); eng_amidx_save makes inserts wait. Errors fill a pgw_error with PostgreSQL's /
 * pgvector's SQLSTATE and wording.
 */
#ifndef HCDB_ENGINE_INDEX_AM_H
#define HCDB_ENGINE_INDEX_AM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/value.h"

/* One `WITH (name = value)` option, value as PostgreSQL's reloptions see it (text). */
typedef struct eng_am_option {
    const char *name;
    const char *value;
} eng_am_option;

/* An operator class: which operator the index orders by, on which type. */
typedef struct eng_am_opclass {
    const char *name;      /* vector_l2_ops */
    uint32_t type;         /* the column type it indexes */
    const char *order_op;  /* ORDER BY col <order_op> value uses the index */
    int metric;            /* the access method's own code (dist_metric for HNSW) */
    bool is_default;       /* chosen when CREATE INDEX names no opclass */
    const char *order_fn;  /* a function f(col, value) ordering as order_op does (ST_Distance), or NULL */
    const char *within_fn; /* a function f(col, value, r) true within distance r that the access
                            * method's `within` answers (ST_DWithin), or NULL */
} eng_am_opclass;

/* Definition-time facts the access method stores with the index (persisted by the catalog). */
typedef struct eng_am_def {
    const eng_am_opclass *opclass;
    int32_t typmod;        /* the column's typmod (vector(n): n) */
    int32_t opt[4];        /* parsed options, meaning the access method's (HNSW: m, ef_construction) */
} eng_am_def;

typedef struct eng_am_hit {
    int64_t label;
    double distance;       /* the SQL operator's value */
} eng_am_hit;

/* hnsw.ef_search's default, for a session without settings (tests). */
#define ENG_AM_DEFAULT_EF_SEARCH 40

/* Search-time knobs read from the session (SET hnsw.ef_search). */
typedef struct eng_am_scan_opts {
    int ef_search;
} eng_am_scan_opts;

typedef bool (*eng_am_accept_fn)(void *ctx, int64_t label);
/* Byte streams for checkpoints: 0 on success; a read delivers exactly n bytes. */
typedef int (*eng_am_write_fn)(void *ctx, const void *p, size_t n);
typedef int (*eng_am_read_fn)(void *ctx, void *p, size_t n);
/* Called for each label a `within` search finds; non-zero stops the search and is returned. */
typedef int (*eng_am_visit_fn)(void *ctx, int64_t label);

/* Build progress: done of total values are in the index; called about every tenth, from any
 * build thread but one call at a time. */
typedef struct eng_am_progress {
    void (*report)(void *ctx, size_t done, size_t total);
    void *ctx;
} eng_am_progress;

typedef struct eng_am {
    const char *name;                    /* USING name */
    uint32_t oid;                        /* pg_am.oid: fixed, as the vector type's OID is */
    const eng_am_opclass *opclasses;     /* terminated by a NULL name */
    /* Parse WITH options into def->opt and check them against the column (22023, ...). */
    int (*define)(eng_am_def *def, const eng_am_option *opts, int nopts, pgw_error *err);
    /* Render def's options back as "m=16, ef_construction=64" (for \d and pg_indexes). */
    void (*describe)(const eng_am_def *def, char *out, size_t outsz);
    int (*create)(const eng_am_def *def, void **state, pgw_error *err);
    void (*free)(void *state);
    /* 0 indexed, 1 not indexed (a value the method cannot order, e.g. a zero vector for cosine), -1 error. */
    int (*insert)(void *state, int64_t label, const eng_val *v, pgw_error *err);
    /* Bulk build over n (label, value) pairs on nthreads threads; progress may be NULL. */
    int (*build)(void *state, const int64_t *labels, const eng_val *vals, size_t n, int nthreads,
                 const eng_am_progress *progress, pgw_error *err);
    /* Up to k accepted labels, nearest first; the count, or -1 with err. accept may be NULL. The
     * search must keep going past its usual bound until k accepted labels are found or the
     * structure is exhausted, so a selective accept still gets k rows when k exist. */
    int (*knn)(void *state, const eng_val *query, size_t k, const eng_am_scan_opts *o,
               eng_am_accept_fn accept, void *ctx, eng_am_hit *out, pgw_error *err);
    size_t (*memory)(const void *state);
    /* The structure as bytes for a checkpoint (inserts are excluded by the caller), and a
     * structure for def back from the len bytes read delivers; load fails (-1, err) on
     * anything it cannot trust. */
    int (*save)(void *state, eng_am_write_fn write, void *ctx, pgw_error *err);
    int (*load)(const eng_am_def *def, eng_am_read_fn read, void *ctx, size_t len, void **state, pgw_error *err);
    /* Every label within distance radius (>= 0) of query, in no order: 0, the visitor's
     * non-zero return, or -1 with err. NULL for a method without opclasses that set within_fn. */
    int (*within)(void *state, const eng_val *query, double radius, eng_am_visit_fn visit, void *ctx,
                  pgw_error *err);
} eng_am;

/* The access method called name, or NULL. */
const eng_am *eng_am_find(const char *name);
/* The i-th access method (pg_am rows), or NULL past the last. */
const eng_am *eng_am_at(int i);
/* The opclass of am called name that fits type (NULL name: the default), or NULL with err
 * (42704 unknown opclass / no default, 42804 opclass for another type). */
const eng_am_opclass *eng_am_opclass_for(const eng_am *am, const char *name, uint32_t type,
                                         const char *type_name, pgw_error *err);

/* ---- one index instance ---------------------------------------------- */

typedef struct eng_amidx eng_amidx;

eng_amidx *eng_amidx_new(const eng_am *am, const eng_am_def *def, pgw_error *err);
void eng_amidx_free(eng_amidx *x);
const eng_am *eng_amidx_am(const eng_amidx *x);
const eng_am_def *eng_amidx_def(const eng_amidx *x);

/* Index one row version's value (NULL values are not indexed). Concurrent-safe. */
int eng_amidx_insert(eng_amidx *x, uint64_t rowid, const eng_val *v, pgw_error *err)
    __attribute__((warn_unused_result));
/* Build over n rows at once (an empty index; catalog write lock held). */
int eng_amidx_build(eng_amidx *x, const uint64_t *rowids, const eng_val *vals, size_t n, int nthreads,
                    const eng_am_progress *progress, pgw_error *err) __attribute__((warn_unused_result));
/* The row id and value hash behind a label. */
void eng_amidx_entry(const eng_amidx *x, int64_t label, uint64_t *rowid, uint64_t *hash);
/* The hash eng_amidx_entry reports for an indexed value v. */
uint64_t eng_amidx_hash(const eng_val *v);
int eng_amidx_knn(eng_amidx *x, const eng_val *query, size_t k, const eng_am_scan_opts *o,
                  eng_am_accept_fn accept, void *ctx, eng_am_hit *out, pgw_error *err);
/* The access method's within search (its opclass has a within_fn). */
int eng_amidx_within(eng_amidx *x, const eng_val *query, double radius, eng_am_visit_fn visit, void *ctx,
                     pgw_error *err);
/* What pg_get_indexdef prints after USING for this index on column col: `hnsw (col)`, the
 * opclass after col unless it is the type's default, then ` WITH (m='16', ...)` for the
 * options given, as PostgreSQL prints reloptions. */
void eng_amidx_indexdef(const eng_amidx *x, const char *col, char *out, size_t outsz);
/* Bytes held: the structure plus the label map. */
size_t eng_amidx_memory(const eng_amidx *x);
size_t eng_amidx_entries(const eng_amidx *x);

/* Checkpoints: the label map and the structure as bytes (u64 labels n, n x (u64 row id,
 * u64 hash), then the access method's own format), consistent because inserts wait
 * meanwhile (searches go on). 0, or -1 with err. */
int eng_amidx_save(eng_amidx *x, eng_am_write_fn write, void *ctx, pgw_error *err)
    __attribute__((warn_unused_result));
/* An index of am/def from the n bytes eng_amidx_save wrote, or NULL with err. */
eng_amidx *eng_amidx_load(const eng_am *am, const eng_am_def *def, const uint8_t *p, size_t n, pgw_error *err);

#endif
